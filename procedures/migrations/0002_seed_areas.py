from django.db import migrations

AREAS = [
    ("neck-arm", "Neck and arm", "Neck pain, or pain that spreads into the shoulder, arm or hand.", 10),
    ("upper-back", "Upper back", "Pain between the shoulder blades or around the ribs.", 20),
    ("lower-back", "Lower back", "Pain low in the back, above the buttocks.", 30),
    ("leg", "Leg pain from the back", "Pain, tingling or numbness that runs from the back down the leg.", 40),
    ("muscles", "Muscles", "Tight, tender knots in the muscles, or widespread muscle pain.", 50),
    ("cancer", "Pain from cancer", "Pain caused by cancer or its treatment.", 60),
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
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
