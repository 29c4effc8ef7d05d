"""Benchmark: the funding table 生均公用经费 of a provincial-scale city — 3,000 schools (primary,
junior middle, nine-year, teaching points; rural, every other one boarding, one in seven under
100 pupils) and 1,000,000 registry pupils — through the real selector
(facilities.selectors.funding_table), next to the same computation in bare SQL, in one run.

    .venv/bin/python bench/facilities_funding.py     # PGHOST, PGPORT, PGUSER as the others
    STUDENTS=200000 .venv/bin/python bench/facilities_funding.py

A scratch database (BENCH_DB, default xj_bench_facilities) is created and dropped at the end
(KEEP=1 leaves it). The enrolment of each school is its registry count (one in seven cut to 60:
funded as 100), boarders a third of a boarding school's pupils; quotas 650 / 850, +200 per
boarder; an allocation per school. Printed: best and median of REPEAT warm runs of each side
(every row fetched: school, funded pupils by stage, computed, allocated), and their ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from decimal import Decimal

from scratch import default_url, machine, make_city, scratch_database

STUDENTS = int(os.environ.get("STUDENTS", "1000000"))
REPEAT = int(os.environ.get("REPEAT", "5"))
KINDS = ("primary", "junior", "nine_year", "teaching_point")


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), times


def main() -> None:
    with scratch_database(default_url("xj_bench_facilities"), keep=bool(os.environ.get("KEEP"))):
        run()


def fill():
    from django.db import connection

    from core.models import User
    from core.scoping import Role
    from facilities.models import FundingRate

    city, _counties, schools = make_city(townships=30, schools=10, kinds=KINDS, boarding=True)
    staff = User.objects.create_user("bench-staff", role=Role.CITY_STAFF, scope=city)
    FundingRate.objects.create(effective_from=2016, primary=Decimal("650"), junior=Decimal("850"))
    first, count = min(s.pk for s in schools), len(schools)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_student (county_id, id_number, name, gender, birth_date, school_id,
                grade, status, household_region_id, created_at, updated_at, version)
            SELECT sc.county_id,
                   rg.code || to_char(date '2005-09-01' + (i %% 6000), 'YYYYMMDD')
                       || lpad((i / 6000)::text, 4, '0'),
                   '学生' || i, 'M', date '2005-09-01' + (i %% 6000), sc.id,
                   CASE sc.kind WHEN 'junior' THEN 7 + i %% 3
                                WHEN 'nine_year' THEN 1 + i %% 9
                                WHEN 'teaching_point' THEN 1 + i %% 4
                                ELSE 1 + i %% 6 END,
                   'enrolled', sc.township_id, now(), now(), 1
            FROM generate_series(0, %s - 1) AS i
            JOIN core_school sc ON sc.id = %s + (i %% %s)
            JOIN core_region rg ON rg.id = sc.county_id
            """,
            [STUDENTS, first, count],
        )
        cursor.execute(
            """
            INSERT INTO core_schoolenrolment (county_id, school_id, school_year, enrolment,
                boarders, created_at, updated_at, version)
            SELECT sc.county_id, sc.id, 2023, n.n, CASE WHEN sc.boarding THEN n.n / 3 ELSE 0 END,
                   now(), now(), 1
            FROM core_school sc
            JOIN (SELECT school_id, count(*) AS n FROM core_student GROUP BY school_id) n
              ON n.school_id = sc.id
            """
        )
        cursor.execute(
            "UPDATE core_schoolenrolment SET enrolment = 60, boarders = LEAST(boarders, 20) "
            "WHERE school_id % 7 = 0"
        )
        cursor.execute(
            """
            INSERT INTO facilities_fundingallocation (county_id, school_id, school_year, amount,
                note, created_at, updated_at, version)
            SELECT county_id, school_id, 2023, enrolment * 700, '', now(), now(), 1
            FROM core_schoolenrolment
            """
        )
        cursor.execute("ANALYZE")
    print(f"{count:,} schools, {STUDENTS:,} pupils in {time.perf_counter() - started:.1f} s")
    return staff


BARE_SQL = """
    WITH reg AS (
        SELECT s.school_id,
               count(*) FILTER (WHERE s.grade BETWEEN 7 AND 9) AS junior,
               count(*) FILTER (WHERE s.grade BETWEEN 1 AND 9) AS compulsory
        FROM core_student s JOIN core_school sc ON sc.id = s.school_id
        WHERE s.status = 'enrolled' AND sc.kind = 'nine_year'
        GROUP BY s.school_id
    ), f AS (
        SELECT e.id, e.school_id, e.boarders, sc.kind,
               CASE WHEN sc.locality = 'rural' AND e.enrolment > 0 AND e.enrolment < 100
                    THEN 100 ELSE e.enrolment END AS funded,
               reg.junior, reg.compulsory
        FROM core_schoolenrolment e
        JOIN core_school sc ON sc.id = e.school_id
        LEFT JOIN reg ON reg.school_id = e.school_id
        WHERE e.school_year = 2023
          AND sc.kind IN ('primary', 'teaching_point', 'junior', 'nine_year')
    ), j AS (
        SELECT f.*, CASE WHEN kind = 'junior' THEN funded
                         WHEN kind = 'nine_year'
                         THEN COALESCE(round(funded * junior::numeric / NULLIF(compulsory, 0)), 0)
                         ELSE 0 END AS junior_funded
        FROM f
    )
    SELECT j.school_id, j.funded, j.junior_funded,
           CASE WHEN kind = 'junior' THEN 0 ELSE funded - junior_funded END AS primary_funded,
           (CASE WHEN kind = 'junior' THEN 0 ELSE funded - junior_funded END) * 650.00
             + junior_funded * 850.00 + boarders * 200.00 AS computed,
           a.amount AS allocated
    FROM j LEFT JOIN facilities_fundingallocation a
      ON a.school_id = j.school_id AND a.school_year = 2023
"""


def bare() -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL)
        return cursor.fetchall()


def run() -> None:
    from facilities.selectors import funding_table

    print(machine())
    staff = fill()

    def selector() -> list:
        return list(
            funding_table(staff, 2023).values_list(
                "school_id", "funded", "junior_funded", "primary_funded", "computed", "allocated"
            )
        )

    by_hand = {(r[0], r[1], r[2], r[3], Decimal(r[4]).quantize(Decimal("0.01"))) for r in bare()}
    by_selector = {row[:5] for row in selector()}
    assert by_hand == by_selector, (len(by_hand), len(by_selector), len(by_hand ^ by_selector))
    print(f"funding rows: {len(by_hand):,} (both sides agree)")
    best_bare, bare_times = timed(bare, REPEAT)
    best_selector, selector_times = timed(selector, REPEAT)

    def show(label, best, times):
        runs = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label}: best {best:.3f} s, median {statistics.median(times):.3f} s ({runs})")

    show("bare SQL funding table", best_bare, bare_times)
    show("selector funding_table", best_selector, selector_times)
    print(f"ratio selector / bare: {best_selector / best_bare:.2f}")


if __name__ == "__main__":
    main()
