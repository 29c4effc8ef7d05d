"""What the preview keeps for the commit: the read sheet, signed, beside the stored file."""

from __future__ import annotations

import hmac
import logging
import pickle
from dataclasses import replace
from pathlib import Path

from django.utils.crypto import salted_hmac

from core.importing.base import stored_path
from core.importing.models import ImportRun
from core.importing.reader import Table
from core.importing.sheet import ReadSheet
from core.importing.spec import ImportSpec

logger = logging.getLogger(__name__)

# Bump when ReadSheet or the normalisers change meaning: a kept sheet of another format is
# ignored and the file read again.
READ_SHEET_FORMAT = 1
# The salt keeps the module's old name: a reading kept before the import modules were split
# still verifies.
KEPT_SHEET_SALT = "core.importing.pipeline.kept_read_sheet"


def _kept_sheet_path(run: ImportRun) -> Path:
    return stored_path(run.stored_file).with_name(f"{Path(run.stored_file).stem}-read.pickle")


def _kept_sheet_tag(run: ImportRun, spec: ImportSpec) -> str:
    return f"{READ_SHEET_FORMAT}:{type(spec).__qualname__}:{run.pk}:{run.sha256}"


def keep_read_sheet(run: ImportRun, spec: ImportSpec, sheet: ReadSheet) -> None:
    """Keep the preview's read sheet beside the stored file, signed, so that the commit can skip
    reading and normalising the file again (a third of an import's time for a large file). Only
    what depends on the file is kept: the lookups, the spec's rules, the scope and the comparison
    with the stored rows are all done again inside the commit's transaction."""
    kept = replace(sheet, table=Table(sheet.table.name, []))  # the cells are not needed again
    payload = pickle.dumps((_kept_sheet_tag(run, spec), kept), protocol=pickle.HIGHEST_PROTOCOL)
    signature = salted_hmac(KEPT_SHEET_SALT, payload, algorithm="sha256").digest()
    target = _kept_sheet_path(run)
    partial = target.with_suffix(".partial")
    try:
        partial.write_bytes(signature + payload)
        partial.replace(target)
    except OSError:  # only a shortcut: the commit then reads the file again
        logger.warning("import run %s: the checked sheet could not be kept", run.pk, exc_info=True)
        partial.unlink(missing_ok=True)


def kept_read_sheet(run: ImportRun, spec: ImportSpec) -> ReadSheet | None:
    """The sheet the preview kept for this run, or None (missing, altered or of another format:
    the commit then reads the file again)."""
    try:
        data = _kept_sheet_path(run).read_bytes()
    except (OSError, ValueError):
        return None
    signature, payload = data[:32], data[32:]
    expected = salted_hmac(KEPT_SHEET_SALT, payload, algorithm="sha256").digest()
    if not hmac.compare_digest(signature, expected):
        return None  # not written by this server with this key: never unpickled
    tag, sheet = pickle.loads(payload)  # noqa: S301 - signed above, written by keep_read_sheet
    return sheet if tag == _kept_sheet_tag(run, spec) else None


def forget_read_sheet(run: ImportRun) -> None:
    if run.stored_file:
        _kept_sheet_path(run).unlink(missing_ok=True)
