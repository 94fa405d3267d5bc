"""Both roles write procedure plans and questions; only clinical reviewers publish (the
workflow checks that) and delete them. Only adds permissions to the groups made by
editorial's roles migration (created here if missing)."""

from django.db import migrations

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"
EDITING = [
    f"{action}_{model}"
    for model in ("prepplan", "quiz")
    for action in ("add", "change", "view")
] + ["view_historicalprepplan", "view_historicalquiz"]
WANTED = {EDITOR: EDITING, REVIEWER: [*EDITING, "delete_prepplan", "delete_quiz"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("plans")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in WANTED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="plans", codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=WANTED):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="plans"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("editorial", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
