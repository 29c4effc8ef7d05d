"""Benchmark: the gap list 应助未助 for a 1,000,000-student registry, a 100,000-child roster and
50,000 disbursements, through the real selector (aid.selectors.gap_list), next to the bare SQL
anti-join of the same tables, on PostgreSQL, in the same run.

    .venv/bin/python bench/aid_gap.py    # PGHOST, PGPORT, PGUSER: 127.0.0.1, 5432, postgres
    STUDENTS=200000 CHILDREN=20000 PAID=10000 .venv/bin/python bench/aid_gap.py

A scratch database (BENCH_DB, default xj_bench_aid) is created here and dropped at the end, also
on failure (KEEP=1 leaves it). Tables come from the migrations; tables of models without a
migration yet are created from the models. Rows are written with INSERT … SELECT over
generate_series. The roster's newest version per county holds CHILDREN registry students (plus an
older version per county whose children must not count); PAID of the roster children got their
autumn 2023 payment; the rest of the eligible ones are the gap.

Printed, best of REPEAT warm runs each:
  bare SQL      the anti-join written by hand: roster (newest versions) ∪ aided last term,
                enrolled, a stage with a programme due, NOT EXISTS a payment this term —
                every gap row's id and ID number fetched
  selector      gap_list(user=city staff) with its annotations (stage, reason), the same rows
                fetched as (pk, id_number, stage, reason)
  page          what the gap page does: count() and the first 50 rows as model instances
and the ratios selector / bare and page / bare.
"""

from __future__ import annotations

import os
import statistics
import time

from scratch import default_url, machine, make_city, scratch_database

STUDENTS = int(os.environ.get("STUDENTS", "1000000"))
CHILDREN = int(os.environ.get("CHILDREN", "100000"))
PAID = int(os.environ.get("PAID", "50000"))
REPEAT = int(os.environ.get("REPEAT", "5"))
KINDS = ("kindergarten", "primary", "junior", "nine_year", "senior", "vocational")


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    fn()  # warm: both sides are timed with the same warm cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), times


def main() -> None:
    with scratch_database(default_url("xj_bench_aid"), keep=bool(os.environ.get("KEEP"))):
        run()


