"""Export of a list to .xlsx: the same columns as on screen, Chinese headers, masked ID numbers.

Cells that a spreadsheet would read as a formula (beginning with = + - @, tab or CR) are written
with a leading apostrophe-equivalent so they open as text.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from io import BytesIO
from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation
from django_tables2 import RequestConfig
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core import audit
from core.jobs import result_path, runner
from core.ledger import REGISTRY
from core.models import AuditAction
from core.scoping import home_county_of

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a value safe for a spreadsheet cell: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell_value(value):
    if value is None:
        return ""
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
            sheet.append([_cell_value(value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_rows(table) -> Iterable[list]:
    """A django-tables2 table as header + rows of plain values (what the screen shows)."""
    return table.as_values()


def export_ledger(*, ledger, user, query) -> tuple[bytes, int]:
    """The ledger's rows visible to `user` under the list's filters and sort, as .xlsx bytes.

    `query` is the list page's QueryDict (filters and `sort`); the page and the export job both
    come here, so an export always matches what the list shows.
    """
    request = SimpleNamespace(user=user, GET=query, META={})
    queryset = ledger.model.objects.visible_to(user)
    if ledger.select_related:
        queryset = queryset.select_related(*ledger.select_related)
    filterset = ledger.filterset(query or None, queryset=queryset, request=request)
    rows = filterset.qs
    table = ledger.table(rows)
    RequestConfig(request, paginate=False).configure(table)
    title = str(ledger.model._meta.verbose_name_plural)
    return write_xlsx(table_rows(table), sheet_title=title), rows.count()


def count_rows(*, ledger, user, query) -> int:
    request = SimpleNamespace(user=user, GET=query, META={})
    filterset = ledger.filterset(
        query or None, queryset=ledger.model.objects.visible_to(user), request=request
    )
    return filterset.qs.count()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(ledger) -> str:
    return f"{ledger.name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def record_export(*, actor, ledger, query, count: int) -> None:
    """Exports are audited: who exported which ledger, under which filters, how many rows."""
    county = home_county_of(actor)  # a county's or a school's export: that county's trail
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        model=ledger.model,
        county=county,
        changes={"rows": count},
        note=query.urlencode()[:300],
    )


@runner("export")
def run_export(job, progress) -> dict:
    """The export job: the same rows as the page would send, written to a file to download."""
    ledger = REGISTRY[job.params["ledger"]]
    query = QueryDict(job.params.get("query", ""))
    progress(0, 1, "")
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        content, count = export_ledger(ledger=ledger, user=job.actor, query=query)
        name = file_name(ledger)
    path = result_path(job, ".xlsx")
    path.write_bytes(content)
    record_export(actor=job.actor, ledger=ledger, query=query, count=count)
    return {
        "result_file": str(path.relative_to(settings.MEDIA_ROOT)),
        "download_name": name,
        "rows": count,
    }
