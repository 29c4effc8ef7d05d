"""Job runners of the import: a large file is checked, and imported, as a job.

Both runners only look up the run and call the pipeline (core.importing.pipeline), in the
language the user started them in. The commit runner's writes are one transaction: a job that
fails has written nothing, and its run is marked failed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.importing import pipeline
from core.importing.models import ImportRun, ImportStatus
from core.jobs import JobFailed, runner, start_job

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
        run = pipeline.import_run_preview(run=run, spec=_ledger(run).import_spec, progress=progress)
        if run.status == ImportStatus.REJECTED:
            raise JobFailed(run.message)
        return {"result_url": preview_url(run), "message": _summary(run), "run": run.pk}


@runner(COMMIT)
def run_import_commit(job, progress) -> dict:
    run = ImportRun.objects.get(pk=job.params["run"])
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            run = pipeline.import_run_commit(
                run=run, spec=_ledger(run).import_spec, progress=progress
            )
        except pipeline.ImportFailed as error:
            raise JobFailed(error.message) from None
        except Exception:
            logger.exception("import run %s failed", run.pk)
            pipeline.mark_failed(run, _("The import failed unexpectedly and changed nothing."))
            raise
        return {"result_url": preview_url(run), "message": _summary(run), "run": run.pk}
