"""What the preview shows of a checked file besides the counts: the value each error is about,
and the parsed rows (the first rows and the rows a commit would change), as a user may see
them: ID numbers masked, and no birth date (pages show the age instead: a birth year beside the
age a page shows would narrow a masked number down to a few weeks of births).

Nothing here runs a query per row: the sample is at most SAMPLE_ROWS + SAMPLE_CHANGES rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import calendar, idnumbers
from core.importing import normalise as norm
from core.importing.lookups import fill_reprs
from core.importing.spec import Column, ImportSpec, Kind, header_key
from core.models import IdNumberField

if TYPE_CHECKING:
    from core.importing.analysis import Analysis
    from core.importing.reader import Table

SAMPLE_ROWS = 50  # the first rows of the file shown as parsed
SAMPLE_CHANGES = 50  # rows the commit would change, shown with what changes
QUOTE_LENGTH = 60

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
HIDDEN_DATE = "****-**-**"


def _shorten(text: str) -> str:
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _is_birth_date(name: str) -> bool:
    return name.removesuffix("_id") == "birth_date"


def masked_text(value, *, id_number: bool = False, birth_date: bool = False) -> str:
    """A value as the preview may show it: ID numbers masked (anything shaped like one, too),
    birth dates hidden, long text shortened."""
    if value is None or value == "":
        return ""
    if id_number:
        return idnumbers.mask(norm.text(value))
    if birth_date:
        return HIDDEN_DATE
    return _shorten(idnumbers.redact(norm.text(value)))


class CellQuoter:
    """The value a problem is about, as the file has it: the cell of the problem's row under the
    header the problem names. Empty where the file is not at hand (the commit's kept reading)
    or the column is not in the file."""

    def __init__(self, spec: ImportSpec, table: Table, header_index: int, numbers: list[int]):
        self.rows = table.rows
        self.numbers = numbers
        self.columns: dict[str, int] = {}
        if self.rows:
            for col, cell in enumerate(self.rows[header_index]):
                if not norm.is_empty(cell):
                    self.columns.setdefault(norm.text(cell), col)
        self.id_headers = {
            header_key(h) for c in spec.columns if c.kind == Kind.ID_NUMBER for h in c.headers()
        }
        self.birth_headers = {
            header_key(h) for c in spec.columns if _is_birth_date(c.field) for h in c.headers()
        }

    def __call__(self, index: int, header: str) -> str:
        col = self.columns.get(header)
        if col is None:
            return ""
        row = self.rows[self.numbers[index] - 1]
        value = row[col] if col < len(row) else None
        key = header_key(header)
        if key in self.birth_headers:
            # Not quoted at all: "****-**-**" says nothing, and the date itself beside the
            # masked number would rebuild it. The message says what is wrong and the format.
            return ""
        return masked_text(value, id_number=key in self.id_headers)


# --- The parsed rows -----------------------------------------------------------------------------


def _column_display(column: Column, value) -> str:
    """A normalised value of a spec column as the user wrote it, in its Chinese form."""
    if value is None or value == "":
        return ""
    if column.kind == Kind.ID_NUMBER:
        return masked_text(value, id_number=True)
    if _is_birth_date(column.field):
        return masked_text(value, birth_date=True)
    if column.kind == Kind.BOOL:
        return _("Yes") if value else _("No")
    if column.kind == Kind.CHOICE and column.choices is not None:
        try:
            return str(column.choices(value).label)
        except ValueError:
            return str(value)
    if column.kind == Kind.SCHOOL_YEAR:
        return calendar.school_year_label(value)
    return masked_text(value)


def _field_display(model_field, value, context) -> str:
    """A stored or new value of a model field (attname values, as the analysis holds them)."""
    if value is None or value == "":
        return ""
    if isinstance(model_field, models.ForeignKey):
        name = context.name_of(model_field.related_model, value) if context else ""
        return name or f"#{value}"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, IdNumberField):
        return masked_text(value, id_number=True)
    if _is_birth_date(model_field.name):
        return masked_text(value, birth_date=True)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value)
    return masked_text(value)


def _change_label(model_field) -> str:
    """What a change line names: the field in the page's language (年级, Grade), not the file's
    Chinese header (an English page read "年级: Grade 4 → Grade 6")."""
    return capfirst(str(model_field.verbose_name))


def _changes(spec: ImportSpec, row: dict, before: dict, context) -> list[list[str]]:
    meta = spec.model._meta
    changes = []
    for attname, new in row.items():
        if attname not in before or before[attname] == new:
            continue
        model_field = meta.get_field(attname)
        changes.append(
            [
                _change_label(model_field),
                _field_display(model_field, before[attname], context),
                _field_display(model_field, new, context),
            ]
        )
    return changes


def _fill_stored_names(spec: ImportSpec, analysis: Analysis, indexes) -> None:
    """Names of the rows the sampled changes refer to (one query per related model)."""
    meta = spec.model._meta
    wanted: dict[type, set] = {}
    for index in indexes:
        row, before = analysis.sample_changed[index]
        for attname, new in row.items():
            model_field = meta.get_field(attname)
            if isinstance(model_field, models.ForeignKey) and before.get(attname) != new:
                wanted.setdefault(model_field.related_model, set()).update(
                    (new, before.get(attname))
                )
    for model, ids in wanted.items():
        fill_reprs(analysis.context, model, ids)


def sample(spec: ImportSpec, analysis: Analysis) -> dict:
    """The parsed rows the preview shows: the first SAMPLE_ROWS rows of the file, each marked new,
    changed, unchanged or in error, and the first SAMPLE_CHANGES rows the commit would change,
    with what changes (old → new). Stored on the run as JSON: nothing unmasked."""
    read = analysis.read
    columns = [column for column in spec.columns if column.field in read.values]
    error_rows = {problem.row for problem in analysis.problems}
    quote = CellQuoter(spec, analysis.table, read.header_index, read.numbers)
    first = range(min(SAMPLE_ROWS, len(read.numbers)))
    later = sorted(i for i in analysis.sample_changed if i >= SAMPLE_ROWS)[:SAMPLE_CHANGES]
    _fill_stored_names(spec, analysis, list(analysis.sample_changed))

    def entry(index: int) -> dict:
        number = read.numbers[index]
        cells = []
        for column in columns:
            value = read.values[column.field][index]
            if value is None:  # empty, or not readable: as the file has it
                where = read.headers[column.field]
                header = where[index] if isinstance(where, list) else where
                cells.append(quote(index, header))
            else:
                cells.append(_column_display(column, value))
        if number in error_rows:
            status = ERROR
        elif index in analysis.sample_changed:
            status = CHANGED
        elif index in analysis.sample_new:
            status = NEW
        else:
            status = UNCHANGED
        result = {"row": number, "status": status, "cells": cells}
        if status == CHANGED:
            row, before = analysis.sample_changed[index]
            result["changes"] = _changes(spec, row, before, analysis.context)
        return result

    return {
        "columns": [column.header for column in columns],
        "rows": [entry(index) for index in first],
        "changes": [entry(index) for index in later],
    }
