"""The import, the same for every ledger, every door (page, job, API) and every size: the
services the pages, the API and the jobs call.

    import_run_create   store the upload under a generated name, hash it, run the safety checks
    import_run_preview  read → find the header row → map columns → normalise → validate every
                        row → compare with the stored rows → counts, errors, parsed rows,
                        the file with its errors marked as .xlsx
    import_run_commit   the same analysis again inside one transaction (rows locked), then a bulk
                        upsert of the new and changed rows on the natural key and their audit
                        events in bulk: all rows or none

A row's path, module by module: reader (the file's safety checks and cells) → header (the header
row and the column mapping) → sheet (each column normalised) → keep (the reading kept from the
preview for the commit) → lookups (schools, regions, stored rows) → analysis (the spec's rules,
duplicates, new / changed / unchanged) → write (upsert and audit events).

The work is column by column where it can be (a column's distinct values are normalised once),
database lookups are one query per lookup kind (chunked `IN`), and no query runs per row.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, db
from core.importing import preview, reader
from core.importing.analysis import Analysis, analyse
from core.importing.base import (
    ImportFailed,
    ImportRaced,
    file_sha256,
    imports_dir,
    no_progress,
    stored_path,
)
from core.importing.keep import forget_read_sheet, keep_read_sheet, kept_read_sheet
from core.importing.models import MAX_STORED_ERRORS, ImportRun, ImportStatus
from core.importing.reader import Checked, FileRefused
from core.importing.spec import ImportSpec
from core.importing.write import write
from core.models import AuditAction, AuditEvent
from core.scoping import home_county_of

logger = logging.getLogger(__name__)


def inline_max_rows() -> int:
    """Files with more rows than this are checked and imported as a job."""
    return getattr(settings, "IMPORT_INLINE_MAX_ROWS", 5000)


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while an import holds a few million live objects:
    each collection would walk them all (it cost more than the work itself). Reference
    counting still frees what is dropped; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refuse(run: ImportRun, error: FileRefused | ImportFailed, code: str = "") -> ImportRun:
    run.status = ImportStatus.REJECTED
    run.message = error.message
    run.refusal_code = getattr(error, "code", code)
    if run.stored_file:
        forget_read_sheet(run)
        stored_path(run.stored_file).unlink(missing_ok=True)
        run.stored_file = ""
    run.save()
    return run


def import_run_create(*, ledger, user, upload) -> tuple[ImportRun, Checked | None]:
    """Store an upload under a generated name and check it; a refused file is not kept.

    Returns the run (status QUEUED, or REJECTED with the reason) and what the checks found.
    """
    name = Path(upload.name or "upload").name[:255]
    run = ImportRun(
        ledger=ledger.label,
        actor=user,
        county_id=home_county_of(user),
        file_name=name,
        size=upload.size or 0,
    )
    ext = reader.extension_of(name)
    if ext not in reader.EXTENSIONS:
        run.save()
        return _refuse(
            run,
            FileRefused(_("Only .xlsx, .xls and .csv files can be imported."), "extension"),
        ), None
    if run.size > reader.max_bytes():
        run.save()
        return _refuse(
            run,
            FileRefused(
                _("The file is larger than %(limit)s MB.")
                % {"limit": reader.max_bytes() // (1024 * 1024)},
                "too_large",
            ),
        ), None
    path = imports_dir() / f"{uuid.uuid4().hex}{ext}"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    run.sha256 = digest.hexdigest()
    run.stored_file = str(path.relative_to(settings.MEDIA_ROOT))
    run.size = path.stat().st_size
    run.save()
    try:
        checked = reader.check(path, name)
    except FileRefused as error:
        return _refuse(run, error), None
    return run, checked


def _analyse_run(run: ImportRun, spec: ImportSpec, path, checked: Checked, progress, **options):
    """The analysis of the run's stored file for the run's user (core.importing.analysis)."""
    return analyse(
        spec=spec,
        user=run.actor,
        path=path,
        checked=checked,
        file_name=run.file_name,
        run=run,
        progress=progress,
        **options,
    )


def import_run_preview(
    *, run: ImportRun, spec: ImportSpec, checked: Checked | None = None, progress=no_progress
) -> ImportRun:
    """Check every row of the run's file and record what an import would do."""
    try:
        path = stored_path(run.stored_file)
        if checked is None:
            checked = reader.check(path, run.file_name)
        with _collector_paused():
            analysis = _analyse_run(run, spec, path, checked, progress)
            if not analysis.problems:  # a file with errors is never committed: nothing to keep
                keep_read_sheet(run, spec, analysis.read)
    except FileRefused as error:
        return _refuse(run, error)
    _record_analysis(run, analysis)
    run.status = ImportStatus.PREVIEWED
    run.sample = preview.sample(spec, analysis)
    run.errors_file = ""
    if analysis.problems:
        from core.importing.errors import write_rows_with_errors

        target = imports_dir() / f"{Path(run.stored_file).stem}-errors.xlsx"
        write_rows_with_errors(analysis, target)
        run.errors_file = str(target.relative_to(settings.MEDIA_ROOT))
    run.save()
    progress(100, 100, "")
    return run


def _record_analysis(run: ImportRun, analysis: Analysis) -> None:
    run.sheet_name = analysis.sheet[:100]
    run.header_row = analysis.header_row
    run.total_rows = analysis.total
    run.new_rows = len(analysis.creates)
    run.changed_rows = len(analysis.updates)
    run.unchanged_rows = analysis.unchanged
    run.error_rows = analysis.error_rows
    run.error_total = len(analysis.problems)
    run.errors = [p.as_dict(analysis.sheet) for p in analysis.problems[:MAX_STORED_ERRORS]]
    run.ignored_columns = analysis.ignored


