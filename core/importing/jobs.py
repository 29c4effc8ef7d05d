"""Job runners of the import: a large file is checked, and imported, as a job.

Both runners only look up the run and call the import services (core.importing.services), in the
language the user started them in. The commit runner's writes are one transaction: a job that
fails has written nothing, and its run is marked failed.

A job ended by a fault (its worker vanished, it could not be queued, no worker took it) leaves
its run as the recoverers below say: a run "being imported" whose transaction never committed is
"checked" again, to be confirmed again; one whose transaction did commit is imported, and its
job is said to have finished.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import jobs as job_machinery
from core.importing import services
from core.importing.base import ImportFailed
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobFailed, JobStatus, recovers, runner, start_job

logger = logging.getLogger(__name__)

PREVIEW = "import_preview"
COMMIT = "import_commit"


def _ledger(run: ImportRun):
    from core.ledger import REGISTRY

    return REGISTRY[run.ledger]


def preview_url(run: ImportRun) -> str:
    return reverse(_ledger(run).url_name("import-preview"), args=[run.pk])


def start(run: ImportRun, *, kind: str, user):
    """Queue the preview or the commit of a run as a job (enqueued when the transaction ends)."""
    ledger = _ledger(run)
    name = ledger.model._meta.verbose_name_plural
    if kind == PREVIEW:
        title = _("Check of %(file)s for %(ledger)s") % {"file": run.file_name, "ledger": name}
    else:
        title = _("Import of %(file)s into %(ledger)s") % {"file": run.file_name, "ledger": name}
    job = start_job(
        kind=kind,
        title=title,
        actor=user,
        county=run.county,
        params={"run": run.pk, "language": translation.get_language() or settings.LANGUAGE_CODE},
    )
    run.job = job
    ImportRun.objects.filter(pk=run.pk).update(job=job)
    return job


def _summary(run: ImportRun) -> str:
    return _(
        "%(total)s rows: %(new)s new, %(changed)s changed, %(unchanged)s unchanged, "
        "%(errors)s with errors."
    ) % {
        "total": run.total_rows,
        "new": run.new_rows,
        "changed": run.changed_rows,
        "unchanged": run.unchanged_rows,
        "errors": run.error_rows,
    }


@runner(PREVIEW)
def run_import_preview(job, progress) -> dict:
    run = ImportRun.objects.get(pk=job.params["run"])
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        run = services.import_run_preview(run=run, spec=_ledger(run).import_spec, progress=progress)
        if run.status == ImportStatus.REJECTED:
            raise JobFailed(run.message)
        return _result(run)


@runner(COMMIT)
def run_import_commit(job, progress) -> dict:
    run = ImportRun.objects.get(pk=job.params["run"])
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            run = services.import_run_commit(
                run=run, spec=_ledger(run).import_spec, progress=progress
            )
        except ImportFailed as error:
            raise JobFailed(error.message) from None
        except Exception:
            logger.exception("import run %s failed", run.pk)
            services.mark_failed(run, _("The import failed unexpectedly and changed nothing."))
            raise
        return _result(run)


def _language(job) -> str:
    return job.params.get("language") or settings.LANGUAGE_CODE


def _result(run: ImportRun) -> dict:
    """What a finished import job shows: the run's page and its summary."""
    return {"result_url": preview_url(run), "message": _summary(run), "run": run.pk}


def _recover(job, *, done: str, interrupted: str, reset) -> dict | None:
    """What became of an import job whose worker vanished: its run (locked) reached `done`,
    which is the job's result; or it is still `interrupted` and nothing of the step was
    written, so `reset(run)` says so on the run."""
    run = ImportRun.objects.select_for_update().filter(pk=job.params.get("run")).first()
    if run is None:
        return None
    with translation.override(_language(job)):
        if run.status == done:
            return _result(run)
        if run.status == interrupted:
            reset(run)
    return None


def _commit_interrupted(run: ImportRun) -> None:
    # The commit is one transaction, and the worker's session is gone: nothing of it was
    # written. The run is as it was after the check, to be confirmed again.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.PREVIEWED,
        message=_("The import was interrupted and nothing was imported; you can confirm it again."),
    )


def _check_interrupted(run: ImportRun) -> None:
    services.mark_failed(run, _("The check of the file was interrupted; upload the file again."))


@recovers(COMMIT)
def recover_import_commit(job, message: str) -> dict | None:
    # Committed: its transaction committed, the work is done.
    return _recover(
        job,
        done=ImportStatus.COMMITTED,
        interrupted=ImportStatus.COMMITTING,
        reset=_commit_interrupted,
    )


@recovers(PREVIEW)
def recover_import_preview(job, message: str) -> dict | None:
    # Previewed: the check was recorded, the work is done.
    return _recover(
        job, done=ImportStatus.PREVIEWED, interrupted=ImportStatus.QUEUED, reset=_check_interrupted
    )


def recover_stale_commit(run: ImportRun) -> ImportRun:
    """Before a confirm: a run left "being imported" by a job whose worker vanished (or whose job
    has ended without finishing it) is put back to "checked" now, rather than at the reaper's
    next round. The run as it is then."""
    if run.status != ImportStatus.COMMITTING or not run.job_id:
        return run
    job = job_machinery.JobRun.objects.filter(pk=run.job_id, kind=COMMIT).first()
    if job is None:
        return run  # committed inline by a web request, or by a job of old: left as it is
    if job.status == JobStatus.RUNNING:
        job_machinery.recover(job)
    elif job.finished:
        with transaction.atomic():
            job_machinery.RECOVERERS[COMMIT](job, "")
    run.refresh_from_db()
    return run


def commit_refusal(run: ImportRun) -> str:
    """Why a confirm was refused, as the run is: being imported (by a live job) is not imported."""
    if run.status == ImportStatus.COMMITTING:
        return _("This file is being imported now; follow the job's progress on its page.")
    if run.status == ImportStatus.COMMITTED:
        return _("This file has been imported already.")
    return _("This file cannot be imported (it has errors or was imported).")
