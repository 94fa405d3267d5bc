"""Who sees page feedback: content editors and clinical reviewers may read it;
reviewers may also delete an answer (for example one that holds personal details).
Only adds permissions; the groups are the ones made by editorial's roles migration.
"""

from django.db import migrations

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"
WANTED = {
    EDITOR: ["view_feedback"],
    REVIEWER: ["view_feedback", "delete_feedback"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("feedback")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in WANTED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="feedback", codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=WANTED):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="feedback"))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("editorial", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
