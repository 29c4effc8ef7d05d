"""Jobs: a JobRun per long operation, live progress, outcome, no partial writes, never run twice."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from core import jobs
from core.jobs import JobRun, JobStatus, runner
from core.models import AuditAction, AuditEvent, School
from tests.core import job_runners  # noqa: F401 - the suite's job kinds (the worker's too)
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


# Tests about running jobs run them on the real worker (REDIS_URL; the `celery_worker` fixture):
# marked `redis`, with committed rows (transaction=True) the worker can see.


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_big_export_runs_as_a_job_and_downloads(
    county_client, county_user, school, settings, celery_worker
):
    settings.EXPORT_MAX_ROWS_INLINE = 2
    SchoolFactory.create_batch(3, township=school.township, kind="junior")
    response = county_client.get(reverse("school-export"), {"kind": "junior"})
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job = celery_worker.wait(job)
    assert job.status == JobStatus.SUCCEEDED and job.actor == county_user, job.error
    assert job.attempts == 1 and job.sends == 1
    page = county_client.get(job.get_absolute_url()).content.decode()
    assert "job-download" in page and "hx-trigger" not in page  # finished: polling stops
    download = county_client.get(reverse("job-download", args=[job.pk]))
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 1 + 3  # header + the three junior schools, not the primary one
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, changes__rows=3).exists()


def test_other_users_job_is_not_found(client, county_user, other_county_user):
    job = JobRun.objects.create(
        kind="test_counts", title="x", actor=county_user, county=county_user.scope
    )
    client.force_login(other_county_user)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("job-progress", args=[job.pk])).status_code == 404


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_failed_job_shows_message_and_leaves_no_partial_writes(
    county_client, county_user, city, celery_worker
):
    job = jobs.start_job(kind="test_writes_then_fails", title="x", actor=county_user)
    job = celery_worker.wait(job)
    assert job.status == JobStatus.FAILED and job.error == "第2步失败：测试"
    assert not School.objects.filter(name="不应留下的学校").exists()
    html = county_client.get(job.get_absolute_url()).content.decode()
    assert "第2步失败：测试" in html


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_progress_is_polled_until_finished(county_client, county_user, celery_worker):
    job = JobRun.objects.create(kind="test_counts", title="统计", actor=county_user)
    fragment = county_client.get(reverse("job-progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    jobs.Progress(job)(1, 4, "正在处理")
    fragment = county_client.get(reverse("job-progress", args=[job.pk])).content.decode()
    assert "25%" in fragment and "正在处理" in fragment
    assert jobs.enqueue(job)
    job = celery_worker.wait(job)
    assert job.status == JobStatus.SUCCEEDED and job.result["schools"] == 0
    fragment = county_client.get(reverse("job-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment and "100%" in fragment and "done" in fragment


def test_a_job_is_not_run_twice(county_user):
    job = JobRun.objects.create(kind="test_counts", title="x", actor=county_user)
    jobs.execute(job.pk)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.attempts == 1 and job.status == JobStatus.SUCCEEDED


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_sent_twice_runs_once_on_the_worker(county_user, school, celery_worker):
    """A message delivered twice (a redelivery after a lost ack, say) runs the job once."""
    job = JobRun.objects.create(kind="test_counts", title="x", actor=county_user)
    assert jobs.enqueue(job) and jobs.enqueue(job)
    job = celery_worker.wait(job)
    assert job.status == JobStatus.SUCCEEDED and job.result == {"schools": 1}
    assert job.message == "done"
    probe = jobs.start_job(kind="test_counts", title="y", actor=county_user)
    celery_worker.wait(probe)  # the worker has taken both messages of the first job by now
    job.refresh_from_db()
    assert job.attempts == 1 and job.sends == 2 and job.status == JobStatus.SUCCEEDED


def test_job_enqueued_in_a_rolled_back_transaction_never_runs(
    county_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                jobs.start_job(kind="test_counts", title="x", actor=county_user)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and not JobRun.objects.exists()


def test_transient_errors_are_retried(county_user, monkeypatch):
    from core.tasks import run_job

    assert run_job.max_retries >= 3 and run_job.retry_backoff
    attempts = []

    @runner("test_flaky")
    def flaky(job, progress):
        attempts.append(1)
        raise jobs.TransientJobError("connection lost")

    job = JobRun.objects.create(kind="test_flaky", title="x", actor=county_user)
    with pytest.raises(jobs.TransientJobError):
        jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # left for the retry, not marked failed


# --- Long exports: the page is answered at once, the bar moves ----------------------------------


def test_an_export_job_reports_its_rows_as_it_writes_them(county_user, school):
    """The export job's progress climbs row by row (every 200 rows here), not 0 then 100 %."""
    from django.http import QueryDict

    from core.exports import export_source
    from core.ledger import REGISTRY
    from tests.factories import StudentFactory

    StudentFactory.create_batch(450, school=school)
    heard = []
    content, count = export_source(
        source=REGISTRY["core.student"],
        user=county_user,
        query=QueryDict(""),
        progress=lambda done, total, message: heard.append((done, total, message)),
    )
    assert count == 450 and content.startswith(b"PK")
    assert [done for done, _total, _message in heard] == [0, 200, 400]
    assert {total for _done, total, _message in heard} == {450}
    assert heard[-1][2] == "已写入 400 / 450 行"
    percents = []
    progress = jobs.Progress(JobRun.objects.create(kind="export", title="x", actor=county_user))
    for done, total, message in heard:
        progress(done, total, message)
        percents.append(progress._last)
    assert percents == [0, 44, 88]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_web_server_answers_before_the_export_is_built(
    county_client, county_user, school, settings, monkeypatch
):
    """`make run` (no Redis, JOBS_IN_THREAD=1): the export request starts the job and returns;
    the job runs in a thread of the web process, and the page shows it running, then the file."""
    import threading

    from core import exports
    from tests.factories import StudentFactory

    settings.JOBS_IN_THREAD = True
    settings.EXPORT_MAX_ROWS_INLINE = 2
    StudentFactory.create_batch(3, school=school)
    release, building = threading.Event(), threading.Event()
    real_export = exports.export_source

    def held_export(**kwargs):  # the export is being built until the test lets it finish
        building.set()
        assert release.wait(20)
        return real_export(**kwargs)

    monkeypatch.setattr(exports, "export_source", held_export)
    response = county_client.get(reverse("student-export"))
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert building.wait(10)  # the export has begun, in its own thread, and is not done
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    page = county_client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "job-download" not in page
    release.set()
    worker = next(t for t in threading.enumerate() if t.name == f"job-{job.pk}")
    worker.join(20)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 3, job.error
    assert "job-download" in county_client.get(job.get_absolute_url()).content.decode()
