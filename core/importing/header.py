"""Finding the header row among a file's first rows and mapping its columns to the spec's."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.utils.translation import gettext as _

from core.importing import normalise as norm
from core.importing import reader
from core.importing.reader import Checked, FileRefused, Table
from core.importing.spec import ImportSpec, header_key

HEADER_SCAN_ROWS = 30


def _header_keys(spec: ImportSpec) -> dict[str, tuple[str, int]]:
    """Normalised header → (column field, priority); the template's header first."""
    keys: dict[str, tuple[str, int]] = {}
    for column in spec.columns:
        for priority, header in enumerate(column.headers()):
            keys.setdefault(header_key(header), (column.field, priority))
        keys.setdefault(header_key(column.field), (column.field, 99))
    return keys


def locate_header(table: Table, spec: ImportSpec):
    """The row (among the first 30) that names most of the spec's columns, and the mapping
    field → [(column index, header as written)], best variant first; or None."""
    keys = _header_keys(spec)
    best = None
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for col, cell in enumerate(row):
            match = keys.get(header_key(cell)) if not norm.is_empty(cell) else None
            if match:
                found[match[0]].append((match[1], col, norm.text(cell)))
        if len(found) >= min(2, len(spec.columns)) and (best is None or len(found) > best[1]):
            best = (index, len(found), found)
    if best is None:
        return None
    index, _count, found = best
    mapping = {
        name: [(col, text) for _p, col, text in sorted(cells)] for name, cells in found.items()
    }
    used = {col for cells in mapping.values() for col, _text in cells}
    ignored = [
        norm.text(cell)
        for col, cell in enumerate(table.rows[index])
        if col not in used and not norm.is_empty(cell)
    ]
    return index, mapping, ignored


def find_table(spec: ImportSpec, path: Path, checked: Checked, file_name: str):
    csv_name = Path(file_name).stem
    for table in reader.tables(path, checked, csv_name=csv_name):
        located = locate_header(table, spec)
        if located is not None:
            return table, located
    headers = "、".join(column.header for column in spec.columns if column.required)
    raise FileRefused(
        _(
            "No header row was found: the first rows of the sheet should name the columns "
            "(%(headers)s). Download the template to see them."
        )
        % {"headers": headers},
        "no_header",
    )
