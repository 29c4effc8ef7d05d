"""Benchmark: import 100,000 registry rows from .xlsx through the same pipeline as the page.

    .venv/bin/python bench/import_registry.py [--rows 100000] [--repeat 3] [--keep-db]

Creates the scratch PostgreSQL database `xj_bench_import` (PGHOST, PGPORT, PGUSER default to
127.0.0.1, 5432, postgres; or give --db-url), migrates it, seeds one county with 20 schools and a
county officer, writes a registry workbook of --rows students (openpyxl, not timed), then times in
the same process:

  (a) the bare read: pandas.read_excel(path, engine="calamine"), best of --repeat + 1;
  (b) the import as the upload page does it: store + hash + safety checks, preview (read, map,
      normalise, validate, compare), then confirm (inside one transaction: the checks that
      depend on the database again over the preview's reading of the file, the stored rows
      locked and compared, bulk upsert and the audit trail) — services from
      core.importing.services;
      best of --repeat, each from an empty registry and audit trail, interleaved with (a);
  (c) the same file imported a second time (every row unchanged, nothing written).

and prints rows per second and the ratio of (b) to (a). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from scratch import default_url, scratch_database


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="first imports (and bare reads)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the scratch database")
    parser.add_argument("--db-url", default=default_url("xj_bench_import"), help="scratch db")
    return parser.parse_args()


def seed(schools: int):
    from core.models import Region, RegionLevel, School, User
    from core.scoping import Role

    city = Region.objects.create(code="231000", name="牡丹江市", level=RegionLevel.CITY)
    county = Region.objects.create(
        code="231083", name="海林市", level=RegionLevel.COUNTY, parent=city
    )
    township = Region.objects.create(
        code="231083100", name="长汀镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    made = [
        School.objects.create(
            code=f"21231083{n:02d}",
            name=f"海林市第{n + 1}学校",
            county=county,
            township=township,
            kind="nine_year",
            locality="rural",
        )
        for n in range(schools)
    ]
    officer = User.objects.create_user(
        "bench-officer", password="unused-password-1", role=Role.COUNTY_OFFICER, scope=county
    )
    return officer, made


def write_workbook(path: Path, rows: int, schools) -> None:
    from openpyxl import Workbook

    from core import idnumbers

    grades = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三"]
    rng = random.Random(2023)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学籍")
    sheet.append(["姓名", "身份证号", "性别", "出生日期", "学校标识码", "年级", "学籍状态"])
    start = dt.date(2008, 9, 1)
    for n in range(rows):
        # Distinct ID numbers: birth day from n // 1000, sequence from n % 1000.
        born = start + dt.timedelta(days=n // 1000)
        number = idnumbers.make("231083", born, n % 1000)
        sheet.append(
            [
                f"学生{n}",
                number,
                "男" if idnumbers.gender(number) == "M" else "女",
                born,
                schools[n % len(schools)].code,
                grades[rng.randrange(len(grades))],
                "在读",
            ]
        )
    workbook.save(path)


def empty_registry() -> None:
    """Back to the state before the first import: no students, no audit events."""
    from django.db import connection

    from core.models import AuditEvent, Student

    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {Student._meta.db_table}, {AuditEvent._meta.db_table} CASCADE"  # noqa: S608
        )


def bare_read(path: Path) -> float:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_excel(path, engine="calamine")
    elapsed = time.perf_counter() - started
    if len(frame) == 0:
        raise SystemExit("the bare read found no rows")
    return elapsed


class Phases:
    """Records when the pipeline reports each phase (the job progress callback)."""

    def __init__(self):
        self.marks: list[tuple[float, str]] = []

    def __call__(self, done, total, message=""):
        if message:
            self.marks.append((time.perf_counter(), str(message)))


def import_as_the_page_does(path: Path, officer) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.importing import services
    from core.ledgers import STUDENTS

    spec = STUDENTS.import_spec
    timings = {}
    started = time.perf_counter()
    upload = SimpleUploadedFile("学籍.xlsx", path.read_bytes())
    run, checked = services.import_run_create(ledger=STUDENTS, user=officer, upload=upload)
    if checked is None:
        raise SystemExit(f"refused: {run.message}")
    timings["store + checks"] = time.perf_counter() - started
    mark = time.perf_counter()
    preview_phases = Phases()
    services.import_run_preview(run=run, spec=spec, checked=checked, progress=preview_phases)
    timings["preview"] = time.perf_counter() - mark
    if run.error_total:
        raise SystemExit(f"errors in the benchmark file: {run.errors[:3]}")
    mark = time.perf_counter()
    if not services.claim_for_commit(run):
        raise SystemExit("could not claim the run")
    commit_phases = Phases()
    services.import_run_commit(run=run, spec=spec, progress=commit_phases)
    timings["commit"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return {"run": run, "timings": timings, "phases": (preview_phases, commit_phases), "t0": mark}


def main() -> None:
    args = parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"  # other work on the machine skews both timings
    with scratch_database(args.db_url, keep=args.keep_db):
        from django import db

        from core.models import AuditEvent, Student

        officer, schools = seed(args.schools)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "registry.xlsx"
            print(f"writing {args.rows:,} registry rows to {path.name} …", flush=True)
            write_workbook(path, args.rows, schools)
            size = path.stat().st_size / 1e6
            # Both sides best of several, interleaved, so that a busy moment on a shared
            # machine does not decide the ratio: each first import starts from an empty
            # registry and trail (TRUNCATE), as the first one does.
            reads, firsts = [], []
            for attempt in range(args.repeat):
                reads.append(bare_read(path))
                if attempt:
                    empty_registry()
                firsts.append(import_as_the_page_does(path, officer))
            reads.append(bare_read(path))
            read = min(reads)
            first = min(firsts, key=lambda one: one["timings"]["total"])
            second = import_as_the_page_does(path, officer)

        rows = args.rows
        run1, run2 = first["run"], second["run"]
        if Student.objects.count() != rows or run1.new_rows != rows or run2.unchanged_rows != rows:
            raise SystemExit("unexpected counts")
        t1, t2 = first["timings"], second["timings"]
        print()
        print(
            f"file: {rows:,} rows, {size:.1f} MB .xlsx; database: PostgreSQL "
            f"{db.connection.pg_version // 10000}"
        )
        print(
            f"(a) pandas.read_excel(engine='calamine'), best of {len(reads)}: {read:6.2f} s"
            f"  ({rows / read:,.0f} rows/s; all: {', '.join(f'{r:.2f}' for r in reads)})"
        )
        totals = [one["timings"]["total"] for one in firsts]
        print(
            f"(b) first import, {run1.new_rows:,} new rows, best of {len(totals)}: "
            f"{t1['total']:6.2f} s  ({rows / t1['total']:,.0f} rows/s)  = "
            f"{t1['total'] / read:.1f} × (a)  (all: {', '.join(f'{t:.2f}' for t in totals)}; "
            f"median {statistics.median(totals) / statistics.median(reads):.1f} × median (a))"
        )
        for name in ("store + checks", "preview", "commit"):
            print(f"      {name:<15} {t1[name]:6.2f} s")
        print(
            f"(c) same file again, {run2.unchanged_rows:,} unchanged:       {t2['total']:6.2f} s"
            f"  ({rows / t2['total']:,.0f} rows/s)  = {t2['total'] / read:.1f} × (a)"
        )
        print(
            f"rows: {Student.objects.count():,} students, {AuditEvent.objects.count():,} audit "
            f"events (unchanged by the second import: {run2.new_rows + run2.changed_rows == 0})"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"median bare read {statistics.median(reads):.2f} s; peak memory {peak:,.0f} MB; "
            f"load average before/after: {load_before} / {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
