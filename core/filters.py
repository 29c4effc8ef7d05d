"""FilterSets, one per list, shared by the page and the API.

ScopedFilterSet narrows every model choice to what the user may see, so a parameter naming another
county's region or school is not a valid choice, and an invalid filter returns no rows (never the
unfiltered list).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import (
    Gender,
    Grade,
    HouseholdCategory,
    Locality,
    MonitoringType,
    Ownership,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    StudentStatus,
)


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            # django-filter keeps a model choice's queryset on the filter (older versions in
            # `extra`): narrow both, so the choices never name another county's rows.
            queryset_ = getattr(filter_, "queryset", None)
            if queryset_ is not None and hasattr(queryset_, "visible_to"):
                filter_.queryset = queryset_.visible_to(user)
            queryset_ = filter_.extra.get("queryset")
            if queryset_ is not None and hasattr(queryset_, "visible_to"):
                filter_.extra["queryset"] = queryset_.visible_to(user)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                    field.empty_label = _("Any")
                widget = field.widget
                if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.form.is_valid():
                self._qs = self.queryset.none()
            else:
                self._qs = super().qs
        return self._qs


def yes_no(label):
    """A yes/no filter whose empty choice reads "any" (not "unknown")."""
    return django_filters.BooleanFilter(
        label=label,
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )


def counties():
    return Region.objects.filter(level=RegionLevel.COUNTY)


def townships():
    return Region.objects.filter(level=RegionLevel.TOWNSHIP)


class RegionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(label=_("level"), choices=RegionLevel.choices)
    parent = django_filters.ModelChoiceFilter(label=_("parent"), queryset=Region.objects.all())

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))


class SchoolFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=SchoolKind.choices)
    ownership = django_filters.ChoiceFilter(label=_("ownership"), choices=Ownership.choices)
    locality = django_filters.ChoiceFilter(label=_("urban or rural"), choices=Locality.choices)
    boarding = yes_no(_("boarding"))
    is_central_kindergarten = yes_no(_("township public central kindergarten"))

    class Meta:
        model = School
        fields = [
            "q",
            "county",
            "township",
            "kind",
            "ownership",
            "locality",
            "boarding",
            "is_central_kindergarten",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))


class SchoolEnrolmentFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    school_year = django_filters.NumberFilter(label=_("school year"))

    class Meta:
        model = SchoolEnrolment
        fields = ["county", "school", "school_year"]


class StudentFilterSet(ScopedFilterSet):
    """No filter by ID number: ID numbers never travel in URLs."""

    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    school_kind = django_filters.ChoiceFilter(
        label=_("school kind"), field_name="school__kind", choices=SchoolKind.choices
    )
    locality = django_filters.ChoiceFilter(
        label=_("urban or rural"), field_name="school__locality", choices=Locality.choices
    )
    grade = django_filters.ChoiceFilter(label=_("grade"), choices=Grade.choices)
    gender = django_filters.ChoiceFilter(label=_("gender"), choices=Gender.choices)
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("student", "status"), choices=StudentStatus.choices
    )

    class Meta:
        model = Student
        fields = [
            "name",
            "county",
            "school",
            "school_kind",
            "locality",
            "grade",
            "gender",
            "status",
        ]


# --- The roster --------------------------------------------------------------------------------


class RosterVersionFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    label = django_filters.CharFilter(label=_("label"), lookup_expr="contains")

    class Meta:
        model = RosterVersion
        fields = ["county", "label"]


class RosterChildFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(
        label=pgettext_lazy("person", "name"), lookup_expr="startswith"
    )
    roster_version = django_filters.ModelChoiceFilter(
        label=_("roster version"), queryset=RosterVersion.objects.all()
    )
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    township = django_filters.ModelChoiceFilter(label=_("township"), queryset=townships())
    household_category = django_filters.ChoiceFilter(
        label=_("household category"), choices=HouseholdCategory.choices
    )
    monitoring_type = django_filters.ChoiceFilter(
        label=_("monitoring type"), choices=MonitoringType.choices
    )
    risk_eliminated = yes_no(_("risk eliminated"))

    class Meta:
        model = RosterChild
        fields = [
            "name",
            "roster_version",
            "county",
            "township",
            "household_category",
            "monitoring_type",
            "risk_eliminated",
        ]
