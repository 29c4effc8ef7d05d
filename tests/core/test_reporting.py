"""Periodic reports 报送与审核: periods and due times in Asia/Shanghai, the state machine (every
allowed and refused transition), the frozen snapshot, "changed since approval", deadline
extensions and the to-do items."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import RowConflict, VersionConflict
from core.models import AuditEvent
from core.reporting import deadlines, selectors, services
from core.reporting.models import Action, DeadlineExtension, State, Submission, SubmissionEvent
from core.reporting.periods import Cadence, late_by, period_from_key, period_of, periods_between
from core.reporting.registry import get_type
from core.reporting.types import WEEKLY
from core.scoping import Role
from tests.aid.factories import OutOfAreaStudentFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = period_of(Cadence.WEEKLY, dt.date(2023, 9, 4))  # Monday 4 – Sunday 10 September 2023
FRIDAY_17 = dt.datetime(2023, 9, 8, 17, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2023, 9, day, hour, minute, second, tzinfo=SHANGHAI)


def prepare(officer, county, **notes):
    return services.submission_prepare(
        actor=officer, report_type=WEEKLY, county=county, period=WEEK, notes=notes, at=at(7, 9)
    )


def submitted(officer, reviewer, county, when=None):
    draft = prepare(officer, county, progress="本周完成入户核查")
    return services.submission_submit(
        actor=reviewer, submission=draft, version=draft.version, at=when or at(8, 10)
    )


# --- Periods and due times ---------------------------------------------------------------------


def test_periods_of_every_cadence_and_their_keys():
    day = dt.date(2023, 9, 6)  # a Wednesday
    assert (WEEK.start, WEEK.end, WEEK.key) == (
        dt.date(2023, 9, 4),
        dt.date(2023, 9, 10),
        "2023-W36",
    )
    assert period_of(Cadence.WEEKLY, day) == WEEK
    assert period_of(Cadence.DAILY, day).key == "2023-09-06"
    month = period_of(Cadence.MONTHLY, dt.date(2024, 2, 10))
    assert (month.start, month.end, month.key) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
        "2024-02",
    )
    term = period_of(Cadence.TERM, dt.date(2024, 1, 15))
    assert (term.start, term.end, term.key) == (
        dt.date(2023, 9, 1),
        dt.date(2024, 2, 29),
        "2023-autumn",
    )
    spring = term.next()
    assert (spring.start, spring.end, spring.key) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 8, 31),
        "2023-spring",
    )
    for cadence, key in (
        (Cadence.DAILY, "2023-09-06"),
        (Cadence.WEEKLY, "2023-W36"),
        (Cadence.MONTHLY, "2024-02"),
        (Cadence.TERM, "2023-spring"),
    ):
        assert period_from_key(cadence, key).key == key
    assert period_from_key(Cadence.WEEKLY, "2023-W99") is None
    assert period_from_key(Cadence.WEEKLY, "上周") is None
    # The term's weeks: a week belongs to the range its Monday is in.
    weeks = periods_between(Cadence.WEEKLY, dt.date(2023, 9, 1), dt.date(2023, 9, 30))
    assert [w.key for w in weeks] == ["2023-W36", "2023-W37", "2023-W38", "2023-W39"]


def test_the_weekly_report_is_due_on_friday_at_17_00_in_shanghai():
    assert get_type("weekly") is WEEKLY
    due = WEEKLY.due_at(WEEK)
    assert due == FRIDAY_17
    assert due.astimezone(dt.UTC).hour == 9  # 17:00 in Shanghai is 09:00 UTC, whatever the server


def test_late_or_on_time_at_the_boundary_minute(county, county_user, county_reviewer):
    assert not deadlines.is_late(at(8, 16, 59, 59), FRIDAY_17)
    assert not deadlines.is_late(at(8, 17, 0, 0), FRIDAY_17)
    assert not deadlines.is_late(at(8, 17, 0, 59), FRIDAY_17)  # within the due minute
    assert deadlines.is_late(at(8, 17, 1, 0), FRIDAY_17)
    assert late_by(at(9, 20, 1) - FRIDAY_17) == "1 天 3 小时"
    assert late_by(at(8, 17, 45) - FRIDAY_17) == "45 分钟"

    report = submitted(county_user, county_reviewer, county, when=at(8, 17, 1))
    cell = selectors.cells(county_user, WEEKLY, first=WEEK.start, last=WEEK.start)["rows"][0][
        "cells"
    ][0]
    assert cell.submission == report and cell.state == State.SUBMITTED
    assert not cell.on_time and cell.timeliness == "迟报 1 分钟"


def test_a_report_submitted_at_the_due_minute_is_on_time(county, county_user, county_reviewer):
    submitted(county_user, county_reviewer, county, when=at(8, 17, 0, 30))
    row = selectors.cells(county_user, WEEKLY, first=WEEK.start, last=WEEK.start)["rows"][0]
    assert row["cells"][0].on_time and row["cells"][0].timeliness == "按时"
    assert (row["due"], row["on_time"], row["rate_percent"]) == (1, 1, "100.0%")


# --- The state machine -------------------------------------------------------------------------


def test_the_whole_journey_keeps_every_transition(
    county, county_user, county_reviewer, city_user, clock
):
    draft = prepare(county_user, county, progress="完成劝返2人")
    assert draft.state == State.DRAFT and draft.notes["progress"] == "完成劝返2人"
    report = services.submission_submit(
        actor=county_reviewer, submission=draft, version=draft.version, at=at(8, 10)
    )
    assert report.state == State.SUBMITTED and report.snapshot["sections"]
    report = services.submission_return(
        actor=city_user,
        submission=report,
        version=report.version,
        reason="请核对",
        comments={("aid", "out_of_area_not_verified"): "外地就读人数与台账不符"},
        at=at(8, 15),
    )
    assert report.state == State.RETURNED
    event, comments = selectors.latest_comments(report)
    assert event.comment == "请核对"
    assert comments == {("aid", "out_of_area_not_verified"): ["外地就读人数与台账不符"]}
    report = services.submission_prepare(
        actor=county_user,
        report_type=WEEKLY,
        county=county,
        period=WEEK,
        notes={"progress": "已更正"},
        version=report.version,
        at=at(8, 16),
    )
    assert report.state == State.RETURNED  # corrected, still with the county
    report = services.submission_submit(
        actor=county_reviewer, submission=report, version=report.version, at=at(9, 10)
    )
    report = services.submission_approve(
        actor=city_user, submission=report, version=report.version, at=at(10, 9)
    )
    assert report.state == State.APPROVED and report.approved_by == city_user
    # Timeliness is the first submission's: on time, although approved after a correction.
    assert report.first_submitted_at == at(8, 10) and report.submitted_at == at(9, 10)
    actions = list(report.events.order_by("at", "pk").values_list("action", "actor__username"))
    assert actions == [
        (Action.PREPARED, "hailin-officer"),
        (Action.SUBMITTED, "hailin-reviewer"),
        (Action.RETURNED, "city-staff"),
        (Action.SAVED, "hailin-officer"),
        (Action.SUBMITTED, "hailin-reviewer"),
        (Action.APPROVED, "city-staff"),
    ]
    audited = AuditEvent.objects.filter(ledger="core.submission", object_id=str(report.pk))
    assert audited.count() == 6
    assert audited.filter(note__contains="请核对").exists()


def _state(report):
    report.refresh_from_db()
    return report.state, report.version, SubmissionEvent.objects.count()


def refused(error, call, report):
    before = _state(report)
    with pytest.raises(error) as caught:
        call()
    assert _state(report) == before
    return str(caught.value)


def test_refused_transitions_change_nothing(county, county_user, county_reviewer, city_user, clock):
    draft = prepare(county_user, county)

    # Approving or returning a draft.
    message = refused(
        RowConflict,
        lambda: services.submission_approve(
            actor=city_user, submission=draft, version=draft.version
        ),
        draft,
    )
    assert "草稿" in message and "不能审核通过" in message
    refused(
        RowConflict,
        lambda: services.submission_return(
            actor=city_user, submission=draft, version=draft.version, reason="x"
        ),
        draft,
    )
    # An officer may not submit; the reviewer may.
    message = refused(
        PermissionDenied,
        lambda: services.submission_submit(
            actor=county_user, submission=draft, version=draft.version
        ),
        draft,
    )
    assert "审核员" in message
    report = services.submission_submit(
        actor=county_reviewer, submission=draft, version=draft.version, at=at(8, 10)
    )
    # Submitting twice; preparing a submitted report; a county approving its own.
    refused(
        RowConflict,
        lambda: services.submission_submit(
            actor=county_reviewer, submission=report, version=report.version
        ),
        report,
    )
    refused(
        RowConflict,
        lambda: services.submission_prepare(
            actor=county_user,
            report_type=WEEKLY,
            county=county,
            period=WEEK,
            version=report.version,
        ),
        report,
    )
    message = refused(
        PermissionDenied,
        lambda: services.submission_approve(
            actor=county_reviewer, submission=report, version=report.version
        ),
        report,
    )
    assert "市局" in message
    # Returning without a reason.
    with pytest.raises(ValidationError) as caught:
        services.submission_return(
            actor=city_user, submission=report, version=report.version, reason="  ", comments={}
        )
    assert "原因" in str(caught.value)
    assert _state(report)[0] == State.SUBMITTED
    # A stale page: the version the user read is older.
    refused(
        VersionConflict,
        lambda: services.submission_approve(
            actor=city_user, submission=report, version=report.version - 1
        ),
        report,
    )
    report = services.submission_approve(actor=city_user, submission=report, version=report.version)
    # Submitting (or approving, or returning) an approved period.
    message = refused(
        RowConflict,
        lambda: services.submission_submit(
            actor=county_reviewer, submission=report, version=report.version
        ),
        report,
    )
    assert "已审核通过" in message
    refused(
        RowConflict,
        lambda: services.submission_approve(
            actor=city_user, submission=report, version=report.version
        ),
        report,
    )
    refused(
        RowConflict,
        lambda: services.submission_return(
            actor=city_user, submission=report, version=report.version, reason="x"
        ),
        report,
    )
    # Asking for resubmission of an approved report is allowed, with a reason.
    report = services.submission_reopen(
        actor=city_user, submission=report, version=report.version, reason="台账数字已变"
    )
    assert report.state == State.RETURNED


def test_another_countys_report_cannot_be_touched(
    county, other_county, county_user, county_reviewer, other_county_user, clock
):
    report = prepare(county_user, county)
    other_reviewer = UserFactory(
        username="dongning-reviewer", role=Role.COUNTY_REVIEWER, scope=other_county
    )
    refused(
        PermissionDenied,
        lambda: services.submission_submit(
            actor=other_reviewer, submission=report, version=report.version
        ),
        report,
    )
    with pytest.raises(PermissionDenied):
        services.submission_prepare(
            actor=other_county_user, report_type=WEEKLY, county=county, period=WEEK
        )
    assert Submission.objects.count() == 1


def test_a_future_period_cannot_be_prepared(county, county_user, clock):
    with pytest.raises(ValidationError) as caught:
        services.submission_prepare(
            actor=county_user,
            report_type=WEEKLY,
            county=county,
            period=WEEK.next().next(),
            at=at(8, 9),
        )
    assert "尚未开始" in str(caught.value)
    assert not Submission.objects.exists()


def test_nobody_approves_a_report_they_submitted(county, county_user, county_reviewer, city, clock):
    boss = UserFactory(username="root", role=Role.CITY_ADMIN, scope=city, is_superuser=True)
    report = submitted(county_user, county_reviewer, county)
    Submission.objects.filter(pk=report.pk).update(submitted_by=boss)
    report.refresh_from_db()
    refused(
        PermissionDenied,
        lambda: services.submission_approve(actor=boss, submission=report, version=report.version),
        report,
    )


# --- Snapshot and changes since approval -------------------------------------------------------


def _figure(sections, section, key):
    return next(row for s in sections if s["key"] == section for row in s["rows"] if row.key == key)


def test_the_snapshot_is_frozen_while_rows_change_and_changes_show_after_approval(
    county, county_user, county_reviewer, city_user, clock
):
    OutOfAreaStudentFactory.create_batch(2, county=county, verified_on=None)
    report = submitted(county_user, county_reviewer, county)
    assert report.snapshot["sections"]["aid"]["out_of_area_not_verified"] == 2

    OutOfAreaStudentFactory(county=county, verified_on=None)  # a row added after submission
    report.refresh_from_db()
    assert report.snapshot["sections"]["aid"]["out_of_area_not_verified"] == 2
    sections = selectors.figure_table(
        WEEKLY, user=city_user, county=county, period=WEEK, submission=report
    )
    row = _figure(sections, "aid", "out_of_area_not_verified")
    assert (row.live, row.submitted) == (3, 2)
    assert selectors.changes_since_approval(sections, report) == []  # not approved yet

    report = services.submission_approve(actor=city_user, submission=report, version=report.version)
    sections = selectors.figure_table(
        WEEKLY, user=city_user, county=county, period=WEEK, submission=report
    )
    changed = selectors.changes_since_approval(sections, report)
    assert [(c.key, c.submitted, c.live) for c in changed] == [("out_of_area_not_verified", 2, 3)]


def test_figures_are_as_of_the_period_end(county, county_user, city_user):
    OutOfAreaStudentFactory(county=county, verified_on=dt.date(2023, 9, 20))
    OutOfAreaStudentFactory(county=county, verified_on=dt.date(2023, 9, 5))
    sections = selectors.live_figures(WEEKLY, user=city_user, county=county, period=WEEK)
    aid = next(s for s in sections if s["key"] == "aid")
    assert {f.key: f.value for f in aid["figures"]}["out_of_area_not_verified"] == 1


# --- Deadline extensions -----------------------------------------------------------------------


def test_a_city_admin_extends_one_countys_deadline_with_a_reason(
    county, other_county, county_user, county_reviewer, city_admin, city_user, clock
):
    later = at(11, 17)
    with pytest.raises(ValidationError) as caught:
        services.deadline_extend(
            actor=city_admin,
            report_type=WEEKLY,
            county=county,
            period=WEEK,
            due_at=later,
            reason="",
        )
    assert "原因" in str(caught.value)
    with pytest.raises(PermissionDenied):
        services.deadline_extend(
            actor=city_user,
            report_type=WEEKLY,
            county=county,
            period=WEEK,
            due_at=later,
            reason="停电",
        )
    assert not DeadlineExtension.objects.exists()
    services.deadline_extend(
        actor=city_admin,
        report_type=WEEKLY,
        county=county,
        period=WEEK,
        due_at=later,
        reason="台风停电",
    )
    assert AuditEvent.objects.filter(ledger="core.deadlineextension", note="台风停电").exists()
    submitted(county_user, county_reviewer, county, when=at(10, 12))  # after Friday, before Monday
    matrix = selectors.cells(city_user, WEEKLY, first=WEEK.start, last=WEEK.start)
    by_county = {row["county"]: row["cells"][0] for row in matrix["rows"]}
    assert by_county[county].on_time and by_county[county].extended
    # The other county's due time is still Friday 17:00: not submitted, overdue.
    assert by_county[other_county].due == FRIDAY_17 and not by_county[other_county].extended
    assert by_county[other_county].timeliness.startswith("逾期")


# --- Matrix, not submitted, to-do --------------------------------------------------------------


def test_the_matrix_rates_and_the_not_submitted_list(
    county, other_county, county_user, county_reviewer, other_county_user, city_user, clock
):
    clock(at(20, 9))  # a Wednesday of the third week
    submitted(county_user, county_reviewer, county, when=at(8, 16))  # week 36: on time
    second = WEEK.next()
    draft = services.submission_prepare(
        actor=county_user, report_type=WEEKLY, county=county, period=second, at=at(15, 9)
    )
    services.submission_submit(
        actor=county_reviewer, submission=draft, version=draft.version, at=at(16, 9)
    )  # week 37: late by 16 hours
    matrix = selectors.cells(city_user, WEEKLY, first=WEEK.start, last=at(30, 0).date())
    assert [p.key for p in matrix["periods"]] == ["2023-W36", "2023-W37", "2023-W38"]
    rows = {row["county"]: row for row in matrix["rows"]}
    assert [c.state for c in rows[county]["cells"]] == ["submitted", "submitted", "not_started"]
    assert rows[county]["cells"][1].timeliness == "迟报 16 小时"
    # Week 38 is not due until Friday: it does not count yet.
    assert (rows[county]["due"], rows[county]["on_time"], rows[county]["rate_percent"]) == (
        2,
        1,
        "50.0%",
    )
    assert (rows[other_county]["due"], rows[other_county]["on_time"]) == (2, 0)
    # A county user sees its own row only.
    assert [
        row["county"]
        for row in selectors.cells(county_user, WEEKLY, first=WEEK.start, last=at(30, 0).date())[
            "rows"
        ]
    ] == [county]
    assert [c.county for c in selectors.not_submitted(city_user, WEEKLY)] == [county, other_county]
    assert [c.county for c in selectors.not_submitted(other_county_user, WEEKLY)] == [other_county]


def todo_titles(user):
    from core.todo import items_for

    return {item.title: item.count for item in items_for(user) if "周报" in item.title}


def test_the_to_do_items(county, county_user, county_reviewer, city_user, clock):
    clock(at(8, 9))  # Friday of week 36: due today
    assert todo_titles(county_user) == {"区县周报今日到期": 1}
    clock(at(12, 9))  # the Tuesday after: week 36 overdue
    assert todo_titles(county_user)["区县周报逾期未报"] == 1
    report = submitted(county_user, county_reviewer, county)
    assert todo_titles(city_user) == {"区县周报待审核": 1}
    services.submission_return(
        actor=city_user, submission=report, version=report.version, reason="补充说明"
    )
    assert todo_titles(county_reviewer).get("区县周报被退回待修改") == 1
    assert todo_titles(city_user) == {}
