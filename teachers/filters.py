"""FilterSets of teacher staffing, one per list, shared by the page, the export and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import ScopedFilterSet, counties, yes_no
from core.models import Gender, Locality, School
from teachers.models import (
    Channel,
    Employment,
    ProgrammeKind,
    RecruitmentPlan,
    Stage,
    Subject,
    Teacher,
    TeacherStatus,
    TrainingProgramme,
    TrainingRecord,
)


def _year(field_name="year"):
    return django_filters.NumberFilter(
        label=_("year"), field_name=field_name, min_value=1950, max_value=2100
    )


class TeacherFilterSet(ScopedFilterSet):
    """Searched by ID number through the list's ID search (the number never travels in a URL)."""

    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    locality = django_filters.ChoiceFilter(
        label=_("urban or rural"), field_name="school__locality", choices=Locality.choices
    )
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    subject = django_filters.ChoiceFilter(label=_("subject"), choices=Subject.choices)
    employment = django_filters.ChoiceFilter(label=_("employment"), choices=Employment.choices)
    channel = django_filters.ChoiceFilter(label=_("recruitment channel"), choices=Channel.choices)
    plan = django_filters.ModelChoiceFilter(
        label=_("recruitment plan"), queryset=RecruitmentPlan.objects.all()
    )
    hired_year = _year("hired_on__year")
    reported = yes_no(_("reported for duty"))
    gender = django_filters.ChoiceFilter(label=_("gender"), choices=Gender.choices)
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("teacher", "status"), choices=TeacherStatus.choices
    )

    class Meta:
        model = Teacher
        fields = [
            "name",
            "county",
            "school",
            "locality",
            "stage",
            "subject",
            "employment",
            "channel",
            "plan",
            "hired_year",
            "reported",
            "gender",
            "status",
        ]

    def filter_queryset(self, queryset):
        reported = self.form.cleaned_data.pop("reported", None)
        queryset = super().filter_queryset(queryset)
        if reported is not None:
            queryset = queryset.filter(reported_on__isnull=not reported)
        return queryset


class RecruitmentPlanFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    year = _year()
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)

    class Meta:
        model = RecruitmentPlan
        fields = ["county", "year", "channel", "stage"]


class TrainingRecordFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    teacher = django_filters.ModelChoiceFilter(label=_("teacher"), queryset=Teacher.objects.all())
    programme = django_filters.ModelChoiceFilter(
        label=_("programme"), queryset=TrainingProgramme.objects.all()
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), field_name="programme__kind", choices=ProgrammeKind.choices
    )
    year = _year("programme__year")
    completed = django_filters.BooleanFilter(label=_("completed"))

    class Meta:
        model = TrainingRecord
        fields = ["county", "school", "teacher", "programme", "kind", "year", "completed"]
