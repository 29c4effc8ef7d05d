"""What every benchmark here shares: its scratch PostgreSQL database (created, migrated, dropped
at the end, also on failure) and a city of counties, townships and schools to fill it from.

Connection: PGHOST, PGPORT, PGUSER (default 127.0.0.1, 5432, postgres); BENCH_DB names the
database instead of the benchmark's default.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def default_url(name: str) -> str:
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    return f"postgres://{user}@{host}:{port}/{os.environ.get('BENCH_DB', name)}"


def _admin(url: str, *statements: str) -> None:
    """Run DROP/CREATE DATABASE for the database named in `url`, from the `postgres` database."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    name = sql.Identifier(settings["NAME"])
    admin = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        for statement in statements:
            admin.execute(sql.SQL(statement).format(name))


@contextmanager
def scratch_database(url: str, *, keep: bool = False):
    """A new database at `url` with Django set up on it and the schema built; dropped on the
    way out unless `keep` (to look closer with psql)."""
    _admin(url, "DROP DATABASE IF EXISTS {}", "CREATE DATABASE {}")
    try:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        _create_schema()
        yield
    finally:
        from django.db import connections

        connections.close_all()
        for connection in connections.all(initialized_only=True):
            if hasattr(connection, "close_pool"):
                connection.close_pool()  # the pool's idle connections would block the DROP
        if not keep:
            _admin(url, "DROP DATABASE IF EXISTS {}")


def _create_schema() -> None:
    """The migrations, then a table for any model whose migration has not landed yet."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    existing = set(connection.introspection.table_names())
    missing = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in existing
    ]
    with connection.schema_editor() as editor:
        for model in missing:
            editor.create_model(model)
    if missing:
        print(f"tables created from models (no migration yet): {len(missing)}")


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"machine: {os.cpu_count()} cores, PostgreSQL {version}, Python {sys.version.split()[0]}"


def make_city(*, townships: int, schools: int, kinds=("nine_year",), boarding: bool = False):
    """A city of ten counties, `townships` townships each and `schools` rural schools per
    township (kinds in turn; every other one boarding if `boarding`): (city, counties, schools)."""
    from core.models import Region, RegionLevel, School

    city = Region.objects.create(code="231000", name="牡丹江市", level=RegionLevel.CITY)
    counties = [
        Region.objects.create(
            code=f"2310{81 + n:02d}", name=f"县{n}", level=RegionLevel.COUNTY, parent=city
        )
        for n in range(10)
    ]
    made_townships = [
        Region.objects.create(
            code=f"{county.code}{100 + t:03d}",
            name=f"{county.name}第{t}镇",
            level=RegionLevel.TOWNSHIP,
            parent=county,
        )
        for county in counties
        for t in range(townships)
    ]
    made_schools = School.objects.bulk_create(
        School(
            code=f"21{t * schools + n:08d}",
            name=f"{township.name}学校{n}",
            county_id=township.county_id,
            township=township,
            kind=kinds[n % len(kinds)],
            boarding=boarding and n % 2 == 0,
            locality="rural",
        )
        for t, township in enumerate(made_townships)
        for n in range(schools)
    )
    return city, counties, made_schools
