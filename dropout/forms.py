"""Forms of dropout control: ledger forms (scoped by ScopedModelForm) and the case actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import calendar
from core.columns import columns
from core.forms import (
    CheckboxesWithAll,
    IdNumberFormField,
    MultipleFileField,
    SchoolYearField,
    ScopedModelForm,
    style_widgets,
)
from core.models import Region, RegionLevel, School
from dropout.models import (
    ActionKind,
    CaseOutcome,
    CohortBaseline,
    Exemption,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    Responsibility,
)


class DropoutForm(ScopedModelForm):
    """Base of the dropout forms (ID numbers masked on edit and dates come from core)."""


class OutOfCityEnrolmentForm(DropoutForm):
    class Meta:
        model = OutOfCityEnrolment
        fields = columns(OutOfCityEnrolment, first=("id_number",))
        date_fields = ("verified_on",)


class ExemptionForm(DropoutForm):
    class Meta:
        model = Exemption
        fields = columns(Exemption, first=("id_number",))
        date_fields = ("approved_on", "valid_from", "valid_until")


class ResponsibilityForm(DropoutForm):
    class Meta:
        model = Responsibility
        fields = ["township", "school", "line", "person", "title", "phone"]


class Grade6SpotCheckForm(DropoutForm):
    class Meta:
        model = Grade6SpotCheck
        fields = columns(Grade6SpotCheck, without=("county", "registry_count", "discrepancy"))
        date_fields = ("date",)
        widgets = {
            "discrepancy_names": forms.Textarea(attrs={"rows": 2}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }


class CohortBaselineForm(DropoutForm):
    class Meta:
        model = CohortBaseline
        fields = ["county", "entry_year", "locality", "grade1_enrolment"]


# --- Forms of the case page and the round page -------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(*args, **kwargs)


class CaseActionForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("kind"), choices=ActionKind.choices)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_("JPEG, PNG, WebP, PDF, Excel or Word; photos are stored without location."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["files"].widget.attrs["accept"] = (
            "image/jpeg,image/png,image/webp,application/pdf,.xlsx,.docx"
        )
        style_widgets(self)


class CaseResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=[("", "---------"), *CaseOutcome.choices]
    )
    return_school = forms.ModelChoiceField(
        label=_("returned to school"), queryset=School.objects.none(), required=False
    )
    return_date = forms.DateField(label=_("back at school from"), widget=DateInput, required=False)
    outcome_note = forms.CharField(
        label=_("outcome note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["return_school"].queryset = (
            School.objects.visible_to(user)
            .filter(
                kind__in=["primary", "junior", "nine_year", "complete_middle", "teaching_point"]
            )
            .order_by("code")
        )
        style_widgets(self)


class CaseCloseForm(forms.Form):
    """Closing 销号; what the reviewer checked is required for a case no round confirmed
    (case_close says so)."""

    close_note = forms.CharField(
        label=_("what you checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CaseOpenForm(forms.Form):
    id_number = IdNumberFormField(label=_("ID number"))
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    township = forms.ModelChoiceField(
        label=_("registered township"), queryset=Region.objects.none()
    )
    note = forms.CharField(
        label=_("how the case came up"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Region.objects.visible_to(user).filter(
            level=RegionLevel.TOWNSHIP
        )
        style_widgets(self)


class RoundStartForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    school_year = SchoolYearField()  # the current school year and the one before (below)
    counties = forms.ModelMultipleChoiceField(
        label=_("counties"),
        queryset=Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"),
        required=False,
        widget=CheckboxesWithAll,
        help_text=_("None chosen: the whole city."),
    )
    screening_date = forms.DateField(
        label=_("screening date"),
        widget=DateInput,
        required=False,
        help_text=_(
            "Empty: today, when today is in the chosen school year. Exemptions must be valid on "
            "this day."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = calendar.current_school_year()
        self.fields["school_year"] = SchoolYearField(years=[current - 1], initial=current)
        style_widgets(self)

    def clean(self):
        """The round's day lies in its school year: an empty day is today only when today is in
        it (a 2023–2024 round started in 2026 must be given its day)."""
        cleaned = super().clean()
        school_year = cleaned.get("school_year")
        if school_year is None:
            return cleaned
        first, following = calendar.school_year_span(int(school_year))
        day = cleaned.get("screening_date") or calendar.today()
        if not first <= day < following:
            if cleaned.get("screening_date"):
                message = _(
                    "The screening date must lie in the school year %(year)s (%(first)s to "
                    "%(last)s)."
                )
            else:
                message = _(
                    "Today is not in the school year %(year)s (%(first)s to %(last)s): enter the "
                    "day the round screens."
                )
            message = message % {
                "year": calendar.school_year_label(int(school_year)),
                "first": first.isoformat(),
                "last": (following - dt.timedelta(days=1)).isoformat(),
            }
            self.add_error("screening_date", message)
        else:
            cleaned["screening_date"] = day
        return cleaned
