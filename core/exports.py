"""Export of a list to .xlsx: the same columns as on screen, Chinese headers, masked ID numbers.

A user with the reveal right (`User.can_reveal_ids`) may ask for the ID numbers in full (a POST
to the export, never a link); that export is audited as a reveal, like a reveal on a row's page.

Cells that a spreadsheet would read as a formula (beginning with = + - @, tab or CR) are written
with a leading apostrophe-equivalent so they open as text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from io import BytesIO
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_tables2 import A, RequestConfig
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core import audit, idnumbers
from core.filters import ID_SEARCH_PARAM, recalled_id_search
from core.jobs import result_path, runner, start_job
from core.ledger import REGISTRY
from core.models import AuditAction
from core.scoping import home_county_of

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a value safe for a spreadsheet cell: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float, decimal.Decimal, dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return neutralise(str(value))


def write_xlsx(rows: Iterable[Iterable], *, sheet_title: str) -> bytes:
    """Write rows (the first one the header) to an .xlsx workbook in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        if index == 0:
            cells = []
            for header in row:
                cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            cells = []
            for value in row:
                value = _cell_value(value)
                if isinstance(value, dt.date):  # a real date a reviewer can sort, shown yyyy-mm-dd
                    cell = WriteOnlyCell(sheet, value=value)
                    is_datetime = isinstance(value, dt.datetime)
                    cell.number_format = DATETIME_FORMAT if is_datetime else DATE_FORMAT
                    value = cell
                cells.append(value)
            sheet.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shown_forms(value) -> set[str]:
    """The ways a list page may write a date or a time: its cell shows one of these."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        formats_ = ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "Y-m-d H:i", "Y-m-d H:i:s")
    else:
        formats_ = ("DATE_FORMAT", "SHORT_DATE_FORMAT", "Y-m-d")
    return {str(value), value.isoformat()} | {formats.date_format(value, f) for f in formats_}


def _typed(record, bound_column, shown):
    """The cell as a spreadsheet should hold it: a date as a date, a yes/no as 是/否; any other
    cell (and a date the page writes some other way, e.g. an age) as the page shows it."""
    if shown in ("True", "False"):  # a yes/no column (BooleanColumn writes Python's words)
        return shown == "True"
    try:
        raw = A(bound_column.accessor).resolve(record, quiet=True)
    except Exception:  # noqa: BLE001 - a computed column: keep what the page shows
        return shown
    if isinstance(raw, dt.date) and str(shown) in _shown_forms(raw):
        return timezone.localtime(raw) if isinstance(raw, dt.datetime) and raw.tzinfo else raw
    return shown


def table_rows(table) -> Iterable[list]:
    """A django-tables2 table as header + rows of the values the screen shows, dates kept as dates
    and yes/no as 是/否 (see `_typed`)."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    yield [force_str(column.header, strings_only=True) for column in columns]
    for row in table.rows:
        yield [
            _typed(
                row.record, column, force_str(row.get_cell_value(column.name), strings_only=True)
            )
            for column in columns
        ]


# --- Export sources: a ledger (core.ledger) or a check list (core.checklists) ------------------
#
# A source gives `export_table(user=, query=) -> (table, rows)`, `export_title()`,
# `export_stem()`, `export_audit() -> (model, extra changes)` and `job_params()`; the page, the
# job and the audit trail below are the same for both.


def source_from(params: dict):
    """The source an export job's params name (see `job_params`)."""
    if "check" in params:
        from core.checklists import CHECKS

        return CHECKS[params["check"]]
    return REGISTRY[params["ledger"]]


def export_source(
    *, source, user, query, progress=None, reveal_ids: bool = False
) -> tuple[bytes, int]:
    """The source's rows visible to `user` under the page's filters and sort, as .xlsx bytes.

    `query` is the page's QueryDict (filters and `sort`); the page and the export job both come
    here, so an export always matches what the page shows. `progress(done, total, message)`, if
    given, hears how many rows are written as the export goes (the job page's bar). ID numbers
    are masked unless `reveal_ids` and the user may reveal them (checked again here, also when a
    job runs).
    """
    table, rows = source.export_table(user=user, query=query)
    table.reveal_ids = bool(reveal_ids and user.can_reveal_ids)  # read by MaskedIdColumn
    RequestConfig(SimpleNamespace(user=user, GET=query, META={}), paginate=False).configure(table)
    total = rows.count()
    values = table_rows(table)
    if progress is not None:
        values = _reporting(values, total, progress)
    return write_xlsx(values, sheet_title=source.export_title()), total


