"""The import pipeline, the same for every ledger, every door (page, job, API) and every size.

    import_run_create   store the upload under a generated name, hash it, run the safety checks
    import_run_preview  read → find the header row → map columns → normalise → validate every
                        row → compare with the stored rows → counts, errors, rejected rows .xlsx
    import_run_commit   the same analysis again inside one transaction (rows locked), then a bulk
                        upsert of the new and changed rows on the natural key and their audit
                        events in bulk: all rows or none

The work is column by column where it can be (a column's distinct values are normalised once),
database lookups are one query per lookup kind (chunked `IN`), and no query runs per row.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import hmac
import logging
import pickle
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core import audit, db, idnumbers
from core.conflicts import REFUSAL
from core.conflicts import record as record_conflicts
from core.importing import normalise as norm
from core.importing import reader
from core.importing.models import MAX_STORED_ERRORS, ImportRun, ImportStatus
from core.importing.reader import Checked, FileRefused, Table
from core.importing.spec import Column, ImportSpec, Kind, RowInvalid, header_key
from core.models import AuditAction, AuditEvent, IdNumberField, Region, School
from core.scoping import county_of, home_county_of, school_of, sees_everything

logger = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 30
LOOKUP_CHUNK = 2000
WRITE_BATCH = 2000
SCHOOL_CODE = re.compile(r"^\d{10}$")
REGION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")
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

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str = "") -> None:
    return None


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


def inline_max_rows() -> int:
    """Files with more rows than this are checked and imported as a job."""
    return getattr(settings, "IMPORT_INLINE_MAX_ROWS", 5000)


def imports_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(relative: str) -> Path:
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise FileNotFoundError(relative)
    return path


class ImportFailed(Exception):
    """The import cannot go on; the message is for the user, nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Ref:
    """A school or region found by a lookup."""

    id: int
    code: str
    name: str
    county_id: int | None
    level: str = ""

    def __str__(self):
        return self.name


@dataclass
class Problem:
    row: int  # as Excel shows it
    column: str  # the header as written in the file (or the template's header)
    message: str
    code: str

    def as_dict(self, sheet: str) -> dict:
        return {
            "sheet": sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
        }


@dataclass
class Context:
    """What prepare and build_row may use: the user, their county, the run, whether this is the
    commit (inside its transaction) or a preview, and names of rows referred to. A spec may keep
    its own lookups on it as extra attributes."""

    user: object
    county_id: int | None  # the county a county user is limited to
    sees_all: bool
    school_id: int | None = None  # the school a school officer is limited to
    run: ImportRun | None = None
    committing: bool = False
    reprs: dict = field(default_factory=lambda: defaultdict(dict))  # model → {pk: str}

    def name_of(self, model, pk) -> str:
        return self.reprs[model].get(pk, "")


@dataclass
class Analysis:
    table: Table
    header_index: int
    ignored: list[str]
    total: int = 0
    problems: list[Problem] = field(default_factory=list)
    creates: list[dict] = field(default_factory=list)
    updates: list[tuple[dict, dict]] = field(default_factory=list)  # (row, stored values)
    unchanged: int = 0
    fields: list[str] = field(default_factory=list)  # attnames an upsert writes
    context: Context | None = None
    read: ReadSheet | None = None  # the file as read, before the lookups

    @property
    def sheet(self) -> str:
        return self.table.name

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    @property
    def error_rows(self) -> int:
        return len({problem.row for problem in self.problems})


# --- Finding the header row and mapping the columns ---------------------------------------------


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


def _find_table(spec: ImportSpec, path: Path, checked: Checked, file_name: str):
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


# --- Normalising cells --------------------------------------------------------------------------


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


