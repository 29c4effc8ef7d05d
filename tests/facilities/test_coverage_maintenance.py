"""Coverage from the school rows (a central kindergarten closed or moved), exemptions; the
maintenance check's day boundary; a project's bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import services as door
from facilities import selectors
from facilities.models import ImprovementProject, KindergartenExemption, MaintenanceEntry
from tests.facilities.factories import MaintenanceEntryFactory
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def counts(user):
    figures = selectors.summary(user)
    return figures["townships"], figures["townships_without_central_kindergarten"]


def test_a_central_kindergarten_closed_or_moved_uncovers_its_township(
    township, neighbour_township, county_user
):
    central = SchoolFactory(
        township=township, kind="kindergarten", is_central_kindergarten=True, name="长汀中心园"
    )
    SchoolFactory(township=neighbour_township, kind="kindergarten", ownership="private")
    assert counts(county_user) == (2, 1)  # a private kindergarten does not cover 新安镇
    assert set(selectors.uncovered_townships(county_user)) == {neighbour_township}

    central.township = neighbour_township  # moved to the other township
    door.row_update(actor=county_user, row=central, version=central.version)
    assert set(selectors.uncovered_townships(county_user)) == {township}

    central.refresh_from_db()
    door.row_delete(actor=county_user, row=central)  # closed
    assert counts(county_user) == (2, 2)


def test_an_exempt_township_is_neither_covered_nor_missing(township, county_user):
    exemption = KindergartenExemption(township=township, reason="全乡无学前适龄儿童")
    door.row_create(actor=county_user, row=exemption)
    figures = selectors.summary(county_user)
    assert (figures["townships_exempt"], figures["townships_without_central_kindergarten"]) == (
        1,
        0,
    )
    with pytest.raises(ValidationError):  # a reason is required
        door.row_create(
            actor=county_user, row=KindergartenExemption(township=township, reason="  ")
        )


def test_school_officers_see_no_coverage(township, school_user):
    assert counts(school_user) == (0, 0)


def test_the_maintenance_check_counts_an_entry_exactly_days_ago(school, county_user):
    as_of = dt.date(2023, 7, 31)
    MaintenanceEntryFactory(school=school, kind="inspection", done_on=dt.date(2023, 7, 1))
    MaintenanceEntryFactory(school=school, kind="waste", done_on=dt.date(2023, 6, 30))
    gaps = selectors.maintenance_gaps(county_user, days=30, as_of=as_of)
    row = gaps.get()  # 7-01 is exactly 30 days before: kept; 6-30 is 31: behind
    assert (row.no_inspection, row.no_waste) == (False, True)
    MaintenanceEntryFactory(school=school, kind="waste", done_on=dt.date(2023, 7, 1))
    assert not selectors.maintenance_gaps(county_user, days=30, as_of=as_of).exists()
    # An entry after the day of the check does not count for it.
    assert selectors.maintenance_gaps(county_user, days=30, as_of=dt.date(2023, 6, 15)).exists()


def test_a_school_with_no_log_is_behind_and_a_private_one_is_not_checked(township, county_user):
    public = SchoolFactory(township=township)
    SchoolFactory(township=township, ownership="private")
    assert list(selectors.maintenance_gaps(county_user, days=7)) == [public]
    assert not MaintenanceEntry.objects.exists()


def test_the_maintenance_check_counts_back_from_the_data_s_day_not_the_clock_s(
    township, county_user, monkeypatch
):
    """A 2023–2024 city shown in December 2026: the check counts back from the newest day of the
    log in that school year, so only the school that stopped logging is behind; while the clock
    is in the school year, it counts back from today."""
    from core import calendar
    from core.reference import SchoolYearStart

    SchoolYearStart.objects.create(school_year=2023)
    kept, stopped = SchoolFactory(township=township), SchoolFactory(township=township)
    for kind in ("inspection", "waste"):
        MaintenanceEntryFactory(school=kept, kind=kind, done_on=dt.date(2023, 12, 20))
        MaintenanceEntryFactory(school=stopped, kind=kind, done_on=dt.date(2023, 10, 9))
    monkeypatch.setattr(calendar, "today", lambda: dt.date(2026, 12, 6))

    assert selectors.maintenance_day() == dt.date(2023, 12, 20)
    assert list(selectors.maintenance_gaps(county_user, days=30)) == [stopped]
    assert selectors.summary(county_user)["maintenance"]["gaps"] == 1
    (behind,) = [i for i in selectors.todo_items(county_user) if "maintenance-gaps" in i.url]
    assert behind.count == 1

    monkeypatch.setattr(calendar, "today", lambda: dt.date(2024, 2, 1))  # inside the year
    assert selectors.maintenance_day() == dt.date(2024, 2, 1)
    assert set(selectors.maintenance_gaps(county_user, days=30)) == {kept, stopped}


def _project(school, **changes):
    values = dict(
        school=school,
        name="宿舍改造",
        kind="dormitory",
        school_year=2023,
        budget=Decimal("100000.00"),
        fund_central=Decimal("80000.00"),
        fund_county=Decimal("30000.00"),
        status="planned",
        planned_start=dt.date(2023, 5, 1),
        planned_end=dt.date(2023, 8, 31),
    )
    values.update(changes)
    return ImprovementProject(**values)


def test_funds_over_the_budget_need_a_note(school, county_user):
    with pytest.raises(ValidationError) as refused:
        door.row_create(actor=county_user, row=_project(school))
    assert "funds_note" in refused.value.message_dict
    assert not ImprovementProject.objects.exists()
    door.row_create(actor=county_user, row=_project(school, funds_note="含县级配套超支部分"))
    assert ImprovementProject.objects.count() == 1


def test_the_project_ledger_shows_boarding_and_left_behind_apart(school, county_user, township):
    boarding = SchoolFactory(township=township, boarding=True)
    door.row_create(
        actor=county_user,
        row=_project(boarding, fund_county=Decimal("20000.00"), beds_added=40, beds_left_behind=15),
    )
    door.row_create(actor=county_user, row=_project(school, fund_county=Decimal("0"), name="教室"))
    figures = selectors.summary(county_user, school_year=2023)["projects"]
    assert figures["count"] == 2 and figures["budget"] == Decimal("200000.00")
    assert figures["boarding_or_remote"]["count"] == 1
    assert (figures["beds_added"], figures["beds_left_behind"]) == (40, 15)
    with pytest.raises(ValidationError):
        door.row_create(
            actor=county_user,
            row=_project(
                school, name="床位", fund_county=Decimal("0"), beds_added=5, beds_left_behind=6
            ),
        )
