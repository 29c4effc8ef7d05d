"""FilterSets of school conditions, one per list, shared by the page, the export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import calendar
from core.filters import ScopedFilterSet, counties, date_range, townships, yes_no
from core.models import Locality, Region, School, SchoolEnrolment, SchoolKind
from facilities.models import (
    FindingProblem,
    FundingAllocation,
    FundingNote,
    ImprovementProject,
    InspectionKind,
    KindergartenExemption,
    MaintenanceEntry,
    MaintenanceKind,
    ProjectKind,
    ProjectStatus,
    Rectification,
    RectificationStatus,
    ToiletFinding,
    ToiletInspection,
    ToiletType,
)


def _school_year(field_name="school_year"):
    return django_filters.NumberFilter(
        label=_("school year"), field_name=field_name, min_value=1950, max_value=2100
    )


def present(label, field_name: str):
    """A yes/no filter on whether a field is set (yes: set, no: empty)."""
    filter_ = yes_no(label)
    filter_.field_name, filter_.lookup_expr, filter_.exclude = field_name, "isnull", True
    return filter_


class _CountySchool(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())


class KindergartenExemptionFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())

    class Meta:
        model = KindergartenExemption
        fields = ["county", "township"]


class ImprovementProjectFilterSet(_CountySchool):
    name = django_filters.CharFilter(label=_("project"), lookup_expr="contains")
    school_year = _school_year()
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=ProjectKind.choices)
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("project", "status"), choices=ProjectStatus.choices
    )
    boarding_or_remote = yes_no(_("at a boarding or remote school"))
    left_behind = yes_no(_("beds for left-behind children"))

    class Meta:
        model = ImprovementProject
        fields = [
            "name",
            "county",
            "school",
            "school_year",
            "kind",
            "status",
            "boarding_or_remote",
            "left_behind",
        ]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        apart, left = data.pop("boarding_or_remote", None), data.pop("left_behind", None)
        queryset = super().filter_queryset(queryset)
        if apart is not None:
            condition = Q(school__boarding=True) | Q(remote=True)
            queryset = queryset.filter(condition) if apart else queryset.exclude(condition)
        if left is not None:
            queryset = (
                queryset.filter(beds_left_behind__gt=0)
                if left
                else queryset.filter(beds_left_behind=0)
            )
        return queryset


class FundingAllocationFilterSet(_CountySchool):
    school_year = _school_year()

    class Meta:
        model = FundingAllocation
        fields = ["county", "school", "school_year"]


class FundingNoteFilterSet(_CountySchool):
    school_year = _school_year()

    class Meta:
        model = FundingNote
        fields = ["county", "school", "school_year"]


class ToiletInspectionFilterSet(_CountySchool):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=InspectionKind.choices)
    inspected_from, inspected_until = date_range("inspected_on")

    class Meta:
        model = ToiletInspection
        fields = ["county", "school", "kind", "inspected_from", "inspected_until"]


class ToiletFindingFilterSet(_CountySchool):
    problem = django_filters.ChoiceFilter(label=_("problem"), choices=FindingProblem.choices)
    toilet_type = django_filters.ChoiceFilter(label=_("toilet type"), choices=ToiletType.choices)
    inspection_kind = django_filters.ChoiceFilter(
        label=_("inspection"), field_name="inspection__kind", choices=InspectionKind.choices
    )

    class Meta:
        model = ToiletFinding
        fields = ["county", "school", "problem", "toilet_type", "inspection_kind"]


class RectificationFilterSet(_CountySchool):
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("rectification", "status"), choices=RectificationStatus.choices
    )
    open = yes_no(_("open"))
    overdue = yes_no(_("overdue"))
    in_time = yes_no(_("closed within the deadline"))

    class Meta:
        model = Rectification
        fields = ["county", "school", "status", "open", "overdue", "in_time"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        open_, overdue, in_time = (data.pop(n, None) for n in ("open", "overdue", "in_time"))
        queryset = super().filter_queryset(queryset)
        closed = Q(status=RectificationStatus.CLOSED)
        if open_ is not None:
            queryset = queryset.exclude(closed) if open_ else queryset.filter(closed)
        if overdue is not None:
            late = ~closed & Q(deadline__lt=calendar.today())
            queryset = queryset.filter(late) if overdue else queryset.exclude(late)
        if in_time is not None:
            timely = closed & Q(closed_on__lte=F("deadline"))
            queryset = (
                queryset.filter(timely) if in_time else queryset.filter(closed).exclude(timely)
            )
        return queryset


class MaintenanceEntryFilterSet(_CountySchool):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=MaintenanceKind.choices)
    done_from, done_until = date_range("done_on")

    class Meta:
        model = MaintenanceEntry
        fields = ["county", "school", "kind", "done_from", "done_until"]


# --- Check lists over a selector's rows ------------------------------------------------------


class CoverageFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    missing = yes_no(_("without a public central kindergarten"))

    class Meta:
        model = Region
        fields = ["county", "missing"]

    def filter_queryset(self, queryset):
        missing = self.form.cleaned_data.pop("missing", None)
        queryset = super().filter_queryset(queryset)
        condition = Q(central=0, exempt=False)
        if missing is not None:
            queryset = queryset.filter(condition) if missing else queryset.exclude(condition)
        return queryset


class FundingFilterSet(_CountySchool):
    township = django_filters.ModelChoiceFilter(
        label=_("township"), field_name="school__township", queryset=townships()
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"),
        field_name="school__kind",
        choices=[
            (k.value, k.label)
            for k in (
                SchoolKind.KINDERGARTEN,
                SchoolKind.PRIMARY,
                SchoolKind.TEACHING_POINT,
                SchoolKind.JUNIOR,
                SchoolKind.NINE_YEAR,
                SchoolKind.SPECIAL,
            )
        ],
    )
    locality = django_filters.ChoiceFilter(
        label=_("urban or rural"), field_name="school__locality", choices=Locality.choices
    )
    small = yes_no(_("funded as 100"))
    noted = present(_("reason recorded"), "reason")

    class Meta:
        model = SchoolEnrolment
        fields = ["county", "township", "school", "kind", "locality", "small", "noted"]

    def filter_queryset(self, queryset):
        small = self.form.cleaned_data.pop("small", None)
        queryset = super().filter_queryset(queryset)
        if small is not None:
            condition = Q(funded__gt=F("enrolment"))
            queryset = queryset.filter(condition) if small else queryset.exclude(condition)
        return queryset


class MaintenanceGapFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    no_inspection = yes_no(_("no daily inspection"))
    no_waste = yes_no(_("no waste clearing"))

    class Meta:
        model = School
        fields = ["county", "township", "no_inspection", "no_waste"]