def claim_for_commit(run: ImportRun) -> bool:
    """Mark a checked, error-free run as being imported; False if someone else got there first
    or it cannot be imported (so a double click imports once)."""
    claimed = (
        ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED, error_total=0)
        .exclude(stored_file="")
        .update(status=ImportStatus.COMMITTING)
    )
    if claimed:
        run.status = ImportStatus.COMMITTING
    return bool(claimed)


def import_run_commit(*, run: ImportRun, spec: ImportSpec, progress=no_progress) -> ImportRun:
    """Import a claimed run: one transaction, all rows or none.

    The file is analysed again inside the transaction with the stored rows locked, so the rows
    written are checked against the ledger as it is now; if anything became an error since the
    preview, nothing is written and the run shows the new errors.
    """
    if run.status != ImportStatus.COMMITTING:
        raise ImportFailed(_("This file cannot be imported (it has errors or was imported)."))
    user = run.actor
    try:
        path = stored_path(run.stored_file)
        intact = file_sha256(path) == run.sha256
    except OSError:
        intact = False
    if not intact:
        message = _("The stored file has changed since it was checked; upload it again.")
        mark_failed(run, message)
        raise ImportFailed(message)
    checked = reader.trusted(path, run.file_name)
    sheet = kept_read_sheet(run, spec)
    try:
        with transaction.atomic(), _collector_paused():
            analysis = _analyse_run(run, spec, path, checked, progress, lock=True, sheet=sheet)
            if analysis.problems:
                raise _NowInvalid(analysis)
            progress(
                80,
                100,
                _("Writing %(count)s rows…")
                % {"count": f"{len(analysis.creates) + len(analysis.updates):,}"},
            )
            write(spec=spec, analysis=analysis, run=run, user=user, progress=progress)
            if analysis.creates or analysis.updates:
                audit.record(
                    actor=user,
                    action=AuditAction.IMPORT,
                    model=spec.model,
                    county=run.county_id,
                    changes={
                        "run": run.pk,
                        "new": len(analysis.creates),
                        "changed": len(analysis.updates),
                    },
                    note=run.file_name,
                )
            _record_analysis(run, analysis)
            run.status = ImportStatus.COMMITTED
            run.committed_at = timezone.now()
            run.save()
        forget_read_sheet(run)
        # Committed: fresh planner statistics for the tables the import filled (core/db.py).
        written = len(analysis.creates) + len(analysis.updates)
        if written:
            db.analyze(spec.model, AuditEvent, rows=written)
    except IntegrityError:
        # Another import or a form wrote one of these keys after this commit read the ledger:
        # the transaction rolled back, so nothing of this file is written. Log no values.
        logger.warning("import run %s lost a race for its keys; nothing was written", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.PREVIEWED)
        run.status = ImportStatus.PREVIEWED
        raise ImportRaced(
            _(
                "Someone saved some of these rows a moment ago, so nothing was imported. "
                "Confirm again: the file is checked against the ledger as it is now."
            )
        ) from None
    except _NowInvalid as invalid:
        _record_analysis(run, invalid.analysis)
        run.status = ImportStatus.PREVIEWED
        run.save()
        raise ImportFailed(
            _(
                "The ledger has changed since the file was checked and some rows are now in error; "
                "nothing was imported."
            )
        ) from None
    except FileRefused as error:
        _refuse(run, error)
        raise ImportFailed(error.message) from None
    progress(100, 100, "")
    return run


class _NowInvalid(Exception):
    def __init__(self, analysis: Analysis):
        super().__init__("rows in error at commit")
        self.analysis = analysis


def mark_failed(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message=message)
    run.status = ImportStatus.FAILED
    run.message = message


def keep_files_days() -> int:
    return getattr(settings, "IMPORT_KEEP_FILES_DAYS", 30)


def forget_old_files(*, now=None) -> int:
    """Delete the files of import runs older than IMPORT_KEEP_FILES_DAYS — the upload, the
    rejected-rows workbook and the kept reading: they hold children's ID numbers and are of no
    more use once a run is imported or left. The run's record stays (who, when, file name and
    SHA-256, counts, the errors listed). A run being imported is left alone. The number of runs
    whose files were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_files_days())
    runs = (
        ImportRun.objects.filter(created_at__lt=cutoff)
        .exclude(stored_file="", errors_file="")
        .exclude(status=ImportStatus.COMMITTING)
    )
    forgotten = 0
    for run in runs.iterator():
        if run.stored_file:
            forget_read_sheet(run)
        for relative in (run.stored_file, run.errors_file):
            if relative:
                stored_path(relative).unlink(missing_ok=True)
        ImportRun.objects.filter(pk=run.pk).update(stored_file="", errors_file="")
        forgotten += 1
    if forgotten:
        logger.info(
            "import files of %s runs older than %s days deleted", forgotten, keep_files_days()
        )
    return forgotten


def visible_runs(user):
    """Runs a user may open: county and school officers their own, county reviewers their
    county's, city users every run — the same rule as for jobs."""
    runs = ImportRun.objects.visible_to(user)
    if getattr(user, "role", None) in ("county_officer", "school_officer"):
        runs = runs.filter(actor=user)
    return runs
