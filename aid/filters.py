"""FilterSets of student aid, one per list, shared by the page, the export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aid.models import (
    AidProgramme,
    BoardingRule,
    Channel,
    CheckKind,
    CheckNote,
    ContactLog,
    ContactMethod,
    Disbursement,
    OutOfAreaSource,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
    Stage,
    Term,
)
from core import calendar
from core.filters import (
    SchoolYearFilter,
    ScopedFilterSet,
    counties,
    date_range,
    townships,
    yes_no,
)
from core.models import School, Student


def programmes():
    return AidProgramme.objects.all()


def present(label, field_name: str):
    """A yes/no filter on whether a field is set (yes: set, no: empty)."""
    filter_ = yes_no(label)
    filter_.field_name, filter_.lookup_expr, filter_.exclude = field_name, "isnull", True
    return filter_


class DisbursementFilterSet(ScopedFilterSet):
    """No filter by ID number: ID numbers never travel in URLs."""

    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(
        label=_("paying school"), queryset=School.objects.all()
    )
    township = django_filters.ModelChoiceFilter(
        label=_("township of the paying school"),
        field_name="school__township",
        queryset=townships(),
    )
    programme = django_filters.ModelChoiceFilter(label=_("programme"), queryset=programmes())
    stage = django_filters.ChoiceFilter(
        label=_("stage"), field_name="programme__stage", choices=Stage.choices
    )
    school_year = SchoolYearFilter()
    term = django_filters.ChoiceFilter(label=_("term"), choices=Term.choices)
    category = django_filters.ChoiceFilter(
        label=_("recipient category"), choices=RecipientCategory.choices
    )
    paid_from, paid_until = date_range(
        "paid_on", start_label=_("paid from"), end_label=_("paid until")
    )
    in_registry = present(_("in the registry"), "student")

    class Meta:
        model = Disbursement
        fields = [
            "name",
            "county",
            "township",
            "school",
            "programme",
            "stage",
            "school_year",
            "term",
            "category",
            "paid_from",
            "paid_until",
            "in_registry",
        ]


class CheckNoteFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    check_kind = django_filters.ChoiceFilter(label=_("check"), choices=CheckKind.choices)
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    school_year = SchoolYearFilter()
    term = django_filters.ChoiceFilter(label=_("term"), choices=Term.choices)

    class Meta:
        model = CheckNote
        fields = ["name", "county", "check_kind", "school", "school_year", "term"]


class OutOfAreaStudentFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    province = django_filters.CharFilter(label=_("province"), lookup_expr="startswith")
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    source = django_filters.ChoiceFilter(label=_("source"), choices=OutOfAreaSource.choices)
    verified = present(_("verified"), "verified_on")
    receives_aid = yes_no(_("receives aid there"))
    meets_standard = yes_no(_("at the national standard"))
    follow_up_needed = yes_no(_("follow-up needed"))

    class Meta:
        model = OutOfAreaStudent
        fields = [
            "name",
            "county",
            "province",
            "stage",
            "source",
            "verified",
            "receives_aid",
            "meets_standard",
            "follow_up_needed",
        ]


class ContactLogFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    student = django_filters.ModelChoiceFilter(
        label=_("out-of-area student"), queryset=OutOfAreaStudent.objects.all()
    )
    method = django_filters.ChoiceFilter(label=_("method"), choices=ContactMethod.choices)
    reached = yes_no(_("verified"))
    date_from, date_until = date_range("contacted_on")

    class Meta:
        model = ContactLog
        fields = ["county", "student", "method", "reached", "date_from", "date_until"]


def held_years(queryset) -> set[int]:
    """The school years publicity activities were held in."""
    days = queryset.order_by().values_list("held_on", flat=True).distinct()
    return {calendar.school_year_of(day) for day in days if day}


class PublicityActivityFilterSet(ScopedFilterSet):
    title = django_filters.CharFilter(label=_("title"), lookup_expr="contains")
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    school_year = SchoolYearFilter(method="in_school_year", years_from=held_years)
    held_from, held_until = date_range("held_on")

    class Meta:
        model = PublicityActivity
        fields = ["title", "county", "channel", "school_year", "held_from", "held_until"]

    def in_school_year(self, queryset, name, value):
        return queryset.filter(calendar.in_school_year("held_on", int(value)))


# --- The checks: filters over a selector's rows (the period is chosen by the page) -------------


class _CheckFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    noted = present(_("reason recorded"), "reason")


class GapFilterSet(_CheckFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    stage = django_filters.ChoiceFilter(label=_("stage"), method="by_stage", choices=Stage.choices)
    boarding = django_filters.ChoiceFilter(
        label=_("boarding"),
        method="by_boarding",
        choices=[(BoardingRule.BOARDERS, _("Boarders")), (BoardingRule.DAY, _("Non-boarders"))],
    )

    class Meta:
        model = Student
        fields = ["name", "county", "school", "stage", "boarding", "noted"]

    def by_stage(self, queryset, name, value):
        from aid.selectors import STAGE_FILTERS

        return queryset.filter(STAGE_FILTERS.get(value, Q(pk__in=[])))

    def by_boarding(self, queryset, name, value):
        return queryset.filter(school__boarding=value == BoardingRule.BOARDERS)


class BelowStandardFilterSet(_CheckFilterSet):
    programme = django_filters.ModelChoiceFilter(label=_("programme"), queryset=programmes())
    category = django_filters.ChoiceFilter(
        label=_("recipient category"), choices=RecipientCategory.choices
    )

    class Meta:
        model = Disbursement
        fields = ["county", "school", "programme", "category", "noted"]


class DuplicateFilterSet(_CheckFilterSet):
    programme = django_filters.ModelChoiceFilter(label=_("programme"), queryset=programmes())

    class Meta:
        model = Disbursement
        fields = ["county", "school", "programme", "noted"]
