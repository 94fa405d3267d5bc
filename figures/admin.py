from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from editorial.workflow import can_publish

from . import images
from .models import Figure


class FigureForm(forms.ModelForm):
    class Meta:
        model = Figure
        fields = ["key", "image", "alt", "decorative", "caption", "credit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any file name will do: the image is stored under a new random name (set_image),
        # so the uploaded name is never kept and its length does not matter.
        self.fields["image"].max_length = None

    def clean_key(self):
        # Page text finds images by lower-case key (images/Spine is images/spine), and so
        # do the content files (images/spine.png); a key with capitals would match neither.
        return (self.cleaned_data.get("key") or "").lower()

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload is None or getattr(upload, "_committed", True) and upload == self.instance.image:
            return upload
        if upload.size > images.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; at most 10 MB."
            )
        upload.seek(0)
        data = upload.read()
        try:
            images.process(data, upload.name)
        except images.ImageRejected as exc:
            raise forms.ValidationError(f"This image cannot be used: {exc}.") from None
        upload.seek(0)
        return upload


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    form = FigureForm
    list_display = ["key", "thumbnail", "alt", "decorative", "caption", "updated"]
    list_filter = ["decorative"]
    search_fields = ["key", "alt", "caption", "credit"]
    readonly_fields = ["thumbnail", "size", "how_to_use"]
    fields = ["key", "image", "thumbnail", "size", "alt", "decorative", "caption", "credit",
              "how_to_use"]  # fmt: skip

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except images.ImageNotStored as exc:  # rolled back, and its files removed
            self.message_user(request, exc.strerror, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_change_permission(self, request, obj=None):
        # An image on a published page changes what patients see: a reviewer's job.
        if obj is not None and obj.pk and not can_publish(request.user):
            if obj.used_on_published_pages():
                return False
        return super().has_change_permission(request, obj)

    @admin.display(description="Preview")
    def thumbnail(self, obj):
        if not obj or not obj.renditions:
            return "–"
        first = obj.renditions[0]
        return format_html(
            '<img class="figure-thumb" src="{}" width="{}" height="{}" alt="">',
            obj._url(first["fallback"]),
            first["width"],
            first["height"],
        )

    @admin.display(description="Size")
    def size(self, obj):
        return f"{obj.width} × {obj.height} px" if obj and obj.width else "–"

    @admin.display(description="How to show it on a page")
    def how_to_use(self, obj):
        key = obj.key if obj and obj.key else "KEY"
        return format_html(
            "On a line of its own in the page text: <code>![{}](images/{})</code>",
            (obj.alt if obj and obj.alt else "Alt text"),
            key,
        )
