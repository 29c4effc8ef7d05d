"""Planner statistics after bulk writes: ANALYZE the tables an import, a round or the seed filled.

PostgreSQL plans every query from the statistics ANALYZE gathers. Autovacuum gathers them once
enough of a table has changed, but a server may run with autovacuum off or lagging, and a table
filled by COPY in one transaction then keeps the statistics of the empty table (reltuples -1): a
join with the registry is planned as if a table of 100,000 rows held one, and the gap list on a
freshly seeded database ran for minutes. So whatever writes many rows in bulk calls analyze()
when it has written them.

`analyze(Model, …, rows=n)` follows autovacuum's own rule: a table is analysed once the rows
changed since its last analysis (`pg_stat_user_tables.n_mod_since_analyze`, plus the `rows` the
caller has just written, which the statistics may not count yet) pass
autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × its rows (50 + 10% by default),
and always when it has never been analysed. A one-row import into a large registry thus costs
no ANALYZE, a 100,000-row one does. `force=True` analyses regardless (the seed).

Call it after the transaction that wrote the rows has committed, where there is one to wait for
(the import, the round): ANALYZE inside it would hold its lock, and lengthen the transaction,
until the commit. Inside a transaction it still sees that transaction's own rows; the seed does
that so that its later steps are planned on the rows the earlier ones wrote. A failed ANALYZE
is logged and never undoes the work it follows. Other databases (SQLite): nothing.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)


def _tables(models) -> list[str]:
    tables = []
    for model in models:
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        table = meta.db_table
        if table not in tables:
            tables.append(table)
    return tables


def _due(cursor, tables: list[str], rows: int, force: bool) -> list[str]:
    """Those of `tables` that exist and are due (or all that exist, if `force`), in one query."""
    cursor.execute(
        """
        SELECT t.name
        FROM unnest(%s::text[]) WITH ORDINALITY AS t(name, n)
        JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))
        LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE %s
           OR c.reltuples < 0  -- never analysed (nor vacuumed) since it was created or truncated
           OR COALESCE(s.n_mod_since_analyze, 0) + %s
              > current_setting('autovacuum_analyze_threshold')::float8
                + current_setting('autovacuum_analyze_scale_factor')::float8 * c.reltuples
        ORDER BY t.n
        """,
        [tables, force, rows],
    )
    return [name for (name,) in cursor.fetchall()]


def analyze(*models, rows: int = 0, force: bool = False) -> list[str]:
    """ANALYZE the models' tables that are due (see the module); return the tables analysed.

    One query finds them and one ANALYZE does them all; a table that does not exist (a model
    whose migration has not been applied) is left out."""
    if connection.vendor != "postgresql":
        return []
    tables = _tables(models)
    if not tables:
        return []
    quote = connection.ops.quote_name
    try:
        # A savepoint inside a transaction: a failure leaves the transaction usable.
        with transaction.atomic(), connection.cursor() as cursor:
            due = _due(cursor, tables, rows, force)
            if not due:
                return []
            started = time.monotonic()
            cursor.execute("ANALYZE " + ", ".join(quote(table) for table in due))
    except DatabaseError:
        logger.warning(
            "ANALYZE %s failed; the planner keeps its old statistics",
            ", ".join(tables),
            exc_info=True,
        )
        return []
    logger.info("ANALYZE %s: %.2f s", ", ".join(due), time.monotonic() - started)
    return due
