"""Export of a list to .xlsx: the same columns as on screen, Chinese headers, masked ID numbers.

Cells that a spreadsheet would read as a formula (beginning with = + - @, tab or CR) are written
with a leading apostrophe-equivalent so they open as text.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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
