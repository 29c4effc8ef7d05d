"""Benchmark: a burst of 200 signed-in requests, 20 at a time, against gunicorn with the
production settings on PostgreSQL: no 5xx, the connections PostgreSQL sees stay bounded.

    .venv/bin/python bench/load.py          # PGHOST, PGPORT, PGUSER: 127.0.0.1, 5432, postgres
    REQUESTS=400 CONCURRENCY=40 .venv/bin/python bench/load.py
    WEB_CONCURRENCY=2 GUNICORN_THREADS=2 .venv/bin/python bench/load.py   # another sizing

A scratch database (BENCH_DB, default xj_bench_load) is created here, migrated and filled with
`seed_demo --students STUDENTS` (default 86,000, the size of the finding; the seed analyses the
tables it fills), and dropped at the end, also on failure (KEEP=1 leaves it). The static files
are collected into a scratch VAR_DIR, as the image does. gunicorn then starts exactly as the
image starts it (`gunicorn -c config/gunicorn.conf.py config.wsgi`, DJANGO_SETTINGS_MODULE
config.settings_production, a random SECRET_KEY, plain HTTP on 127.0.0.1 with
SECURE_SSL_REDIRECT=0; WEB_CONCURRENCY, GUNICORN_THREADS and DB_POOL_* pass through, REDIS_URL
too if set). Four demo users sign in through the log-in form (password mdj-demo-2023): city
staff, the Hailin and Dongning county officers and a county reviewer.

The requests: the pages of PAGES for every user in turn (home, the aid dashboard and its gap
list, dropout control, the registry, the registry's API list), each request on a new
connection, as separate browsers would. Each must answer 200 (a redirect to the log-in page
would be a lost session: counted as a failure too). Printed, for the same requests

  serial   one at a time: the baseline, what each request costs alone
  burst    REQUESTS requests, CONCURRENCY at a time

the failures (anything but 200; must be 0), p50/p95/max latency and requests per second, per
page and in all; and, polled every 20 ms from pg_stat_activity throughout, the most client
connections PostgreSQL held for the scratch database and on the whole server (other databases
too), against max_connections (parallel query workers are not connections: left out).
"""

from __future__ import annotations

import http.client
import io
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from scratch import ROOT, default_url, machine, scratch_database