def fill():
    """Regions, schools of every kind, the registry, two roster versions per county, the
    programmes and standards of the demo, the autumn payments."""
    from django.db import connection

    from aid.demo import build_programmes
    from core.models import RosterVersion, User
    from core.scoping import Role

    city, counties, schools = make_city(townships=5, schools=6, kinds=KINDS, boarding=True)
    staff = User.objects.create_user("bench-staff", role=Role.CITY_STAFF, scope=city)
    build_programmes()
    first_school, school_count = min(s.pk for s in schools), len(schools)
    old = {c.pk: RosterVersion.objects.create(county=c, label="旧名单").pk for c in counties}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_rosterversion SET created_at = now() - interval '90 days'")
    new = {c.pk: RosterVersion.objects.create(county=c, label="新名单").pk for c in counties}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # The grade follows the school's kind; 1% transferred out.
        cursor.execute(
            """
            INSERT INTO core_student (county_id, id_number, name, gender, birth_date, school_id,
                grade, status, household_region_id, created_at, updated_at, version)
            SELECT sc.county_id,
                   rg.code || to_char(date '2005-09-01' + (i %% 6000), 'YYYYMMDD')
                       || lpad((i / 6000)::text, 4, '0'),
                   '学生' || i, CASE WHEN i %% 2 = 0 THEN 'M' ELSE 'F' END,
                   date '2005-09-01' + (i %% 6000), sc.id,
                   CASE sc.kind WHEN 'kindergarten' THEN -3 + i %% 3
                                WHEN 'primary' THEN 1 + i %% 6
                                WHEN 'junior' THEN 7 + i %% 3
                                WHEN 'nine_year' THEN 1 + i %% 9
                                ELSE 10 + i %% 3 END,
                   CASE WHEN i %% 100 = 0 THEN 'transferred_out' ELSE 'enrolled' END,
                   sc.township_id, now(), now(), 1
            FROM generate_series(0, %s - 1) AS i
            JOIN core_school sc ON sc.id = %s + (i %% %s)
            JOIN core_region rg ON rg.id = sc.county_id
            """,
            [STUDENTS, first_school, school_count],
        )
        print(f"registry: {STUDENTS:,} students in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        step = max(1, STUDENTS // CHILDREN)
        roster = """
            INSERT INTO core_rosterchild (county_id, roster_version_id, name, id_number,
                gender, birth_date, household_head, household_category, monitoring_type,
                risk_eliminated, township_id, village, guardian, phone, created_at, updated_at,
                version)
            SELECT s.county_id, CASE s.county_id {versions} END, s.name, s.id_number, s.gender,
                   s.birth_date, '户主',
                   CASE WHEN s.id %% 7 = 0 THEN 'monitored' ELSE 'poverty_alleviated' END,
                   CASE WHEN s.id %% 7 = 0 THEN 'marginal' ELSE '' END,
                   (s.id %% 14 = 0), s.household_region_id, '红旗村', '户主', '13900000000',
                   now(), now(), 1
            FROM core_student s WHERE s.id %% %s = {remainder} ORDER BY s.id LIMIT %s
        """
        for versions, remainder, limit in ((new, 0, CHILDREN), (old, step // 2, CHILDREN // 10)):
            case = " ".join(f"WHEN {c} THEN {v}" for c, v in versions.items())
            cursor.execute(roster.format(versions=case, remainder=remainder), [step, limit])
        print(f"roster: {CHILDREN:,} children (+ an older version) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        # Autumn 2023: every other current roster child (in order) is paid the programme of
        # their stage (the first programme that matches), at the standard.
        cursor.execute(
            """
            INSERT INTO aid_disbursement (county_id, id_number, name, student_id, programme_id,
                school_year, term, amount, paid_on, school_id, category, note, created_at,
                updated_at, version)
            SELECT s.county_id, s.id_number, s.name, s.id, p.id, 2023, 'autumn', st.amount,
                   date '2023-11-01', s.school_id, 'formerly_poor', '', now(), now(), 1
            FROM (
                SELECT s.*, row_number() OVER (ORDER BY s.id) AS n,
                       CASE WHEN s.grade < 1 THEN 'preschool'
                            WHEN s.grade <= 6 THEN 'primary'
                            WHEN s.grade <= 9 THEN 'junior'
                            WHEN sc.kind = 'vocational' THEN 'vocational'
                            ELSE 'senior' END AS stage,
                       sc.boarding
                FROM core_student s JOIN core_school sc ON sc.id = s.school_id
                WHERE s.id_number IN (
                    SELECT id_number FROM core_rosterchild c
                    JOIN core_rosterversion v ON v.id = c.roster_version_id
                    WHERE v.label = '新名单')
            ) s
            JOIN LATERAL (
                SELECT p.id FROM aid_aidprogramme p
                WHERE p.stage = s.stage AND (p.boarding = 'any'
                    OR (p.boarding = 'boarders') = s.boarding)
                ORDER BY p.sort_order LIMIT 1
            ) p ON true
            JOIN aid_aidstandard st ON st.programme_id = p.id AND st.school_year = 2023
                AND st.term = 'autumn'
            WHERE s.n %% 2 = 0
            LIMIT %s
            """,
            [PAID],
        )
        print(f"disbursements: {cursor.rowcount:,} in {time.perf_counter() - started:.1f} s")
        cursor.execute("ANALYZE")
    return staff


BARE_SQL = """
    SELECT s.id, s.id_number
    FROM core_student s
    JOIN core_school sc ON sc.id = s.school_id
    WHERE s.status = 'enrolled'
      AND (s.grade < 1
           OR (s.grade BETWEEN 1 AND 9)
           OR (s.grade >= 10 AND sc.kind = 'vocational')
           OR (s.grade >= 10 AND sc.kind <> 'vocational'))
      AND s.id_number IN (
          SELECT c.id_number FROM core_rosterchild c
          WHERE c.roster_version_id IN (
                SELECT DISTINCT ON (v.county_id) v.id FROM core_rosterversion v
                ORDER BY v.county_id, v.created_at DESC, v.id DESC)
            AND (c.household_category = 'poverty_alleviated'
                 OR (c.household_category = 'monitored' AND NOT c.risk_eliminated))
          UNION
          SELECT d.id_number FROM aid_disbursement d
          WHERE d.school_year = 2022 AND d.term = 'spring'
            AND d.category IN ('formerly_poor', 'monitored', 'dibao', 'tekun', 'disabled'))
      AND NOT EXISTS (
          SELECT 1 FROM aid_disbursement d
          WHERE d.id_number = s.id_number AND d.school_year = 2023 AND d.term = 'autumn')
"""


def bare() -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL)
        return cursor.fetchall()


def run() -> None:
    from django.db import connection

    from aid.selectors import gap_list

    print(machine())
    staff = fill()

    def selector() -> list:
        rows = gap_list(user=staff, school_year=2023, term="autumn")
        return list(rows.values_list("pk", "id_number", "stage", "reason"))

    def page() -> list:
        rows = gap_list(user=staff, school_year=2023, term="autumn")
        total = rows.count()
        return [total, *rows[:50]]

    by_hand = {tuple(row) for row in bare()}
    by_selector = {(pk, number) for pk, number, _stage, _reason in selector()}
    assert by_hand == by_selector, (len(by_hand), len(by_selector))
    print(f"gap rows: {len(by_hand):,} (both sides agree)")

    best_bare, bare_times = timed(bare, REPEAT)
    best_selector, selector_times = timed(selector, REPEAT)
    best_page, page_times = timed(page, REPEAT)

    def show(label, best, times):
        runs = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label}: best {best:.3f} s, median {statistics.median(times):.3f} s ({runs})")

    show("bare SQL anti-join (all rows)   ", best_bare, bare_times)
    show("selector gap_list (all rows)    ", best_selector, selector_times)
    show("gap page (count + first 50 rows)", best_page, page_times)
    print(f"ratio selector / bare: {best_selector / best_bare:.2f}")
    print(f"ratio page / bare:     {best_page / best_bare:.2f}")
    if os.environ.get("EXPLAIN"):
        sql, params = gap_list(user=staff, school_year=2023, term="autumn").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
