"""Celery entry points of the shared schema (thin: they call a service and return)."""

from celery import shared_task
from django.conf import settings
from django.core import management
from django.db import InterfaceError, OperationalError

from core import exports, jobs  # noqa: F401  (exports registers its job runner)
from core.importing import jobs as import_jobs  # noqa: F401  (registers the import runners)
from core.jobs import TransientJobError


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> str:
    management.call_command("clearsessions")
    return "ok"


@shared_task(name="core.tasks.forget_old_import_files")
def forget_old_import_files() -> int:
    """Daily: uploaded files and rejected-rows workbooks are kept IMPORT_KEEP_FILES_DAYS."""
    from core.importing.services import forget_old_files

    return forget_old_files()


@shared_task(name="core.tasks.count_visible_schools")
def count_visible_schools(user_id: int) -> int:
    """How many schools a user can see: a small real task used to prove the worker round trip."""
    from core.models import School, User

    return School.objects.visible_to(User.objects.get(pk=user_id)).count()


@shared_task(
    name="core.tasks.run_job",
    bind=True,
    autoretry_for=(TransientJobError, OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    # The outcome is the JobRun row: no result is stored, so sending a job needs the broker only.
    ignore_result=True,
    soft_time_limit=settings.JOB_MAX_SECONDS,
    time_limit=settings.JOB_MAX_SECONDS + 120,
)
def run_job(self, job_id: int) -> str:
    """Run a JobRun by id; transient failures are retried with backoff, the rest recorded."""
    job = jobs.execute(job_id)
    return job.status


@shared_task(name="core.tasks.reap_jobs", ignore_result=True)
def reap_jobs() -> dict:
    """Every minute: end the jobs whose worker vanished, and the jobs no worker took (core.jobs)."""
    return jobs.reap()
