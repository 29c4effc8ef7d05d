"""Forms of school conditions: the ledgers' forms (scoped choices), the funding quotas (city
administrators), a look-back finding with its rectification, the rectification's steps and the
check lists' parameters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.columns import columns
from core.forms import MultipleFileField, SchoolYearField, ScopedModelForm, StyledModelForm
from core.models import RegionLevel, School
from facilities.models import (
    FundingAllocation,
    FundingRate,
    ImprovementProject,
    KindergartenExemption,
    MaintenanceEntry,
    ToiletFinding,
    ToiletInspection,
)


class KindergartenExemptionForm(ScopedModelForm):
    class Meta:
        model = KindergartenExemption
        fields = ["township", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        field.queryset = field.queryset.filter(level=RegionLevel.TOWNSHIP)


class ImprovementProjectForm(ScopedModelForm):
    class Meta:
        model = ImprovementProject
        fields = columns(ImprovementProject, without=("county",))
        date_fields = ("planned_start", "planned_end", "actual_start", "actual_end")


class FundingAllocationForm(ScopedModelForm):
    class Meta:
        model = FundingAllocation
        fields = ["school", "school_year", "amount", "allocated_on", "note"]
        date_fields = ("allocated_on",)


class ToiletInspectionForm(ScopedModelForm):
    class Meta:
        model = ToiletInspection
        fields = columns(ToiletInspection, without=("county",))
        date_fields = ("inspected_on",)


class MaintenanceEntryForm(ScopedModelForm):
    class Meta:
        model = MaintenanceEntry
        fields = ["school", "done_on", "kind", "done_by", "note"]
        date_fields = ("done_on",)


class FundingRateForm(StyledModelForm):
    class Meta:
        model = FundingRate
        fields = [
            "effective_from",
            "primary",
            "junior",
            "preschool",
            "special_education",
            "boarder_supplement",
            "note",
        ]


class FindingForm(StyledModelForm):
    """A finding of an inspection and the rectification it opens (its photos: before)."""

    responsible_unit = forms.CharField(label=_("responsible unit"), max_length=100)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    measures = forms.CharField(
        label=_("measures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultipleFileField(label=_("photos (before)"), required=False)

    class Meta:
        model = ToiletFinding
        fields = ["block", "toilet_type", "problem", "description"]


class RectificationStepForm(forms.Form):
    """One step of a rectification: start, submit, verify or return."""

    STEPS = ("start", "submit", "verify", "return")
    step = forms.ChoiceField(choices=[(s, s) for s in STEPS], widget=forms.HiddenInput)
    measures = forms.CharField(
        label=_("measures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    reason = forms.CharField(
        label=_("reason returned"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class SchoolYearParamsForm(forms.Form):
    school_year = SchoolYearField()

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"] = SchoolYearField(years=years)


class MaintenanceParamsForm(forms.Form):
    days = forms.IntegerField(
        label=_("days without an entry"),
        min_value=1,
        max_value=366,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    as_of = forms.DateField(
        label=_("as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )


class FundingNoteForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none())
    school_year = forms.IntegerField(min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user)
