"""Alliances and teaching's section of the weekly county report: the county's members, the
week's activities and online-classroom sessions, as they stood on the week's last day."""

from __future__ import annotations

import datetime as dt

import pytest

from alliances.models import AllianceMember
from core.reporting import selectors as reporting
from core.reporting.periods import Cadence, period_of
from core.reporting.types import WEEKLY
from tests.alliances.factories import ActivityFactory, OnlineSessionFactory, alliance_with
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
WEEK = period_of(Cadence.WEEKLY, dt.date(2023, 10, 16))  # Monday 16 – Sunday 22 October 2023


def section(user, county) -> dict:
    sections = reporting.live_figures(WEEKLY, user=user, county=county, period=WEEK)
    (alliances,) = [s for s in sections if s["key"] == "alliances"]
    return {figure.key: figure.value for figure in alliances["figures"]}


def test_the_weekly_section(school, other_school, city_user, county, other_county, settings):
    settings.ALLIANCES_REGULAR_SESSIONS_PER_WEEK = 2
    one = SchoolFactory(township=school.township)
    late = SchoolFactory(township=school.township)
    alliance = alliance_with(school, one, late)
    AllianceMember.objects.filter(school=late).update(joined_on=dt.date(2023, 10, 23))  # after
    ActivityFactory(
        alliance=alliance, school=school, action_line="excel", held_on=dt.date(2023, 10, 18)
    )
    ActivityFactory(
        alliance=alliance, school=school, action_line="improve", held_on=dt.date(2023, 10, 22)
    )
    ActivityFactory(
        alliance=alliance, school=school, action_line="excel", held_on=dt.date(2023, 10, 23)
    )
    OnlineSessionFactory(school=school, week=dt.date(2023, 10, 16), sessions=3, receivers=[one])
    OnlineSessionFactory(school=school, week=dt.date(2023, 10, 16), sessions=1, receivers=[late])
    alliance_with(other_school)  # the other county's: not counted here
    figures = section(city_user, county)
    assert figures == {
        "member_schools": 2,
        "activities": 2,
        "activities_excel": 1,
        "sessions_received": 4,
        "below_regular_use": 1,
    }
    assert section(city_user, other_county)["member_schools"] == 1
