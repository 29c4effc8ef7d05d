"""FilterSets of alliances and teaching, one per list: the page's, the export's and the API's."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from alliances.models import (
    ActionLine,
    Activity,
    ActivityKind,
    Alliance,
    AllianceKind,
    AllianceLevel,
    AllianceMember,
    ClassroomType,
    EntranceQuota,
    IndicatorKind,
    MemberRole,
    OnlineSession,
    TrusteeshipIndicator,
    TrusteeshipPair,
)
from core.filters import ScopedFilterSet, counties, date_range, townships, yes_no
from core.models import School


def _county():
    return django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())


def _school(label=None, field_name="school"):
    return django_filters.ModelChoiceFilter(
        label=label or _("school"), field_name=field_name, queryset=School.objects.all()
    )


def _alliance():
    return django_filters.ModelChoiceFilter(label=_("alliance"), queryset=Alliance.objects.all())


def _year(label=None, field_name="year"):
    return django_filters.NumberFilter(
        label=label or _("year"), field_name=field_name, min_value=2000, max_value=2100
    )


class AllianceFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name"), lookup_expr="contains")
    level = django_filters.ChoiceFilter(label=_("level"), choices=AllianceLevel.choices)
    county = _county()
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=AllianceKind.choices)
    member = _school(_("member school"), "memberships__school")

    class Meta:
        model = Alliance
        fields = ["name", "level", "county", "kind", "member"]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


class AllianceMemberFilterSet(ScopedFilterSet):
    alliance = _alliance()
    level = django_filters.ChoiceFilter(
        label=_("level"), field_name="alliance__level", choices=AllianceLevel.choices
    )
    county = _county()
    school = _school()
    role = django_filters.ChoiceFilter(label=_("role"), choices=MemberRole.choices)
    left = yes_no(_("left the alliance"))

    class Meta:
        model = AllianceMember
        fields = ["alliance", "level", "county", "school", "role", "left"]

    def filter_queryset(self, queryset):
        left = self.form.cleaned_data.pop("left", None)
        queryset = super().filter_queryset(queryset)
        if left is not None:
            queryset = queryset.filter(left_on__isnull=not left)
        return queryset


class ActivityFilterSet(ScopedFilterSet):
    alliance = _alliance()
    county = _county()
    action_line = django_filters.ChoiceFilter(label=_("action line"), choices=ActionLine.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=ActivityKind.choices)
    school = _school(_("host school"))
    involving = django_filters.ModelChoiceFilter(
        label=_("school involved"), queryset=School.objects.all(), method="filter_involving"
    )
    held_from, held_until = date_range("held_on")

    class Meta:
        model = Activity
        fields = [
            "alliance",
            "county",
            "action_line",
            "kind",
            "school",
            "involving",
            "held_from",
            "held_until",
        ]

    @extend_schema_field(OpenApiTypes.INT)  # a school's id, like the other school filters
    def filter_involving(self, queryset, name, value):
        """The school hosted the activity or took part in it."""
        joined = Activity.schools.through.objects.filter(school=value).values("activity_id")
        return queryset.filter(Q(school=value) | Q(pk__in=joined))


class OnlineSessionFilterSet(ScopedFilterSet):
    classroom = django_filters.ChoiceFilter(label=_("classroom"), choices=ClassroomType.choices)
    county = _county()
    school = _school(_("providing school"))
    receiver = _school(_("receiving school"), "receivers")
    week_from, week_until = date_range("week")
    subject = django_filters.CharFilter(label=_("subject"), lookup_expr="contains")

    class Meta:
        model = OnlineSession
        fields = ["classroom", "county", "school", "receiver", "week_from", "week_until", "subject"]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


class EntranceQuotaFilterSet(ScopedFilterSet):
    year = _year(_("exam year"))
    county = _county()
    high_school = _school(_("provincial demonstration high school"), "high_school")
    junior_school = _school(_("remote rural junior school"), "junior_school")

    class Meta:
        model = EntranceQuota
        fields = ["year", "county", "high_school", "junior_school"]


class TrusteeshipPairFilterSet(ScopedFilterSet):
    county = _county()
    trustee = django_filters.CharFilter(label=_("trustee institution"), lookup_expr="contains")

    class Meta:
        model = TrusteeshipPair
        fields = ["county", "trustee"]


class TrusteeshipIndicatorFilterSet(ScopedFilterSet):
    county = _county()
    pair = django_filters.ModelChoiceFilter(
        label=_("trusteeship pair"), queryset=TrusteeshipPair.objects.all()
    )
    year = _year()
    indicator = django_filters.ChoiceFilter(label=_("indicator"), choices=IndicatorKind.choices)

    class Meta:
        model = TrusteeshipIndicator
        fields = ["county", "pair", "year", "indicator"]


# --- Check lists over a selector's rows ------------------------------------------------------


class CheckSchoolFilterSet(ScopedFilterSet):
    county = _county()
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())

    class Meta:
        model = School
        fields = ["county", "township"]
