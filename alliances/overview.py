"""Alliances and teaching on the home page (a card). It reads the dashboard's selector
(`selectors.summary`), so the card and the dashboard agree: city-level and county-level
alliances, member schools, the school year's activities and those on the 培优 line, and the rural
schools below regular use in the newest week of online classrooms."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from alliances import selectors
from alliances.models import ActionLine
from core.areas import Card, Figure
from core.scoping import school_of


def card(user) -> Card | None:
    if school_of(user) is not None:
        return None  # a school's figures are its county's: the dashboard shows them
    year = selectors.latest_year(user)
    figures = selectors.summary(user, school_year=year)
    urls = figures["urls"]
    below = figures["online_sessions"]["schools_below_regular_use"]
    return Card(
        area="alliances",
        title=_("Alliances and teaching"),
        url=reverse("alliances-dashboard"),
        figures=(
            Figure(_("City-level alliances"), figures["city_level"], urls["city_level"]),
            Figure(_("County-level alliances"), figures["county_level"], urls["county_level"]),
            Figure(_("Member schools"), figures["member_schools"], urls["members"]),
            Figure(_("Alliance activities"), figures["activities"]["total"], urls["activities"]),
            Figure(
                ActionLine.EXCEL.label,
                figures["activities"]["by_action_line"][ActionLine.EXCEL],
                urls["lines"][ActionLine.EXCEL],
            ),
            Figure(
                _("Rural schools below regular use"),
                below,
                urls["below"],
                "warning" if below else "success",
            ),
        ),
    )
