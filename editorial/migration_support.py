"""Helpers for data migrations of page models (used by the apps' migrations)."""

from __future__ import annotations

from django.utils import timezone


def pending_to_waiting(app_label: str, model_names: list[str]):
    """A RunPython function: each old ``pending`` JSON becomes a waiting change in History,
    so changes that were waiting for review when the site was upgraded are kept."""

    def forwards(apps, schema_editor):
        user_model = apps.get_model("auth", "User")
        for model_name in model_names:
            model = apps.get_model(app_label, model_name)
            history = apps.get_model(app_label, f"Historical{model_name}")
            tracked = {f.name for f in history._meta.fields}
            m2m = {f.name for f in model._meta.many_to_many}
            for page in model.objects.exclude(pending=None):
                values = {
                    f.attname: getattr(page, f.attname)
                    for f in model._meta.concrete_fields
                    if f.attname in tracked
                }
                links = {
                    name: sorted(getattr(page, name).values_list("pk", flat=True)) for name in m2m
                }
                for name, value in (page.pending or {}).items():
                    if name in m2m:
                        links[name] = sorted(value or [])
                    elif name in tracked:
                        values[name] = model._meta.get_field(name).to_python(value)
                user = user_model.objects.filter(username=page.pending_by).first()
                history.objects.create(
                    **values,
                    history_date=page.pending_at or timezone.now(),
                    history_type="~",
                    history_user=user,
                    history_change_reason="Changes submitted for review",
                    event="submitted",
                    live=False,
                    outcome="waiting",
                    base_version=page.version,
                    links=links,
                )

    return forwards
