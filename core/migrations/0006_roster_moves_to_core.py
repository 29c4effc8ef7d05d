"""The roster 监测名单 moves from dropout to core, beside the registry (several areas read it).

Every row keeps its id: the two tables are renamed (with their sequences, indexes and constraints),
not copied. The content types are relabelled in place (dropout → core), so attachments, admin log
entries and permissions keep pointing at the same rows, and the ledger labels stored as text
(audit trail, import runs, registry conflicts, export jobs) are rewritten, so a row's history still
shows every event. The links kept by finished jobs follow the pages to their new address
(/dropout/roster/… → /roster/…). dropout/0003 then points dropout's foreign keys at the core models
in the migration state (the database's constraints already follow the renamed tables).
Reversible: migrating back restores the dropout tables, labels and links.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.models

TABLES = {"dropout_rosterversion": "core_rosterversion", "dropout_rosterchild": "core_rosterchild"}
# The indexes declared in Meta.indexes, named after their table by Django.
META_INDEXES = {
    "dropout_ros_county__3b4c7d_idx": "core_roster_county__c3bdf2_idx",
    "dropout_ros_roster__1d01fa_idx": "core_roster_roster__975318_idx",
}
MODELS = ("rosterversion", "rosterchild")
# Page addresses that finished jobs keep as their result link (the import preview).
PATHS = {"/dropout/roster-versions/": "/roster/versions/", "/dropout/roster/": "/roster/"}


def _rename_sql(tables: dict, indexes: dict) -> list[str]:
    """Rename the tables, their identity sequences, Meta indexes, and every other index and
    constraint whose (Django-generated) name starts with the old table name."""
    statements = []
    for old, new in tables.items():
        statements += [
            f"ALTER TABLE {old} RENAME TO {new}",
            f"ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq",
            # Names from the constants above, never from input.
            f"""
            DO $$
            DECLARE item record;
            BEGIN
                FOR item IN
                    SELECT conname FROM pg_constraint
                    WHERE conrelid = '{new}'::regclass AND left(conname, {len(old)}) = '{old}'
                LOOP
                    EXECUTE format('ALTER TABLE {new} RENAME CONSTRAINT %I TO %I',
                                   item.conname, '{new}' || substr(item.conname, {len(old) + 1}));
                END LOOP;
                FOR item IN
                    SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = '{new}'::regclass AND left(c.relname, {len(old)}) = '{old}'
                LOOP
                    EXECUTE format('ALTER INDEX %I RENAME TO %I',
                                   item.relname, '{new}' || substr(item.relname, {len(old) + 1}));
                END LOOP;
            END $$
            """,  # noqa: S608
        ]
    statements += [f"ALTER INDEX {old} RENAME TO {new}" for old, new in indexes.items()]
    return statements


def _rename_sqlite(schema_editor, tables: dict, indexes: dict) -> None:
    """The same renames on SQLite (the bare-machine default): the tables (SQLite follows them in
    the other tables' foreign keys), then each index named after the old table, made again under
    its new name (SQLite cannot rename an index)."""
    cursor = schema_editor.connection.cursor()
    for old, new in tables.items():
        cursor.execute(f'ALTER TABLE "{old}" RENAME TO "{new}"')
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
            " AND sql IS NOT NULL",
            [new],
        )
        for name, sql in cursor.fetchall():
            renamed = indexes.get(name) or (new + name[len(old) :] if name.startswith(old) else "")
            if not renamed:
                continue
            cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(sql.replace(name, renamed, 1))


def _renamer(tables: dict, indexes: dict):
    def rename(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in _rename_sql(tables, indexes):
                # As RunSQL runs them: no parameters, so the DO block's format('%I') is not
                # taken for a placeholder.
                schema_editor.execute(statement, params=None)
        else:
            _rename_sqlite(schema_editor, tables, indexes)

    return rename


def _swap(mapping: dict) -> dict:
    return {new: old for old, new in mapping.items()}


def _relabel(apps, source: str, target: str, paths: dict) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A type made for the target label before this ran (by a post_migrate signal) holds
        # nothing: the rows were the source's until now.
        if ContentType.objects.filter(app_label=source, model=model).exists():
            ContentType.objects.filter(app_label=target, model=model).delete()
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    labels = {f"{source}.{model}": f"{target}.{model}" for model in MODELS}
    for name in ("AuditEvent", "ImportRun", "RegistryConflict"):
        rows = apps.get_model("core", name).objects
        for old, new in labels.items():
            rows.filter(ledger=old).update(ledger=new)
    JobRun = apps.get_model("core", "JobRun")
    for old, new in labels.items():
        for job in JobRun.objects.filter(params__ledger=old).only("pk", "params"):
            job.params["ledger"] = new
            JobRun.objects.filter(pk=job.pk).update(params=job.params)
    for old, new in paths.items():
        for job in JobRun.objects.filter(result_url__startswith=old).only("pk", "result_url"):
            JobRun.objects.filter(pk=job.pk).update(result_url=new + job.result_url[len(old) :])


def forwards(apps, schema_editor):
    _relabel(apps, "dropout", "core", PATHS)


def backwards(apps, schema_editor):
    _relabel(apps, "core", "dropout", _swap(PATHS))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_registry_conflicts"),
        ("dropout", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(
                    _renamer(TABLES, META_INDEXES),
                    _renamer(_swap(TABLES), _swap(META_INDEXES)),
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="RosterVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                default=1, editable=False, verbose_name="version"
                            ),
                        ),
                        ("label", models.CharField(max_length=100, verbose_name="label")),
                        (
                            "source_name",
                            models.CharField(
                                blank=True,
                                editable=False,
                                max_length=200,
                                verbose_name="source file",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                        (
                            "county",
                            models.ForeignKey(
                                limit_choices_to={"level": "county"},
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                                verbose_name="county",
                            ),
                        ),
                        (
                            "import_run",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="core.importrun",
                                verbose_name="import run",
                            ),
                        ),
                        (
                            "imported_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="imported by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "roster version",
                        "verbose_name_plural": "roster versions",
                        "ordering": ["-created_at", "-id"],
                    },
                    bases=(core.models.LedgerUrlMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="RosterChild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                default=1, editable=False, verbose_name="version"
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="name")),
                        ("id_number", core.models.IdNumberField(verbose_name="ID number")),
                        (
                            "gender",
                            models.CharField(
                                choices=[("M", "Male"), ("F", "Female")],
                                max_length=1,
                                verbose_name="gender",
                            ),
                        ),
                        ("birth_date", models.DateField(verbose_name="birth date")),
                        (
                            "household_head",
                            models.CharField(
                                blank=True, max_length=50, verbose_name="household head"
                            ),
                        ),
                        (
                            "household_category",
                            models.CharField(
                                choices=[
                                    ("poverty_alleviated", "Poverty-alleviated household"),
                                    ("monitored", "Monitored household"),
                                ],
                                max_length=20,
                                verbose_name="household category",
                            ),
                        ),
                        (
                            "monitoring_type",
                            models.CharField(
                                blank=True,
                                choices=[
                                    (
                                        "unstable_alleviated",
                                        "Unstable poverty-alleviated household",
                                    ),
                                    ("marginal", "Marginal household prone to poverty"),
                                    ("sudden_hardship", "Household in sudden severe hardship"),
                                ],
                                max_length=20,
                                verbose_name="monitoring type",
                            ),
                        ),
                        (
                            "risk_eliminated",
                            models.BooleanField(default=False, verbose_name="risk eliminated"),
                        ),
                        (
                            "village",
                            models.CharField(
                                blank=True, max_length=60, verbose_name="registered village"
                            ),
                        ),
                        (
                            "guardian",
                            models.CharField(blank=True, max_length=50, verbose_name="guardian"),
                        ),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=30, verbose_name="phone"),
                        ),
                        (
                            "county",
                            models.ForeignKey(
                                limit_choices_to={"level": "county"},
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                                verbose_name="county",
                            ),
                        ),
                        (
                            "township",
                            models.ForeignKey(
                                limit_choices_to={"level": "township"},
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                                verbose_name="registered township",
                            ),
                        ),
                        (
                            "roster_version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="children",
                                to="core.rosterversion",
                                verbose_name="roster version",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "roster child",
                        "verbose_name_plural": "roster",
                        "ordering": ["township__code", "name"],
                    },
                    bases=(core.models.PersonMixin, models.Model),
                ),
                migrations.AddIndex(
                    model_name="rosterversion",
                    index=models.Index(
                        fields=["county", "created_at"], name="core_roster_county__c3bdf2_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="rosterchild",
                    index=models.Index(
                        fields=["roster_version", "birth_date"],
                        name="core_roster_roster__975318_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rosterchild",
                    constraint=models.UniqueConstraint(
                        fields=("roster_version", "id_number"),
                        name="one_roster_row_per_child_and_version",
                    ),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
