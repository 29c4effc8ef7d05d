"""FilterSets of dropout control, one per list, shared by the pages and the API.

No filter takes an ID number: ID numbers never travel in URLs.
"""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import (
    SchoolYearFilter,
    ScopedFilterSet,
    counties,
    date_range,
    townships,
    yes_no,
)
from core.models import HouseholdCategory, Locality, School
from dropout.models import (
    CASE_CLASSES,
    ActionKind,
    CaseAction,
    CaseOutcome,
    CaseStatus,
    Classification,
    CohortBaseline,
    DropoutCase,
    Exemption,
    ExemptionKind,
    Grade6SpotCheck,
    MatchMethod,
    OutOfCityEnrolment,
    Responsibility,
    ResponsibilityLine,
    RoundStatus,
    ScreeningResult,
    ScreeningRound,
    VerificationMethod,
)


def yes_no_method(label, method: str):
    """A yes/no filter (empty: any) applied by a FilterSet method."""
    return django_filters.BooleanFilter(
        label=label, method=method, widget=yes_no(label).extra["widget"]
    )


def rounds():
    return ScreeningRound.objects.all()


class OutOfCityEnrolmentFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    school_year = SchoolYearFilter()
    verified_how = django_filters.ChoiceFilter(
        label=_("verified by"), choices=VerificationMethod.choices
    )

    class Meta:
        model = OutOfCityEnrolment
        fields = ["name", "county", "township", "school_year", "verified_how"]


class ExemptionFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=ExemptionKind.choices)
    valid_on = django_filters.DateFilter(label=_("valid on"), method="filter_valid_on")

    class Meta:
        model = Exemption
        fields = ["name", "county", "kind", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=value)
        )


class ScreeningRoundFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(
        label=_("county"), field_name="counties", queryset=counties()
    )
    school_year = SchoolYearFilter()
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("screening round", "status"), choices=RoundStatus.choices
    )

    class Meta:
        model = ScreeningRound
        fields = ["county", "school_year", "status"]


CHANGES = [
    ("new_suspected", _("Newly out of school since the previous round")),
    ("resolved", _("Back in school or cleared since the previous round")),
]


class ScreeningResultFilterSet(ScopedFilterSet):
    """`change` compares the chosen round with the one before it (see selectors.previous_round).

    new_suspected: this round's out-of-school children (suspected or recorded dropouts) who were
    not out of school in the previous round. resolved: the previous round's out-of-school
    children who are not out of school in this round — their rows of the previous round.
    """

    round = django_filters.ModelChoiceFilter(
        label=_("round"), queryset=rounds(), method="filter_round"
    )
    school_year = SchoolYearFilter(field_name="round__school_year")
    classification = django_filters.ChoiceFilter(
        label=_("classification"), choices=Classification.choices
    )
    out_of_school = yes_no_method(_("suspected or recorded dropout"), "filter_out_of_school")
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    match_method = django_filters.ChoiceFilter(label=_("matched by"), choices=MatchMethod.choices)
    needs_confirmation = yes_no(_("needs confirmation"))
    household_category = django_filters.ChoiceFilter(
        label=_("household category"), choices=HouseholdCategory.choices
    )
    change = django_filters.ChoiceFilter(
        label=_("change since the previous round"), choices=CHANGES, method="filter_change"
    )

    class Meta:
        model = ScreeningResult
        fields = [
            "round",
            "school_year",
            "classification",
            "out_of_school",
            "county",
            "township",
            "name",
            "match_method",
            "needs_confirmation",
            "household_category",
            "change",
        ]

    def _previous(self, screening_round):
        from dropout.selectors import previous_round

        return previous_round(screening_round) if screening_round is not None else None

    def filter_round(self, queryset, name, value):
        if self.form.cleaned_data.get("change") == "resolved":
            previous = self._previous(value)
            return queryset.filter(round=previous) if previous else queryset.none()
        return queryset.filter(round=value)

    def filter_out_of_school(self, queryset, name, value):
        out = Q(classification__in=CASE_CLASSES)
        return queryset.filter(out) if value else queryset.exclude(out)

    def filter_change(self, queryset, name, value):
        screening_round = self.form.cleaned_data.get("round")
        previous = self._previous(screening_round)
        if previous is None:
            return queryset.none()
        compared = previous if value == "new_suspected" else screening_round
        out_then = ScreeningResult.objects.filter(
            round=compared, classification__in=CASE_CLASSES
        ).values("id_number")
        return queryset.filter(classification__in=CASE_CLASSES).exclude(id_number__in=out_then)


class DropoutCaseFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("case", "status"), choices=CaseStatus.choices
    )
    not_closed = yes_no_method(_("not closed"), "filter_not_closed")
    overdue = yes_no_method(_("overdue"), "filter_overdue")
    confirmed = yes_no_method(_("confirmed by a round"), "filter_confirmed")
    opened_by_hand = yes_no_method(_("opened by hand"), "filter_opened_by_hand")
    reason = django_filters.ChoiceFilter(
        label=_("opened as"),
        choices=[(c.value, c.label) for c in Classification if c in CASE_CLASSES],
    )
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=CaseOutcome.choices)
    opened_in_round = django_filters.ModelChoiceFilter(
        label=_("opened in round"), queryset=rounds()
    )
    confirmed_in_round = django_filters.ModelChoiceFilter(
        label=_("confirmed in round"), queryset=rounds()
    )
    school_year = SchoolYearFilter(field_name="opened_in_round__school_year")

    class Meta:
        model = DropoutCase
        fields = [
            "name",
            "county",
            "township",
            "status",
            "not_closed",
            "overdue",
            "confirmed",
            "opened_by_hand",
            "reason",
            "outcome",
            "opened_in_round",
            "confirmed_in_round",
            "school_year",
        ]

    def filter_not_closed(self, queryset, name, value):
        closed = Q(status=CaseStatus.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=CaseStatus.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_confirmed(self, queryset, name, value):
        return queryset.filter(confirmed_in_round__isnull=not value)

    def filter_opened_by_hand(self, queryset, name, value):
        return queryset.filter(opened_in_round__isnull=value)


class CaseActionFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    case = django_filters.ModelChoiceFilter(label=_("case"), queryset=DropoutCase.objects.all())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=ActionKind.choices)
    date_from, date_to = date_range("date", end_label=_("to"))

    class Meta:
        model = CaseAction
        fields = ["county", "case", "kind", "date_from", "date_to"]


class ResponsibilityFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    line = django_filters.ChoiceFilter(label=_("line"), choices=ResponsibilityLine.choices)
    school_level = yes_no_method(_("for a school"), "filter_school_level")
    person = django_filters.CharFilter(label=_("responsible person"), lookup_expr="startswith")

    class Meta:
        model = Responsibility
        fields = ["county", "township", "line", "school_level", "person"]

    def filter_school_level(self, queryset, name, value):
        return queryset.filter(school__isnull=not value)


class Grade6SpotCheckFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    date_from, date_to = date_range("date", end_label=_("to"))
    with_discrepancy = yes_no_method(_("with discrepancies"), "filter_with_discrepancy")

    class Meta:
        model = Grade6SpotCheck
        fields = ["county", "school", "date_from", "date_to", "with_discrepancy"]

    def filter_with_discrepancy(self, queryset, name, value):
        differs = ~Q(present_count=F("registry_count"))
        return queryset.filter(differs) if value else queryset.exclude(differs)


class CohortBaselineFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    entry_year = django_filters.NumberFilter(label=_("entry year"))
    locality = django_filters.ChoiceFilter(label=_("urban or rural"), choices=Locality.choices)

    class Meta:
        model = CohortBaseline
        fields = ["county", "entry_year", "locality"]
