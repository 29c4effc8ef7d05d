"""The check lists of alliances and teaching (core.checklists): member schools with no activity
in a term, and rural receiving schools below regular use 常态化 in a week (with their trend).
Each is a selector's rows for the user's scope, with the page's export."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from alliances import selectors
from alliances.filters import CheckSchoolFilterSet
from alliances.forms import TermParamsForm, WeekParamsForm
from alliances.models import monday_of
from alliances.tables import RegularUseTable, WithoutActivityTable
from core.checklists import CheckList, register


def term_params(query, user):
    year, term = selectors.term_of_activities(user)
    data = QueryDict(mutable=True)
    data["school_year"] = query.get("school_year") or str(year)
    data["term"] = query.get("term") or term
    form = TermParamsForm(data)
    if not form.is_valid():
        return form, None
    return form, {
        "school_year": form.cleaned_data["school_year"],
        "term": form.cleaned_data["term"],
    }


def week_params(query, user):
    data = QueryDict(mutable=True)
    latest = selectors.latest_week(user)
    data["week"] = query.get("week") or (latest.isoformat() if latest else "")
    form = WeekParamsForm(data)
    if not form.is_valid():
        return form, None
    return form, {"week": monday_of(form.cleaned_data["week"])}


WITHOUT_ACTIVITY = register(
    CheckList(
        app="alliances",
        name="without-activity",
        url_name="alliances-without-activity",
        route="alliances/checks/without-activity/",
        title=_("Member schools without an activity this term"),
        description=_(
            "Schools that are members of an alliance now and neither hosted nor took part in an "
            "alliance activity in the term."
        ),
        rows=lambda user, **params: selectors.schools_without_activity(user, **params),
        filterset=CheckSchoolFilterSet,
        table=WithoutActivityTable,
        params=term_params,
    )
)

REGULAR_USE = register(
    CheckList(
        app="alliances",
        name="regular-use",
        url_name="alliances-regular-use",
        route="alliances/checks/regular-use/",
        title=_("Rural schools below regular use of the online classrooms"),
        description=_(
            "Rural schools receiving online-classroom sessions that received fewer sessions in "
            "the week than regular use asks for (a city-wide setting), with the weeks before."
        ),
        rows=lambda user, week: selectors.below_regular_use(user, week=week),
        filterset=CheckSchoolFilterSet,
        table=RegularUseTable,
        params=week_params,
    )
)
