"""Jobs: a JobRun row per long operation, run by a Celery task, watched on a page.

`start_job()` creates the row and enqueues the task only when the surrounding transaction commits
(a job created in a transaction that rolls back never runs). The task (`run_job`) looks up the
job's runner by kind, runs it with a progress callback and records the outcome. Live progress goes
to the cache (Redis in production) so that the page sees it while the runner's own work is still
inside its transaction; the row gets the final state. A runner does its writes in one transaction,
so a job that fails leaves no partial writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet

logger = logging.getLogger(__name__)

RUNNERS: dict[str, Callable] = {}


class TransientJobError(Exception):
    """A failure worth retrying (a lost connection, a lock timeout)."""


class JobFailed(Exception):
    """A failure to show the user as it is (its message is already in their language)."""


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One long operation: an import, an export, a screening round, a report build."""

    scope_field = "county"

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    county = models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.CharField(_("result file"), max_length=200, blank=True)
    result_url = models.CharField(_("result link"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("job-detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def live(self) -> dict:
        """Progress as the page should show it: the cache while running, else the row."""
        state = cache.get(_progress_key(self.pk)) if not self.finished else None
        if state:
            return state
        return {"progress": self.progress, "message": self.message}


def result_path(job: JobRun, suffix: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.pk}{suffix}"


def _progress_key(job_id: int) -> str:
    return f"job:{job_id}:progress"


def runner(kind: str):
    """Register the function that does the work of a job kind: fn(job, progress) -> dict."""

    def decorator(fn):
        RUNNERS[kind] = fn
        return fn

    return decorator


def start_job(*, kind: str, title: str, actor, params: dict | None = None, county=None) -> JobRun:
    """Create the JobRun and enqueue its task once the current transaction commits."""
    from core.tasks import run_job

    if county is None and getattr(actor, "role", "").startswith("county"):
        county = actor.scope
    job = JobRun.objects.create(
        kind=kind, title=title[:200], actor=actor, county=county, params=params or {}
    )
    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


class Progress:
    """The callback a runner reports through: progress(done, total, message)."""

    def __init__(self, job: JobRun):
        self.job = job
        self._last = -1

    def __call__(self, done: int, total: int, message: str = "") -> None:
        percent = 100 if total <= 0 else min(99, int(done * 100 / total))
        if percent == self._last and not message:
            return
        self._last = percent
        cache.set(_progress_key(self.job.pk), {"progress": percent, "message": str(message)}, 3600)


def execute(job_id: int) -> JobRun:
    """Run one job to its end (called by the Celery task). Safe to call twice."""
    job = JobRun.objects.get(pk=job_id)
    if job.finished:
        return job  # idempotent: a redelivered task does not run the work again
    fn = RUNNERS.get(job.kind)
    JobRun.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=models.F("attempts") + 1
    )
    job.refresh_from_db()
    try:
        if fn is None:
            raise JobFailed(_("Unknown job kind: %(kind)s") % {"kind": job.kind})
        result = fn(job, Progress(job)) or {}
    except TransientJobError:
        JobRun.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
        raise
    except JobFailed as error:
        _finish(job, status=JobStatus.FAILED, error=str(error))
        return job
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            status=JobStatus.FAILED,
            error=str(
                _(
                    "The job failed unexpectedly and changed nothing. Try again, or tell "
                    "the city administrator the job number."
                )
            ),
        )
        return job
    _finish(job, status=JobStatus.SUCCEEDED, result=result)
    return job


def _finish(job: JobRun, *, status, result=None, error=""):
    job.status = status
    job.finished_at = timezone.now()
    job.error = error
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
        result = result or {}
        job.message = str(result.pop("message", ""))[:300]
        job.result_file = result.pop("result_file", "")
        job.result_url = result.pop("result_url", "")
        job.result = result
    job.save()
    cache.delete(_progress_key(job.pk))