STUDENTS = int(os.environ.get("STUDENTS", "86000"))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "20"))
PASSWORD = "mdj-demo-2023"  # noqa: S105 - the published demo password
USERS = ("city-staff", "hailin-officer", "dongning-officer", "ningan-reviewer")
PAGES = ("/", "/aid/", "/aid/checks/gaps/", "/dropout/", "/students/", "/api/v1/students/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """The gunicorn under test, spoken to over plain http.client (no client library needed).

    Cookies are kept by hand: the production settings mark them Secure, which a cookie jar
    would not send back over the plain HTTP of this bench."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, cookies: dict, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1", "Accept-Language": "zh-hans"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/login/"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", content
        finally:
            connection.close()

    def log_in(self, username: str) -> dict:
        cookies: dict = {}
        status, _location, page = self.request("GET", "/login/", cookies)
        assert status == 200, f"GET /login/ answered {status}"
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        status, location, _page = self.request("POST", "/login/", cookies, form)
        assert status == 302 and "/login/" not in location, f"{username}: log-in failed ({status})"
        return cookies

    def timed(self, path: str, cookies: dict) -> tuple[str, int, float]:
        started = time.perf_counter()
        try:
            status, location, _content = self.request("GET", path, dict(cookies))
        except OSError:  # refused, reset or timed out: a failure
            return path, -1, time.perf_counter() - started
        if status == 302 and "/login/" in location:
            status = -302  # signed out: a failure, not a redirect
        return path, status, time.perf_counter() - started


class ConnectionWatch:
    """Polls pg_stat_activity on a connection of its own (left out of the counts)."""

    def __init__(self, url: str, database: str):
        import dj_database_url
        import psycopg

        params = dj_database_url.parse(url)
        self.connection = psycopg.connect(
            host=params["HOST"],
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname=params["NAME"],
            autocommit=True,
        )
        self.database = database
        self.max_connections = int(self.connection.execute("SHOW max_connections").fetchone()[0])
        self.peak_database = self.peak_server = self.peak_active = 0
        self._stop = threading.Event()
        self._thread = None

    def sample(self) -> tuple[int, int, int]:
        row = self.connection.execute(
            """
            SELECT count(*) FILTER (WHERE datname = %s),
                   count(*) FILTER (WHERE datname = %s AND state = 'active'),
                   count(*)
            FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
            """,
            [self.database, self.database],
        ).fetchone()
        return row[0], row[1], row[2]

    def _run(self):
        while not self._stop.is_set():
            database, active, server = self.sample()
            self.peak_database = max(self.peak_database, database)
            self.peak_active = max(self.peak_active, active)
            self.peak_server = max(self.peak_server, server)
            self._stop.wait(0.02)

    def __enter__(self):
        self.peak_database = self.peak_server = self.peak_active = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(label: str, results: list, wall: float, watch: ConnectionWatch) -> list:
    failures = [(path, status) for path, status, _seconds in results if status != 200]
    times = [seconds for _path, _status, seconds in results]
    print(
        f"{label:7} {len(results)} requests in {wall:.2f} s = {len(results) / wall:.1f} req/s; "
        f"failures {len(failures)}; p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
        f"PostgreSQL connections: at most {watch.peak_database} to this database "
        f"({watch.peak_active} active), {watch.peak_server} on the server (other databases "
        f"too), of max_connections {watch.max_connections}"
    )
    for page in PAGES:
        page_times = [s for p, _status, s in results if p == page]
        print(
            f"          {page:22} p50 {statistics.median(page_times) * 1000:5.0f} ms   "
            f"p95 {percentile(page_times, 0.95) * 1000:5.0f} ms   "
            f"max {max(page_times) * 1000:5.0f} ms"
        )
    return failures


def start_gunicorn(url: str, var_dir: Path, port: int, log) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "BENCH_DB"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL=url,
        VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-c", "config/gunicorn.conf.py", "config.wsgi"]
    return subprocess.Popen(  # noqa: S603 - our own gunicorn, our own arguments
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(site: Site, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            if site.request("GET", "/login/", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def run(url: str, var_dir: Path) -> int:
    from django.core.management import call_command
    from django.db import connection, connections

    started = time.perf_counter()
    call_command("seed_demo", students=STUDENTS, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    print(f"seeded the demo city with {STUDENTS:,} students in {seconds:.0f} s")
    database = connection.settings_dict["NAME"]
    print(machine())
    os.environ["VAR_DIR"] = str(var_dir)
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
    subprocess.run(  # noqa: S603
        collect,
        cwd=ROOT,
        check=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_production",
            "SECRET_KEY": secrets.token_urlsafe(60),
        },
    )
    connections.close_all()
    connection.close_pool()  # the bench's own connection must not count below

    workers = os.environ.get("WEB_CONCURRENCY", "3")
    threads = os.environ.get("GUNICORN_THREADS", "4")
    pool = os.environ.get("DB_POOL_MAX_SIZE", threads)
    print(
        f"gunicorn: {workers} workers × {threads} threads, a pool of at most {pool} PostgreSQL "
        f"connections per worker; {REQUESTS} requests, {CONCURRENCY} at a time"
    )
    port = free_port()
    site = Site(port)
    log_path = var_dir / "gunicorn.log"
    with open(log_path, "w") as log:
        server = start_gunicorn(url, var_dir, port, log)
        try:
            wait_until_up(site, server)
            failures = load(site, ConnectionWatch(url, database))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    logged = log_path.read_text().splitlines()
    errors = [line for line in logged if "Error" in line or "Traceback" in line]
    if errors:
        print(f"gunicorn's log: {len(errors)} error lines, the first: {errors[0][:300]}")
    return 1 if failures or errors else 0


def load(site: Site, watch: ConnectionWatch) -> list:
    """Sign in, warm up, then the serial baseline and the burst; the failures."""
    try:
        sessions = {user: site.log_in(user) for user in USERS}
        plan = [
            (PAGES[n % len(PAGES)], USERS[(n // len(PAGES)) % len(USERS)]) for n in range(REQUESTS)
        ]
        for page in PAGES:  # every page once per user before anything is timed
            for user in USERS:
                site.timed(page, sessions[user])

        def one(job):
            page, user = job
            return site.timed(page, sessions[user])

        with watch:
            began = time.perf_counter()
            serial = [one(job) for job in plan]
            serial_wall = time.perf_counter() - began
        failures = report("serial", serial, serial_wall, watch)
        with watch, ThreadPoolExecutor(max_workers=CONCURRENCY) as executor:
            began = time.perf_counter()
            burst = list(executor.map(one, plan))
            burst_wall = time.perf_counter() - began
        failures += report("burst", burst, burst_wall, watch)
        time.sleep(0.5)
        held, _active, _server = watch.sample()
        print(f"after the burst: {held} connections held by the web (idle in the workers' pools)")
        p50 = statistics.median(s for *_, s in burst) / statistics.median(s for *_, s in serial)
        throughput = (len(burst) / burst_wall) / (len(serial) / serial_wall)
        print(f"burst against serial: p50 {p50:.1f}×, requests per second {throughput:.1f}×")
        if failures:
            print("FAILED:", sorted(set(failures)))
        return failures
    finally:
        watch.connection.close()


def main() -> int:
    url = default_url("xj_bench_load")
    var_dir = Path(tempfile.mkdtemp(prefix="xj-bench-load-"))
    try:
        with scratch_database(url, keep=bool(os.environ.get("KEEP"))):
            return run(url, var_dir)
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
