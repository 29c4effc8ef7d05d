"""The forms of the report pages: the county's written fields, the city's return with comments
on figures, the matrix's range and a deadline extension."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.reporting.periods import period_from_key


class NotesForm(forms.Form):
    """The officer's fields of the report type (progress, problems, next steps)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report_type, **kwargs):
        super().__init__(*args, **kwargs)
        for field in report_type.fields:
            self.fields[field.key] = forms.CharField(
                label=field.label,
                required=field.required,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )


class ReturnForm(forms.Form):
    """A general reason and a comment per figure or section (fields `comment__<section>__<figure>`,
    the figure empty for the whole section)."""

    version = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[section["comment_field"]] = forms.CharField(required=False, max_length=2000)
            for row in section["rows"]:
                self.fields[row.field_name] = forms.CharField(required=False, max_length=2000)

    def comments(self) -> dict:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("comment__") and value:
                _prefix, section, figure = name.split("__", 2)
                found[(section, figure)] = value
        return found


class RangeForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 400

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The start of the range is after its end."))
            if (last - first).days > self.MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose a range of at most %(days)d days.") % {"days": self.MAX_DAYS}
                )
        return data


class ExtensionForm(forms.Form):
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    period = forms.CharField(label=_("period"), help_text=_("As the matrix names it: 2023-W36."))
    due_at = forms.DateTimeField(
        label=_("new due time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args, report_type, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_type = report_type
        self.fields["county"].queryset = counties

    def clean_period(self):
        period = period_from_key(self.report_type.cadence, self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("This is not a period of this report."))
        return period

    def clean_due_at(self):
        value = self.cleaned_data["due_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value
