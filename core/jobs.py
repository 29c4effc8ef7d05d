"""Jobs: a JobRun row per long operation, run by a Celery task, watched on a page.

`start_job()` creates the row and enqueues the task only when the surrounding transaction commits
(a job created in a transaction that rolls back never runs). The task (`run_job`) looks up the
job's runner by kind, runs it with a progress callback and records the outcome. Live progress goes
to the cache (Redis in production) so that the page sees it while the runner's own work is still
inside its transaction; the row gets the final state. A runner does its writes in one transaction,
so a job that fails leaves no partial writes.

Faults (see also the CELERY_* settings and core.tasks):

- A job runs under a PostgreSQL advisory lock held by its worker's session, and a timer thread
  touches `heartbeat_at` every JOB_HEARTBEAT_SECONDS. A worker that dies (kill -9, out of memory,
  a lost machine) loses its session: its transaction is rolled back and its lock freed.
- The reaper (`reap()`, a beat task every minute) fails a running job that has been silent for
  JOB_STALE_SECONDS and whose lock is free, with a message that says so, and asks its kind's
  recoverer (`@recovers(kind)`) to reset what the job had claimed (an import run back to
  "checked", a round to "failed") — or, if the work turned out to be done, to say so (the job
  then succeeds). Nothing half-written (the runner's transaction is gone), nothing said to be
  done that was not.
- A job still queued after JOB_QUEUED_RESEND_SECONDS is sent again once; after
  JOB_QUEUED_MAX_SECONDS it is failed (no worker took it). Duplicates are harmless: a delivery
  of a job that ended, or that another worker holds the lock of, does nothing.
- Publishing a job while the broker is down fails the job at once with a message (no 500, no job
  left queued); the progress cache being down or frozen costs at most its short socket timeout,
  and the page then reads the row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import county_reference, user_reference
from core.scoping import ScopedQuerySet, home_county_of

logger = logging.getLogger(__name__)

RUNNERS: dict[str, Callable] = {}
RECOVERERS: dict[str, Callable] = {}

# The advisory lock of job N is the 64-bit key LOCK_NAMESPACE << 32 | N.
LOCK_NAMESPACE = 0x4A4F42  # "JOB"

# What the job page says when a job was ended by a fault rather than by its own work.
LOST_MESSAGE = _(
    "The background process running this job stopped before the job finished (it was restarted "
    "or crashed). Nothing was changed; start the job again."
)
GIVEN_UP_MESSAGE = _(
    "This job was interrupted %(count)s times and has been given up. Nothing was changed; tell "
    "the city administrator the job number."
)
NEVER_STARTED_MESSAGE = _(
    "No background process took this job within %(minutes)s minutes, so it was cancelled "
    "without changing anything. Start it again; if this keeps happening, tell the city "
    "administrator."
)
BROKER_DOWN_MESSAGE = _(
    "The job queue cannot be reached just now, so the job was not started and nothing was "
    "changed. Try again in a few minutes; if this keeps happening, tell the city administrator."
)
RESENT_MESSAGE = _("Still waiting for a background process; the job was sent to the queue again.")
TIME_LIMIT_MESSAGE = _(
    "The job ran longer than the %(minutes)s minutes a job may take and was stopped. Nothing was "
    "changed; tell the city administrator the job number."
)


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
    actor = user_reference(_("user"))
    county = county_reference()
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        pgettext_lazy("job", "status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.CharField(_("result file"), max_length=200, blank=True)
    result_url = models.CharField(_("result link"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sends = models.PositiveSmallIntegerField(
        _("times queued"), default=0, help_text=_("How many times the job was sent to the queue.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("Touched by the worker while the job runs."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(
                fields=["status"],
                name="core_jobrun_unfinished",
                condition=Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("job-detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def live(self) -> dict:
        """Progress as the page should show it: the cache while running, else the row (also when
        the cache cannot be reached: the page never waits on it for long)."""
        state = _cache_call(cache.get, _progress_key(self.pk)) if not self.finished else None
        if state:
            return state
        return {"progress": self.progress, "message": self.message}


def result_path(job: JobRun, suffix: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.pk}{suffix}"


def _progress_key(job_id: int) -> str:
    return f"job:{job_id}:progress"


# After the cache fails once, it is left alone for a while (each try may cost its socket timeout).
_cache_down_until = 0.0
CACHE_RETRY_AFTER = 15.0


def _cache_call(method, *args, **kwargs):
    """A cache operation that never fails the caller: None when the cache is down or frozen."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return None
    try:
        return method(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any failure of the cache is the same to a job
        _cache_down_until = time.monotonic() + CACHE_RETRY_AFTER
        logger.warning("job progress cache unavailable (%s)", error.__class__.__name__)
        return None


def runner(kind: str):
    """Register the function that does the work of a job kind: fn(job, progress) -> dict."""

    def decorator(fn):
        RUNNERS[kind] = fn
        return fn

    return decorator


def recovers(kind: str):
    """Register what to do when a job of a kind ended without its runner finishing it (its worker
    vanished, no worker took it, it could not be queued): fn(job, message) -> dict | None.

    The function resets what the job had claimed (an import run "being imported" back to
    "checked", a round "running" to "failed"), in the transaction that fails the job. If the work
    turns out to have been done (the worker died after its transaction committed), it returns the
    result the runner would have, and the job is marked finished instead.
    """

    def decorator(fn):
        RECOVERERS[kind] = fn
        return fn

    return decorator


def start_job(*, kind: str, title: str, actor, params: dict | None = None, county=None) -> JobRun:
    """Create the JobRun and enqueue its task once the current transaction commits."""

    if county is None and home_county_of(actor):  # a county's or a school's job: its county's
        county = actor.scope
    job = JobRun.objects.create(
        kind=kind,
        title=title[:200],
        actor=actor,
        county=county,
        params=params or {},
        queued_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: JobRun) -> bool:
    """Send the job's task to the broker; if the broker cannot be reached, fail the job at once
    with a message (and reset what it had claimed) instead of leaving it queued. True if sent."""
    from config.celery import app
    from core.tasks import run_job

    if app.conf.task_always_eager:  # no broker: the task runs in this process
        JobRun.objects.filter(pk=job.pk).update(sends=models.F("sends") + 1)
        if settings.JOBS_IN_THREAD:
            # The web server of `make run`: the page that started the job is answered at once
            # and shows its progress, as with a worker.
            threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"job-{job.pk}").start()
        else:
            run_job.delay(job.pk)  # here and now (commands, the test suite)
        return True
    try:
        run_job.apply_async((job.pk,), retry=False)
    except Exception as error:  # noqa: BLE001 - whatever the transport raises, the job did not go
        logger.warning(
            "job %s (%s) could not be queued: %s", job.pk, job.kind, error.__class__.__name__
        )
        abandon(job, str(BROKER_DOWN_MESSAGE), expect=(JobStatus.QUEUED,))
        job.refresh_from_db()
        return False
    JobRun.objects.filter(pk=job.pk).update(sends=models.F("sends") + 1)
    return True


