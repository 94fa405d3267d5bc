"""Both roles write care pathways (made content in 0006); only clinical reviewers
publish (the workflow checks that) and delete them. Only adds permissions to the groups
made by editorial's roles migration (created here if missing)."""

from django.db import migrations

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"
EDITING = ["add_pathway", "change_pathway", "view_pathway", "view_historicalpathway"]
WANTED = {EDITOR: EDITING, REVIEWER: [*EDITING, "delete_pathway"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in WANTED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="procedures", codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(
        content_type__app_label="procedures", codename__in=WANTED[REVIEWER]
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=WANTED):
        group.permissions.remove(*wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0007_shared_sources"),
        ("editorial", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
