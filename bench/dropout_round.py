"""Benchmark: a screening round over 100,000 roster children against a 1,000,000-student registry,
through the real service (dropout.services.round_run), next to the bare SQL join of the same two
tables, on PostgreSQL, in the same run.

    .venv/bin/python bench/dropout_round.py   # PGHOST, PGPORT, PGUSER: 127.0.0.1, 5432, postgres
    STUDENTS=200000 CHILDREN=20000 .venv/bin/python bench/dropout_round.py

A scratch database (BENCH_DB, default xj_bench_dropout) is created here and dropped at the end,
also on failure. Tables come from the migrations, and tables of models that have no migration
yet are created from the models. The registry and the roster are filled with INSERT … SELECT
over generate_series (seconds, not minutes). 90% of the roster matches the registry by ID number;
of the rest, some match one student by name and birth date, a few match several, and the others
are in no registry (suspected dropouts: each opens a case in the first round).

Printed, for each of ROUNDS iterations: the bare join counted (SELECT count(*) … LEFT JOIN) and
written into a temp table (CREATE TEMP TABLE … AS SELECT the join), then a round; each
iteration's ratios, and their median over the later rounds (the first round also opens a case for
every suspected dropout). Measuring both sides in the same iteration keeps a busy machine's swings
out of the ratio.
"""

from __future__ import annotations

import os
import statistics
import time

from scratch import default_url, machine, make_city, scratch_database

STUDENTS = int(os.environ.get("STUDENTS", "1000000"))
CHILDREN = int(os.environ.get("CHILDREN", "100000"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))


def timed(fn, repeat: int = 1) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), times


def main() -> None:
    with scratch_database(default_url("xj_bench_dropout"), keep=bool(os.environ.get("KEEP"))):
        run()


def fill() -> dict:
    """Regions, schools, the registry, users, the roster, evidence, responsibility."""
    import datetime as dt

    from django.db import connection

    from core.models import RosterVersion, User
    from core.scoping import Role

    city, counties, schools = make_city(townships=10, schools=3)
    admin = User.objects.create_user("bench-admin", role=Role.CITY_ADMIN, scope=city)
    first_school = min(s.pk for s in schools)
    school_count = len(schools)
    versions = {c.pk: RosterVersion.objects.create(county=c, label="bench").pk for c in counties}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # i → birth day (10 years of days), a sequence; ID = county + birth + sequence (unique).
        cursor.execute(
            """
            INSERT INTO core_student (county_id, id_number, name, gender, birth_date, school_id,
                grade, status, household_region_id, created_at, updated_at, version)
            SELECT sc.county_id,
                   rg.code || to_char(date '2007-09-01' + (i %% 3650), 'YYYYMMDD')
                       || lpad((i / 3650)::text, 4, '0'),
                   '学生' || (i %% 50000),
                   CASE WHEN i %% 2 = 0 THEN 'M' ELSE 'F' END,
                   date '2007-09-01' + (i %% 3650),
                   sc.id,
                   1 + (i %% 9),
                   CASE WHEN i %% 100 = 0 THEN 'transferred_out'
                        WHEN i %% 100 = 1 THEN 'suspended'
                        WHEN i %% 250 = 2 THEN 'dropped_out'
                        ELSE 'enrolled' END,
                   sc.township_id, now(), now(), 1
            FROM generate_series(0, %s - 1) AS i
            JOIN core_school sc ON sc.id = %s + (i %% %s)
            JOIN core_region rg ON rg.id = sc.county_id
            """,
            [STUDENTS, first_school, school_count],
        )
        print(f"registry: {STUDENTS:,} students in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        matched = CHILDREN * 9 // 10
        step = max(1, STUDENTS // matched)
        version_case = " ".join(f"WHEN {c} THEN {v}" for c, v in versions.items())
        # 90%: registry students, by ID number.
        cursor.execute(
            f"""
            INSERT INTO core_rosterchild (county_id, roster_version_id, name, id_number,
                gender, birth_date, household_head, household_category, monitoring_type,
                risk_eliminated, township_id, village, guardian, phone, created_at, updated_at,
                version)
            SELECT s.county_id, CASE s.county_id {version_case} END, s.name, s.id_number,
                   s.gender, s.birth_date, '户主', 'poverty_alleviated', '', false,
                   s.household_region_id, '红旗村', '户主', '13900000000', now(), now(), 1
            FROM core_student s
            WHERE s.id %% %s = 0
            ORDER BY s.id
            LIMIT %s
            """,  # noqa: S608 - numbers built here
            [step, matched],
        )
        # 10%: not by ID number. Every 5th has one name+birth candidate, every 50th several
        # (two students share name and birth: made below), the rest none.
        cursor.execute(
            f"""
            INSERT INTO core_rosterchild (county_id, roster_version_id, name, id_number,
                gender, birth_date, household_head, household_category, monitoring_type,
                risk_eliminated, township_id, village, guardian, phone, created_at, updated_at,
                version)
            SELECT sc.county_id, CASE sc.county_id {version_case} END,
                   CASE WHEN j %% 5 = 0 THEN '学生' || ((j * 7) %% 50000) ELSE '无名' || j END,
                   'X' || lpad(j::text, 17, '0'),
                   'M',
                   CASE WHEN j %% 5 = 0 THEN date '2007-09-01' + ((j * 7) %% 3650)
                        ELSE date '2008-01-01' + (j %% 3000) END,
                   '户主', 'monitored', 'marginal', (j %% 10 = 9), sc.township_id, '新丰村',
                   '户主', '13900000000', now(), now(), 1
            FROM generate_series(1, %s) AS j
            JOIN core_school sc ON sc.id = %s + (j %% %s)
            """,  # noqa: S608 - numbers built here
            [CHILDREN - matched, first_school, school_count],
        )
        print(f"roster: {CHILDREN:,} children in {time.perf_counter() - started:.1f} s")
        cursor.execute(
            """
            INSERT INTO dropout_outofcityenrolment (county_id, id_number, name, township_id,
                school_year, place, school_name, grade, verified_how, verified_on, verifier,
                document, created_at, updated_at, version)
            SELECT s.county_id, s.id_number, s.name, s.household_region_id, 2023, '外省',
                   '外省学校', NULL, 'letter', date '2023-09-01', '核实人', '', now(), now(), 1
            FROM core_student s WHERE s.status = 'transferred_out' AND s.id % 3 = 0
            """
        )
        cursor.execute(
            """
            INSERT INTO dropout_responsibility (county_id, township_id, school_id, line, person,
                title, phone, created_at, updated_at, version)
            SELECT r.county_id, r.id, NULL, l.line, '责任人', '副镇长', '0453', now(), now(), 1
            FROM core_region r CROSS JOIN (VALUES ('government'), ('education')) AS l(line)
            WHERE r.level = 'township'
            """
        )
        cursor.execute("ANALYZE")
    return {"admin": admin, "counties": counties, "reference": dt.date(2023, 8, 31)}


def bare_joins():
    """The same two tables joined on the ID number: counted, and written into a temp table.

    Run with the work_mem the round's transaction gets (DROPOUT_ROUND_WORK_MEM), so that both
    sides hash with the same memory.
    """
    from django.db import connection

    from dropout.models import round_work_mem

    memory = round_work_mem()

    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [memory])
            cursor.execute(
                "SELECT count(s.id) FROM core_rosterchild c "
                "LEFT JOIN core_student s ON s.id_number = c.id_number"
            )
            count.result = cursor.fetchone()[0]
            cursor.execute("RESET work_mem")

    def write():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [memory])
            cursor.execute("DROP TABLE IF EXISTS bench_join")
            cursor.execute(
                "CREATE TEMP TABLE bench_join AS SELECT c.id AS child_id, c.id_number, "
                "s.id AS student_id, s.status, s.school_id, s.grade FROM core_rosterchild c "
                "LEFT JOIN core_student s ON s.id_number = c.id_number"
            )
            cursor.execute("RESET work_mem")

    return count, write


