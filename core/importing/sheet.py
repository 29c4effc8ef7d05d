"""Reading a sheet: the data rows under the header, each mapped column normalised at once.

What comes out (ReadSheet) is a function of the file and the spec alone, no query: the preview
keeps it for the commit (core.importing.keep)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from core.importing import normalise as norm
from core.importing.base import no_progress
from core.importing.header import find_table
from core.importing.reader import Checked, FileRefused, Table
from core.importing.spec import Column, ImportSpec, Kind

MEMO_KINDS = {
    Kind.CODE,
    Kind.INT,
    Kind.DECIMAL,
    Kind.DATE,
    Kind.BOOL,
    Kind.CHOICE,
    Kind.SCHOOL,
    Kind.REGION,
    Kind.SCHOOL_YEAR,
}


@dataclass
class ReadSheet:
    """What the file says, read and normalised: a function of the file and the spec alone (no
    query), so that the preview can keep it for the commit (see keep_read_sheet)."""

    table: Table
    header_index: int
    ignored: list[str]
    numbers: list[int]  # each data row's number as Excel shows it
    values: dict[str, list]  # field → each row's normalised value (None where empty or wrong)
    headers: dict[str, object]  # field → the header as written, or each row's (equivalents)
    problems: dict[int, list]  # row index → [(header, message, code)] found while normalising


def read_sheet(
    *, spec: ImportSpec, path: Path, checked: Checked, file_name: str, progress=no_progress
) -> ReadSheet:
    """Find the sheet and its header row, then normalise every cell of the mapped columns."""
    table, (header_index, mapping, ignored) = find_table(spec, path, checked, file_name)
    missing = [c.header for c in spec.columns if c.required and c.field not in mapping]
    if missing:
        raise FileRefused(
            _("Sheet %(sheet)s, row %(row)s: required columns are missing: %(columns)s.")
            % {"sheet": table.name, "row": header_index + 1, "columns": "、".join(missing)},
            "missing_columns",
        )
    numbers, rows = _data_rows(table, header_index, mapping, spec)
    progress(20, 100, _("Checking %(count)s rows…") % {"count": f"{len(rows):,}"})
    problems: dict[int, list] = defaultdict(list)
    values: dict[str, list] = {}
    headers: dict[str, object] = {}
    for column in spec.columns:
        cells = mapping.get(column.field)
        if not cells:
            continue
        raw, row_headers = _column_values(rows, cells)
        headers[column.field] = row_headers or cells[0][1]
        values[column.field] = _normalise_column(spec, column, raw, row_headers, cells, problems)
    return ReadSheet(table, header_index, ignored, numbers, values, headers, dict(problems))


def _data_rows(table: Table, header_index: int, mapping, spec: ImportSpec):
    """The non-empty rows under the header with their Excel row numbers; the template's example
    row, if left in place, is skipped."""
    used = sorted({col for cells in mapping.values() for col, _text in cells})
    numbers: list[int] = []
    rows: list[list] = []
    for number, row in enumerate(table.rows[header_index + 1 :], start=header_index + 2):
        for col in used:
            value = row[col] if col < len(row) else None
            if (
                value is not None
                and value != ""
                and not (value.__class__ is str and value.isspace())
            ):
                numbers.append(number)
                rows.append(row)
                break
    if rows and _is_example(rows[0], mapping, spec):
        del numbers[0], rows[0]
    return numbers, rows


def _is_example(row: list, mapping, spec: ImportSpec) -> bool:
    for column in spec.columns:
        cells = mapping.get(column.field)
        if not cells:
            continue
        col = cells[0][0]
        value = row[col] if col < len(row) else None
        if norm.text(value) != norm.text(column.example):
            return False
    return True


def _normalise_column(spec, column: Column, raw: list, row_headers, cells, problems) -> list:
    fn = _normaliser(spec, column)
    memo = {} if column.kind in MEMO_KINDS else None
    out: list = [None] * len(raw)
    if column.kind == Kind.ID_NUMBER:
        # Well-formed numbers are checked all at once; the others (and any that fail) one by
        # one through idnumbers.validate, which gives the message.
        raw = list(raw)
        for index, valid in norm.check_clean_id_numbers(raw):
            if valid:
                out[index] = raw[index]
                raw[index] = None
    header = cells[0][1]
    required = column.required
    required_message = _("This column is required.")
    for index, value in enumerate(raw):
        if value is None or value == "" or (value.__class__ is str and value.isspace()):
            if required and out[index] is None:
                problems[index].append((header, required_message, "required"))
            continue
        if memo is not None:
            key = (value.__class__, value)
            hit = memo.get(key)
            if hit is None:
                try:
                    hit = (True, fn(value))
                except norm.CellError as error:
                    hit = (False, error)
                memo[key] = hit
            ok, result = hit
        else:
            try:
                ok, result = True, fn(value)
            except norm.CellError as error:
                ok, result = False, error
        if ok:
            out[index] = result
        else:
            where = row_headers[index] if row_headers else header
            problems[index].append((where, result.message, result.code))
    return out


def _normaliser(spec: ImportSpec, column: Column):
    kind = column.kind
    if kind == Kind.TEXT:
        max_length = column.max_length
        if max_length is None:
            try:
                max_length = spec.model._meta.get_field(column.field).max_length
            except Exception:  # noqa: BLE001 - a spec column need not be a model field
                max_length = None
        return lambda value: norm.text(value, max_length=max_length)
    if kind == Kind.CODE:
        return lambda value: norm.code(value, pattern=column.pattern)
    if kind == Kind.INT:
        return lambda value: norm.integer(
            value, min_value=column.min_value, max_value=column.max_value
        )
    if kind == Kind.DECIMAL:
        return norm.decimal_number
    if kind == Kind.DATE:
        return norm.date
    if kind == Kind.BOOL:
        mapping = spec.choice_map(column.field) or norm.BOOL_WORDS
        return lambda value: norm.boolean(value, {**norm.BOOL_WORDS, **mapping})
    if kind == Kind.CHOICE:
        mapping = spec.choice_map(column.field)
        return lambda value: norm.choice(value, mapping)
    if kind == Kind.ID_NUMBER:
        return norm.id_number
    if kind == Kind.SCHOOL_YEAR:
        return norm.school_year
    if kind == Kind.SCHOOL:  # looked up afterwards, by code or exact name
        return norm.text
    return lambda value: norm.text(value, fold=True).replace(" ", "")  # a region: code or name


def _column_values(rows: list[list], cells: list[tuple[int, str]]):
    """The raw value of each row (the first non-empty one among equivalent columns) and, when
    there are several, which header each value came from."""
    if len(cells) == 1:
        col = cells[0][0]
        return [row[col] if col < len(row) else None for row in rows], None
    values, headers = [], []
    for row in rows:
        for col, text in cells:
            value = row[col] if col < len(row) else None
            if not norm.is_empty(value):
                values.append(value)
                headers.append(text)
                break
        else:
            values.append(None)
            headers.append(cells[0][1])
    return values, headers