def _reporting(values: Iterable[list], total: int, progress) -> Iterable[list]:
    """The header and rows, telling `progress` every 1 % (at least every 200 rows) how many of
    `total` rows have been written."""
    step = max(200, total // 100)
    for done, row in enumerate(values, start=-1):  # the header first: done = rows before this
        if done >= 0 and done % step == 0:
            message = _("%(done)s of %(total)s rows written") % {"done": done, "total": total}
            progress(done, total, message)
        yield row


def count_rows(*, source, user, query) -> int:
    _table, rows = source.export_table(user=user, query=query)
    return rows.count()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(source) -> str:
    """The workbook's name: the list's title in the user's language and the time, e.g.
    疑似辍学跟踪-20261207-0306.xlsx (characters a file system refuses are dropped)."""
    title = UNSAFE_IN_NAMES.sub("", str(source.export_title())).strip() or source.export_stem()
    return f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def record_export(*, actor, source, query, count: int, revealed: bool = False) -> None:
    """Exports are audited: who exported which ledger or check list, under which filters, how
    many rows; one with the ID numbers in full as a reveal."""
    county = home_county_of(actor)  # a county's or a school's export: that county's trail
    model, extra = source.export_audit()
    searched = recalled_id_search(actor, query.get(ID_SEARCH_PARAM, ""))
    if searched:  # the URL holds a token only: the trail keeps the number, masked
        extra = {**extra, "id_number": idnumbers.mask(searched)}
    audit.record(
        actor=actor,
        action=AuditAction.REVEAL if revealed else AuditAction.EXPORT,
        model=model,
        county=county,
        changes={"rows": count, **extra, **({"id_numbers": "full"} if revealed else {})},
        note=query.urlencode()[:300],
    )


def export_response(request, source, *, reveal_ids: bool = False):
    """The export of a list page: the file at once up to EXPORT_MAX_ROWS_INLINE rows; above, a
    job (its page shows progress and offers the file when ready). `reveal_ids`: the ID numbers
    in full, for a user with the reveal right only."""
    if reveal_ids and not request.user.can_reveal_ids:
        raise PermissionDenied(_("Your role may not reveal ID numbers."))
    query = request.GET.copy()
    query.pop("page", None)
    if count_rows(source=source, user=request.user, query=query) > settings.EXPORT_MAX_ROWS_INLINE:
        job = start_job(
            kind="export",
            title=_("Export of %(ledger)s") % {"ledger": source.export_title()},
            actor=request.user,
            params={
                **source.job_params(),
                "query": query.urlencode(),
                "language": translation.get_language(),
                **({"reveal_ids": True} if reveal_ids else {}),
            },
        )
        return HttpResponseRedirect(job.get_absolute_url())
    content, count = export_source(
        source=source, user=request.user, query=query, reveal_ids=reveal_ids
    )
    record_export(actor=request.user, source=source, query=query, count=count, revealed=reveal_ids)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name(source))
    if reveal_ids:
        response["Cache-Control"] = "no-store"
    return response


@runner("export")
def run_export(job, progress) -> dict:
    """The export job: the same rows as the page would send, written to a file to download."""
    source = source_from(job.params)
    query = QueryDict(job.params.get("query", ""))
    # The reveal right is checked again as the job runs: a user who lost it gets masked numbers.
    revealed = bool(job.params.get("reveal_ids")) and job.actor.can_reveal_ids
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        content, count = export_source(
            source=source, user=job.actor, query=query, progress=progress, reveal_ids=revealed
        )
        name = file_name(source)
    path = result_path(job, ".xlsx")
    path.write_bytes(content)
    record_export(actor=job.actor, source=source, query=query, count=count, revealed=revealed)
    return {
        "result_file": str(path.relative_to(settings.MEDIA_ROOT)),
        "download_name": name,
        "rows": count,
    }