def _run_in_thread(job_id: int) -> None:
    """Run a job in a thread of its own, on its own database connection."""
    from core.tasks import run_job

    try:
        run_job.apply((job_id,), throw=False)
    except Exception:  # noqa: BLE001 - the job records its own failure; nothing else may escape
        logger.exception("job %s: its thread failed", job_id)
    finally:
        connections.close_all()


class Progress:
    """The callback a runner reports through: progress(done, total, message). It writes to the
    cache only, never to the database (the runner's transaction is open); a cache that is down
    is skipped."""

    def __init__(self, job: JobRun):
        self.job = job
        self._last = -1

    def __call__(self, done: int, total: int, message: str = "") -> None:
        percent = 100 if total <= 0 else min(99, int(done * 100 / total))
        if percent == self._last and not message:
            return
        self._last = percent
        state = {"progress": percent, "message": str(message)}
        _cache_call(cache.set, _progress_key(self.job.pk), state, 3600)


# --- The lock and the heartbeat of a running job ------------------------------------------------


def _lock_key(job_id: int) -> int:
    return (LOCK_NAMESPACE << 32) | (int(job_id) & 0xFFFFFFFF)


def _has_advisory_locks() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def job_lock(job_id: int, *, tries: int = 1):
    """Hold job N's advisory lock on this connection's session for the block; yields False if
    another session holds it (another worker is running the job, or the reaper is looking at
    it). Without PostgreSQL: True."""
    if not _has_advisory_locks():
        yield True
        return
    key = _lock_key(job_id)
    for attempt in range(tries):
        if attempt:
            time.sleep(0.25)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        if held:
            break
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except Exception:  # noqa: BLE001 - a lost session has freed the lock anyway
                logger.warning("job %s: could not release its lock", job_id, exc_info=True)


