"""The database reads of an import, one query per kind and chunk of keys (no query per row):
schools and regions named in the file, and the stored rows with the file's natural keys."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.importing import normalise as norm
from core.importing.spec import ImportSpec, Kind
from core.models import Region, School

if TYPE_CHECKING:
    from core.importing.analysis import Context

LOOKUP_CHUNK = 2000
SCHOOL_CODE = re.compile(r"^\d{10}$")
REGION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


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


def postgresql() -> bool:
    """PostgreSQL through psycopg 3: the reads and writes may use COPY."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def resolve_schools(keys: set[str], user) -> dict[str, Ref | norm.CellError]:
    """A school by its 10-digit code or exact name, among the schools the user sees."""
    codes = sorted(k for k in keys if SCHOOL_CODE.match(k))
    names = sorted(k for k in keys if not SCHOOL_CODE.match(k))
    by_code: dict[str, Ref] = {}
    by_name: dict[str, list[Ref]] = defaultdict(list)
    visible = School.objects.visible_to(user)
    for chunk in chunks(codes):
        for pk, code, name, county_id in visible.filter(code__in=chunk).values_list(
            "pk", "code", "name", "county_id"
        ):
            by_code[code] = Ref(pk, code, name, county_id)
    for chunk in chunks(names):
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
    for chunk in chunks(codes):
        for pk, code, name, county_id, level in regions.filter(code__in=chunk).values_list(*fields):
            result[code] = Ref(pk, code, name, county_id, level)
    for chunk in chunks(names):
        for pk, code, name, county_id, level in regions.filter(name__in=chunk).values_list(*fields):
            by_name[name].append(Ref(pk, code, name, county_id, level))
    for name, found in by_name.items():
        result[name] = found[0] if len(found) == 1 else tuple(found)
    for key in keys - set(result):
        result[key] = norm.CellError(_("No region with this code or name."), "region_unknown")
    return result


def fill_reprs(context: Context, model, ids: set) -> None:
    """The names (str) of these rows of `model`, on the context: one query per chunk."""
    known = context.reprs[model]
    missing = [pk for pk in ids if pk is not None and pk not in known]
    for chunk in chunks(sorted(missing)):
        for obj in model._base_manager.filter(pk__in=chunk):
            known[obj.pk] = str(obj)


def resolve_lookups(spec, values, headers, problems, context: Context, user) -> None:
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


def stored_rows(spec: ImportSpec, rows: list[dict], wanted: list[str], *, lock: bool) -> dict:
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
    if postgresql() and len(rows) > LOOKUP_CHUNK:
        for values in _stored_rows_joined(model, rows, wanted, key, lock=lock):
            found[key_of(values) if len(key) > 1 else (key_of(values),)] = values
        return found
    if len(key) == 1:
        keys = sorted({row[key[0]] for row in rows})
        for chunk in chunks(keys):
            for values in queryset.filter(**{f"{key[0]}__in": chunk}).values_list(*wanted):
                found[(key_of(values),)] = values
        return found
    # A composite key: narrow by the first part, match the rest in Python.
    firsts = sorted({row[key[0]] for row in rows})
    rest_values = {name: sorted({row[name] for row in rows}) for name in key[1:]}
    for chunk in chunks(firsts):
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