# --- Lookups (one query each, chunked) -----------------------------------------------------------


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def resolve_schools(keys: set[str], user) -> dict[str, Ref | norm.CellError]:
    """A school by its 10-digit code or exact name, among the schools the user sees."""
    codes = sorted(k for k in keys if SCHOOL_CODE.match(k))
    names = sorted(k for k in keys if not SCHOOL_CODE.match(k))
    by_code: dict[str, Ref] = {}
    by_name: dict[str, list[Ref]] = defaultdict(list)
    visible = School.objects.visible_to(user)
    for chunk in _chunks(codes):
        for pk, code, name, county_id in visible.filter(code__in=chunk).values_list(
            "pk", "code", "name", "county_id"
        ):
            by_code[code] = Ref(pk, code, name, county_id)
    for chunk in _chunks(names):
        for pk, code, name, county_id in visible.filter(name__in=chunk).values_list(
            "pk", "code", "name", "county_id"
        ):
            by_name[name].append(Ref(pk, code, name, county_id))
    # A school outside the user's scope reads as one that does not exist: the message must not
    # tell a county which codes and names other counties' schools have.
    result: dict[str, Ref | norm.CellError] = dict(by_code)
    for name in names:
        found = by_name.get(name, [])
        if len(found) == 1:
            result[name] = found[0]
        elif found:
            result[name] = norm.CellError(
                _("Several schools have this name; write the 10-digit school code instead."),
                "school_ambiguous",
            )
    for key in keys - set(result):
        result[key] = norm.CellError(
            _("No school with this code or name in your scope."), "school_unknown"
        )
    return result


def resolve_regions(keys: set[str], levels: tuple[str, ...]) -> dict[str, Ref | tuple | Exception]:
    """A region by code or exact name (names may repeat: several candidates come back)."""
    codes = sorted(k for k in keys if REGION_CODE.match(k))
    names = sorted(k for k in keys if not REGION_CODE.match(k))
    regions = Region.objects.all()
    if levels:
        regions = regions.filter(level__in=levels)
    result: dict[str, object] = {}
    by_name: dict[str, list[Ref]] = defaultdict(list)
    fields = ("pk", "code", "name", "county_id", "level")
    for chunk in _chunks(codes):
        for pk, code, name, county_id, level in regions.filter(code__in=chunk).values_list(*fields):
            result[code] = Ref(pk, code, name, county_id, level)
    for chunk in _chunks(names):
        for pk, code, name, county_id, level in regions.filter(name__in=chunk).values_list(*fields):
            by_name[name].append(Ref(pk, code, name, county_id, level))
    for name, found in by_name.items():
        result[name] = found[0] if len(found) == 1 else tuple(found)
    for key in keys - set(result):
        result[key] = norm.CellError(_("No region with this code or name."), "region_unknown")
    return result


# --- The analysis ------------------------------------------------------------------------------


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
    *, spec: ImportSpec, path: Path, checked: Checked, file_name: str, progress=_no_progress
) -> ReadSheet:
    """Find the sheet and its header row, then normalise every cell of the mapped columns."""
    table, (header_index, mapping, ignored) = _find_table(spec, path, checked, file_name)
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


def analyse(
    *,
    spec: ImportSpec,
    user,
    path: Path,
    checked: Checked,
    file_name: str,
    lock: bool = False,
    run: ImportRun | None = None,
    progress: Progress = _no_progress,
    sheet: ReadSheet | None = None,
) -> Analysis:
    """Check every row and compare it with the stored rows: the file read and normalised (or
    `sheet`, read already), then the lookups, the spec's rules, duplicates and the comparison.

    Writes nothing itself; with `lock` (the commit) the stored rows are locked and the context
    says it is committing."""
    if sheet is None:
        progress(0, 100, _("Reading the file…"))
        sheet = read_sheet(
            spec=spec, path=path, checked=checked, file_name=file_name, progress=progress
        )
    analysis = Analysis(
        table=sheet.table, header_index=sheet.header_index, ignored=sheet.ignored, read=sheet
    )
    context = Context(
        user=user,
        county_id=county_of(user),
        sees_all=sees_everything(user),
        school_id=school_of(user),
        run=run,
        committing=lock,
    )
    analysis.context = context
    numbers, headers = sheet.numbers, sheet.headers
    # The lookups replace codes and names by the rows found: on copies, the reading stays as read.
    looked_up = {c.field for c in spec.columns if c.kind in (Kind.SCHOOL, Kind.REGION)}
    values = {name: list(v) if name in looked_up else v for name, v in sheet.values.items()}
    analysis.total = len(numbers)
    problems: dict[int, list[Problem]] = defaultdict(list)  # index → problems
    for index, found in sheet.problems.items():
        problems[index].extend(found)
    _resolve_lookups(spec, values, headers, problems, context, user)
    spec.prepare(values, context)
    progress(50, 100, _("Checking %(count)s rows…") % {"count": f"{len(numbers):,}"})

    built = _build_rows(spec, values, headers, problems, context, len(numbers))
    _check_duplicates(spec, built, numbers, headers, problems)
    progress(70, 100, _("Comparing with the stored rows…"))
    _classify(spec, analysis, built, problems, headers, context, lock=lock)

    analysis.problems = [
        Problem(numbers[index], column, message, code)
        for index in sorted(problems)
        for column, message, code in problems[index]
    ]
    progress(90, 100, "")
    return analysis


