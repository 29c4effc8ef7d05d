"""The check lists of school conditions (core.checklists): kindergarten coverage per township,
the funding table, under-funded schools (with a reason on each row) and schools behind on toilet
maintenance. Each is a selector's rows for the user's scope, with the page's export."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.checklists import CheckList, register
from facilities import selectors
from facilities.filters import (
    CoverageFilterSet,
    FundingFilterSet,
    MaintenanceGapFilterSet,
)
from facilities.forms import MaintenanceParamsForm, SchoolYearParamsForm
from facilities.models import FundingNote, MaintenanceEntry
from facilities.tables import CoverageTable, FundingTable, MaintenanceGapTable, UnderfundedTable


def school_year_params(query, user):
    data = QueryDict(mutable=True)
    data["school_year"] = query.get("school_year") or str(selectors.latest_funding_year(user))
    form = SchoolYearParamsForm(data, years=selectors.funding_years(user))
    if not form.is_valid():
        return form, None
    return form, {"school_year": form.cleaned_data["school_year"]}


def maintenance_params(query, user):
    data = QueryDict(mutable=True)
    data["days"] = query.get("days") or str(selectors.maintenance_days())
    data["as_of"] = query.get("as_of") or selectors.maintenance_day().isoformat()
    form = MaintenanceParamsForm(data)
    if not form.is_valid():
        return form, None
    return form, {"days": form.cleaned_data["days"], "as_of": form.cleaned_data["as_of"]}


COVERAGE = register(
    CheckList(
        app="facilities",
        name="coverage",
        url_name="facilities-coverage",
        route="facilities/coverage/",
        title=_("Kindergarten coverage by township"),
        description=_(
            "Every township needs at least one public central kindergarten. Counted from the "
            "school list: a township without one is marked, unless the county exempted it."
        ),
        rows=lambda user: selectors.townships(user),
        filterset=CoverageFilterSet,
        table=CoverageTable,
    )
)

FUNDING = register(
    CheckList(
        app="facilities",
        name="funding",
        url_name="facilities-funding",
        route="facilities/funding/",
        title=_("Per-pupil public funding"),
        description=_(
            "Computed from each school's enrolment and boarders with the city's quotas: a "
            "rural school with fewer than 100 pupils is funded as 100, and every boarder adds "
            "the boarder supplement. Beside it, the amount allocated and the variance."
        ),
        rows=lambda user, school_year: selectors.funding_table(user, school_year),
        params=school_year_params,
        table_kwargs=lambda params: {"school_year": params.get("school_year")},
        filterset=FundingFilterSet,
        table=FundingTable,
        audit_model=FundingNote,
    )
)

UNDERFUNDED = register(
    CheckList(
        app="facilities",
        name="underfunded",
        url_name="facilities-underfunded",
        route="facilities/funding/underfunded/",
        title=_("Under-funded schools"),
        description=_(
            "Schools allocated less than their computed funding in the school year. Each is "
            "either topped up or given a reason."
        ),
        rows=lambda user, school_year: selectors.underfunded(user, school_year),
        params=school_year_params,
        table_kwargs=lambda params: {"school_year": params.get("school_year")},
        filterset=FundingFilterSet,
        table=UnderfundedTable,
        audit_model=FundingNote,
        note_model=FundingNote,
    )
)

MAINTENANCE = register(
    CheckList(
        app="facilities",
        name="maintenance",
        url_name="facilities-maintenance-gaps",
        route="facilities/maintenance-gaps/",
        title=_("Schools behind on toilet maintenance"),
        description=_(
            "Public schools whose latest daily inspection or waste clearing is more than the "
            "given number of days before the day of the check, or who have none."
        ),
        rows=lambda user, days, as_of: selectors.maintenance_gaps(user, days=days, as_of=as_of),
        params=maintenance_params,
        filterset=MaintenanceGapFilterSet,
        table=MaintenanceGapTable,
        audit_model=MaintenanceEntry,
    )
)
