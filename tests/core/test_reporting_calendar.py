"""The reports' now follows the calendar the data is in (issue 12, point 5): while the clock is in
the city's current school year the current period is today's and overdue is counted to the clock;
once the clock has left that year (the demo's 2023–2024 shown in 2026) the current period is the
week the data has reached and overdue and late are counted to the data's clock, so no page says
逾期 1137 天."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.reference import SchoolYearStart
from core.reporting import deadlines, selectors, services
from core.reporting.periods import Cadence, late_by, period_of
from core.reporting.types import WEEKLY
from tests.core.test_reporting import SHANGHAI, WEEK, at

pytestmark = pytest.mark.django_db

IN_2026 = dt.datetime(2026, 12, 7, 15, 0, tzinfo=SHANGHAI)  # the machine's clock
DATA_NOW = at(13, 10)  # Wednesday of 2023-W37: the newest write of the data
SECOND = WEEK.next()  # 2023-W37, due Friday 15 September 17:00
W36_OVERDUE = "逾期 4 天 17 小时"  # Friday 8 September 17:00 to Wednesday 13 September 10:00


@pytest.fixture
def data_of_2023(clock, county, other_county, county_user, county_reviewer, other_county_user):
    """The city's school year 2023–2024 (as the demo seeds it) and the data as it stood on
    Wednesday 13 September 2023 10:00: 海林市 submitted 2023-W36 on time and has a draft of
    2023-W37; 东宁市 has submitted nothing."""
    SchoolYearStart.objects.create(school_year=2023)
    clock(DATA_NOW)
    first = services.submission_prepare(
        actor=county_user, report_type=WEEKLY, county=county, period=WEEK, at=at(7, 9)
    )
    services.submission_submit(
        actor=county_reviewer, submission=first, version=first.version, at=at(8, 16)
    )
    # Written on the data's clock: the audit trail's newest event is 13 September 10:00.
    return services.submission_prepare(
        actor=county_user, report_type=WEEKLY, county=county, period=SECOND
    )


def cells_by_county(user) -> dict:
    first, last = selectors.default_range(WEEKLY)
    matrix = selectors.cells(user, WEEKLY, first=first, last=last)
    return {row["county"].name: row for row in matrix["rows"]}


def todo(user) -> dict:
    from core.todo import items_for

    return {item.title: item.count for item in items_for(user) if "周报" in item.title}


def test_with_the_clock_in_2026_the_current_week_is_the_datas(
    data_of_2023, clock, city_user, county_reviewer, other_county_user
):
    clock(IN_2026)
    assert deadlines.now() == DATA_NOW and deadlines.today() == dt.date(2023, 9, 13)
    assert selectors.current_period(WEEKLY) == SECOND

    rows = cells_by_county(city_user)
    hailin, dongning = rows["海林市"], rows["东宁市"]
    assert [c.period.key for c in hailin["cells"]] == ["2023-W36", "2023-W37"]
    # 东宁市's 2023-W36 is overdue by as long as the data has gone on since its due time.
    assert dongning["cells"][0].timeliness == W36_OVERDUE
    assert late_by(DATA_NOW - WEEKLY.due_at(WEEK)) == "4 天 17 小时"
    # 2023-W37 is not due yet on the data's clock: it does not count in the rates.
    assert [c.timeliness for c in hailin["cells"]] == ["按时", "09-15 17:00 截止"]
    assert (hailin["due"], hailin["rate_percent"]) == (1, "100.0%")
    assert (dongning["due"], dongning["rate_percent"]) == (1, "0.0%")
    for row in rows.values():
        for cell in row["cells"]:
            assert cell.late is None or cell.late <= DATA_NOW - cell.due

    outstanding = selectors.not_submitted(city_user, WEEKLY)
    assert [(c.county.name, c.period.key, c.timeliness) for c in outstanding] == [
        ("海林市", "2023-W37", "09-15 17:00 截止"),
        ("东宁市", "2023-W37", "09-15 17:00 截止"),
    ]
    # The to-do: 东宁市 owes 2023-W36 (overdue), nothing is due "today" (13 September).
    assert todo(other_county_user) == {"区县周报逾期未报": 1}
    assert todo(county_reviewer) == {}

    # The pages say the same; nothing on them is counted to 2026.
    client = Client()
    client.force_login(city_user)
    for url in (reverse("report-matrix", args=["weekly"]), reverse("report-type", args=["weekly"])):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "2023-W37" in body and "09-15 17:00 截止" in body, url
        overdue = {
            "逾期" + delay for delay in re.findall(r"逾期((?: \d+ (?:天|小时|分钟))+)", body)
        }
        assert overdue == ({W36_OVERDUE} if "matrix" in url else set()), url
    # And the API.
    api = APIClient()
    api.force_authenticate(city_user)
    listed = api.get("/api/v1/reports/submissions/", {"period": "2023-W37"}).json()
    assert [row["timeliness"] for row in listed["results"]] == ["未到期"]


def test_a_report_submitted_in_2026_counts_as_submitted_at_the_datas_now(
    data_of_2023, clock, county, county_user, county_reviewer, city_user
):
    clock(IN_2026)
    draft = data_of_2023
    report = services.submission_submit(
        actor=county_reviewer, submission=draft, version=draft.version
    )
    assert report.first_submitted_at == IN_2026  # the history keeps the real time …
    cell = cells_by_county(city_user)["海林市"]["cells"][-1]
    assert cell.submitted and cell.on_time and cell.timeliness == "按时"  # … judged on the data's
    assert deadlines.now() == DATA_NOW  # a write of 2026 is not of 2023–2024: the data's now stays
    # A week after the data's current one has not begun: it cannot be prepared.
    with pytest.raises(ValidationError, match="2023-W38.* 尚未开始"):
        services.submission_prepare(
            actor=county_user, report_type=WEEKLY, county=county, period=SECOND.next()
        )


def test_due_today_is_the_datas_today(
    data_of_2023, clock, other_county, other_county_user, county_reviewer
):
    clock(at(15, 11))  # Friday of 2023-W37: 东宁市 starts its report, the data's newest write
    services.submission_prepare(
        actor=other_county_user, report_type=WEEKLY, county=other_county, period=SECOND
    )
    clock(IN_2026)  # a Monday
    assert deadlines.today() == dt.date(2023, 9, 15)
    assert todo(county_reviewer) == {"区县周报今日到期": 1}
    assert todo(other_county_user) == {"区县周报今日到期": 1, "区县周报逾期未报": 1}


def test_with_the_clock_inside_the_school_year_the_real_week_is_current(
    data_of_2023, clock, city_user
):
    clock(dt.datetime(2023, 11, 15, 9, 0, tzinfo=SHANGHAI))  # Wednesday of 2023-W46
    assert selectors.current_period(WEEKLY).key == "2023-W46"
    rows = cells_by_county(city_user)
    assert [c.period.key for c in rows["东宁市"]["cells"]][-1] == "2023-W46"
    # 2023-W36 is overdue to the clock: Friday 8 September 17:00 to 15 November 09:00.
    assert rows["东宁市"]["cells"][0].timeliness == "逾期 67 天 16 小时"
    assert rows["海林市"]["cells"][1].timeliness.startswith("逾期")  # the draft of 2023-W37


def test_before_anything_is_written_the_school_year_bounds_the_current_week(clock, county):
    SchoolYearStart.objects.create(school_year=2023)
    clock(IN_2026)  # the year is over and holds nothing: its last week
    assert selectors.current_period(WEEKLY) == period_of(Cadence.WEEKLY, dt.date(2024, 8, 31))
    clock(dt.datetime(2023, 8, 20, 9, 0, tzinfo=SHANGHAI))  # the year has not begun: its first
    assert selectors.current_period(WEEKLY) == period_of(Cadence.WEEKLY, dt.date(2023, 9, 1))
