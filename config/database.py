"""DATABASES["default"] from DATABASE_URL, with the number of server connections bounded.

PostgreSQL: each process keeps a psycopg connection pool (Django's native pool, `psycopg_pool`)
of at most DB_POOL_MAX_SIZE connections. A request, task or command borrows one for the time it
needs it and gives it back when Django closes its connection; a thread that finds the pool empty
waits up to DB_POOL_TIMEOUT seconds for one to be given back. However many threads a process runs
(runserver starts one per request), it holds no more connections than that, so a burst of
requests waits its turn instead of exhausting the server's max_connections.

    DB_POOL_MAX_SIZE   connections per process, default 4 (config/gunicorn.conf.py sets it to
                       the worker's threads); 0 turns the pool off
    DB_POOL_MIN_SIZE   kept open while idle, default 1
    DB_POOL_TIMEOUT    seconds to wait for a free connection, default 10
    DB_POOL_MAX_IDLE   seconds an idle connection above min_size is kept, default 300
    DB_CONN_MAX_AGE    without the pool only: seconds to keep a connection, default 0 (closed
                       at the end of every request; Django's pool and persistent connections
                       exclude each other)

Either way connections are checked before use (CONN_HEALTH_CHECKS), so a restarted server costs
no failed request. Other engines (SQLite) get neither pool nor persistent connections.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import dj_database_url

POSTGRESQL = "django.db.backends.postgresql"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    return int(value) if value else default


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name, "").strip()
    return float(value) if value else default


def pool_options(environ: Mapping[str, str] = os.environ) -> dict | None:
    """The psycopg ConnectionPool arguments from the environment, or None for no pool."""
    max_size = _int(environ, "DB_POOL_MAX_SIZE", 4)
    if max_size <= 0:
        return None
    return {
        "min_size": max(0, min(_int(environ, "DB_POOL_MIN_SIZE", 1), max_size)),
        "max_size": max_size,
        "timeout": _float(environ, "DB_POOL_TIMEOUT", 10.0),
        "max_idle": _float(environ, "DB_POOL_MAX_IDLE", 300.0),
    }


def database_from_url(url: str, environ: Mapping[str, str] = os.environ) -> dict:
    """The settings of one database: PostgreSQL pooled (unless DB_POOL_MAX_SIZE=0), others not."""
    settings = dj_database_url.parse(url)
    settings["CONN_HEALTH_CHECKS"] = True
    pool = pool_options(environ) if settings["ENGINE"] == POSTGRESQL else None
    if pool is not None:
        settings["CONN_MAX_AGE"] = 0
        settings.setdefault("OPTIONS", {})["pool"] = pool
    elif settings["ENGINE"] == POSTGRESQL:
        settings["CONN_MAX_AGE"] = _int(environ, "DB_CONN_MAX_AGE", 0)
    else:
        settings["CONN_MAX_AGE"] = 0
    return settings
