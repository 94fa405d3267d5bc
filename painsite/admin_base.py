"""Shared pieces for the content ModelAdmins: the clinic's editing workflow.

- Roles: only users with ``editorial.publish_content`` (the "Clinical reviewer"
  group) can publish or unpublish, and only users with
  ``editorial.review_content`` can change the medical-review fields. The rule is
  enforced in ``save_model`` (every route: change form, add form, list
  editing, actions, restore), not only by hiding form fields.
- An editor's save of a *published* page is kept as "changes waiting for
  review" (``pending``): patients keep seeing the published text until a
  reviewer opens the page (the form shows the waiting changes) and saves it.
- Optimistic locking: the form carries the ``version`` it was loaded with; a
  save from an older version is refused and the text stays in the form.
- History (django-simple-history): a readable comparison of any revision with
  the current page, and restore (which adds a revision and deletes none).
- Live preview: the Markdown field posts to a staff-only endpoint that runs the
  same rendering as ``save()``.
"""

from __future__ import annotations

import datetime
import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from painsite import markdown
from painsite.history import LOADER
from painsite.pages import Status, one_year_after

PUBLISH_PERMISSION = "editorial.publish_content"
REVIEW_PERMISSION = "editorial.review_content"
REVIEW_FIELDS = ("reviewed_on", "reviewed_by", "next_review_due")
NOT_COMPARED = {"id", "version", "updated", "created", "source_hash"}
MAX_PREVIEW_CHARS = 200_000


def can_publish(user) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def can_review(user) -> bool:
    return user.is_active and user.has_perm(REVIEW_PERMISSION)


def render_html(obj, rendered_field: str) -> str:
    """Render an unsaved or changed page exactly as ``save()`` would; return its HTML."""
    if hasattr(obj, "render"):
        obj.render()
    else:  # glossary terms render a plain fragment in save()
        obj.definition_html = markdown.render_fragment(obj.definition)
    return getattr(obj, rendered_field)


def _json_value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "values_list"):  # a queryset of related pages
        return sorted(value.values_list("pk", flat=True))
    if isinstance(value, list | tuple):
        return [getattr(v, "pk", v) for v in value]
    return value


def apply_pending(obj, *, relations: bool = False):
    """Copy waiting changes onto ``obj`` (not saved). Returns the many-to-many values."""
    m2m = {}
    for name, value in (obj.pending or {}).items():
        field = obj._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(obj, name, field.to_python(value))
    return m2m


# --- the form ------------------------------------------------------------------


class PageAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    STALE = (
        "Someone else saved this page while you were editing it (your copy is version "
        "%(mine)s; the page is now at version %(current)s, saved %(when)s). Your changes have "
        "NOT been saved, and your text is still in the form below. Open the page's History in "
        "a new tab to see what changed, copy anything you need, then press Save again to "
        "replace their version with yours."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.fields["loaded_version"].initial = instance.version
            if instance.pending and not self.is_bound:
                for name, value in instance.pending.items():
                    if name in self.fields:
                        self.initial[name] = value

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            return cleaned
        loaded = cleaned.get("loaded_version")
        current = (
            type(instance)
            .objects.select_for_update()
            .filter(pk=instance.pk)
            .values("version", "updated")
            .first()
        )
        if current and loaded != current["version"]:
            # Show the newer version number so that a deliberate second save goes through.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = current["version"]
            when = timezone.localtime(current["updated"]).strftime("%d %b %Y at %H:%M")
            raise forms.ValidationError(
                self.STALE,
                code="stale",
                params={"mine": loaded or "?", "current": current["version"], "when": when},
            )
        return cleaned


class ArticleAdminForm(PageAdminForm):
    def clean_body(self):
        from figures.embed import references
        from figures.models import Figure

        body = self.cleaned_data.get("body", "")
        keys = {key for key, _, _ in references(body)}
        missing = keys - set(Figure.objects.filter(key__in=keys).values_list("key", flat=True))
        if missing:
            raise forms.ValidationError(
                "No image is called %(keys)s. Add it under Images first, or check the spelling "
                "of ![Alt text](images/NAME).",
                params={"keys": ", ".join(sorted(missing))},
            )
        return body


# --- the medical review filter ---------------------------------------------------


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("attention", "Overdue or due in 30 days"),
            ("overdue", "Overdue"),
            ("soon", "Due in the next 30 days"),
            ("never", "Never reviewed"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return queryset.review_overdue()
        if value == "soon":
            return queryset.review_due_soon()
        if value == "attention":
            return queryset.review_overdue() | queryset.review_due_soon()
        if value == "never":
            return queryset.filter(reviewed_on__isnull=True)
        return queryset


# --- the admin -----------------------------------------------------------------------


class WorkflowAdmin(SimpleHistoryAdmin):
    """Drafts, roles, waiting changes, optimistic locking, history, preview."""

    form = PageAdminForm
    markdown_field = "body"
    change_form_template = "admin/editorial/change_form.html"
    object_history_template = "admin/editorial/object_history.html"
    object_history_list_template = "admin/editorial/object_history_list.html"
    save_on_top = True

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-preview.js"]

    # --- permissions ------------------------------------------------------------

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_review_permission(self, request):
        return can_review(request.user)

    @property
    def _has_review_fields(self):
        return hasattr(self.model, "reviewed_on")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields.append("status")
        if self._has_review_fields and not can_review(request.user):
            fields.extend(REVIEW_FIELDS)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(opts)) for name, opts in super().get_fieldsets(request, obj)]
        name, opts = fieldsets[-1]
        opts["fields"] = [*opts["fields"], "loaded_version"]
        fieldsets[-1] = (name, opts)
        return fieldsets

    # --- saving -------------------------------------------------------------------

    def _enforce_roles(self, request, obj, original):
        user = request.user
        if not can_publish(user):
            obj.status = original.status if original else Status.DRAFT
        if self._has_review_fields and not can_review(user):
            for name in REVIEW_FIELDS:
                default = self.model._meta.get_field(name).get_default()
                setattr(obj, name, getattr(original, name) if original else default)
        elif (
            self._has_review_fields
            and original is not None
            and obj.reviewed_on != original.reviewed_on
            and obj.next_review_due == original.next_review_due
        ):
            obj.next_review_due = None  # a new review: due again one year after it (on save)

    def _store_pending(self, request, original, values: dict, reason: str):
        pending = {name: _json_value(value) for name, value in values.items()}
        changed = []
        for name, value in pending.items():
            field = original._meta.get_field(name)
            current = getattr(original, name)
            current = _json_value(current.all() if field.many_to_many else current)
            if value != current:
                changed.append(str(field.verbose_name))
        if changed:
            reason = f"{reason}: {', '.join(changed)}"
        if len(reason) > 100:  # the history's change-reason column holds 100 characters
            reason = reason[:99] + "…"
        original.pending = pending
        original.pending_by = request.user.get_username()
        original.pending_at = timezone.now()
        original.version += 1
        original._history_user = request.user
        original._change_reason = reason
        original.save(update_fields=["pending", "pending_by", "pending_at", "version", "updated"])
        request._painsite_pending = True
        messages.info(
            request,
            "Your changes are saved and waiting for a clinical reviewer to publish them. "
            "Patients still see the published page. Use Preview to see your version.",
        )

    def save_model(self, request, obj, form, change):
        original = self.model.objects.get(pk=obj.pk) if change else None
        self._enforce_roles(request, obj, original)
        obj._history_user = request.user
        if original is not None and original.is_published and not can_publish(request.user):
            values = {
                name: value
                for name, value in form.cleaned_data.items()
                if name in form._meta.fields
                and name not in ("status", "loaded_version", *REVIEW_FIELDS)
            }
            self._store_pending(
                request, original, values, "Changes saved for review (not yet published)"
            )
            obj.version = original.version
            return
        if original is not None and original.pending is not None:
            obj._change_reason = "Published the changes that were waiting for review"
        obj.pending, obj.pending_by, obj.pending_at = None, "", None
        obj.save()

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_painsite_pending", False):
            return  # links are part of the waiting changes, not the live page
        super().save_related(request, form, formsets, change)

    # --- actions ----------------------------------------------------------------------

    @admin.action(description="Publish selected pages", permissions=["publish"])
    def publish_selected(self, request, queryset):
        if not can_publish(request.user):
            raise PermissionDenied
        count = 0
        for obj in queryset:
            m2m = apply_pending(obj)
            obj.status = Status.PUBLISHED
            obj.pending, obj.pending_by, obj.pending_at = None, "", None
            obj._history_user = request.user
            obj._change_reason = "Published (list action)"
            obj.save()
            for name, pks in m2m.items():
                getattr(obj, name).set(pks)
            count += 1
        self.message_user(request, f"Published {count} page(s).", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected pages (make them drafts)", permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        if not can_publish(request.user):
            raise PermissionDenied
        count = 0
        for obj in queryset.filter(status=Status.PUBLISHED):
            obj.status = Status.DRAFT
            obj._history_user = request.user
            obj._change_reason = "Unpublished (list action)"
            obj.save()
            count += 1
        self.message_user(request, f"{count} page(s) are now drafts.", messages.SUCCESS)

    @admin.action(
        description="Mark selected pages medically reviewed today", permissions=["review"]
    )
    def mark_reviewed_today(self, request, queryset):
        if not can_review(request.user) or not self._has_review_fields:
            raise PermissionDenied
        today = timezone.localdate()
        count = 0
        for obj in queryset:
            obj.reviewed_on = today
            obj.next_review_due = one_year_after(today)
            obj._history_user = request.user
            obj._change_reason = "Marked medically reviewed"
            obj.save()
            count += 1
        self.message_user(
            request,
            f"Marked {count} page(s) reviewed; next review due in one year.",
            messages.SUCCESS,
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._has_review_fields:
            actions.pop("mark_reviewed_today", None)
        return actions

    actions = ["publish_selected", "unpublish_selected", "mark_reviewed_today"]

    # --- list columns -----------------------------------------------------------------

    @admin.display(description="Waiting for review", boolean=True)
    def waiting(self, obj):
        return obj.pending is not None

    # --- extra views ------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "markdown-preview/",
                wrap(self.markdown_preview_view),
                name=f"{prefix}_markdown_preview",
            ),
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path(
                "<path:object_id>/history/<int:history_id>/compare/",
                wrap(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            path(
                "<path:object_id>/discard-pending/",
                wrap(self.discard_pending_view),
                name=f"{prefix}_discard_pending",
            ),
            *super().get_urls(),
        ]

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)

    def _get_page(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def markdown_preview_view(self, request):
        """POST ``text`` → ``{"html": ...}``: the sanitized HTML a save would store."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only"}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("text", "")
        if len(text) > MAX_PREVIEW_CHARS:
            return JsonResponse({"error": "The text is too long to preview."}, status=400)
        obj = self.model()
        setattr(obj, self.markdown_field, text)
        if hasattr(obj, "slug"):
            obj.slug = request.POST.get("slug", "")[:150]
        data = {"html": render_html(obj, self.rendered_field)}
        if getattr(obj, "reading_grade", None) is not None:
            data["reading"] = (
                f"Reading grade {obj.reading_grade} (aim 6, at most 6.5); "
                f"hardest section {obj.reading_worst} (at most 8)."
            )
        response = JsonResponse(data)
        add_never_cache_headers(response)
        return response

    preview_template = "admin/editorial/preview_fragment.html"

    rendered_field = "body_html"

    def get_preview_object(self, obj):
        return obj

    def get_preview_context(self, request, obj):
        return {"object": obj, "html": getattr(obj, self.rendered_field)}

    def preview_view(self, request, object_id):
        obj = self._get_page(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        obj = self.get_preview_object(obj)
        if obj.pending is not None:
            apply_pending(obj)
        render_html(obj, self.rendered_field)
        context = {
            **self.get_preview_context(request, obj),
            "is_preview": True,
            "preview_note": (
                "This shows the changes waiting for review." if obj.pending is not None else ""
            ),
        }
        response = TemplateResponse(request, self.preview_template, context)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def _compared_fields(self):
        from painsite.history import NOT_RECORDED

        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in NOT_COMPARED and f.name not in NOT_RECORDED
        ]

    def _restorable_fields(self):
        return [
            f
            for f in self._compared_fields()
            if f.editable and f.name != "status" and f.name not in REVIEW_FIELDS
        ]

    def compare_view(self, request, object_id, history_id):
        obj = self._get_page(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history.all(), history_id=history_id)
        old = record.instance
        rows = []
        for field in self._compared_fields():
            before = field.value_to_string(old)
            after = field.value_to_string(obj)
            if before == after:
                continue
            rows.append(
                {
                    "label": field.verbose_name,
                    "lines": line_diff(before, after),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare: {obj}",
            "opts": self.model._meta,
            "object": obj,
            "record": record,
            "who": who(record),
            "rows": rows,
            "can_restore": self.has_change_permission(request, obj),
            "restore_url": self._url("restore", obj.pk, record.history_id),
            "history_url": self._url("history", obj.pk),
            "change_url": self._url("change", obj.pk),
        }
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    @transaction.atomic
    def restore_view(self, request, object_id, history_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("compare", object_id, history_id))
        obj = self._get_page(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        record = get_object_or_404(obj.history.all(), history_id=history_id)
        if request.POST.get("loaded_version") != str(obj.version):
            messages.error(
                request,
                "The page changed while you were comparing; nothing was restored. "
                "Look at the comparison again and restore once more if you still want to.",
            )
            return HttpResponseRedirect(self._url("compare", obj.pk, record.history_id))
        old = record.instance
        values = {f.name: getattr(old, f.name) for f in self._restorable_fields()}
        when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
        reason = f"Restored the version of {when}"
        if obj.is_published and not can_publish(request.user):
            self._store_pending(request, obj, values, reason + " (waiting for review)")
        else:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.pending, obj.pending_by, obj.pending_at = None, "", None
            obj._history_user = request.user
            obj._change_reason = reason
            obj.save()
            messages.success(request, f"{reason}. Nothing was deleted from the history.")
        return HttpResponseRedirect(self._url("change", obj.pk))

    def discard_pending_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", object_id))
        obj = self._get_page(request, object_id)
        if not self.has_change_permission(request, obj) or not can_publish(request.user):
            raise PermissionDenied
        if obj.pending is not None:
            self.model.objects.filter(pk=obj.pk).update(
                pending=None, pending_by="", pending_at=None, version=obj.version + 1
            )
            messages.success(request, "The waiting changes were discarded.")
        return HttpResponseRedirect(self._url("change", obj.pk))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return HttpResponseRedirect(self._url("compare", object_id, version_id))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        excluded = sorted(NOT_COMPARED | {"pending", "pending_by", "pending_at"})
        for current in historical_records:
            current.who = who(current)
            if previous is not None:
                delta = previous.diff_against(current, excluded_fields=excluded)
                previous.changed_fields = [
                    str(self.model._meta.get_field(name).verbose_name)
                    for name in delta.changed_fields
                    if name not in excluded
                ]
            previous = current

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["preview_url"] = self._url("preview", obj.pk)
            context["page_obj_pending"] = obj.pending is not None
            context["pending_by"] = obj.pending_by
            context["pending_at"] = obj.pending_at
            context["discard_pending_url"] = self._url("discard_pending", obj.pk)
        context["can_publish"] = can_publish(request.user)
        context["markdown_preview_url"] = self._url("markdown_preview")
        return super().render_change_form(request, context, add, change, form_url, obj)


def who(record) -> str:
    if record.history_user_id:
        return str(record.history_user)
    if record.history_change_reason == LOADER:
        return LOADER
    return "unknown (not in the admin)"


def line_diff(before: str, after: str) -> list[dict]:
    """Rows of ``{"kind": "same"|"removed"|"added"|"gap", "text": ...}``, 2 lines of context."""
    a, b = before.splitlines() or [""], after.splitlines() or [""]
    rows: list[dict] = []
    groups = list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(2))
    for index, group in enumerate(groups):
        if index:
            rows.append({"kind": "gap", "text": "…"})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend({"kind": "same", "text": line} for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                rows.extend({"kind": "removed", "text": line} for line in a[i1:i2])
            if tag in ("replace", "insert"):
                rows.extend({"kind": "added", "text": line} for line in b[j1:j2])
    return rows


class RenderedHtmlMixin:
    """The HTML the site will show: filled on load from the saved page, then kept live
    by ``static/js/admin-preview.js`` as the editor types (same renderer as save)."""

    rendered_field = "body_html"

    @admin.display(description="How the page will look")
    def rendered_preview(self, obj):
        html = getattr(obj, self.rendered_field, "") if obj else ""
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_markdown_preview")
        return format_html(
            '<div class="rendered-preview" data-preview-url="{}" data-source="id_{}" '
            'aria-live="polite">{}</div><p class="rendered-preview__status help" '
            "data-preview-status></p>",
            url,
            getattr(self, "markdown_field", "body"),
            mark_safe(html) if html else "Shown here as you type.",  # sanitized with nh3 on save
        )


@admin.display(description="Reading grade", ordering="reading_grade")
def reading_grade(obj):
    if obj.reading_grade is None:
        return "–"
    warn = obj.reading_grade > 6.5 or (obj.reading_worst or 0) > 8
    return f"{obj.reading_grade} (hardest section {obj.reading_worst}){' ⚠' if warn else ''}"
