"""Benchmark: the continuing-education coverage 全员继续教育覆盖率 of a province's rural teachers —
200,000 teachers on the roster and 1,000,000 training records — through the real selector
(teachers.selectors.coverage_by, by county), next to the same count in bare SQL (GROUP BY), in
one run.

    .venv/bin/python bench/teachers_coverage.py        # PGHOST, PGPORT, PGUSER as the others
    TEACHERS=50000 RECORDS=250000 .venv/bin/python bench/teachers_coverage.py

A scratch database (BENCH_DB, default xj_bench_teachers) is created and dropped at the end
(KEEP=1 leaves it). Ten counties of 20 townships with 10 schools each (2,000 schools, every other
one urban); the teachers spread over them, one in 50 left in May 2023, one in 40 hired in 2024;
five programmes of 2021–2023 (the 2023 continuing education among them), each teacher's records
in turn until RECORDS, one in 13 of the 2023 continuing education not completed. Printed: best
and median of REPEAT warm runs of each side (covered and rural teachers per county), and their
ratio.
"""

from __future__ import annotations

import os
import statistics
import time

from scratch import default_url, machine, make_city, scratch_database

TEACHERS = int(os.environ.get("TEACHERS", "200000"))
RECORDS = int(os.environ.get("RECORDS", "1000000"))
REPEAT = int(os.environ.get("REPEAT", "5"))
PROGRAMMES = (  # (name, kind, year)
    ("2021年全员继续教育", "continuing", 2021),
    ("2022年全员继续教育", "continuing", 2022),
    ("2023年全员继续教育", "continuing", 2023),
    ("国培计划（2023）", "national", 2023),
    ("2023年线上讲座", "lecture", 2023),
)


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), times


def main() -> None:
    with scratch_database(default_url("xj_bench_teachers"), keep=bool(os.environ.get("KEEP"))):
        run()


def fill():
    import datetime as dt
    from decimal import Decimal

    from django.db import connection

    from core.models import School, User
    from core.scoping import Role
    from teachers.models import TrainingProgramme

    city, _counties, schools = make_city(townships=20, schools=10, kinds=("primary", "junior"))
    School.objects.filter(pk__in=[s.pk for s in schools[::2]]).update(locality="urban")
    staff = User.objects.create_user("bench-staff", role=Role.CITY_STAFF, scope=city)
    programmes = [
        TrainingProgramme.objects.create(
            name=name,
            kind=kind,
            year=year,
            starts_on=dt.date(year, 3, 1),
            ends_on=dt.date(year, 11, 30),
            hours_required=Decimal("72"),
            max_hours=Decimal("120"),
        ).pk
        for name, kind, year in PROGRAMMES
    ]
    first, count = min(s.pk for s in schools), len(schools)
    continuing_2023 = programmes[2]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO teachers_teacher (county_id, id_number, name, gender, birth_date,
                school_id, stage, subject, employment, title, qualification, hired_on, channel,
                plan_id, reported_on, status, left_on, created_at, updated_at, version)
            SELECT sc.county_id,
                   rg.code || to_char(date '1965-01-01' + (i %% 12000), 'YYYYMMDD')
                       || lpad((i / 12000)::text, 4, '0'),
                   '教师' || i, 'F', date '1965-01-01' + (i %% 12000), sc.id,
                   CASE sc.kind WHEN 'junior' THEN 'junior' ELSE 'primary' END,
                   'chinese', 'establishment', 'second', 'bachelor',
                   CASE WHEN i %% 40 = 1 THEN date '2024-02-01' ELSE date '2010-09-01' END,
                   '', NULL, NULL,
                   CASE WHEN i %% 50 = 3 THEN 'left' ELSE 'in_post' END,
                   CASE WHEN i %% 50 = 3 THEN date '2023-05-01' END,
                   now(), now(), 1
            FROM generate_series(0, %s - 1) AS i
            JOIN core_school sc ON sc.id = %s + (i %% %s)
            JOIN core_region rg ON rg.id = sc.county_id
            """,
            [TEACHERS, first, count],
        )
        cursor.execute(
            """
            INSERT INTO teachers_trainingrecord (county_id, school_id, teacher_id, programme_id,
                hours, completed, certificate, recorded_on, created_at, updated_at, version)
            SELECT t.county_id, t.school_id, t.id, p.id, 80,
                   NOT (p.id = %s AND t.id %% 13 = 0), '', date '2023-11-30', now(), now(), 1
            FROM (SELECT id, county_id, school_id, row_number() OVER (ORDER BY id) - 1 AS n
                  FROM teachers_teacher) t
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM teachers_trainingprogramme) p ON t.n * %s + p.k < %s
            """,
            [continuing_2023, len(PROGRAMMES), RECORDS],
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM teachers_trainingrecord")
        records = cursor.fetchone()[0]
    print(
        f"{count:,} schools, {TEACHERS:,} teachers, {records:,} training records "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return staff, continuing_2023


BARE_SQL = """
    SELECT t.county_id, count(*) AS rural_teachers, count(c.teacher_id) AS covered
    FROM teachers_teacher t
    JOIN core_school sc ON sc.id = t.school_id
    LEFT JOIN (SELECT DISTINCT teacher_id FROM teachers_trainingrecord
               WHERE programme_id = %s AND completed) c ON c.teacher_id = t.id
    WHERE sc.locality = 'rural'
      AND (t.hired_on IS NULL OR t.hired_on <= date '2023-12-31')
      AND (t.left_on IS NULL OR t.left_on > date '2023-12-31')
    GROUP BY t.county_id
"""


def run() -> None:
    from django.db import connection

    from teachers.selectors import coverage_by

    print(machine())
    staff, programme = fill()

    def bare() -> dict:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [programme])
            return {row[0]: {"rural_teachers": row[1], "covered": row[2]} for row in cursor}

    def selector() -> dict:
        return coverage_by(staff, 2023)

    by_hand, by_selector = bare(), selector()
    assert by_hand == by_selector, (by_hand, by_selector)
    rural = sum(v["rural_teachers"] for v in by_hand.values())
    covered = sum(v["covered"] for v in by_hand.values())
    print(f"rural teachers in post: {rural:,}, covered: {covered:,} (both sides agree)")
    best_bare, bare_times = timed(bare, REPEAT)
    best_selector, selector_times = timed(selector, REPEAT)

    def show(label, best, times):
        runs = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label}: best {best:.3f} s, median {statistics.median(times):.3f} s ({runs})")

    show("bare SQL coverage GROUP BY", best_bare, bare_times)
    show("selector coverage_by", best_selector, selector_times)
    print(f"ratio selector / bare: {best_selector / best_bare:.2f}")


if __name__ == "__main__":
    main()
