"""A real task through a real Celery worker on the real Redis broker (skipped without REDIS_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import SchoolFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker(county_user, school, settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Redis broker")
    from django.db import connection

    from core.tasks import count_visible_schools

    SchoolFactory(township=school.township)
    env = {
        **os.environ,
        # The worker must see the rows this test wrote: point it at the test database.
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + "/"
        + connection.settings_dict["NAME"],
    }
    worker = subprocess.Popen(
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
            "celery",
            "-n",
            f"pytest-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        result = count_visible_schools.delay(county_user.pk)
        assert result.get(timeout=60) == 2
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    time.sleep(0)