# --- What the preview keeps for the commit -------------------------------------------------------

# Bump when ReadSheet or the normalisers change meaning: a kept sheet of another format is
# ignored and the file read again.
READ_SHEET_FORMAT = 1
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


def _resolve_lookups(spec, values, headers, problems, context: Context, user) -> None:
    for column in spec.columns:
        if column.kind not in (Kind.SCHOOL, Kind.REGION) or column.field not in values:
            continue
        column_values = values[column.field]
        keys = {value for value in column_values if value}
        if column.kind == Kind.SCHOOL:
            found = resolve_schools(keys, user)
            for ref in found.values():
                if isinstance(ref, Ref):
                    context.reprs[School][ref.id] = ref.name
        else:
            found = resolve_regions(keys, column.levels)
            for ref in found.values():
                for one in ref if isinstance(ref, tuple) else (ref,):
                    if isinstance(one, Ref):
                        context.reprs[Region][one.id] = one.name
        row_headers = headers[column.field]
        for index, value in enumerate(column_values):
            if not value:
                continue
            ref = found[value]
            if isinstance(ref, norm.CellError):
                where = row_headers[index] if isinstance(row_headers, list) else row_headers
                problems[index].append((where, ref.message, ref.code))
                column_values[index] = None
            else:
                column_values[index] = ref


def _header_of(headers, spec: ImportSpec, name: str, index: int) -> str:
    where = headers.get(name)
    if isinstance(where, list):
        return where[index]
    return where or spec.column(name).header


def _build_rows(spec, values, headers, problems, context: Context, count: int) -> list:
    """Each valid row as model field values (attnames), or None where the row has errors."""
    present = list(values)
    within = {c.field: c.within for c in spec.columns if c.kind == Kind.REGION and c.within}
    regions = [c.field for c in spec.columns if c.kind == Kind.REGION and c.field in values]
    scope_message = _("This row belongs to a county outside your scope.")
    ambiguous = _("Several regions have this name; write its code instead.")
    built: list[dict | None] = [None] * count
    build_row = spec.build_row
    sees_all = context.sees_all
    for index, cells in enumerate(zip(*(values[name] for name in present), strict=True)):
        if index in problems:
            continue
        row = dict(zip(present, cells, strict=True))
        if regions:
            for name, parent in within.items():
                if isinstance(row.get(name), tuple):
                    row[name] = _pick_region(row[name], row.get(parent), context)
                    if row[name] is None:
                        where = _header_of(headers, spec, name, index)
                        problems[index].append((where, ambiguous, "region_ambiguous"))
            for name in regions:
                if isinstance(row.get(name), tuple):
                    where = _header_of(headers, spec, name, index)
                    problems[index].append((where, ambiguous, "region_ambiguous"))
            if index in problems:
                continue
        try:
            result = build_row(row, context)
        except RowInvalid as invalid:
            for name, message, code in invalid.problems:
                problems[index].append((_header_of(headers, spec, name, index), message, code))
            continue
        if not sees_all and not _row_in_scope(result, context):
            problems[index].append((_scope_column(spec, headers, index), scope_message, "scope"))
            continue
        built[index] = result
    return built


