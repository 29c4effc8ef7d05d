"""The rejected rows of a checked file, as .xlsx: the file's own columns plus 错误说明.

The header is the file's header and the rows are the file's rows, so the user can fix them in
this workbook and import it as it is (the extra error column is ignored on import).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from core import idnumbers
from core.exports import neutralise
from core.importing.spec import Kind, header_key


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time, bool, int, float)):
        return value
    if isinstance(value, dt.timedelta):
        return str(value)
    return neutralise(str(value))


def write_rejected_rows(analysis, target: Path) -> Path:
    by_row: dict[int, list[str]] = defaultdict(list)
    for problem in analysis.problems:
        by_row[problem.row].append(f"{problem.column}：{problem.message}")
    rows = analysis.table.rows
    header = rows[analysis.header_index]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(analysis.sheet or "Sheet1")[:31])
    bold, red = Font(bold=True), Font(bold=True, color="C00000")
    cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=_cell_value(value))
        cell.font = bold
        cells.append(cell)
    error_header = WriteOnlyCell(sheet, value=_("Error description"))
    error_header.font = red
    error_header.fill = PatternFill("solid", fgColor="FDE9E7")
    sheet.append([*cells, error_header])
    width = len(header)
    for number in sorted(by_row):
        row = rows[number - 1] if number - 1 < len(rows) else []
        values = [_cell_value(v) for v in row[:width]]
        values += [None] * (width - len(values))
        sheet.append([*values, neutralise("；".join(by_row[number]))])
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
        kinds: list[str] = []
        for index, row in enumerate(read.iter_rows(values_only=True)):
            if index == 0:
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
