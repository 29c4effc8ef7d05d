"""The scheduled screening round runs once per date: run twice, retried, delivered twice or raced,
the city gets one round, one job and one audit entry; the database refuses a second one."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import translation

from core.jobs import JobRun
from core.models import AuditEvent
from dropout import services, tasks
from dropout.models import ScreeningRound
from tests.dropout.factories import run_round
from tests.factories import RosterVersionFactory

TERM_START = dt.date(2024, 3, 10)


@pytest.fixture
def version(county):
    return RosterVersionFactory(county=county, label="海林市2024年春季名单")


def scheduled_rounds():
    return ScreeningRound.objects.filter(scheduled=True)


def round_jobs():
    return JobRun.objects.filter(kind=services.JOB_KIND)


def round_audit():
    return AuditEvent.objects.filter(ledger="dropout.screeninground", action="create")


@pytest.mark.django_db
def test_the_task_run_twice_starts_one_round(version):
    with translation.override("en"):
        first = tasks.scheduled_screening_round.apply(kwargs={"screening_date": "2024-03-10"})
        again = tasks.scheduled_screening_round.apply(kwargs={"screening_date": "2024-03-10"})
    first, again = first.get(), again.get()

    assert first == again
    only = scheduled_rounds().get()
    assert only.pk == first and only.screening_date == TERM_START
    assert only.name == "Scheduled screening, 2023–2024 spring term"
    assert list(only.counties.all()) == [version.county]
    assert round_jobs().count() == 1 and only.job_id == round_jobs().get().pk
    assert round_audit().count() == 1


@pytest.mark.django_db
def test_a_redelivered_task_without_a_date_finds_todays_round(version):
    first = tasks.scheduled_screening_round.apply().get()
    again = tasks.scheduled_screening_round.apply().get()
    assert first == again and scheduled_rounds().count() == 1 and round_jobs().count() == 1


@pytest.mark.django_db
def test_another_date_is_another_round(version):
    services.round_start_scheduled(today=TERM_START)
    services.round_start_scheduled(today=dt.date(2024, 9, 10))
    assert sorted(r.screening_date for r in scheduled_rounds()) == [
        TERM_START,
        dt.date(2024, 9, 10),
    ]


@pytest.mark.django_db
def test_no_roster_no_round(county):
    result = tasks.scheduled_screening_round.apply(kwargs={"screening_date": "2024-03-10"})
    assert result.get() is None
    assert not ScreeningRound.objects.exists() and not round_jobs().exists()


@pytest.mark.django_db
def test_the_database_refuses_a_second_scheduled_round_for_a_date(version):
    services.round_start_scheduled(today=TERM_START)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningRound.objects.create(
            name="第二次",
            school_year=2023,
            reference_date=dt.date(2023, 8, 31),
            screening_date=TERM_START,
            age_min=6,
            age_max=15,
            scheduled=True,
        )
    assert scheduled_rounds().count() == 1


@pytest.mark.django_db
def test_a_city_admin_may_still_start_rounds_on_the_schedules_date(city_admin, version):
    """The rule is the schedule's: rounds started by hand (a corrected roster) are not limited."""
    services.round_start_scheduled(today=TERM_START)
    run_round(city_admin, screening_date=TERM_START)
    run_round(city_admin, screening_date=TERM_START)
    assert ScreeningRound.objects.filter(screening_date=TERM_START).count() == 3
    assert scheduled_rounds().count() == 1


@pytest.mark.django_db
def test_a_retry_keeps_the_first_attempts_date_and_starts_one_round(version, monkeypatch):
    """A database blip on the first attempt: the task retries with the date it began with."""
    real = services.round_start_scheduled
    calls = []

    def flaky(*, today=None, **kwargs):
        calls.append(today)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(today=today, **kwargs)

    monkeypatch.setattr(services, "round_start_scheduled", flaky)
    # throw=False: as on a worker, the Retry is not raised to the caller (apply runs the retry)
    result = tasks.scheduled_screening_round.apply(
        kwargs={"screening_date": "2024-03-10"}, throw=False
    )

    assert len(calls) == 2 and calls[0] == calls[1] == TERM_START
    only = scheduled_rounds().get()
    assert result.get() == only.pk and round_jobs().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_loses_to_the_constraint_and_returns_the_winner(
    version, monkeypatch
):
    """Two runs pass the look-up together; the other commits first. Ours is refused by the
    database (IntegrityError, handled), its round, job and audit entry roll back, and it returns
    the other's round."""
    real_lookup = services.scheduled_round_on
    winner = {}

    def other_run():
        try:
            winner["round"] = real(today=TERM_START)
        finally:
            connection.close()

    real = services.round_start_scheduled
    lookups = []

    def racing_lookup(day):
        lookups.append(day)
        if len(lookups) == 1:  # our look-up found nothing; meanwhile the other run commits
            thread = threading.Thread(target=other_run)
            thread.start()
            thread.join(timeout=60)
            assert "round" in winner, "the competing run did not finish"
            return None
        return real_lookup(day)

    # The competing thread does its own look-up through the real function.
    monkeypatch.setattr(services, "scheduled_round_on", racing_lookup)
    inserts = []
    real_create = ScreeningRound.objects.create

    def counting_create(**kwargs):
        inserts.append(kwargs["screening_date"])
        return real_create(**kwargs)

    monkeypatch.setattr(ScreeningRound.objects, "create", counting_create)

    ours = services.round_start_scheduled(today=TERM_START)

    assert inserts == [TERM_START, TERM_START]  # both runs tried to insert: a real race
    assert ours.pk == winner["round"].pk
    assert scheduled_rounds().count() == 1 and ScreeningRound.objects.count() == 1
    assert round_jobs().count() == 1 and round_audit().count() == 1