def _row_in_scope(row: dict, context: Context) -> bool:
    """A county user's rows are its county's; a school officer's, its school's (a ledger
    without a school has none)."""
    if context.school_id is not None:
        return bool(context.school_id) and row.get("school_id") == context.school_id
    county_id = row.get("county_id")
    return county_id is not None and county_id == context.county_id


def _pick_region(candidates: tuple, parent, context: Context):
    county_id = parent.id if isinstance(parent, Ref) else context.county_id
    inside = [ref for ref in candidates if ref.county_id == county_id]
    return inside[0] if len(inside) == 1 else None


def _scope_column(spec: ImportSpec, headers, index: int) -> str:
    for column in spec.columns:
        if column.kind in (Kind.SCHOOL, Kind.REGION) and column.field in headers:
            return _header_of(headers, spec, column.field, index)
    return _header_of(headers, spec, spec.columns[0].field, index)


def _key_column(spec: ImportSpec, headers, index: int) -> str:
    first = spec.natural_key[0]
    for column in spec.columns:
        if column.field in (first, first.removesuffix("_id")):
            return _header_of(headers, spec, column.field, index)
    return spec.columns[0].header


def _check_duplicates(spec, built, numbers, headers, problems) -> None:
    first_seen: dict[tuple, int] = {}
    for index, row in enumerate(built):
        if row is None:
            continue
        key = tuple(row[name] for name in spec.natural_key)
        if key in first_seen:
            problems[index].append(
                (
                    _key_column(spec, headers, index),
                    _("Duplicate of row %(row)s in this file.") % {"row": numbers[first_seen[key]]},
                    "duplicate",
                )
            )
            built[index] = None
        else:
            first_seen[key] = index


def _classify(spec, analysis: Analysis, built, problems, headers, context, *, lock: bool) -> None:
    rows = [(index, row) for index, row in enumerate(built) if row is not None]
    if not rows:
        return
    fields = list(rows[0][1])
    if "county_id" not in fields:
        raise ValueError(f"{type(spec).__name__}.build_row must set county_id")
    analysis.fields = fields
    extra = [name for name in spec.stored_fields if name not in fields]
    wanted = ["pk", "version", *fields, *extra]
    stored = _stored_rows(spec, [row for _index, row in rows], wanted, lock=lock)
    compared = slice(2, 2 + len(fields))
    hidden: list[tuple] = []  # rows whose key another county holds: conflicts for the city
    key_of = itemgetter(*spec.natural_key)
    single = len(spec.natural_key) == 1
    values_of = itemgetter(*fields)
    county_at = 2 + fields.index("county_id")
    school_at = 2 + fields.index("school_id") if "school_id" in fields else None
    for index, row in rows:
        key = key_of(row)
        existing = stored.get((key,) if single else key)
        if existing is None:
            analysis.creates.append(row)
            continue
        if not context.sees_all and (
            existing[county_at] != context.county_id
            if context.school_id is None
            else school_at is None or existing[school_at] != context.school_id
        ):
            # Not "belongs to another county": that would tell where the row is.
            problems[index].append((_key_column(spec, headers, index), str(REFUSAL), "refused"))
            if "id_number" in spec.natural_key and not context.committing:
                hidden.append(
                    (row["id_number"], row.get("name", ""), (existing[0], existing[county_at]))
                )
            continue
        if values_of(row) == existing[compared]:
            analysis.unchanged += 1
            continue
        before = dict(zip(wanted, existing, strict=True))
        broken = spec.check_change(row, before, context)
        for name, message, code in broken:
            problems[index].append((_header_of(headers, spec, name, index), message, code))
        if not broken:
            analysis.updates.append((row, before))
    if hidden:
        record_conflicts(user=context.user, model=spec.model, rows=hidden, source="import")


