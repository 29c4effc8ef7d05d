"""Shared fixtures: the city, two counties and a user of every role."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.scoping import Role
from tests.factories import CityFactory, CountyFactory, SchoolFactory, TownshipFactory, UserFactory

# Browser tests anywhere in tests/ share one Playwright and one Chromium (tests/browser.py).
pytest_plugins = ["tests.browser"]


@pytest.fixture
def city(db):
    return CityFactory()


def _row(factory, doc: str = "", **refs_and_fields):
    """A fixture that builds one row with `factory`; a value given as a Fixture("name") is that
    fixture's row (the county's city, the school's township, …)."""

    def build(request):
        return factory(
            **{
                key: request.getfixturevalue(value) if isinstance(value, Fixture) else value
                for key, value in refs_and_fields.items()
            }
        )

    build.__doc__ = doc
    return pytest.fixture(build)


class Fixture(str):
    """The name of another fixture, as a value for _row."""


county = _row(CountyFactory, code="231083", name="海林市", parent=Fixture("city"))
other_county = _row(CountyFactory, code="231086", name="东宁市", parent=Fixture("city"))
township = _row(TownshipFactory, code="231083100", name="长汀镇", parent=Fixture("county"))
other_township = _row(
    TownshipFactory, code="231086100", name="三岔口镇", parent=Fixture("other_county")
)
neighbour_township = _row(
    TownshipFactory, code="231083101", name="新安镇", parent=Fixture("county")
)
school = _row(SchoolFactory, code="2123108301", name="长汀镇中心小学", township=Fixture("township"))
other_school = _row(
    SchoolFactory, code="2123108601", name="三岔口镇中心小学", township=Fixture("other_township")
)
neighbour_school = _row(
    SchoolFactory,
    "Another school of the same county (in another township): a school officer of `school` "
    "sees and changes nothing of it.",
    code="2123108302",
    name="新安镇中心小学",
    township=Fixture("neighbour_township"),
)

# A user of every role (the city's, 海林市's and 东宁市's, 长汀镇中心小学's school officer).
city_admin = _row(UserFactory, username="city-admin", role=Role.CITY_ADMIN, scope=Fixture("city"))
city_user = _row(UserFactory, username="city-staff", role=Role.CITY_STAFF, scope=Fixture("city"))
county_user = _row(
    UserFactory, username="hailin-officer", role=Role.COUNTY_OFFICER, scope=Fixture("county")
)
county_reviewer = _row(
    UserFactory, username="hailin-reviewer", role=Role.COUNTY_REVIEWER, scope=Fixture("county")
)
other_county_user = _row(
    UserFactory,
    username="dongning-officer",
    role=Role.COUNTY_OFFICER,
    scope=Fixture("other_county"),
)


@pytest.fixture
def school_user(school):
    """The school officer 学校填报员 of `school` (长汀镇中心小学, in 海林市)."""
    return UserFactory(
        username="changting-school", role=Role.SCHOOL_OFFICER, school=school, scope=school.county
    )


def _logged_in(user_fixture: str):
    """The test client, logged in as the user of `user_fixture`."""

    def logged_in(client, request):
        client.force_login(request.getfixturevalue(user_fixture))
        return client

    return pytest.fixture(logged_in)


school_client = _logged_in("school_user")
county_client = _logged_in("county_user")
city_client = _logged_in("city_user")
admin_client_ = _logged_in("city_admin")


@pytest.fixture(autouse=True)
def jobs_in_process(request):
    """Jobs started by the code under test run in the test's process, even where a real broker
    is configured (CI): nothing else would consume them. Tests marked `redis` use the real
    worker instead."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from config.celery import app

    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: app.conf.get(key) for key in keys}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


class Worker:
    """The session's Celery worker (`process` None when tasks run in process: no REDIS_URL)."""

    FINISHED = ("succeeded", "failed")

    def __init__(self, process=None, media_root=None, name=""):
        self.process = process
        self.media_root = media_root
        self.name = name

    def wait(self, job, *, timeout: float = 60):
        """The job, refreshed, once it has finished (on the worker, or already in process)."""
        import time

        from core.jobs import JobRun

        deadline = time.monotonic() + timeout
        while True:
            job = JobRun.objects.get(pk=getattr(job, "pk", job))
            if job.status in self.FINISHED or self.process is None:
                return job
            if self.process.poll() is not None:
                raise AssertionError(f"the Celery worker died (exit {self.process.returncode})")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"job {job.pk} ({job.kind}) still {job.status} after {timeout}s"
                )
            time.sleep(0.05)


