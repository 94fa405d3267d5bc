"""The two staff roles, as groups with permissions.

- Content editor: add, change and view pages, FAQs, glossary terms and images;
  save drafts. Cannot publish, unpublish, delete or mark a page reviewed.
- Clinical reviewer: everything an editor can do, and publish, delete and
  mark pages medically reviewed.

Running it again (or after new permissions appear) only adds what is missing.
"""

from django.db import migrations

EDITOR = "Content editor"
REVIEWER = "Clinical reviewer"

CONTENT = [
    ("procedures", "procedure"),
    ("procedures", "condition"),
    ("faq", "faq"),
    ("glossary", "glossaryterm"),
    ("figures", "figure"),
]
HISTORY = [
    ("procedures", "historicalprocedure"),
    ("procedures", "historicalcondition"),
    ("faq", "historicalfaq"),
    ("glossary", "historicalglossaryterm"),
]


def codenames():
    editor = []
    for app, model in CONTENT:
        editor += [(app, f"add_{model}"), (app, f"change_{model}"), (app, f"view_{model}")]
    editor += [(app, f"view_{model}") for app, model in HISTORY]
    editor.append(("procedures", "view_area"))
    reviewer = editor + [(app, f"delete_{model}") for app, model in CONTENT]
    reviewer += [
        ("procedures", "add_area"),
        ("procedures", "change_area"),
        ("editorial", "publish_content"),
        ("editorial", "review_content"),
    ]
    return {EDITOR: editor, REVIEWER: reviewer}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in codenames().items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, REVIEWER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("procedures", "0003_pending_and_history"),
        ("faq", "0002_pending_and_history"),
        ("glossary", "0002_pending_and_history"),
        ("figures", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
