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

import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from core.includes import FACT_NAMES
from core.markdown import image_references, validate_markdown
from core.pages import (
    Status,
    content_fields,
    normalize_newlines,
    publish_problems,
    text_problems,
)
from core.registry import registry
from editorial import workflow
from editorial.history import Event, Outcome
from editorial.locking import VersionLockedForm
from editorial.workflow import REVIEW_FIELDS, can_publish, can_review

MAX_PREVIEW_CHARS = 200_000
WORDS = re.compile(r"\S+\s*|\s+")


def render_html(obj) -> str:
    """Render an unsaved or changed page exactly as ``save()`` would; return its HTML."""
    obj.render()
    return getattr(obj, obj.html_field)


def apply_values(obj, values: dict) -> None:
    """Copy content values onto ``obj`` for a preview (links are not set)."""
    for name, value in values.items():
        if not obj._meta.get_field(name).many_to_many:
            setattr(obj, name, value)


# --- the form ------------------------------------------------------------------


class PageAdminForm(VersionLockedForm):
    """The page's fields, starting from the waiting change when there is one.

    It carries what it was loaded from (page version and waiting change), so the
    workflow can tell when someone else changed the page in the meantime.
    """

    loaded_waiting = forms.IntegerField(widget=forms.HiddenInput, required=False)
    refuse_stale = False  # the workflow keeps a stale save aside and shows the conflict

    def __init__(self, *args, start_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.fields["loaded_waiting"].initial = workflow.base_of(instance).waiting
            if not self.is_bound:
                record = start_from or workflow.waiting_change(instance)
                if record is not None:
                    for name, value in workflow.record_values(record).items():
                        if name in self.fields:
                            self.initial[name] = value

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            cleaned[name] = normalize_newlines(value)  # browsers send CRLF
        return cleaned

    user = None  # set by WorkflowAdmin.get_form: the person saving

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self._goes_live():
            return
        # The workflow refuses it too (workflow._validate_live); said here, at the field.
        text_field = type(self.instance).text_field
        for problem in publish_problems(self.instance):
            if problem.blocks != "publish":
                continue
            where = f"Line {problem.line}: " if problem.line else ""
            self.add_error(
                text_field if text_field in self.fields else None,
                f"Not published: patients' pages must keep this rule. {where}{problem.message}",
            )

    def _goes_live(self) -> bool:
        """Will this save put the text live as a published page? (Only a reviewer's can.)"""
        model = type(self.instance)
        if not hasattr(model, "text_field") or not can_publish(self.user):
            return False
        stored = model.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        status = self.cleaned_data.get("status") or (stored.status if stored else None)
        if status != Status.PUBLISHED:
            return False
        if stored is None or stored.status != Status.PUBLISHED:
            return True
        content = {f.name for f in content_fields(model)}
        return bool(content & set(self.changed_data)) or workflow.waiting_change(stored) is not None

    @property
    def base(self) -> workflow.Base | None:
        if not self.instance.pk:
            return None
        version = self.cleaned_data.get("loaded_version")
        waiting = self.cleaned_data.get("loaded_waiting")
        return workflow.Base(version, waiting) if version is not None else None


class ArticleAdminForm(PageAdminForm):
    def clean_body(self):
        body = normalize_newlines(self.cleaned_data.get("body", ""))
        keys = {key for key, _, _ in image_references(body)}
        known = registry.model("figure").objects.filter(key__in=keys)
        missing = keys - set(known.values_list("key", flat=True))
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


class WaitingFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting for review"), ("no", "Nothing waiting")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(waiting=True)
        if self.value() == "no":
            return queryset.filter(waiting=False)
        return queryset


# --- the admin -----------------------------------------------------------------------


class WorkflowAdmin(SimpleHistoryAdmin):
    """Adapts the admin to ``editorial.workflow``: every save, action and view calls it."""

    form = PageAdminForm
    change_form_template = "admin/editorial/change_form.html"
    object_history_template = "admin/editorial/object_history.html"
    object_history_list_template = "admin/editorial/object_history_list.html"
    preview_template = "admin/editorial/preview_fragment.html"
    actions = ["publish_selected", "unpublish_selected", "mark_reviewed_today"]
    list_filter = ["status", WaitingFilter]
    save_on_top = True
    # Links between pages as a list of checkboxes: readable, keyboard- and screen-reader-
    # friendly, and fine for the few dozen choices a clinic has (Django's two-list widget
    # is not accessible).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    class Media:
        css = {"all": ["css/admin.css", "css/admin-editor.css"]}
        js = ["js/admin-preview.js", "js/admin-editor.js"]

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
        opts["fields"] = [*opts["fields"], "loaded_version", "loaded_waiting"]
        fieldsets[-1] = (name, opts)
        return fieldsets

    def get_queryset(self, request):
        return workflow.with_waiting(super().get_queryset(request))

    def get_list_filter(self, request):
        """Every page list can show what waits for review, whatever filters it declares."""
        filters = list(super().get_list_filter(request))
        if WaitingFilter not in filters:
            filters.insert(1 if "status" in filters else 0, WaitingFilter)
        return filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(form, PageAdminForm):
            form = type(form.__name__, (form,), {"user": request.user})
        record_id = request.GET.get("start_from")
        if obj is None or not record_id or not record_id.isdigit():
            return form
        record = obj.history.filter(history_id=int(record_id)).first()

        class StartFrom(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, start_from=record, **kw)

        return StartFrom

    # --- saving: one workflow operation ------------------------------------------------

    def _form_values(self, form) -> dict:
        names = {f.name for f in content_fields(self.model)} | {
            f.name for f in self.model._meta.many_to_many
        }
        return {k: v for k, v in form.cleaned_data.items() if k in names}

    def save_model(self, request, obj, form, change):
        user = request.user
        data = form.cleaned_data
        status = data.get("status") if "status" in data and can_publish(user) else None
        review = None
        if self._has_review_fields and can_review(user):
            review = {k: data[k] for k in REVIEW_FIELDS if k in data}
        values = self._form_values(form)
        if not change:
            result = workflow.create(self.model, values, user, status=status or obj.status,
                                     review=review)  # fmt: skip
            obj.pk = result.record.id
        else:
            original = self.model.objects.get(pk=obj.pk)
            result = workflow.save(original, values, user, base=form.base, status=status,
                                   review=review)  # fmt: skip
        obj._workflow_result = result

    def save_related(self, request, form, formsets, change):
        """Links are part of the operation (``save_model``); only inlines are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def log_change(self, request, obj, message):
        result = getattr(obj, "_workflow_result", None)
        if result is not None and not result.changed:
            return None
        return super().log_change(request, obj, message)

    RESULT_MESSAGES = {
        "unchanged": (messages.INFO, "Nothing was changed, so nothing was saved."),
        Event.SUBMITTED: (
            messages.SUCCESS,
            "Your changes are saved and waiting for a clinical reviewer. Patients still see "
            "the published page. Use Preview to see your version.",
        ),
        Event.PUBLISHED: (messages.SUCCESS, "Published: patients now see this version."),
        Event.UNPUBLISHED: (messages.SUCCESS, "The page is now a draft, hidden from patients."),
        Event.REVIEWED: (messages.SUCCESS, "The medical review is recorded."),
        Event.CREATED: (messages.SUCCESS, "Saved as a draft (hidden from patients)."),
        Event.SAVED: (messages.SUCCESS, "Saved."),
        Event.RESTORED: (messages.SUCCESS, "Restored. Nothing was deleted from the history."),
    }

    def _say(self, request, result):
        level, text = self.RESULT_MESSAGES.get(result.event, (messages.SUCCESS, "Saved."))
        self.message_user(request, text, level)

    def response_change(self, request, obj):
        result = obj._workflow_result
        if result.event == "conflict":
            return HttpResponseRedirect(self._url("conflict", obj.pk, result.record.history_id))
        self._say(request, result)
        if "_continue" in request.POST or result.event == Event.SUBMITTED:
            return HttpResponseRedirect(self._url("change", obj.pk))
        if "_addanother" in request.POST:
            return HttpResponseRedirect(self._url("add"))
        return self.response_post_save_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._say(request, obj._workflow_result)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(self._url("add"))
        if "_save" in request.POST and "_continue" not in request.POST:
            return self.response_post_save_add(request, obj)
        return HttpResponseRedirect(self._url("change", obj.pk))

    # --- actions ----------------------------------------------------------------------

    def _each(self, request, queryset, operation, done: str):
        count, refused = 0, []
        for page in queryset:
            try:
                if operation(page, request.user).changed:
                    count += 1
            except workflow.Stale:
                refused.append(str(page))
            except ValidationError as exc:
                refused.append(f"{page} ({' '.join(exc.messages)})")
        self.message_user(request, done.format(count=count), messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not published, because the page changed after the waiting change was "
                "written or the text breaks a rule; open it to review: " + "; ".join(refused),
                messages.WARNING,
            )

    @admin.action(description="Publish selected pages", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._each(request, queryset, workflow.publish, "Published {count} page(s).")

    @admin.action(
        description="Unpublish selected pages (make them drafts)", permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        self._each(request, queryset, workflow.unpublish, "{count} page(s) are now drafts.")

    @admin.action(
        description="Mark selected pages medically reviewed today", permissions=["review"]
    )
    def mark_reviewed_today(self, request, queryset):
        self._each(
            request,
            queryset,
            workflow.mark_reviewed,
            "Marked {count} page(s) reviewed; next review due in one year.",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._has_review_fields:
            actions.pop("mark_reviewed_today", None)
        return actions

    # --- list columns -----------------------------------------------------------------

    @admin.display(description="Review", ordering="waiting")
    def waiting(self, obj):
        if getattr(obj, "waiting", False):
            return format_html(
                '<span class="badge badge--waiting"><span aria-hidden="true">⏳ </span>{}</span>',
                "Waiting for review",
            )
        return format_html('<span class="badge badge--none">{}</span>', "—")

    # --- extra views ------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        wrap = self.admin_site.admin_view
        views = [
            ("markdown-preview/", self.markdown_preview_view, "markdown_preview"),
            ("editor/check/", self.editor_check_view, "editor_check"),
            ("editor/images/", self.editor_images_view, "editor_images"),
            ("editor/pages/", self.editor_pages_view, "editor_pages"),
            ("editor/names/", self.editor_names_view, "editor_names"),
            ("<path:object_id>/preview/", self.preview_view, "preview"),
            ("<path:object_id>/review/", self.review_view, "review"),
            ("<path:object_id>/history/<int:history_id>/compare/", self.compare_view, "compare"),
            ("<path:object_id>/history/<int:history_id>/restore/", self.restore_view, "restore"),
            ("<path:object_id>/conflict/<int:history_id>/", self.conflict_view, "conflict"),
        ]
        return [
            *[path(route, wrap(view), name=f"{prefix}_{name}") for route, view, name in views],
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
        text = normalize_newlines(request.POST.get("text", ""))
        if len(text) > MAX_PREVIEW_CHARS:
            return JsonResponse({"error": "The text is too long to preview."}, status=400)
        problems = validate_markdown(text)
        if problems:
            return JsonResponse({"error": " ".join(problems)}, status=400)
        obj = self.model()
        setattr(obj, obj.text_field, normalize_newlines(text))
        if hasattr(obj, "slug"):
            obj.slug = request.POST.get("slug", "")[:150]
        data = {"html": render_html(obj)}
        if getattr(obj, "reading_grade", None) is not None:
            data["reading"] = (
                f"Reading grade {obj.reading_grade} (aim 6, at most 6.5); "
                f"hardest section {obj.reading_worst} (at most 8)."
            )
        response = JsonResponse(data)
        add_never_cache_headers(response)
        return response

    # --- the Markdown editor's helpers (static/js/admin-editor.js) ------------------

    def _may_write(self, request) -> bool:
        return self.has_add_permission(request) or self.has_change_permission(request)

    def _editor_json(self, request, data: dict, status: int = 200) -> JsonResponse:
        response = JsonResponse(data, status=status)
        add_never_cache_headers(response)
        return response

    def editor_check_view(self, request):
        """POST ``text`` (and ``object_id``, ``slug``) → ``{"problems": [...]}``: exactly
        what saving would refuse in the text (``blocks: "save"``) and what would keep it
        from being published (``blocks: "publish"``), each with its line."""
        if request.method != "POST":
            return self._editor_json(request, {"error": "POST only"}, status=405)
        if not self._may_write(request):
            raise PermissionDenied
        text = normalize_newlines(request.POST.get("text", ""))
        if len(text) > MAX_PREVIEW_CHARS:
            return self._editor_json(request, {"error": "The text is too long to check."}, 400)
        obj = None
        object_id = request.POST.get("object_id", "")
        if object_id:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and not self.has_change_permission(request, obj):
                raise PermissionDenied
        obj = obj or self.model()
        setattr(obj, self.model.text_field, text)
        if hasattr(obj, "slug") and "slug" in request.POST:
            obj.slug = request.POST["slug"][:150]
        found = [p.as_dict() for p in text_problems(obj)]
        if not any(p["rule"] == "markdown" for p in found):
            found += [p.as_dict() for p in publish_problems(obj)]
        found.sort(key=lambda p: (p["line"] is None, p["line"] or 0))
        return self._editor_json(
            request,
            {
                "problems": found,
                "counts": {
                    "save": sum(p["blocks"] == "save" for p in found),
                    "publish": sum(p["blocks"] == "publish" for p in found),
                    "advice": sum(p["blocks"] == "advice" for p in found),
                },
            },
        )

    def editor_images_view(self, request):
        """GET (``q``) → ``{"images": [...]}``: the image library with thumbnails, alt text
        and the Markdown that shows each image."""
        if not self._may_write(request):
            raise PermissionDenied
        figure = registry.model("figure")
        query = request.GET.get("q", "").strip()[:100]
        figures = figure.objects.all()
        if query:
            figures = figures.filter(
                models.Q(key__icontains=query)
                | models.Q(alt__icontains=query)
                | models.Q(caption__icontains=query)
            )
        images = []
        for fig in figures.order_by("key")[:200]:
            first = fig.renditions[0] if fig.renditions else None
            thumbnail = default_storage.url(first["fallback"]) if first else fig.image.url
            alt = "" if fig.decorative else fig.alt
            images.append(
                {
                    "key": fig.key,
                    "alt": alt,
                    "decorative": fig.decorative,
                    "caption": fig.caption,
                    "thumbnail": thumbnail,
                    "markdown": f"![{_escape_link_text(alt)}](images/{fig.key})",
                }
            )
        return self._editor_json(request, {"images": images})

    def editor_pages_view(self, request):
        """GET (``q``) → ``{"pages": [...]}``: published pages patients can open, with
        their address (``get_absolute_url``, made with ``reverse()``) and the link."""
        if not self._may_write(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:100].lower()
        pages = []
        for page_type in registry:
            if not page_type.searchable:
                continue
            model = page_type.model
            found = model.objects.published().order_by(page_type.name_field)
            if query:
                found = found.filter(**{f"{page_type.name_field}__icontains": query})
            for page in found[:300]:
                title = str(getattr(page, page_type.name_field))
                url = page.get_absolute_url()
                pages.append(
                    {
                        "title": title,
                        "url": url,
                        "kind": str(model._meta.verbose_name).capitalize(),
                        "markdown": f"[{_escape_link_text(title)}]({url})",
                    }
                )
        return self._editor_json(request, {"pages": pages})

    def editor_names_view(self, request):
        """GET → the clinic facts and the published shared blocks a text may name."""
        if not self._may_write(request):
            raise PermissionDenied
        facts = registry.fact_source()
        blocks = registry.block_source() if getattr(self.model, "may_include", True) else {}
        return self._editor_json(
            request,
            {
                "facts": [
                    {
                        "name": name,
                        "label": FACT_LABELS.get(name, name),
                        "value": facts[name].label if name in facts else "",
                        "markdown": f"{{{{ {name} }}}}",
                    }
                    for name in FACT_NAMES
                ],
                "blocks": [
                    {
                        "slug": block.slug,
                        "title": block.title,
                        "markdown": f"{{{{ include {block.slug} }}}}",
                    }
                    for block in sorted(blocks.values(), key=lambda b: b.title)
                ],
            },
        )

    def get_preview_object(self, obj):
        return obj

    def get_preview_context(self, request, obj):
        return {"object": obj, "html": getattr(obj, obj.html_field)}

    def preview_view(self, request, object_id):
        obj = self._get_page(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        obj = self.get_preview_object(obj)
        waiting = workflow.waiting_change(obj)
        if waiting is not None:
            apply_values(obj, workflow.record_values(waiting))
        render_html(obj)
        context = {
            **self.get_preview_context(request, obj),
            "is_preview": True,
            "preview_note": "This shows the changes waiting for review." if waiting else "",
        }
        response = TemplateResponse(request, self.preview_template, context)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def _field_rows(self, before: dict, after: dict) -> list[dict]:
        rows = []
        for field in [*content_fields(self.model), *self.model._meta.many_to_many]:
            old, new = before.get(field.name), after.get(field.name)
            if old == new:
                continue
            if field.many_to_many:
                old, new = self._names(field, old), self._names(field, new)
            rows.append({"label": field.verbose_name, "lines": line_diff(_text(old), _text(new))})
        return rows

    def _names(self, field, pks) -> str:
        names = field.related_model.objects.filter(pk__in=pks or []).order_by("pk")
        return "\n".join(str(n) for n in names)

    def _context(self, request, obj, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "change_url": self._url("change", obj.pk),
            "history_url": self._url("history", obj.pk),
            **extra,
        }

    def compare_view(self, request, object_id, history_id):
        obj = self._get_page(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history.all(), history_id=history_id)
        context = self._context(
            request,
            obj,
            title=f"Compare: {obj}",
            crumb="Compare",
            record=record,
            who=workflow.who_wrote(record, None),
            rows=self._field_rows(workflow.record_values(record), workflow.live_values(obj)),
            can_restore=self.has_change_permission(request, obj),
            restore_url=self._url("restore", obj.pk, record.history_id),
            base=workflow.base_of(obj),
        )
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    def _base_from(self, request) -> workflow.Base | None:
        version = request.POST.get("loaded_version", "")
        waiting = request.POST.get("loaded_waiting", "")
        if not version.isdigit():
            return None
        return workflow.Base(int(version), int(waiting) if waiting.isdigit() else None)

    def restore_view(self, request, object_id, history_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("compare", object_id, history_id))
        obj = self._get_page(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history.all(), history_id=history_id)
        try:
            result = workflow.restore(obj, record, request.user, base=self._base_from(request))
        except ValidationError as exc:
            messages.error(request, "Not restored: " + " ".join(exc.messages))
            return HttpResponseRedirect(self._url("compare", obj.pk, record.history_id))
        if result.event == "conflict":
            return HttpResponseRedirect(self._url("conflict", obj.pk, result.record.history_id))
        self._say(request, result)
        return HttpResponseRedirect(self._url("change", obj.pk))

    def review_view(self, request, object_id):
        """The reviewer's screen: the waiting change against the published page, with
        Publish, Send back (with a note) and Discard."""
        obj = self._get_page(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        waiting = workflow.waiting_change(obj)
        if request.method == "POST" and waiting is not None:
            return self._review_action(request, obj, waiting)
        if waiting is None:
            messages.info(request, "Nothing is waiting for review on this page.")
            return HttpResponseRedirect(self._url("change", obj.pk))
        stale = workflow.text_changed_since(obj, waiting.base_version)
        context = self._context(
            request,
            obj,
            title=f"Review: {obj}",
            crumb="Review",
            waiting=waiting,
            who=workflow.who_wrote(waiting, None),
            rows=self._field_rows(workflow.live_values(obj), workflow.record_values(waiting)),
            stale=stale,
            can_publish=can_publish(request.user),
            may_discard=workflow.may_withdraw(request.user, waiting),
            preview_url=self._url("preview", obj.pk),
        )
        return TemplateResponse(request, "admin/editorial/review.html", context)

    def _review_action(self, request, obj, waiting):
        if str(waiting.history_id) != request.POST.get("waiting", ""):
            messages.warning(
                request,
                "The waiting change was replaced while you were reading it: nothing was done. "
                "Here is the newer one.",
            )
            return HttpResponseRedirect(self._url("review", obj.pk))
        action = request.POST.get("action")
        try:
            if action == "publish":
                workflow.publish(obj, request.user)
                messages.success(request, "Published: patients now see this version.")
            elif action == "send_back":
                workflow.send_back(obj, request.user, request.POST.get("note", ""))
                messages.success(request, "Sent back to the editor with your note.")
            elif action == "discard":
                workflow.discard(obj, request.user)
                messages.success(
                    request, "The waiting change was set aside. It stays in the History."
                )
            else:
                return HttpResponseRedirect(self._url("review", obj.pk))
        except workflow.Stale as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self._url("review", obj.pk))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self._url("review", obj.pk))
        return HttpResponseRedirect(self._url("change", obj.pk))

    def conflict_view(self, request, object_id, history_id):
        """Someone else changed the page while this person edited: both texts, and a choice."""
        obj = self._get_page(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        mine = get_object_or_404(obj.history.all(), history_id=history_id)
        waiting = workflow.waiting_change(obj)
        theirs_values = workflow.proposed_values(obj)
        theirs = waiting or obj.history.filter(live=True).order_by("-history_id").first()
        context = self._context(
            request,
            obj,
            title=f"This page changed while you were editing it: {obj}",
            crumb="Conflict",
            mine=mine,
            theirs=theirs,
            who=workflow.who_wrote(theirs, request.user),
            rows=self._field_rows(theirs_values, workflow.record_values(mine)),
            base=workflow.base_of(obj),
            restore_url=self._url("restore", obj.pk, mine.history_id),
            edit_url=self._url("change", obj.pk) + f"?start_from={mine.history_id}",
        )
        return TemplateResponse(request, "admin/editorial/conflict.html", context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return HttpResponseRedirect(self._url("compare", object_id, version_id))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            current.who = workflow.who_wrote(current, None)
            if previous is not None:
                before, after = workflow.record_values(current), workflow.record_values(previous)
                previous.changed_fields = [
                    str(self.model._meta.get_field(name).verbose_name)
                    for name in after
                    if before.get(name) != after.get(name)
                ]
            previous = current

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            waiting = workflow.waiting_change(obj)
            context["preview_url"] = self._url("preview", obj.pk)
            context["waiting"] = waiting
            context["waiting_who"] = workflow.who_wrote(waiting, request.user) if waiting else ""
            context["review_url"] = self._url("review", obj.pk)
            context["sent_back"] = (
                obj.history.filter(event=Event.SENT_BACK).order_by("-history_id").first()
                if waiting is None
                else None
            )
            if context["sent_back"] is not None:
                later = obj.history.filter(history_id__gt=context["sent_back"].history_id)
                if later.exclude(event=Event.SENT_BACK).exists():
                    context["sent_back"] = None
            if context["sent_back"] is not None:
                # The form shows the page; the text sent back is one click away.
                returned = obj.history.filter(outcome=Outcome.SENT_BACK).order_by("-history_id")
                returned = returned.first()
                if returned and request.GET.get("start_from") != str(returned.history_id):
                    context["sent_back_text_url"] = (
                        self._url("change", obj.pk) + f"?start_from={returned.history_id}"
                    )
        context["can_publish"] = can_publish(request.user)
        context["markdown_preview_url"] = self._url("markdown_preview")
        if hasattr(self.model, "text_field"):
            context["editor_urls"] = {
                name: self._url(f"editor_{name}") for name in ("check", "images", "pages", "names")
            }
            context["editor_object_id"] = obj.pk if obj is not None and obj.pk else ""
        return super().render_change_form(request, context, add, change, form_url, obj)


FACT_LABELS = {
    "clinic_name": "Clinic name",
    "phone": "Clinic phone number",
    "after_hours": "After-hours number",
    "emergency": "Emergency number",
    "ambulance": "Ambulance number",
    "crisis_line": "Crisis line",
}


def _escape_link_text(text: str) -> str:
    """Text that stays one Markdown link text (brackets and backslashes escaped)."""
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(text.split()))


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def line_diff(before: str, after: str) -> list[dict]:
    """Rows of ``{"kind": "same"|"removed"|"added"|"gap", "text"|"parts": ...}``.

    Changed lines carry ``parts``: (changed?, text) pairs, so the words that differ
    are highlighted within the line. Two lines of context around each change.
    """
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
            old, new = a[i1:i2], b[j1:j2]
            if tag == "replace" and len(old) == len(new):
                for line_a, line_b in zip(old, new, strict=True):
                    removed, added = word_diff(line_a, line_b)
                    rows.append({"kind": "removed", "text": line_a, "parts": removed})
                    rows.append({"kind": "added", "text": line_b, "parts": added})
                continue
            rows.extend({"kind": "removed", "text": line, "parts": [(True, line)]} for line in old)
            rows.extend({"kind": "added", "text": line, "parts": [(True, line)]} for line in new)
    return rows


def word_diff(before: str, after: str) -> tuple[list, list]:
    """(changed?, text) parts of two lines, word by word."""
    a, b = _split_words(before), _split_words(after)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            removed.append((False, "".join(a[i1:i2])))
            added.append((False, "".join(b[j1:j2])))
        else:
            if i2 > i1:
                removed.append((True, "".join(a[i1:i2])))
            if j2 > j1:
                added.append((True, "".join(b[j1:j2])))
    return removed, added


def _split_words(line: str) -> list[str]:
    """Words with their following spaces, so joining the parts gives the line back."""
    return WORDS.findall(line)


class RenderedHtmlMixin:
    """The HTML the site will show: filled on load from the saved page, then kept live
    by ``static/js/admin-preview.js`` as the editor types (same renderer as save)."""

    @admin.display(description="How the page will look")
    def rendered_preview(self, obj):
        html = getattr(obj, self.model.html_field, "") if obj else ""
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_markdown_preview")
        return format_html(
            '<div class="rendered-preview" data-preview-url="{}" data-source="id_{}" '
            'data-site-css="{}" data-preview-css="{}" role="region" '
            'aria-label="How the page will look" tabindex="0">{}</div>'
            '<p class="rendered-preview__status help" data-preview-status aria-live="polite"></p>',
            url,
            self.model.text_field,
            static("css/site.css"),
            static("css/admin-editor-preview.css"),
            mark_safe(html) if html else "Shown here as you type.",  # sanitized with nh3 on save
        )


@admin.display(description="Reading grade", ordering="reading_grade")
def reading_grade(obj):
    if obj.reading_grade is None:
        return "–"
    warn = obj.reading_grade > 6.5 or (obj.reading_worst or 0) > 8
    return f"{obj.reading_grade} (hardest section {obj.reading_worst}){' ⚠' if warn else ''}"
