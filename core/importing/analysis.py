"""The analysis of a file: every row read, looked up, built by the spec, checked for duplicates
and compared with the stored rows. Writes nothing; the preview and the commit both run it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from django.utils.translation import gettext as _

from core.conflicts import REFUSAL
from core.conflicts import record as record_conflicts
from core.importing.base import Progress, no_progress
from core.importing.lookups import Ref, resolve_lookups, stored_rows
from core.importing.models import ImportRun
from core.importing.preview import SAMPLE_CHANGES, SAMPLE_ROWS, CellQuoter
from core.importing.reader import Checked, Table
from core.importing.sheet import ReadSheet, read_sheet
from core.importing.spec import ImportSpec, Kind, RowInvalid
from core.scoping import county_of, school_of, sees_everything


@dataclass
class Problem:
    row: int  # as Excel shows it
    column: str  # the header as written in the file (or the template's header)
    message: str
    code: str
    value: str = ""  # the cell as the file has it, masked (core.importing.preview)

    def as_dict(self, sheet: str) -> dict:
        return {
            "sheet": sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "value": self.value,
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
    # For the preview's sample (core.importing.preview), by row index: the new rows among the
    # first rows and the changed rows (row, stored values) among the first and the first others.
    sample_new: set[int] = field(default_factory=set)
    sample_changed: dict[int, tuple[dict, dict]] = field(default_factory=dict)

    @property
    def sheet(self) -> str:
        return self.table.name

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    @property
    def error_rows(self) -> int:
        return len({problem.row for problem in self.problems})


def analyse(
    *,
    spec: ImportSpec,
    user,
    path: Path,
    checked: Checked,
    file_name: str,
    lock: bool = False,
    run: ImportRun | None = None,
    progress: Progress = no_progress,
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
    resolve_lookups(spec, values, headers, problems, context, user)
    spec.prepare(values, context)
    progress(50, 100, _("Checking %(count)s rows…") % {"count": f"{len(numbers):,}"})

    built = _build_rows(spec, values, headers, problems, context, len(numbers))
    _check_duplicates(spec, built, numbers, headers, problems)
    progress(70, 100, _("Comparing with the stored rows…"))
    _classify(spec, analysis, built, problems, headers, context, lock=lock)

    quote = CellQuoter(spec, sheet.table, sheet.header_index, numbers)
    analysis.problems = [
        Problem(numbers[index], column, message, code, quote(index, column))
        for index in sorted(problems)
        for column, message, code in problems[index]
    ]
    progress(90, 100, "")
    return analysis


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


def _keep_stored_where_blank(row: dict, fields: list[str], existing: tuple) -> None:
    """A blank cell keeps what is stored: an update empties no field (a file exported from
    another system often leaves columns it does not hold blank). Only required columns are
    never blank, so only optional fields are kept this way; a form clears a field."""
    for position, name in enumerate(fields, start=2):
        if row[name] in (None, "") and existing[position] not in (None, ""):
            row[name] = existing[position]


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
    stored = stored_rows(spec, [row for _index, row in rows], wanted, lock=lock)
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
            if index < SAMPLE_ROWS:
                analysis.sample_new.add(index)
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
        _keep_stored_where_blank(row, fields, existing)
        if values_of(row) == existing[compared]:
            analysis.unchanged += 1
            continue
        before = dict(zip(wanted, existing, strict=True))
        broken = spec.check_change(row, before, context)
        for name, message, code in broken:
            problems[index].append((_header_of(headers, spec, name, index), message, code))
        if not broken:
            analysis.updates.append((row, before))
            if index < SAMPLE_ROWS or len(analysis.sample_changed) < SAMPLE_ROWS + SAMPLE_CHANGES:
                analysis.sample_changed[index] = (row, before)
    if hidden:
        record_conflicts(user=context.user, model=spec.model, rows=hidden, source="import")
