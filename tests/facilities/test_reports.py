"""School conditions' section of the weekly county report: the county's rectifications, projects
and maintenance as they stood on the week's last day, whatever their status is today."""

from __future__ import annotations

import datetime as dt

import pytest

from core.reporting import selectors as reporting
from core.reporting.periods import Cadence, period_of
from core.reporting.types import WEEKLY
from tests.facilities.factories import (
    ImprovementProjectFactory,
    MaintenanceEntryFactory,
    RectificationFactory,
)
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
WEEK = period_of(Cadence.WEEKLY, dt.date(2023, 9, 4))  # Monday 4 – Sunday 10 September 2023


def section(user, county) -> dict:
    sections = reporting.live_figures(WEEKLY, user=user, county=county, period=WEEK)
    (facilities,) = [s for s in sections if s["key"] == "facilities"]
    return {figure.key: figure.value for figure in facilities["figures"]}


def rectification(school, *, inspected, deadline, closed=None):
    row = RectificationFactory(
        finding__inspection__school=school,
        finding__inspection__inspected_on=inspected,
        deadline=deadline,
    )
    if closed is not None:
        row.status, row.closed_on = "closed", closed
        row.save()
    return row


def test_rectifications_as_they_stood_at_the_week_s_end(school, other_school, city_user, county):
    # Open all week, past its deadline on 5 September, closed only after the week: open, overdue.
    rectification(
        school,
        inspected=dt.date(2023, 9, 1),
        deadline=dt.date(2023, 9, 5),
        closed=dt.date(2023, 9, 12),
    )
    # Open on the week's last day, deadline that day: open, not overdue.
    rectification(school, inspected=dt.date(2023, 9, 1), deadline=dt.date(2023, 9, 10))
    # Closed during the week.
    rectification(
        school,
        inspected=dt.date(2023, 8, 20),
        deadline=dt.date(2023, 9, 30),
        closed=dt.date(2023, 9, 6),
    )
    # Found after the week; and another county's.
    rectification(school, inspected=dt.date(2023, 9, 15), deadline=dt.date(2023, 9, 16))
    rectification(other_school, inspected=dt.date(2023, 9, 1), deadline=dt.date(2023, 9, 2))

    figures = section(city_user, county)
    assert (
        figures["rectifications_open"],
        figures["rectifications_overdue"],
        figures["rectifications_closed"],
    ) == (2, 1, 1)


def test_projects_as_they_stood_at_the_week_s_end(school, city_user, county):
    # Under construction then (completed since).
    ImprovementProjectFactory(
        school=school,
        actual_start=dt.date(2023, 8, 1),
        actual_end=dt.date(2023, 9, 20),
        status="completed",
        progress=100,
    )
    # Completed during the week, and one completed in the last school year.
    ImprovementProjectFactory(
        school=school,
        actual_start=dt.date(2023, 8, 1),
        actual_end=dt.date(2023, 9, 8),
        status="accepted",
        progress=100,
    )
    ImprovementProjectFactory(
        school=school,
        actual_start=dt.date(2023, 5, 1),
        actual_end=dt.date(2023, 8, 30),
        status="completed",
        progress=100,
    )
    # Not started by then.
    ImprovementProjectFactory(school=school, actual_start=dt.date(2023, 9, 11))

    figures = section(city_user, county)
    assert (figures["projects_building"], figures["projects_completed"]) == (1, 1)


def test_maintenance_behind_on_the_week_s_last_day(township, city_user, county):
    kept, behind = SchoolFactory(township=township), SchoolFactory(township=township)
    SchoolFactory(township=township, ownership="private")  # not checked
    for kind in ("inspection", "waste"):
        MaintenanceEntryFactory(school=kept, kind=kind, done_on=dt.date(2023, 8, 11))
        MaintenanceEntryFactory(school=behind, kind=kind, done_on=dt.date(2023, 9, 11))  # after

    assert section(city_user, county)["maintenance_behind"] == 1  # 30 days back from 10 Sept


def test_a_county_officer_gets_the_same_figures_and_the_section_is_in_the_report(
    school, county_user, city_user, county
):
    rectification(school, inspected=dt.date(2023, 9, 1), deadline=dt.date(2023, 9, 5))
    assert section(county_user, county) == section(city_user, county)
    assert section(county_user, county)["rectifications_overdue"] == 1
