from django.db import migrations

AREAS = [
    ("head", "Head", "Headaches, migraine and pain at the back of the head.", 5),
    ("joints", "Knees, hips and shoulders", "Pain in a large joint, such as arthritis.", 45),
]


def seed(apps, schema_editor):
    Area = apps.get_model("procedures", "Area")
    for slug, name, description, order in AREAS:
        Area.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("procedures", "Area").objects.filter(slug__in=[a[0] for a in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_waiting_changes_in_history")]
    operations = [migrations.RunPython(seed, unseed)]
