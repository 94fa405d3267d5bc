"""Posting admin change forms the way a browser would, from the form a GET returned."""

from __future__ import annotations


def form_data(response, **changes) -> dict:
    """The data a browser would post back unchanged for the admin form in ``response``."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = value
    data.update(changes)
    return data


def change_url(obj) -> str:
    from django.urls import reverse

    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_url(model, name, *args) -> str:
    from django.urls import reverse

    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
