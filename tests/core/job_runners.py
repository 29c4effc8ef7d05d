"""Job kinds of the test suite, for the tests' own process and for the real worker, which imports
this module (`--include`, see the `celery_worker` fixture in conftest.py)."""

from __future__ import annotations

from django.db import transaction

from core.jobs import JobFailed, runner
from core.models import School
from tests.factories import SchoolFactory


@runner("test_writes_then_fails")
def writes_then_fails(job, progress):
    with transaction.atomic():
        SchoolFactory(name="不应留下的学校")
        progress(1, 2, "half way")
        raise JobFailed("第2步失败：测试")


@runner("test_counts")
def counts(job, progress):
    progress(1, 2, "")
    return {"message": "done", "schools": School.objects.count()}
