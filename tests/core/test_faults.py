"""Faults: a worker killed mid-import and mid-round, Redis stopped and restarted mid-job, jobs
started with Redis down or frozen, a job whose message was lost — each ends with the job failed
or finished exactly once, the data as before or fully written, and a page that says which.

Every test runs its own Redis (`redis-server` on a free port) and its own Celery worker processes
on the test database, and kills or stops those — never the machine's shared Redis. The worker is
the real one (tests/core/fault_worker.py) with pause points inside the import's and the round's
transactions, so that it is killed exactly mid-transaction. The reaper's thresholds are seconds
here (JOB_STALE_SECONDS and friends), minutes in production.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core import jobs
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobRun, JobStatus
from core.models import AuditAction, AuditEvent, Student
from dropout import services
from dropout.models import DropoutCase, RoundStatus, ScreeningResult
from tests.core.import_files import REGISTRY_HEADER, registry_rows, upload, xlsx
from tests.factories import RosterChildFactory, RosterVersionFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ROWS = 30
# The queue this test process sends to: "celery", or its own under pytest-xdist (settings_test).
QUEUE = getattr(django_settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")


def zh(message) -> str:
    """A message as a Chinese user reads it (a plain string is looked up in the catalogue)."""
    with translation.override("zh-hans"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def wait_for(predicate, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test alone, without persistence (a restart loses every message)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.process = None
        self.frozen = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        wait_for(lambda: self._pings(client), timeout=10, what="the private Redis")

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self):
        """Shut it down (SIGTERM: Redis's own shutdown), as `docker compose stop redis` would."""
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)
        self.frozen = False

    def flush(self):
        redis.Redis(port=self.port).flushall()

    def close(self):
        if self.process is None or self.process.poll() is not None:
            return
        if self.frozen:
            self.thaw()
        self.process.kill()
        self.process.wait(timeout=10)


class Worker:
    """A real Celery worker on the test database and the private Redis, logging to a file."""

    def __init__(self, env: dict, folder: Path, pool: str):
        self.name = f"faults-{uuid.uuid4().hex[:8]}@%h"
        self.log_path = folder / f"worker-{uuid.uuid4().hex[:6]}.log"
        arguments = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", "--concurrency=1"]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "tests.core.fault_worker",
                "-A",
                "config",
                "worker",
                *arguments,
                "--loglevel=INFO",
                "-Q",
                QUEUE,
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if not self.alive:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _use_broker(app, url: str, backend=(None, None)):
    """Point this process's Celery app at `url`: its pools and result backend are made again
    (or the given backend put back). What it used before, to put back."""
    before = (app._backend_cache, getattr(app._local, "backend", None))
    app.conf.broker_url = url
    app.conf.result_backend = url
    app._pool = None  # kombu keeps the pools by URL: dropped here, never closed (they are shared)
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None
    app._backend_cache, app._local.backend = backend
    return before


