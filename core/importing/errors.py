"""The checked file with its errors marked, as .xlsx: every row of the file, its own columns plus
错误说明 on the rows in error.

Every row is there, the good ones too, at the row numbers the preview names: corrected and
uploaded again, it is the whole file, not only the rows that were wrong (the error column is
ignored on import). A user without the reveal right gets it with ID numbers masked
(masked_copy): that copy is for reading, and the preview says to correct the original instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import chain, islice
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from core import idnumbers
from core.exports import neutralise
from core.importing.header import HEADER_SCAN_ROWS, locate_header
from core.importing.reader import Table
from core.importing.spec import Kind, header_key


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time, bool, int, float)):
        return value
    if isinstance(value, dt.timedelta):
        return str(value)
    return neutralise(str(value))


def _error_text(problem) -> str:
    if problem.value:
        return _("%(column)s “%(value)s”: %(message)s") % {
            "column": problem.column,
            "value": problem.value,
            "message": problem.message,
        }
    return _("%(column)s: %(message)s") % {"column": problem.column, "message": problem.message}


def write_rows_with_errors(analysis, target: Path) -> Path:
    """Every row of the analysed sheet as the file has it, from its first row, with an error
    column filled on the rows in error."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for problem in analysis.problems:
        by_row[problem.row].append(_error_text(problem))
    rows = analysis.table.rows
    header = rows[analysis.header_index]
    width = len(header)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(analysis.sheet or "Sheet1")[:31])
    bold, red = Font(bold=True), Font(bold=True, color="C00000")
    marked = PatternFill("solid", fgColor="FDE9E7")
    for row in rows[: analysis.header_index]:  # a title above the header, as in the file
        sheet.append([_cell_value(v) for v in row[:width]])
    cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=_cell_value(value))
        cell.font = bold
        cells.append(cell)
    error_header = WriteOnlyCell(sheet, value=_("Error description"))
    error_header.font = red
    error_header.fill = marked
    sheet.append([*cells, error_header])
    first = analysis.header_index + 2  # the Excel number of the first row under the header
    for number, row in enumerate(rows[first - 1 :], start=first):
        values = [_cell_value(v) for v in row[:width]]
        values += [None] * (width - len(values))
        errors = by_row.get(number)
        if errors:
            error = WriteOnlyCell(sheet, value=neutralise("；".join(errors)))
            error.font = Font(color="C00000")
            error.fill = marked
            values.append(error)
        sheet.append(values)
    workbook.save(target)
    return target


def masked_copy(source: Path, spec) -> bytes:
    """The rejected-rows workbook as a user without the reveal right gets it: the ID-number
    columns (and anything else shaped like an ID number) masked, the birth-date columns by year
    only — the same rule as every page (core.idnumbers.mask)."""
    from io import BytesIO

    from openpyxl import load_workbook

    id_headers = {
        header_key(h) for c in spec.columns if c.kind == Kind.ID_NUMBER for h in c.headers()
    }
    birth_headers = {
        header_key(h) for c in spec.columns if c.field == "birth_date" for h in c.headers()
    }
    original = load_workbook(source, read_only=True)
    workbook = Workbook(write_only=True)
    for read in original.worksheets:
        sheet = workbook.create_sheet(title=read.title)
        rows = read.iter_rows(values_only=True)
        head = [list(row) for row in islice(rows, HEADER_SCAN_ROWS)]
        located = locate_header(Table(read.title, head), spec)
        header_index = located[0] if located else 0
        kinds: list[str] = []
        for index, row in enumerate(chain(head, rows)):
            if index == header_index:
                kinds = [
                    "id" if header_key(str(v or "")) in id_headers
                    else "birth" if header_key(str(v or "")) in birth_headers
                    else ""
                    for v in row
                ]  # fmt: skip
                sheet.append(list(row))
                continue
            sheet.append(
                [_masked_cell(v, kinds[i] if i < len(kinds) else "") for i, v in enumerate(row)]
            )
    original.close()
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _masked_cell(value, kind: str):
    if value is None:
        return None
    if kind == "birth":
        return idnumbers.masked_birth_date(value)
    if kind == "id":
        return idnumbers.mask(value)
    if isinstance(value, (str, int)):
        text = str(value)
        if idnumbers.ID_SHAPED.search(text):
            return idnumbers.redact(text)
    return value
