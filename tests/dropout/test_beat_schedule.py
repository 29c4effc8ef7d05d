"""The term-start screening round is on Celery beat's schedule: beat (config/beat.py, the
scheduler settings name) writes dropout's entry into its tables, the entry fires on 10 March and
10 September at 06:00, names a task the worker knows, and what beat sends runs the city's round."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.beat import Scheduler
from config.celery import app
from core.areas import beat_schedule
from core.jobs import execute
from dropout.models import RoundStatus, ScreeningRound
from tests.factories import RosterChildFactory, RosterVersionFactory

ENTRY = "dropout.term-start-screening"
TASK = "dropout.tasks.scheduled_screening_round"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def worker_tasks():
    """The tasks as a worker has them: it imports every app's tasks module when it starts."""
    app.loader.import_default_modules()
    return app.tasks


def entry() -> dict:
    return beat_schedule(dict(app.conf.beat_schedule))[ENTRY]


def next_run(after: dt.datetime) -> dt.datetime:
    start, delta, _now = entry()["schedule"].remaining_delta(after)
    return start + delta


@pytest.mark.django_db(transaction=True)  # the scheduler manages its own connection
def test_beat_writes_the_term_start_round_into_its_schedule():
    assert settings.CELERY_BEAT_SCHEDULER == "config.beat:Scheduler"
    Scheduler(app=app)  # what `celery -A config beat` builds when it starts
    periodic = PeriodicTask.objects.get(name=ENTRY)
    assert periodic.task == TASK and periodic.enabled
    cron = periodic.crontab
    fields = (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year)
    assert fields == ("0", "6", "10", "3,9")
    # core's own entries are still there beside the area's
    assert PeriodicTask.objects.filter(name="core.reap-jobs").exists()


def test_the_entry_fires_at_the_start_of_each_term():
    assert next_run(dt.datetime(2024, 1, 5, 12, 0, tzinfo=SHANGHAI)) == dt.datetime(
        2024, 3, 10, 6, 0, tzinfo=SHANGHAI
    )
    assert next_run(dt.datetime(2024, 3, 10, 6, 0, tzinfo=SHANGHAI)) == dt.datetime(
        2024, 9, 10, 6, 0, tzinfo=SHANGHAI
    )
    assert next_run(dt.datetime(2024, 9, 10, 6, 0, tzinfo=SHANGHAI)) == dt.datetime(
        2025, 3, 10, 6, 0, tzinfo=SHANGHAI
    )


def test_the_entry_names_a_task_the_worker_knows(worker_tasks):
    assert entry()["task"] == TASK
    assert TASK in worker_tasks  # registered under that exact name (a renamed task never runs)


@pytest.mark.django_db
def test_what_beat_sends_runs_the_citys_round(county, township, monkeypatch, worker_tasks):
    version = RosterVersionFactory(county=county, label="海林市2024年春季名单")
    children = RosterChildFactory.create_batch(3, township=township, roster_version=version)
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2024, 3, 10))
    sent = entry()  # as beat sends it: the task with the entry's arguments (none: today)
    task = worker_tasks[sent["task"]]
    pk = task.apply(args=sent.get("args", ()), kwargs=sent.get("kwargs", {})).get()

    screening_round = ScreeningRound.objects.get(pk=pk)
    assert screening_round.scheduled and screening_round.screening_date == dt.date(2024, 3, 10)
    assert list(screening_round.counties.all()) == [county]
    execute(screening_round.job_id)  # the round's job, as the worker runs it
    screening_round.refresh_from_db()
    assert screening_round.status == RoundStatus.FINISHED
    assert sorted(r.roster_child_id for r in screening_round.results.all()) == sorted(
        c.pk for c in children
    )