@pytest.fixture
def faults(settings, tmp_path):
    """A private Redis, this process's broker and cache pointed at it, and workers to start."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "the fault tests need PostgreSQL (DATABASE_URL): the worker shares its database"
        )
    if not Path(REDIS_SERVER).exists():
        pytest.skip("the fault tests need redis-server to run a private Redis")
    from config.celery import app

    # Read before the settings change: the app's configuration reads Django's settings.
    before = {key: app.conf.get(key) for key in ("broker_url", "result_backend")}
    eager = {key: app.conf.get(key) for key in ("task_always_eager", "task_eager_propagates")}
    folder = tmp_path / "faults"
    folder.mkdir()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.JOB_STALE_SECONDS = 2
    settings.JOB_HEARTBEAT_SECONDS = 0.5
    settings.IMPORT_INLINE_MAX_ROWS = 10
    settings.EXPORT_MAX_ROWS_INLINE = 0
    private = PrivateRedis(folder)
    private.start()
    settings.CELERY_BROKER_URL = private.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
    app.conf.update(task_always_eager=False, task_eager_propagates=False)
    backend = _use_broker(app, private.url)
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": private.url,
        "MEDIA_ROOT": str(media),
        "FAULT_DIR": str(folder),
        "JOB_HEARTBEAT_SECONDS": "0.5",
        "JOB_STALE_SECONDS": "2",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    workers: list[Worker] = []

    def worker(pool: str = "solo") -> Worker:
        started = Worker(env, folder, pool)
        workers.append(started)
        return started

    def hold(name: str) -> Path:
        path = folder / f"hold-{name}"
        path.touch()
        return path

    def reached(name: str, timeout: float = 60) -> int:
        """The process id of the worker process paused at `name`."""
        marker = folder / f"at-{name}"
        wait_for(marker.exists, timeout=timeout, what=f"a worker at the {name} pause point")
        wait_for(lambda: marker.read_text().strip(), timeout=5, what="its process id")
        return int(marker.read_text())

    yield SimpleNamespace(redis=private, worker=worker, hold=hold, reached=reached, folder=folder)

    for started in workers:
        started.stop()
    private.close()
    app.conf.update(eager)
    _use_broker(app, before["broker_url"], backend)
    app.conf.result_backend = before["result_backend"]


def finished(job: JobRun, timeout: float = 60) -> JobRun:
    def done():
        job.refresh_from_db()
        return job.finished

    wait_for(done, timeout=timeout, what=f"job {job.pk} to end", every=0.2)
    return job


def page(client, job: JobRun) -> str:
    response = client.get(job.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def previewed_run(client, school) -> ImportRun:
    """A checked, error-free file of ROWS new students (checked in the request: no worker)."""
    content = xlsx([REGISTRY_HEADER, *registry_rows(school, ROWS)])
    from django.conf import settings

    inline, settings.IMPORT_INLINE_MAX_ROWS = settings.IMPORT_INLINE_MAX_ROWS, 10_000
    try:
        response = client.post(reverse("student-import"), {"file": upload(content, "学籍.xlsx")})
    finally:
        settings.IMPORT_INLINE_MAX_ROWS = inline
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportStatus.PREVIEWED and run.error_total == 0, run.errors
    return run


def confirm(client, run: ImportRun):
    return client.post(reverse("student-import-confirm", args=[run.pk]))


def imports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.IMPORT).count()


# --- A worker killed mid-transaction ----------------------------------------------------------


def test_worker_killed_mid_import_commit_writes_nothing_and_the_file_can_be_confirmed_again(
    faults, county_client, school
):
    run = previewed_run(county_client, school)
    faults.worker()
    faults.hold("import")
    response = confirm(county_client, run)
    job = JobRun.objects.get(kind="import_commit")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    pid = faults.reached("import")  # every row written, inside the uncommitted transaction

    # While the worker is alive, a second confirm says the file is being imported, not imported.
    response = confirm(county_client, run)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        zh("This file is being imported now; follow the job's progress on its page.")
    ]

    os.kill(pid, signal.SIGKILL)
    time.sleep(2.5)  # JOB_STALE_SECONDS: the job has been silent long enough
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == ImportStatus.COMMITTING and job.status == JobStatus.RUNNING
    assert Student.objects.count() == 0 and imports() == 0

    # The user confirms again: the vanished worker's job is failed, the run is "checked" again,
    # and a new job imports the file — once.
    faults.worker()
    (faults.folder / "hold-import").unlink()
    response = confirm(county_client, run)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == zh(jobs.LOST_MESSAGE)
    html = page(county_client, job)
    assert 'data-status="failed"' in html and job.error in html
    second = JobRun.objects.filter(kind="import_commit").exclude(pk=job.pk).get()
    assert response.url == second.get_absolute_url()
    finished(second)
    run.refresh_from_db()
    assert second.status == JobStatus.SUCCEEDED, second.error
    assert run.status == ImportStatus.COMMITTED and run.job_id == second.pk
    assert Student.objects.count() == ROWS and imports() == 1
    assert second.attempts == 1
    html = page(county_client, second)
    assert 'data-status="succeeded"' in html and "job-open" in html


def test_the_reaper_fails_a_killed_import_commit_and_the_run_is_checked_again(
    faults, county_client, school
):
    run = previewed_run(county_client, school)
    worker = faults.worker()
    faults.hold("import")
    confirm(county_client, run)
    job = JobRun.objects.get(kind="import_commit")
    faults.reached("import")
    worker.kill()  # the whole worker, as kill -9 or the OOM killer would: no redelivery soon

    outcome = wait_for(lambda: jobs.reap()["lost"], timeout=20, what="the reaper", every=0.5)
    assert outcome == 1
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == zh(jobs.LOST_MESSAGE)
    assert run.status == ImportStatus.PREVIEWED and run.confirmable
    assert Student.objects.count() == 0 and imports() == 0
    assert jobs.reap()["lost"] == 0  # once


def _round_with_children(city_admin, county, township, count: int = 12):
    version = RosterVersionFactory(county=county, label="海林市2023年秋季名单")
    for _ in range(count):
        RosterChildFactory(
            roster_version=version, township=township, birth_date=dt.date(2013, 3, 14)
        )
    return services.round_start(
        name="秋季排查",
        school_year=2023,
        counties=None,
        actor=city_admin,
        screening_date=dt.date(2023, 9, 15),
    )


def test_worker_killed_mid_round_the_reaper_fails_it_and_nothing_is_written(
    faults, client, city_admin, county, township
):
    worker = faults.worker()
    faults.hold("round")
    screening_round = _round_with_children(city_admin, county, township)
    job = screening_round.job
    faults.reached("round")  # results inserted and cases opened, not committed
    worker.kill()

    wait_for(lambda: jobs.reap()["lost"], timeout=20, what="the reaper", every=0.5)
    job.refresh_from_db()
    screening_round.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == zh(jobs.LOST_MESSAGE)
    assert screening_round.status == RoundStatus.FAILED
    assert not ScreeningResult.objects.exists() and not DropoutCase.objects.exists()
    client.force_login(city_admin)
    assert 'data-status="failed"' in page(client, job)
    html = client.get(screening_round.get_absolute_url()).content.decode()
    assert 'id="round-status"' in html and "alert-danger" in html


def test_worker_process_killed_mid_round_is_run_again_and_finishes_once(
    faults, client, city_admin, county, township
):
    faults.worker(pool="prefork")
    hold = faults.hold("round")
    screening_round = _round_with_children(city_admin, county, township, count=12)
    job = screening_round.job
    pid = faults.reached("round")
    hold.unlink()
    os.kill(pid, signal.SIGKILL)  # the pool process: the worker hands the message back

    finished(job, timeout=90)
    screening_round.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    assert screening_round.status == RoundStatus.FINISHED
    assert ScreeningResult.objects.filter(round=screening_round).count() == 12
    assert DropoutCase.objects.count() == 12  # nobody is in the registry: all suspected, once
    finishing = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(screening_round.pk)
    )
    assert finishing.count() == 1
    client.force_login(city_admin)
    assert 'data-status="succeeded"' in page(client, job)


# --- Redis stopped, frozen, down --------------------------------------------------------------


def test_redis_stopped_and_restarted_mid_job_the_job_ends_once_and_the_worker_reconnects(
    faults, county_client, client, school
):
    run = previewed_run(county_client, school)
    worker = faults.worker()
    wait_for(
        lambda: client.get(reverse("health")).status_code == 200,
        timeout=60,
        what="/health/ to find the worker",
        every=0.5,
    )
    faults.hold("import")
    confirm(county_client, run)
    job = JobRun.objects.get(kind="import_commit")
    faults.reached("import")

    faults.redis.stop()
    started = time.monotonic()
    html = page(county_client, job)  # the progress cache is down: the page reads the row
    assert time.monotonic() - started < 5
    assert 'data-status="running"' in html
    health = client.get(reverse("health"))
    assert health.status_code == 503
    assert health.json() == {"status": "fail", "database": "ok", "broker": "fail", "worker": "fail"}

    (faults.folder / "hold-import").unlink()
    finished(job)  # the job needs no broker to end
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Student.objects.count() == ROWS and imports() == 1

    faults.redis.start()  # empty: the restarted Redis lost every message
    response = county_client.get(reverse("school-export"))
    export = JobRun.objects.get(kind="export")
    assert response.url == export.get_absolute_url()
    finished(export, timeout=90)  # the same worker took it: it reconnected
    assert export.status == JobStatus.SUCCEEDED, export.error
    assert worker.alive and "Unrecoverable error" not in worker.log()
    job.refresh_from_db()
    assert job.attempts == 1 and Student.objects.count() == ROWS and imports() == 1
    assert 'data-status="succeeded"' in page(county_client, job)
    health = client.get(reverse("health"))
    assert health.status_code == 200, health.content
    assert health.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}


def test_jobs_started_while_redis_is_down_fail_at_once_with_a_message(
    faults, county_client, city_admin, county, township, school
):
    run = previewed_run(county_client, school)
    faults.redis.stop()

    started = time.monotonic()
    response = county_client.get(reverse("school-export"))
    assert time.monotonic() - started < 5
    export = JobRun.objects.get(kind="export")
    assert response.status_code == 302 and response.url == export.get_absolute_url()
    assert export.status == JobStatus.FAILED and export.error == zh(jobs.BROKER_DOWN_MESSAGE)
    html = page(county_client, export)
    assert 'data-status="failed"' in html and export.error in html and "hx-trigger" not in html

    response = confirm(county_client, run)  # the import: its run stays confirmable
    commit = JobRun.objects.get(kind="import_commit")
    assert response.url == commit.get_absolute_url()
    assert commit.status == JobStatus.FAILED and commit.error == zh(jobs.BROKER_DOWN_MESSAGE)
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED and run.confirmable
    assert Student.objects.count() == 0

    screening_round = _round_with_children(city_admin, county, township, count=2)
    screening_round.refresh_from_db()
    assert screening_round.status == RoundStatus.FAILED
    assert screening_round.job.status == JobStatus.FAILED
    assert not JobRun.objects.filter(status=JobStatus.QUEUED).exists()


def test_with_redis_frozen_the_job_page_and_a_new_export_answer_quickly(
    faults, county_client, county_user, school
):
    job = JobRun.objects.create(kind="export", title="导出", actor=county_user)
    faults.redis.freeze()  # accepts connections, answers nothing
    try:
        started = time.monotonic()
        assert 'data-status="queued"' in page(county_client, job)
        assert time.monotonic() - started < 5
        started = time.monotonic()
        response = county_client.get(reverse("school-export"))
        assert time.monotonic() - started < 10
        export = JobRun.objects.exclude(pk=job.pk).get(kind="export")
        assert response.url == export.get_absolute_url()
        assert export.status == JobStatus.FAILED and export.error == zh(jobs.BROKER_DOWN_MESSAGE)
    finally:
        faults.redis.thaw()


# --- Jobs that never reached a worker ---------------------------------------------------------


def test_a_job_whose_message_was_lost_is_sent_again_once_and_runs_once(
    faults, county_client, settings, school
):
    response = county_client.get(reverse("school-export"))
    export = JobRun.objects.get(kind="export")
    assert response.url == export.get_absolute_url() and export.sends == 1
    faults.redis.flush()  # a Redis restarted without its data: the message is gone
    settings.JOB_QUEUED_RESEND_SECONDS = 0
    assert jobs.reap()["resent"] == 1
    assert jobs.reap()["resent"] == 0  # once
    export.refresh_from_db()
    assert export.status == JobStatus.QUEUED and export.sends == 2
    assert export.message == zh(jobs.RESENT_MESSAGE)
    assert zh(jobs.RESENT_MESSAGE) in page(county_client, export)

    faults.worker()
    finished(export, timeout=90)
    assert export.status == JobStatus.SUCCEEDED and export.attempts == 1


def test_a_job_no_worker_takes_is_failed_not_left_queued(faults, county_client, settings, school):
    county_client.get(reverse("school-export"))
    export = JobRun.objects.get(kind="export")
    settings.JOB_QUEUED_MAX_SECONDS = 0  # nothing consumes the queue: no worker
    assert jobs.reap()["never_started"] == 1
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert export.error == zh(jobs.NEVER_STARTED_MESSAGE % {"minutes": 1})
    html = page(county_client, export)
    assert 'data-status="failed"' in html and export.error in html
    # The message still in the queue, when a worker comes, changes nothing.
    assert jobs.execute(export.pk).status == JobStatus.FAILED


def test_a_silent_job_whose_worker_still_holds_its_lock_is_left_alone(faults, county_user):
    """A worker that is alive but quiet (a long statement, a paused VM) is not reaped: only a
    job whose session is gone — its transaction rolled back — is."""
    import psycopg

    job = JobRun.objects.create(
        kind="export", title="导出", actor=county_user, status=JobStatus.RUNNING
    )
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    JobRun.objects.filter(pk=job.pk).update(started_at=long_ago, heartbeat_at=long_ago)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [jobs._lock_key(job.pk)])
    assert jobs.reap()["lost"] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    backend = other.info.backend_pid
    other.close()  # the worker's session ends; its server process lets go a moment later

    def session_gone():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE pid = %s)"
                " + (SELECT count(*) FROM pg_locks WHERE pid = %s)",
                [backend, backend],
            )
            return cursor.fetchone()[0] == 0

    wait_for(session_gone, timeout=10, what="the worker's session to end")
    assert jobs.reap()["lost"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == zh(jobs.LOST_MESSAGE)


def test_a_job_whose_worker_died_after_its_commit_is_said_to_be_finished(
    faults, county_client, school
):
    """The worker died between the import's commit and recording the job's end: the reaper
    finds the run imported and says the job finished (not failed, not "nothing changed")."""
    run = previewed_run(county_client, school)
    faults.worker()
    confirm(county_client, run)
    job = finished(JobRun.objects.get(kind="import_commit"))
    assert job.status == JobStatus.SUCCEEDED
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    JobRun.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=long_ago, message="", result={}
    )
    assert jobs.reap()["lost"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.error == ""
    assert str(ROWS) in job.message and Student.objects.count() == ROWS
