import datetime

from django import forms
from django.utils import timezone

from .models import Condition

# How far from today a plan may be made: a recent procedure (its recovery steps) up to
# two years ahead.
DAYS_BACK = 30
DAYS_AHEAD = 730

# Box name in the address -> the steps it adds.
OPTION_FIELDS = {
    "blood_thinner": Condition.BLOOD_THINNER,
    "diabetes": Condition.DIABETES,
    "weight_loss": Condition.WEIGHT_LOSS,
    "sedation": Condition.SEDATION,
}


class PlanForm(forms.Form):
    procedure = forms.ChoiceField(label="Your procedure")
    date = forms.DateField(
        label="The date of your procedure",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date of your procedure.",
            "invalid": "Enter the date as year-month-day, for example 2027-03-09.",
        },
    )
    blood_thinner = forms.BooleanField(
        required=False, label="I take a blood thinner (medicine that stops clots)"
    )
    diabetes = forms.BooleanField(required=False, label="I take medicine for diabetes")
    weight_loss = forms.BooleanField(
        required=False,
        label="I take a weekly weight-loss or diabetes injection (a GLP-1 medicine)",
    )
    sedation = forms.BooleanField(
        required=False, label="I will have sedation (medicine to help me relax)"
    )

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "Choose your procedure")] + [
            (p.slug, p.title) for p in procedures
        ]
        self.fields["procedure"].error_messages["required"] = "Choose your procedure."
        self.fields["procedure"].error_messages["invalid_choice"] = "Choose your procedure."
        today = timezone.localdate()
        self.earliest = today - datetime.timedelta(days=DAYS_BACK)
        self.latest = today + datetime.timedelta(days=DAYS_AHEAD)
        self.fields["date"].widget.attrs.update(
            {"min": self.earliest.isoformat(), "max": self.latest.isoformat()}
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not self.earliest <= day <= self.latest:
            raise forms.ValidationError(
                "Choose a date between %(first)s and %(last)s.",
                params={
                    "first": self.earliest.strftime("%B %-d, %Y"),
                    "last": self.latest.strftime("%B %-d, %Y"),
                },
            )
        return day

    def date_value(self) -> str:
        """What the date field shows: a real date only (an <input type=date> holds no other)."""
        value = self["date"].value()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value or "")).isoformat()
        except ValueError:
            return ""

    def conditions(self) -> set[str]:
        return {str(c) for name, c in OPTION_FIELDS.items() if self.cleaned_data.get(name)}