def _stored_rows(spec: ImportSpec, rows: list[dict], wanted: list[str], *, lock: bool) -> dict:
    """The stored rows with the file's natural keys, as tuples of `wanted` by key: one query per
    chunk of keys."""
    model = spec.model
    key = spec.natural_key
    queryset = model._base_manager.all()
    if lock and connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    positions = [wanted.index(name) for name in key]
    key_of = itemgetter(*positions)
    found: dict[tuple, tuple] = {}
    if _postgresql() and len(rows) > LOOKUP_CHUNK:
        for values in _stored_rows_joined(model, rows, wanted, key, lock=lock):
            found[key_of(values) if len(key) > 1 else (key_of(values),)] = values
        return found
    if len(key) == 1:
        keys = sorted({row[key[0]] for row in rows})
        for chunk in _chunks(keys):
            for values in queryset.filter(**{f"{key[0]}__in": chunk}).values_list(*wanted):
                found[(key_of(values),)] = values
        return found
    # A composite key: narrow by the first part, match the rest in Python.
    firsts = sorted({row[key[0]] for row in rows})
    rest_values = {name: sorted({row[name] for row in rows}) for name in key[1:]}
    for chunk in _chunks(firsts):
        filters = {f"{key[0]}__in": chunk}
        filters.update({f"{name}__in": vals for name, vals in rest_values.items()})
        for values in queryset.filter(**filters).values_list(*wanted):
            found[key_of(values)] = values
    return found


