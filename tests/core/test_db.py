"""Planner statistics after bulk writes (core/db.py) and the database settings (config/database.py).

The statistics tests need PostgreSQL (DATABASE_URL): they read pg_class.reltuples, which a table
filled by COPY keeps at -1 (never analysed) until something runs ANALYZE on it; with autovacuum
off or lagging, nothing else would.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from config.database import database_from_url, pool_options
from core import db
from core.importing import services as imports
from core.models import AuditEvent, Student
from dropout import services
from dropout.models import ScreeningResult
from tests.core.import_files import REGISTRY_HEADER, registry_rows, upload, xlsx
from tests.factories import RosterChildFactory, RosterVersionFactory

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
)


def reltuples(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        return cursor.fetchone()[0]


def never_analysed(*models) -> None:
    """Empty the models' tables (rolled back with the test) so that the server knows nothing of
    them: TRUNCATE sets reltuples back to -1. ANALYZE writes its figures in place, outside any
    transaction, so without this a table keeps what an earlier test or run left."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    assert all(reltuples(model) == -1 for model in models)


def import_students(user, school, count: int):
    from core.ledgers import STUDENTS

    content = xlsx([REGISTRY_HEADER, *registry_rows(school, count)])
    run, checked = imports.import_run_create(ledger=STUDENTS, user=user, upload=upload(content))
    imports.import_run_preview(run=run, spec=STUDENTS.import_spec, checked=checked)
    assert imports.claim_for_commit(run)
    return imports.import_run_commit(run=run, spec=STUDENTS.import_spec)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@postgresql
@pytest.mark.django_db
def test_an_import_leaves_the_filled_tables_analysed(county_user, school):
    never_analysed(Student, AuditEvent)
    import_students(county_user, school, 150)
    # ANALYZE reads every row of a table this small: the planner now knows the 150 rows (and
    # the 151 audit events: one per row and the import's own).
    assert reltuples(Student) == 150
    assert reltuples(AuditEvent) == 151


@postgresql
@pytest.mark.django_db
def test_a_round_leaves_its_results_analysed(city_admin, county, township):
    version = RosterVersionFactory(county=county)
    for n in range(30):
        RosterChildFactory(roster_version=version, township=township, name=f"儿童{n}")
    never_analysed(ScreeningResult)
    screening_round = services.round_start(
        name="排查", school_year=2023, counties=[county], actor=city_admin
    )
    services.round_run(round_id=screening_round.pk)
    assert ScreeningResult.objects.count() == 30
    assert reltuples(ScreeningResult) == 30


@postgresql
@pytest.mark.django_db
def test_the_seed_leaves_every_table_it_filled_analysed(monkeypatch):
    monkeypatch.setattr("core.demo.area_demos", lambda: [])
    never_analysed(Student)
    call_command(
        "seed_demo", students=500, seed=3, password="seed-test-pass-7", stdout=io.StringIO()
    )
    assert reltuples(Student) == Student.objects.count() == 500


class Scratch:
    """A model-shaped stand-in for a table made by the test (dropped with its transaction)."""

    class _meta:  # noqa: N801 - shaped like a model's options
        db_table = "xj_analyze_scratch"
        managed = True
        proxy = False


@postgresql
@pytest.mark.django_db
def test_analyze_follows_autovacuums_rule():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE xj_analyze_scratch AS SELECT generate_series(1, 1000) AS n")
    assert db.analyze(Scratch) == ["xj_analyze_scratch"]  # never analysed: due whatever the rows
    assert reltuples(Scratch) == 1000
    # Rows changed since (counted by the caller: the server's statistics may not count them
    # yet) against autovacuum's threshold: 50 + 10% of the rows, here 150.
    assert db.analyze(Scratch, rows=100) == []
    assert db.analyze(Scratch, rows=200) == ["xj_analyze_scratch"]
    assert db.analyze(Scratch, force=True) == ["xj_analyze_scratch"]
    assert db.analyze(Scratch, Scratch, Student, force=True) == [
        "xj_analyze_scratch",
        "core_student",
    ]


@pytest.mark.django_db
def test_analyze_is_nothing_elsewhere_and_ignores_missing_tables(monkeypatch):
    class Missing:
        class _meta:  # noqa: N801 - shaped like a model's options
            db_table = "no_such_table_here"
            managed = True
            proxy = False

    assert db.analyze() == []
    if connection.vendor == "postgresql":
        assert db.analyze(Missing, force=True) == []
    else:
        assert db.analyze(Student, force=True) == []


# --- config/database.py -----------------------------------------------------------------------

PG = "postgres://u:p@db.example:5432/xj"


def test_postgresql_gets_a_bounded_pool_with_health_checks_by_default():
    settings = database_from_url(PG, {})
    assert settings["OPTIONS"]["pool"] == {
        "min_size": 1,
        "max_size": 4,
        "timeout": 10.0,
        "max_idle": 300.0,
    }
    assert settings["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert settings["CONN_HEALTH_CHECKS"] is True


def test_the_pool_is_sized_from_the_environment():
    environ = {"DB_POOL_MAX_SIZE": "8", "DB_POOL_MIN_SIZE": "2", "DB_POOL_TIMEOUT": "5"}
    pool = database_from_url(PG, environ)["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 8, 5.0)
    assert pool_options({"DB_POOL_MAX_SIZE": "2", "DB_POOL_MIN_SIZE": "9"})["min_size"] == 2


def test_without_the_pool_connections_may_persist_and_are_checked():
    settings = database_from_url(PG, {"DB_POOL_MAX_SIZE": "0", "DB_CONN_MAX_AGE": "60"})
    assert "pool" not in settings.get("OPTIONS", {})
    assert settings["CONN_MAX_AGE"] == 60 and settings["CONN_HEALTH_CHECKS"] is True
    assert database_from_url(PG, {"DB_POOL_MAX_SIZE": "0"})["CONN_MAX_AGE"] == 0


def test_sqlite_gets_no_pool():
    settings = database_from_url("sqlite:////tmp/xj.sqlite3", {"DB_POOL_MAX_SIZE": "8"})
    assert "pool" not in settings.get("OPTIONS", {}) and settings["CONN_MAX_AGE"] == 0