def rounds(setup: dict) -> list[dict]:
    """ROUNDS iterations of: the bare count join, the bare join written, a round (timed)."""
    from unittest import mock

    from django.db.models import Count

    from core.jobs import JobRun, execute
    from dropout import services
    from dropout.models import DropoutCase, ScreeningRound

    count, write = bare_joins()
    count()  # warm the cache: every side is timed warm
    measured = []
    for n in range(ROUNDS):
        # No worker here: keep the job from being enqueued, then run it as the worker would.
        with mock.patch("core.jobs.transaction.on_commit"):
            screening_round = services.round_start(
                name=f"bench {n}", school_year=2023, counties=None, actor=setup["admin"]
            )

        def run(job_id=screening_round.job_id):
            execute(job_id)  # core.jobs: the runner → dropout.services.round_run

        count_time, _ = timed(count, 3)
        write_time, _ = timed(write, 2)
        round_time, _ = timed(run)
        job = JobRun.objects.get(pk=screening_round.job_id)
        assert job.status == "succeeded", job.error
        result = ScreeningRound.objects.get(pk=screening_round.pk)
        row = {
            "round": round_time,
            "count": count_time,
            "write": write_time,
            "screened": job.result.get("screened"),
            "opened": job.result.get("opened"),
        }
        if n == 0:
            row["cases"] = DropoutCase.objects.count()
            row["classes"] = dict(
                result.results.values_list("classification").order_by().annotate(n=Count("id"))
            )
        print(
            f"  iteration {n + 1}: count join {count_time:.3f} s, written join "
            f"{write_time:.3f} s, round {round_time:.3f} s ({row['screened']:,} screened, "
            f"{row['opened']:,} cases opened) → {round_time / count_time:.2f}× / "
            f"{round_time / write_time:.2f}×"
        )
        measured.append(row)
    return measured


def run() -> None:
    print(machine())
    setup = fill()
    measured = rounds(setup)
    first, later = measured[0], measured[1:] or measured
    print(f"first round: {first['classes']}; {first['cases']:,} cases opened")
    print(f"matched by the bare join: {joined_count():,} of {CHILDREN:,} roster rows")
    best = min(later, key=lambda row: row["round"])
    print(
        f"best round (no cases to open): {best['round']:.3f} s; bare count join "
        f"{min(r['count'] for r in measured):.3f} s; bare written join "
        f"{min(r['write'] for r in measured):.3f} s"
    )
    ratios_count = [row["round"] / row["count"] for row in later]
    ratios_write = [row["round"] / row["write"] for row in later]
    print(
        f"ratio round / count join (same iteration), median of later rounds: "
        f"{statistics.median(ratios_count):.2f} (first round, which opens the cases: "
        f"{first['round'] / first['count']:.2f})"
    )
    print(
        f"ratio round / written join (same iteration), median of later rounds: "
        f"{statistics.median(ratios_write):.2f} "
        f"(first round: {first['round'] / first['write']:.2f})"
    )


def joined_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(s.id) FROM core_rosterchild c "
            "JOIN core_student s ON s.id_number = c.id_number"
        )
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