def _stored_rows_joined(model, rows: list[dict], wanted: list[str], key, *, lock: bool):
    """PostgreSQL, many keys: COPY the keys into a temporary table and join it, rather than
    send lists of thousands of parameters."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    scratch = quote(f"import_keys_{uuid.uuid4().hex[:16]}")
    key_columns = [quote(meta.get_field(name).column) for name in key]
    columns = [meta.pk.column if name == "pk" else meta.get_field(name).column for name in wanted]
    selected = ", ".join(f"t.{quote(column)}" for column in columns)
    joined = " AND ".join(f"t.{column} = k.{column}" for column in key_columns)
    key_of = itemgetter(*key)
    keys = {key_of(row) for row in rows}
    locking = " FOR UPDATE OF t" if lock else ""
    # The names come from the model's metadata and a random suffix; no input reaches the SQL.
    # A transaction (a savepoint inside the commit's) holds the temporary table.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {', '.join(key_columns)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:  # noqa: S608
            for value in keys:
                copy.write_row(value if len(key) > 1 else (value,))
        cursor.execute(
            f"SELECT {selected} FROM {table} t JOIN {scratch} k ON {joined}{locking}"  # noqa: S608
        )
        found = cursor.fetchall()
        cursor.execute(f"DROP TABLE {scratch}")
    return found


# --- Writing -------------------------------------------------------------------------------------

# Field types whose Python values psycopg writes as they are (COPY skips Django's get_db_prep_*).
COPYABLE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


@dataclass
class _Columns:
    """The model's columns as an upsert writes them: every concrete field but the key, with the
    Python defaults a form save would apply to those the file does not set."""

    model: type
    fields: list
    constants: dict
    callables: list
    stamped: list  # the attnames of auto_now and auto_now_add fields

    @classmethod
    def of(cls, model) -> _Columns:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        constants, callables, stamped = {}, [], []
        for model_field in fields:
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                stamped.append(model_field.attname)
            elif model_field.has_default() and callable(model_field.default):
                callables.append(model_field)
            else:
                constants[model_field.attname] = model_field.get_default()
        return cls(model, fields, constants, callables, stamped)

    def full(self, row: dict, *, now, version: int) -> dict:
        full = {**self.constants, **row}
        for model_field in self.callables:
            if model_field.attname not in row:
                full[model_field.attname] = model_field.get_default()
        for attname in self.stamped:
            full[attname] = now
        full["version"] = version
        return full

    @property
    def copyable(self) -> bool:
        return all(f.get_internal_type() in COPYABLE for f in self.fields)


def _postgresql() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _can_copy(columns: _Columns) -> bool:
    return columns.copyable and _postgresql()


def _copy_insert(columns: _Columns, rows: list[dict], meanwhile=None) -> tuple[list[int], object]:
    """PostgreSQL, new rows: keys taken from the table's sequence in one query, then one COPY
    straight into the table (several times faster than INSERT statements).

    The rows are sent from a thread; `meanwhile(keys)`, if given, runs while the server is
    still taking them in, and its result is returned with the keys."""
    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL only

    meta = columns.model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    result = None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        keys = [found[0] for found in cursor.fetchall()]
        attnames = [f.attname for f in columns.fields]
        names = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in columns.fields)])
        values = itemgetter(*attnames)
        # The names come from the model's metadata; no input reaches the SQL.
        copy_sql = f"COPY {table} ({names}) FROM STDIN"  # noqa: S608
        with cursor.cursor.copy(copy_sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for key, row in zip(keys, rows, strict=True):
                copy.write_row((key, *values(row)))
            if meanwhile is not None:
                result = meanwhile(keys)
    return keys, result


def _copy_update(columns: _Columns, rows: list[dict], keys: list[int], update: list[str]):
    """PostgreSQL, changed rows (locked by the analysis): COPY into a temporary table, then one
    UPDATE … FROM it by primary key."""
    meta = columns.model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    scratch = quote(f"import_{uuid.uuid4().hex[:16]}")
    pk = quote(meta.pk.column)
    targets = [quote(meta.get_field(name).column) for name in update]
    values = itemgetter(*update)
    # The names come from the model's metadata and a random suffix; no input reaches the SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {pk}, {', '.join(targets)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:  # noqa: S608
            for key, row in zip(keys, rows, strict=True):
                copy.write_row((key, *values(row)) if len(update) > 1 else (key, values(row)))
        assignments = ", ".join(f"{column} = s.{column}" for column in targets)
        cursor.execute(
            f"UPDATE {table} t SET {assignments} FROM {scratch} s WHERE t.{pk} = s.{pk}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {scratch}")


def _bulk_upsert(columns: _Columns, rows: list[dict], unique: list[str], update: list[str]):
    """Elsewhere (SQLite): bulk_create with update_conflicts, which returns the keys."""
    model = columns.model
    meta = model._meta
    objects = [model(**row) for row in rows]
    model._base_manager.bulk_create(
        objects,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=[meta.get_field(name).name for name in unique],
        update_fields=[meta.get_field(name).name for name in update],
    )
    if any(obj.pk is None for obj in objects):  # a backend that does not return keys
        raise ImportFailed(_("The database did not return the keys of the imported rows."))
    return [obj.pk for obj in objects]


def write(*, spec: ImportSpec, analysis: Analysis, run: ImportRun, user, progress=_no_progress):
    """Write the new and changed rows and their audit events. Call inside the transaction in
    which `analysis` locked the stored rows.

    PostgreSQL: new rows are COPied into the table and changed rows updated by key from a
    COPied temporary table. Elsewhere, and for models with field types COPY is not trusted
    with: one bulk_create with update_conflicts on the natural key. Either way save() is
    skipped: the county comes from build_row (the school's county for rows with a school), the
    version is counted up here, the timestamps and the defaults of the columns the file leaves
    out are set here.
    """
    columns = _Columns.of(spec.model)
    copying = _can_copy(columns)
    now = timezone.now()
    if copying:
        # The same instant as text, formatted once: COPY would format a datetime per cell,
        # which for two timestamps per row and one per event is most of its Python time.
        now = now.isoformat()
    created = [columns.full(row, now=now, version=1) for row in analysis.creates]
    changed = [
        columns.full(row, now=now, version=existing["version"] + 1)
        for row, existing in analysis.updates
    ]
    if not created and not changed:
        return 0
    rows = created + changed
    _fetch_names(spec, analysis, rows)  # before any COPY: the events are made during one
    unique = list(spec.natural_key)
    update = [name for name in analysis.fields if name not in unique] + ["version", "updated_at"]
    changed_keys = [existing["pk"] for _row, existing in analysis.updates]
    audit_kwargs = {"spec": spec, "analysis": analysis, "rows": rows, "run": run, "user": user}
    if copying:
        events = None
        if created:
            # The audit events are made while the server is still taking in the new rows.
            keys, events = _copy_insert(
                columns,
                created,
                meanwhile=lambda new: _encoded(
                    audit_events(keys=new + changed_keys, now=now, **audit_kwargs)
                ),
            )
        if changed:
            _copy_update(columns, changed, changed_keys, update)
        progress(90, 100, "")
        if events is None:
            events = _encoded(audit_events(keys=changed_keys, now=now, **audit_kwargs))
        insert_events(events)
    else:
        keys = _bulk_upsert(columns, rows, unique, update)
        progress(90, 100, "")
        insert_events(audit_events(keys=keys, now=now, **audit_kwargs))
    return len(rows)


def _audit_fields(model) -> list[tuple[str, str, object]]:
    """The fields audit.snapshot records: (name, attname, how the value is written)."""
    result = []
    for model_field in model._meta.concrete_fields:
        if (
            model_field.primary_key
            or not model_field.editable
            or model_field.name in audit.NOT_AUDITED
        ):
            continue
        if model_field.is_relation:
            kind = model_field.related_model
        elif isinstance(model_field, IdNumberField):
            kind = "id"
        elif model_field.name in audit.BIRTH_DATE_FIELDS:
            kind = "birth"
        elif model_field.get_internal_type() in ("DateField", "DateTimeField"):
            kind = "date"
        elif model_field.get_internal_type() in PLAIN_TYPES:
            kind = "plain"
        else:
            kind = None
        result.append((model_field.name, model_field.attname, kind))
    return sorted(result)


PLAIN_TYPES = {
    "BooleanField",
    "CharField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveBigIntegerField",
    "TextField",
}


def _fetch_names(spec, analysis: Analysis, rows: list[dict]) -> None:
    """The names of the related rows the audit events mention, one query per related model."""
    for _name, attname, kind in _audit_fields(spec.model):
        if isinstance(kind, type):
            ids = {row.get(attname) for row in rows}
            ids.update(existing.get(attname) for _row, existing in analysis.updates)
            _fill_reprs(analysis.context, kind, ids)


def _fill_reprs(context: Context, model, ids: set) -> None:
    known = context.reprs[model]
    missing = [pk for pk in ids if pk is not None and pk not in known]
    for chunk in _chunks(sorted(missing)):
        for obj in model._base_manager.filter(pk__in=chunk):
            known[obj.pk] = str(obj)


def _mask(value):
    """idnumbers.mask, without normalising again a number the import has normalised."""
    if value and len(value) == 18:
        return value[:6] + "**********" + value[16:]
    return idnumbers.mask(value) if value else value


def _plain_function(kind, context: Context):
    """How audit.snapshot writes a value of this field: related rows by name, ID numbers masked,
    dates in ISO form, numbers and text as they are (anything else through audit._plain)."""
    if kind == "id":
        return _mask
    if kind == "birth":
        return idnumbers.masked_birth_date
    if kind == "date":
        return lambda value: None if value is None else value.isoformat()
    if kind == "plain":
        return None
    if kind is not None:
        names = context.reprs[kind]
        return lambda value: None if value is None else names.get(value, str(value))
    return audit._plain


def audit_events(*, spec, analysis: Analysis, rows, keys, run: ImportRun, user, now) -> list:
    """One CREATE or UPDATE event per written row (rows and keys in the same order: the new
    rows, then the changed ones), noting the import run — the same record a form save makes
    (ID numbers masked). Runs no query (write() fetches the names first), so that it can run
    while a COPY is under way. Written in bulk by insert_events."""
    model = spec.model
    context = analysis.context
    fields = _audit_fields(model)
    plain = [(name, attname, _plain_function(kind, context)) for name, attname, kind in fields]
    note = (_("Import #%(run)s: %(file)s") % {"run": run.pk, "file": run.file_name})[:300]
    label = audit.ledger_label(model)
    actor_id = user.pk if getattr(user, "is_authenticated", False) else None
    created = len(analysis.creates)
    describe = spec.describe
    changes = _created_changes(rows[:created], plain)
    written = [entry for entry in plain if entry[1] in analysis.fields]  # what an update sets
    for row, (_row, existing) in zip(rows[created:], analysis.updates, strict=True):
        changed = {}
        for name, attname, to_plain in written:
            if existing[attname] != row[attname]:
                old, new = existing[attname], row[attname]
                if to_plain is not None:
                    old, new = to_plain(old), to_plain(new)
                changed[name] = [old, new]
        changes.append(changed)
    return [
        (
            now,
            actor_id,
            AuditAction.CREATE if position < created else AuditAction.UPDATE,
            label,
            str(keys[position]),
            describe(row, context)[:200],
            row.get("county_id"),
            changes[position],
            note,
        )
        for position, row in enumerate(rows)
    ]


def _created_changes(rows: list[dict], plain) -> list[dict]:
    """The changes of new rows, {field: [None, value]} for each value that is set: made column by
    column (one pass per field, not one Python loop per cell)."""
    columns = []
    for name, attname, to_plain in plain:
        values = [row[attname] for row in rows]
        if to_plain is not None:
            values = [None if value is None else to_plain(value) for value in values]
        columns.append((name, values))
    changes = [{} for _row in rows]
    for name, values in columns:
        for changed, value in zip(changes, values, strict=True):
            if value is not None:
                changed[name] = [None, value]
    return changes


EVENT_FIELDS = ("at", "actor_id", "action", "ledger", "object_id", "object_repr", "county_id",
                "changes", "note")  # fmt: skip


def _encoded(events: list[tuple]) -> list[tuple]:
    """The events with their changes as JSON text, ready for COPY."""
    dumps = orjson.dumps
    return [(*event[:7], dumps(event[7]).decode(), event[8]) for event in events]


def insert_events(events: list[tuple]) -> None:
    """Write audit events: COPY on PostgreSQL (their changes already JSON text, see _encoded),
    bulk_create elsewhere."""
    if _postgresql():
        from psycopg.copy import QueuedLibpqWriter  # sends from a thread while rows are made

        meta = AuditEvent._meta
        quote = connection.ops.quote_name
        names = ", ".join(quote(meta.get_field(name).column) for name in EVENT_FIELDS)
        sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"  # noqa: S608 - model names
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy,
        ):
            for event in events:
                copy.write_row(event)
        return
    AuditEvent.objects.bulk_create(
        [AuditEvent(**dict(zip(EVENT_FIELDS, event, strict=True))) for event in events],
        batch_size=WRITE_BATCH,
    )


# --- The services the pages, the API and the jobs call -------------------------------------------


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


def import_run_preview(
    *, run: ImportRun, spec: ImportSpec, checked: Checked | None = None, progress=_no_progress
) -> ImportRun:
    """Check every row of the run's file and record what an import would do."""
    user = run.actor
    try:
        path = stored_path(run.stored_file)
        if checked is None:
            checked = reader.check(path, run.file_name)
        with _collector_paused():
            analysis = analyse(
                spec=spec,
                user=user,
                path=path,
                checked=checked,
                file_name=run.file_name,
                run=run,
                progress=progress,
            )
            if not analysis.problems:  # a file with errors is never committed: nothing to keep
                keep_read_sheet(run, spec, analysis.read)
    except FileRefused as error:
        return _refuse(run, error)
    _record_analysis(run, analysis)
    run.status = ImportStatus.PREVIEWED
    run.errors_file = ""
    if analysis.problems:
        from core.importing.errors import write_rejected_rows

        target = imports_dir() / f"{Path(run.stored_file).stem}-errors.xlsx"
        write_rejected_rows(analysis, target)
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


def import_run_commit(*, run: ImportRun, spec: ImportSpec, progress=_no_progress) -> ImportRun:
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
        intact = _sha256(path) == run.sha256
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
            analysis = analyse(
                spec=spec,
                user=user,
                path=path,
                checked=checked,
                file_name=run.file_name,
                lock=True,
                run=run,
                progress=progress,
                sheet=sheet,
            )
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


class ImportRaced(ImportFailed):
    """A concurrent write took some of the file's keys first; nothing was written."""


class _NowInvalid(Exception):
    def __init__(self, analysis: Analysis):
        super().__init__("rows in error at commit")
        self.analysis = analysis


def mark_failed(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message=message)
    run.status = ImportStatus.FAILED
    run.message = message


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
