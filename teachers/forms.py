"""Forms of teacher staffing: the ledgers' forms (scoped choices: a school, a plan, a teacher the
user sees) and the city's reference data (the staffing standard, the training programmes)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm, StyledModelForm, entered_fields
from core.models import RegionLevel
from teachers.models import (
    RecruitmentPlan,
    StaffingStandard,
    Teacher,
    TrainingProgramme,
    TrainingRecord,
)


class TeacherForm(ScopedModelForm):
    class Meta:
        model = Teacher
        fields = entered_fields(Teacher)
        date_fields = ("hired_on", "reported_on", "left_on")


class RecruitmentPlanForm(ScopedModelForm):
    class Meta:
        model = RecruitmentPlan
        fields = list(RecruitmentPlan.ledger_fields)
        date_fields = ("approved_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["county"]
        field.queryset = field.queryset.filter(level=RegionLevel.COUNTY)


class TrainingRecordForm(ScopedModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["teacher", "programme", "hours", "completed", "certificate", "recorded_on"]
        date_fields = ("recorded_on",)


class StaffingStandardForm(StyledModelForm):
    class Meta:
        model = StaffingStandard
        fields = [
            "effective_from",
            "primary",
            "junior",
            "senior",
            "small_school_pupils",
            "teachers_per_class",
            "note",
        ]


class TrainingProgrammeForm(StyledModelForm):
    class Meta:
        model = TrainingProgramme
        fields = [
            "name",
            "kind",
            "year",
            "starts_on",
            "ends_on",
            "hours_required",
            "max_hours",
            "note",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class YearParamsForm(forms.Form):
    year = forms.IntegerField(
        label=_("year"),
        min_value=1950,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
