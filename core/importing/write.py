"""Writing an analysed file: a bulk upsert of its new and changed rows on the natural key (COPY on
PostgreSQL) and their audit events in bulk, inside the commit's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from operator import itemgetter

import orjson
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, idnumbers
from core.importing.analysis import Analysis, Context
from core.importing.base import ImportFailed, no_progress
from core.importing.lookups import fill_reprs, postgresql
from core.importing.models import ImportRun
from core.importing.spec import ImportSpec
from core.models import AuditAction, AuditEvent, IdNumberField

WRITE_BATCH = 2000

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


def _can_copy(columns: _Columns) -> bool:
    return columns.copyable and postgresql()


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


def write(*, spec: ImportSpec, analysis: Analysis, run: ImportRun, user, progress=no_progress):
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
            fill_reprs(analysis.context, kind, ids)


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
    if postgresql():
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