def worker_alive(job_id: int) -> bool:
    """Whether a session holds job N's lock (a worker is running it). Always False without
    PostgreSQL advisory locks: there, the heartbeat alone decides."""
    if not _has_advisory_locks():
        return False
    with job_lock(job_id) as free:
        return not free


class Heartbeat:
    """A timer thread that touches the job's heartbeat_at every JOB_HEARTBEAT_SECONDS, on its own
    database connection (the runner's transaction may hold its rows for minutes)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.interval = float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 15))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat")
        self._thread.daemon = True

    def _run(self):
        try:
            while not self._stop.wait(self.interval):
                try:
                    JobRun.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    logger.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)
        return False


MAX_INTERRUPTIONS = 3


def execute(job_id: int) -> JobRun:
    """Run one job to its end (called by the Celery task). Safe to call twice, and from two
    workers at once: a delivery of a job that ended, or that another worker runs, does nothing."""
    job = JobRun.objects.get(pk=job_id)
    if job.finished:
        return job  # idempotent: a redelivered task does not run the work again
    with job_lock(job.pk, tries=4) as mine:  # the reaper holds it for a moment only
        if not mine:
            logger.warning(
                "job %s is being run by another worker; this delivery is dropped", job.pk
            )
            return job
        return _execute_locked(job)


def _execute_locked(job: JobRun) -> JobRun:
    was_running = job.status == JobStatus.RUNNING
    now = timezone.now()
    claimed = JobRun.objects.filter(
        pk=job.pk, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=models.F("attempts") + 1,
    )
    job.refresh_from_db()
    if not claimed:
        return job  # failed or finished meanwhile (the reaper, another delivery)
    if was_running:
        # A worker died running it and the broker handed the message back: run it again (the
        # dead attempt's transaction was rolled back), unless it keeps killing its workers.
        logger.warning("job %s (%s): resuming after a lost worker", job.pk, job.kind)
        if job.attempts > MAX_INTERRUPTIONS:
            abandon(
                job,
                str(GIVEN_UP_MESSAGE % {"count": job.attempts - 1}),
                expect=(JobStatus.RUNNING,),
            )
            job.refresh_from_db()
            return job
    fn = RUNNERS.get(job.kind)
    try:
        with Heartbeat(job.pk):
            if fn is None:
                raise JobFailed(_("Unknown job kind: %(kind)s") % {"kind": job.kind})
            result = fn(job, Progress(job)) or {}
    except TransientJobError:
        JobRun.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED, queued_at=timezone.now()
        )
        raise
    except JobFailed as error:
        _finish(job, status=JobStatus.FAILED, error=str(error))
        return job
    except _time_limit_errors():
        logger.error("job %s (%s) ran past its time limit", job.pk, job.kind)
        minutes = int(getattr(settings, "JOB_MAX_SECONDS", 7200)) // 60
        abandon(job, str(TIME_LIMIT_MESSAGE % {"minutes": minutes}), expect=(JobStatus.RUNNING,))
        job.refresh_from_db()
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


def _time_limit_errors() -> tuple:
    from celery.exceptions import SoftTimeLimitExceeded

    return (SoftTimeLimitExceeded,)


def _finish(job: JobRun, *, status, result=None, error="", expect=(JobStatus.RUNNING,)) -> bool:
    """Record a job's end, only if it is still in an `expect` state (the reaper may have ended it
    first: then nothing is overwritten). True if recorded."""
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if status == JobStatus.SUCCEEDED:
        result = dict(result or {})
        fields.update(
            progress=100,
            message=str(result.pop("message", ""))[:300],
            result_file=result.pop("result_file", ""),
            result_url=result.pop("result_url", ""),
            result=result,
        )
    recorded = JobRun.objects.filter(pk=job.pk, status__in=expect).update(**fields)
    if recorded:
        for name, value in fields.items():
            setattr(job, name, value)
    else:
        logger.warning("job %s had already ended; its outcome %s is not recorded", job.pk, status)
        job.refresh_from_db()
    _cache_call(cache.delete, _progress_key(job.pk))
    return bool(recorded)


# --- Jobs ended by a fault: the reaper ---------------------------------------------------------


def abandon(job: JobRun, message: str, *, expect=(JobStatus.QUEUED, JobStatus.RUNNING)) -> str:
    """End a job its runner did not finish: its kind's recoverer resets what it had claimed and
    the job is failed with `message` — or, if the recoverer finds the work done, succeeded. One
    transaction, the job's row locked, and only if the job is still in an `expect` state.
    The status it ended in, or "" if it had ended already."""
    with transaction.atomic():
        current = JobRun.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status not in expect:
            return ""
        recoverer = RECOVERERS.get(current.kind)
        done = recoverer(current, message) if recoverer else None
        if done is not None:
            _finish(current, status=JobStatus.SUCCEEDED, result=done, expect=expect)
            logger.warning(
                "job %s (%s): its worker vanished after the work was done", job.pk, job.kind
            )
        else:
            _finish(current, status=JobStatus.FAILED, error=message, expect=expect)
    return current.status


def _silent_since(seconds: float):
    return timezone.now() - dt.timedelta(seconds=seconds)


def _silent(job: JobRun) -> bool:
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < _silent_since(float(getattr(settings, "JOB_STALE_SECONDS", 90)))


def recover(job: JobRun | None) -> str:
    """Fail (or finish) a running job now if its worker is gone — silent for JOB_STALE_SECONDS
    and, on PostgreSQL, no session holding its lock. The lock is held meanwhile, so no worker
    can take the job up while it is being ended. The status it ended in, or "" if its worker is
    alive or it had ended."""
    if job is None:
        return ""
    with job_lock(job.pk) as free:
        if not free:
            return ""  # a worker holds it: alive, however quiet
        job.refresh_from_db()
        if job.status != JobStatus.RUNNING or not _silent(job):
            return ""
        logger.warning("job %s (%s): its worker vanished", job.pk, job.kind)
        return abandon(job, str(LOST_MESSAGE), expect=(JobStatus.RUNNING,))


def reap() -> dict:
    """The beat task's work: end running jobs whose worker vanished, send again once the jobs
    queued for long, fail the jobs queued for too long. Counts of what it did."""
    from core.tasks import run_job

    counts = {"lost": 0, "resent": 0, "never_started": 0}
    stale = float(getattr(settings, "JOB_STALE_SECONDS", 90))
    running = JobRun.objects.filter(status=JobStatus.RUNNING).annotate(
        last=Coalesce("heartbeat_at", "started_at", "created_at")
    )
    for job in running.filter(last__lt=_silent_since(stale)).order_by("pk"):
        if recover(job):
            counts["lost"] += 1

    queued = JobRun.objects.filter(status=JobStatus.QUEUED).annotate(
        since=Coalesce("queued_at", "created_at")
    )
    give_up = float(getattr(settings, "JOB_QUEUED_MAX_SECONDS", 7200))
    minutes = max(1, round(give_up / 60))
    for job in queued.filter(since__lt=_silent_since(give_up)).order_by("pk"):
        with job_lock(job.pk) as free:
            if not free:
                continue  # a worker is just taking it
            message = str(NEVER_STARTED_MESSAGE % {"minutes": minutes})
            if abandon(job, message, expect=(JobStatus.QUEUED,)):
                logger.warning("job %s (%s): no worker took it; cancelled", job.pk, job.kind)
                counts["never_started"] += 1

    resend = float(getattr(settings, "JOB_QUEUED_RESEND_SECONDS", 600))
    for job in queued.filter(since__lt=_silent_since(resend), sends__lt=2).order_by("pk"):
        # Sent once and still waiting: the message may have been lost (a broker restarted
        # without its data). A second copy is harmless: the first delivery runs it, the other
        # finds it running or ended.
        try:
            run_job.apply_async((job.pk,), retry=False)
        except Exception as error:  # noqa: BLE001 - the broker is down: try at the next round
            logger.warning("job %s could not be sent again: %s", job.pk, error.__class__.__name__)
            break
        JobRun.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            sends=models.F("sends") + 1, message=str(RESENT_MESSAGE)
        )
        counts["resent"] += 1
    return counts
