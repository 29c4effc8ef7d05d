"""FilterSets, one per list, shared by the page and the API.

ScopedFilterSet narrows every model choice to what the user may see, so a parameter naming another
county's region or school is not a valid choice, and an invalid filter returns no rows (never the
unfiltered list).

Every list of rows with an ID number can also be searched by the full number (IdNumberSearchFilter,
IdNumberSearchMixin): exact match on the normalised number, so a part of a number finds no one and
the mask keeps its meaning. The number never travels in a URL: the search form posts it, the list
keeps it in the cache under a random token bound to the user, and the URL (pages, sorting, export,
its job) carries only the token (`ids=`). A hash of the number would not do: a masked number leaves
a few thousand candidates, and hashing them all takes no time.
"""

from __future__ import annotations

import logging
import secrets

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core import audit, idnumbers
from core.forms import DASHES, SchoolYearField, all_choice_label
from core.models import (
    Gender,
    Grade,
    IdNumberField,
    Locality,
    Ownership,
    Region,
    RegionLevel,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    StudentStatus,
)
from core.roster import HouseholdCategory, MonitoringType, RosterChild, RosterVersion

logger = logging.getLogger(__name__)


def _says_nothing(empty_label) -> bool:
    """Is an empty choice Django's or django-filter's default (settings), not the filter's own?"""
    return empty_label is not None and str(empty_label) in (
        DASHES,
        "",
        str(settings.FILTERS_EMPTY_CHOICE_LABEL),
    )


ID_SEARCH_PARAM = "ids"
ID_SEARCH_SECONDS = 4 * 60 * 60  # a search stays usable (pages, export) for an afternoon


def id_number_field(model) -> str | None:
    """The name of the model's ID number field, or None for a model without one."""
    for field in model._meta.concrete_fields:
        if isinstance(field, IdNumberField):
            return field.name
    return None


def _id_search_key(user, token: str) -> str:
    return f"id-search:{getattr(user, 'pk', None)}:{token}"


def remember_id_search(user, value: str) -> str:
    """Keep a searched ID number (normalised) for `user`; the token stands for it in URLs."""
    token = secrets.token_urlsafe(12)
    cache.set(_id_search_key(user, token), idnumbers.normalize(value)[:24], ID_SEARCH_SECONDS)
    return token


def recalled_id_search(user, token: str) -> str | None:
    """The ID number `user` searched under `token`, or None (expired, another user's, unknown)."""
    if not token or getattr(user, "pk", None) is None:
        return None
    try:
        return cache.get(_id_search_key(user, str(token)[:40]))
    except Exception:  # the cache (Redis) is down: the search finds no one, the page still opens
        logger.warning("ID number search: the cache could not be read", exc_info=True)
        return None


# Said plainly, and nothing searched: a list of no rows under the number would read as "no such
# child". The number is not repeated (messages outlive the page; an API answer may be logged).
ID_SEARCH_MALFORMED = _(
    "The ID number is not in the right format: enter all 18 characters (the last may be X) and "
    "search again."
)


class IdNumberSearchFilter(django_filters.CharFilter):
    """Rows whose ID number is exactly the one searched (the value is the search's token)."""

    def __init__(self, id_field: str):
        super().__init__(field_name=id_field, label=_("ID number"), widget=forms.HiddenInput)

    def filter(self, qs, value):
        if not value:
            return qs
        number = recalled_id_search(getattr(self.parent.request, "user", None), value)
        if not number:
            return qs.none()
        return qs.filter(**{self.field_name: number})


class IdNumberSearchMixin:
    """A list view's search by ID number: the form posts the number to the list's own URL; the
    answer is the same list (its filters kept) with a token in place of the number. Every search
    is audited (core.audit.record_id_search: the number masked)."""

    def id_search_model(self):
        """The model whose rows are searched (the ledger's; a check list says its own)."""
        return self.ledger.model

    def id_search_found(self, number: str) -> int | None:
        """How many rows the user may see have the number (before the list's other filters)."""
        model = self.ledger.model
        field = id_number_field(model)
        if field is None:
            return None
        return model.objects.visible_to(self.request.user).filter(**{field: number}).count()

    def post(self, request, *args, **kwargs):
        number = idnumbers.normalize(request.POST.get("id_number", ""))[:24]
        query = request.GET.copy()
        for name in ("page", ID_SEARCH_PARAM):
            query.pop(name, None)
        if number and not idnumbers.is_valid(number):
            messages.error(request, ID_SEARCH_MALFORMED)
        elif number:
            query[ID_SEARCH_PARAM] = remember_id_search(request.user, number)
            audit.record_id_search(
                actor=request.user,
                model=self.id_search_model(),
                number=number,
                via="page",
                found=self.id_search_found(number),
            )
        return HttpResponseRedirect(request.path + ("?" + query.urlencode() if query else ""))


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        id_field = id_number_field(self.queryset.model)
        if id_field is not None and ID_SEARCH_PARAM not in self.filters:
            search = IdNumberSearchFilter(id_field)
            search.model, search.parent = self.queryset.model, self
            self.filters[ID_SEARCH_PARAM] = search
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
                # The empty choice reads 全部县区 / All counties (from the field's label); a
                # filter's own empty label ("The newest of each county") is kept.
                if _says_nothing(getattr(field, "empty_label", None)):
                    field.empty_label = all_choice_label(field.label)
                    field.widget.choices = field.choices  # the widget keeps its own copy
                widget = field.widget
                if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form

    @property
    def id_search_enabled(self) -> bool:
        return ID_SEARCH_PARAM in self.filters

    @property
    def id_search_token(self) -> str:
        return str(self.data.get(ID_SEARCH_PARAM, "") or "") if self.id_search_enabled else ""

    @property
    def id_search_shown(self) -> str:
        """The searched number as the page may show it (masked), or "" without a search."""
        number = recalled_id_search(getattr(self.request, "user", None), self.id_search_token)
        return idnumbers.mask(number) if number else ""

    @property
    def id_search_expired(self) -> bool:
        return bool(self.id_search_token) and not self.id_search_shown

    @property
    def without_id_search(self) -> str:
        """The query string of the same list without the ID number search."""
        query = QueryDict(mutable=True)
        for name in self.data:
            if name != ID_SEARCH_PARAM:
                value = self.data.getlist(name) if hasattr(self.data, "getlist") else None
                query.setlist(name, value if value is not None else [self.data[name]])
        query.pop("page", None)
        return query.urlencode()

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.is_bound and not self.form.is_valid():
                self._qs = self.queryset.none()
            else:
                self._qs = super().qs
        return self._qs


