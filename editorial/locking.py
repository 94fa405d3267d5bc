"""Optimistic locking for every editable model: the form carries the version it was
loaded with, and a save from an older version is refused (the text stays in the form).

Pages go further (``editorial.workflow``): a save based on older text is kept aside
in History and the person chooses on the conflict screen. Records without History
(the clinic's details) are refused with a message instead. Both read the version
the same way, with the row locked so two saves cannot both pass the check.
"""

from __future__ import annotations

from django import forms


def locked_version(model, pk) -> int | None:
    """The stored version, with the row locked until the end of the transaction."""
    return model.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()


class VersionLockedForm(forms.ModelForm):
    """A ModelForm for a model with a ``version`` field that ``save()`` increments."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stale_message = (
        "Someone else saved this after you opened it, so your changes were not saved. "
        "Copy anything you typed, reload the page, and make your changes again."
    )
    refuse_stale = True  # pages set False: the workflow keeps their text aside instead

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.refuse_stale and self.instance.pk is not None:
            current = locked_version(type(self.instance), self.instance.pk)
            if current is not None and cleaned.get("loaded_version") != current:
                raise forms.ValidationError(self.stale_message, code="stale")
        return cleaned
