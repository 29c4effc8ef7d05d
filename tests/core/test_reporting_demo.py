"""The demo's weekly reports: every county's 2023 autumn weeks up to the week the data has reached,
a realistic mix (most approved on time, a few late, one deadline extended, one returned with a
reason and a comment on a figure and resubmitted), the current week partly outstanding — all
through the state machine, by the demo's own users, dated on the data's clock."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent, Region, RegionLevel, User
from core.reporting import selectors
from core.reporting.models import (
    Action,
    DeadlineExtension,
    State,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)
from core.reporting.types import WEEKLY
from core.scoping import Role

pytestmark = pytest.mark.django_db

FIRST_WEEK = dt.date(2023, 9, 4)  # the first Monday of the 2023 autumn term
CURRENT = "2023-W43"  # the week of the areas' newest demo data (the third round, 25 October)


def seed(**options) -> None:
    call_command("seed_demo", students=600, seed=7, stdout=io.StringIO(), **options)


def fingerprint() -> list[tuple]:
    rows = Submission.objects.values_list(
        "county__code", "period_key", "state", "first_submitted_at", "approved_at", "notes"
    )
    events = SubmissionEvent.objects.values_list(
        "submission__county__code", "submission__period_key", "action", "actor__username", "at"
    )
    return sorted(map(repr, rows)) + sorted(map(repr, events))


def test_every_county_reports_the_autumn_weeks_with_a_realistic_mix():
    seed()
    staff = User.objects.get(username="city-staff")
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    assert len(counties) == 10

    # The platform calls the data's week current (the clock has left 2023–2024).
    current = selectors.current_period(WEEKLY)
    assert current.key == CURRENT
    first, last = selectors.default_range(WEEKLY)
    matrix = selectors.cells(staff, WEEKLY, first=first, last=last)
    weeks = [p.key for p in matrix["periods"]]
    assert weeks[0] == "2023-W36" and weeks[-1] == CURRENT and len(weeks) == 8
    assert matrix["periods"][0].start == FIRST_WEEK

    # Every earlier week of every county approved; most on time, a few late.
    timeliness = Counter()
    for row in matrix["rows"]:
        *past, now = row["cells"]
        assert [c.state for c in past] == [State.APPROVED] * 7, row["county"].name
        timeliness.update("on time" if c.on_time else "late" for c in past)
    assert timeliness["on time"] >= 60 and 2 <= timeliness["late"] <= 6
    # The current week: some counties submitted (one approved), others have not yet.
    now_states = Counter(row["cells"][-1].state for row in matrix["rows"])
    assert now_states[State.APPROVED] >= 1 and now_states[State.SUBMITTED] >= 1
    assert now_states[State.DRAFT] >= 1 and now_states["not_started"] >= 1
    outstanding = selectors.not_submitted(staff, WEEKLY)
    assert 0 < len(outstanding) < 10
    assert {c.period.key for c in outstanding} == {CURRENT}
    # On the data's clock (its newest write, Wednesday 25 October) the current week is not due
    # yet: nothing is overdue, whatever year the machine's clock says.
    assert not any(c.late for c in outstanding)
    assert {c.timeliness for c in outstanding} == {"10-27 17:00 截止"}
    waiting = [item for item in selectors.reports_todo(staff) if item.count]
    assert waiting and waiting[0].count == now_states[State.SUBMITTED]

    # One report returned with a reason and a comment on one of its figures, corrected,
    # resubmitted and approved; still on time (its first submission was).
    returns = SubmissionEvent.objects.filter(action=Action.RETURNED)
    assert returns.count() == 1
    returned = returns.get()
    assert returned.comment and returned.actor == staff
    comment = SubmissionComment.objects.get(event=returned)
    submission = returned.submission
    assert comment.figure in submission.snapshot["sections"][comment.section]
    actions = list(submission.events.order_by("at").values_list("action", flat=True))
    assert actions == [
        Action.PREPARED,
        Action.SUBMITTED,
        Action.RETURNED,
        Action.SAVED,
        Action.SUBMITTED,
        Action.APPROVED,
    ]
    assert submission.state == State.APPROVED
    cell = next(
        c
        for row in matrix["rows"]
        for c in row["cells"]
        if c.submission is not None and c.submission.pk == submission.pk
    )
    assert cell.on_time

    # One deadline extended (with a reason): submitted after the week's own due time, on time.
    extension = DeadlineExtension.objects.get()
    assert extension.reason and extension.extended_by.username == "city-admin"
    extended = Submission.objects.get(county=extension.county, period_start=extension.period_start)
    assert extended.first_submitted_at > WEEKLY.due_at(
        selectors.period_of_submission(WEEKLY, extended)
    )
    assert extended.first_submitted_at <= extension.due_at


def test_every_step_was_taken_by_the_right_real_user_on_the_datas_clock():
    seed()
    submissions = Submission.objects.select_related("county", "prepared_by", "submitted_by")
    assert submissions.count() >= 74
    roles = {
        Action.PREPARED: Role.COUNTY_OFFICER,
        Action.SAVED: Role.COUNTY_OFFICER,
        Action.SUBMITTED: Role.COUNTY_REVIEWER,
        Action.APPROVED: Role.CITY_STAFF,
        Action.RETURNED: Role.CITY_STAFF,
    }
    data_now = max(SubmissionEvent.objects.values_list("at", flat=True))
    assert timezone.localdate(data_now) <= dt.date(2023, 10, 29)
    for submission in submissions:
        events = list(submission.events.select_related("actor").order_by("at"))
        assert events, submission
        assert events[0].action == Action.PREPARED
        for event in events:
            assert event.actor.is_demo and event.actor.role == roles[event.action]
            if event.actor.role != Role.CITY_STAFF:
                assert event.actor.scope_id == submission.county_id
            # Dated in the week's days and the one after, in 2023, never the seeding day.
            day = timezone.localdate(event.at)
            assert submission.period_start <= day <= submission.period_end + dt.timedelta(days=8)
        times = [event.at for event in events]
        assert times == sorted(times)
        if submission.state in (State.SUBMITTED, State.APPROVED):
            assert submission.snapshot["sections"]  # the figures frozen at submission
    # The audit trail of the reports is of 2023 too.
    audited = AuditEvent.objects.filter(ledger="core.submission")
    assert audited.count() == SubmissionEvent.objects.count()
    assert {event.at.year for event in audited} == {2023}


def test_force_rebuilds_the_reports_cleanly_and_the_same():
    seed()
    before = fingerprint()
    seed(force=True)  # the reports go before the counties and users they refer to
    assert fingerprint() == before
    assert Submission.objects.count() == len(
        {(c, p) for c, p in Submission.objects.values_list("county__code", "period_key")}
    )