@extend_schema_field(OpenApiTypes.INT)  # the year it starts: 2023 for 2023–2024
class SchoolYearFilter(django_filters.TypedChoiceFilter):
    """A list's school-year filter: the one school-year drop-down (core.forms.SchoolYearField,
    "2023–2024"), offering the years of the rows it filters (`years_from(queryset)`, by default
    the distinct values of its field) and the current one."""

    field_class = SchoolYearField

    def __init__(self, *args, years_from=None, **kwargs):
        kwargs.setdefault("label", _("school year"))
        super().__init__(*args, **kwargs)
        self.years_from = years_from

    def years(self) -> set:
        queryset = self.parent.queryset if self.parent is not None else None
        if queryset is None:
            return set()
        if self.years_from is not None:
            return set(self.years_from(queryset))
        rows = queryset.order_by().values_list(self.field_name, flat=True).distinct()
        return {year for year in rows if year}

    @property
    def field(self):
        if not hasattr(self, "_field"):
            extra = {k: v for k, v in self.extra.items() if k not in ("choices", "null_value")}
            self._field = self.field_class(
                label=self.label,
                years=self.years(),
                empty_label=all_choice_label(self.label),
                **extra,
            )
            self._field.required = False
        return self._field


def date_range(field_name: str, *, start_label=None, end_label=None):
    """A from–until pair of filters on a date field, both days included:
    `done_from, done_until = date_range("done_on")`."""
    return (
        django_filters.DateFilter(
            label=start_label or _("from"), field_name=field_name, lookup_expr="gte"
        ),
        django_filters.DateFilter(
            label=end_label or _("until"), field_name=field_name, lookup_expr="lte"
        ),
    )


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
        fields = ["q", *School.ledger_fields[2:]]  # q searches the first two: code and name

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value))


class SchoolEnrolmentFilterSet(ScopedFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("county"), queryset=counties())
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=School.objects.all())
    school_year = SchoolYearFilter()

    class Meta:
        model = SchoolEnrolment
        fields = ["county", "school", "school_year"]


class StudentFilterSet(ScopedFilterSet):
    """Searched by ID number through IdNumberSearchFilter (the number never travels in a URL)."""

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
        label=_("roster version"),
        queryset=RosterVersion.objects.all(),
        empty_label=_("The newest of each county"),
    )
    # Not a second "version" drop-down: whether the older versions are listed beside the newest.
    all_versions = django_filters.BooleanFilter(
        label=_("older versions"),
        method="every_version",
        widget=forms.Select(
            choices=[("", _("Not listed")), ("true", _("Listed too (a child once per version)"))]
        ),
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
            "all_versions",
            "county",
            "township",
            "household_category",
            "monitoring_type",
            "risk_eliminated",
        ]

    def __init__(self, data=None, *args, **kwargs):
        # Bound even without parameters: the plain list, too, shows only the newest versions.
        super().__init__({} if data is None else data, *args, **kwargs)

    def count_text(self, count: int) -> str:
        """What the list's count counts: the children of the chosen version, of each county's
        newest version, or the rows of every version (a child once per version)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        shown = f"{count:,}"
        if data.get("roster_version") is not None:
            text = ngettext(
                "%(shown)s child on this version", "%(shown)s children on this version", count
            )
        elif data.get("all_versions"):
            text = ngettext(
                "%(shown)s row across every version (a child once per version)",
                "%(shown)s rows across every version (a child once per version)",
                count,
            )
        else:
            text = ngettext(
                "%(shown)s child on the newest versions",
                "%(shown)s children on the newest versions",
                count,
            )
        return text % {"shown": shown}

    def every_version(self, queryset, name, value):
        return queryset  # read by filter_queryset

    def filter_queryset(self, queryset):
        """The roster as it stands (each county's newest version) unless a version, or every
        version, is asked for: a child is listed once, not once per import."""
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("roster_version") is None and not data.get("all_versions"):
            queryset = queryset.filter(roster_version__in=RosterVersion.objects.newest())
        return queryset