@pytest.fixture(scope="session")
def _session_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real Celery worker for the whole session, on the real Redis (REDIS_URL) and the test
    database, started the first time a test asks for it; None when tasks run in process. It
    imports tests/core/job_runners.py (the test suite's own job kinds) and keeps its files in a
    MEDIA_ROOT of the session that `celery_worker` gives the tests too."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield Worker()
        return
    import subprocess
    import sys

    from django.db import connection

    from config.celery import app

    media_root = tmp_path_factory.mktemp("worker-media")
    name = f"pytest-{os.getpid()}@localhost"
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    queue = app.conf.task_default_queue  # "celery", or one per xdist worker (settings_test)
    with app.connection_for_write() as broker:  # messages a killed earlier run left behind
        broker.default_channel.queue_purge(queue)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "-n",
            name,
            "--include=tests.core.job_runners",
            "--without-gossip",
            "--without-mingle",
            f"--logfile={LOG_DIR / f'worker-{os.getpid()}.log'}",
        ],  # fmt: skip
        cwd=Path(__file__).resolve().parent,
        env={**os.environ, "DATABASE_URL": database, "MEDIA_ROOT": str(media_root)},
    )
    try:
        for _ in range(300):  # up to 60 s on a busy machine
            if process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start ({process.returncode})")
            if app.control.ping(destination=[name], timeout=0.2):
                break
        else:
            raise RuntimeError("the Celery worker did not answer within 60 s")
        yield Worker(process, media_root, name)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def celery_worker(_session_worker, settings):
    """The real worker for tests about jobs: mark them `redis` and django_db(transaction=True)
    (the worker sees committed rows only), then `celery_worker.wait(job)`. Files the worker
    writes or reads are in its MEDIA_ROOT, which this test uses too."""
    if _session_worker.process is not None:
        settings.MEDIA_ROOT = _session_worker.media_root
    return _session_worker


LOG_DIR = Path(__file__).resolve().parent / "var" / "test-logs"
# Under pytest-xdist: "gw0", "gw1", … in a worker process, "" in the controller (and without xdist).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
XDIST_SUFFIX = f"-{XDIST_WORKER}" if XDIST_WORKER else ""


@pytest.fixture(scope="session", autouse=True)
def logs_written_to_files():
    """Everything the code under test logs also goes to var/test-logs/web.log, through the same
    filters as the configured handlers (the ID-number redaction among them); real workers log
    there too. `pytest_sessionfinish` fails the run if any log holds a valid ID number."""
    import logging

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    handler = logging.FileHandler(LOG_DIR / f"web{XDIST_SUFFIX}.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for configured in root.handlers:
        for log_filter in configured.filters:
            handler.addFilter(log_filter)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    handler.close()


def pytest_sessionstart(session):
    """Last run's logs go (by the controller only: an xdist worker would delete another's)."""
    if XDIST_WORKER:
        return
    for old in LOG_DIR.glob("*.log") if LOG_DIR.exists() else ():
        old.unlink()


def pytest_sessionfinish(session, exitstatus):
    """No ID number in any log a test run wrote (web and workers): grep them all — once, in the
    controller, after every xdist worker has finished."""
    if XDIST_WORKER:
        return
    from core import idnumbers

    shaped = idnumbers.ID_SHAPED
    found = []
    for path in sorted(LOG_DIR.glob("*.log")) if LOG_DIR.exists() else ():
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if any(idnumbers.is_valid(m.group(0)) for m in shaped.finditer(line)):
                found.append(f"{path.name}:{number}")
    if found:
        print(f"\nID numbers found in the logs of this run: {', '.join(found[:20])}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Under `--dist loadfile` xdist hands out the test files in collection order: a long file
# collected last keeps one process busy while the others have finished. The longest go first
# (killed workers, then the modules marked `long`, then the browser journeys, then the real
# worker's), so the short files fill in at the end; inside a file the order is kept.
LONG_FIRST = ("faults", "long", "e2e", "redis")


def _rank(item) -> int:
    names = {mark.name for mark in item.iter_markers()}
    return next((rank for rank, name in enumerate(LONG_FIRST) if name in names), len(LONG_FIRST))


def pytest_collection_modifyitems(config, items):
    if not XDIST_WORKER:
        return
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    ordered = sorted(modules.values(), key=lambda tests: min(_rank(test) for test in tests))
    items[:] = [test for tests in ordered for test in tests]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With FAIL_ON_SKIP set (as CI does), a skipped test fails: CI runs everything for real."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("FAIL_ON_SKIP") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under FAIL_ON_SKIP: {report.longrepr}"


@pytest.fixture
def clock(monkeypatch):
    """The platform's clock set to a moment: `clock(datetime)` (timezone.now, and with it
    core.calendar.today and every due time, follow it); 11 September 2023 09:00 in Shanghai until
    a test sets another. The live server of a browser test runs in this process and sees it too."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    def set_clock(moment: dt.datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    set_clock(dt.datetime(2023, 9, 11, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    return set_clock


@pytest.fixture(scope="module")
def demo_city(request, django_db_setup, django_db_blocker):
    """The whole demo city (`seed_demo`, the areas' demos included, seed 7), seeded once for the
    module that asks for it and committed: each of its tests runs in a transaction over it (what a
    test changes is rolled back), and the tables are emptied when the module ends, as after a
    transactional test. A module sets `DEMO_STUDENTS` for another size (default 1,500)."""
    import io

    from django.core.management import call_command

    students = getattr(request.module, "DEMO_STUDENTS", 1500)
    with django_db_blocker.unblock():
        call_command(
            "seed_demo", students=students, seed=7, password=DEMO_PASSWORD, stdout=io.StringIO()
        )
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


DEMO_PASSWORD = "demo-pass-77"  # noqa: S105 - the demo users' password in tests that seed it
