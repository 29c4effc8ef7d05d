"""gunicorn's settings for the web: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Read from the environment (defaults in brackets):

    WEB_CONCURRENCY            worker processes [3]
    GUNICORN_THREADS           threads per worker [4]; more than 1 selects the gthread worker
    GUNICORN_TIMEOUT           seconds a request may run before its worker is replaced [60]
    GUNICORN_GRACEFUL_TIMEOUT  seconds given to requests in flight on a stop or reload [8:
                               within docker's default 10 s before it kills the container]
    GUNICORN_MAX_REQUESTS      requests after which a worker is replaced [1000], each worker
                               at a random point up to GUNICORN_MAX_REQUESTS_JITTER [100] later,
                               so that they are not all replaced at once
    GUNICORN_KEEPALIVE         seconds an idle keep-alive connection is held [5]
    GUNICORN_BIND / PORT       where to listen [0.0.0.0:8000]

Database connections: each worker has one connection pool (config/database.py). Unless
DB_POOL_MAX_SIZE is set, its size is the worker's threads, so a thread never waits for a
connection, and the web holds at most WEB_CONCURRENCY × GUNICORN_THREADS connections to
PostgreSQL however many requests arrive (the rest wait in gunicorn's backlog). The README's
"Production sizing" has the numbers. The app is not preloaded: Django, and so each pool, starts
in the worker after the fork, never in the master.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


workers = _int("WEB_CONCURRENCY", 3)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 8)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
preload_app = False
accesslog = "-"
errorlog = "-"
# The heartbeat file in memory, not on the container's overlay disk.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, as its docs advise
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None

# One pooled connection per thread (the workers inherit this environment).
os.environ.setdefault("DB_POOL_MAX_SIZE", str(threads))


def worker_exit(server, worker):
    """Give the pool's connections back to PostgreSQL when a worker ends (max_requests, stop)."""
    try:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            close_pool = getattr(connection, "close_pool", None)
            if close_pool is not None:
                close_pool()
    except Exception:  # noqa: BLE001, S110 - the worker is exiting; nothing to report to
        pass
