"""A real task through a real Celery worker on the real Redis broker (skipped without REDIS_URL)."""

from __future__ import annotations

import os

import pytest

from tests.factories import SchoolFactory


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker(county_user, school, settings, celery_worker):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Redis broker")
    from core.tasks import count_visible_schools

    assert settings.CELERY_TASK_ALWAYS_EAGER is False and celery_worker.process is not None
    SchoolFactory(township=school.township)
    result = count_visible_schools.delay(county_user.pk)
    assert result.get(timeout=60) == 2
