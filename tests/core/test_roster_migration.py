"""The roster's move from dropout to core (core 0006, dropout 0003) keeps every row and its past.

On a database migrated to just before the move, rows are made with the models of that time
(versions, children, a round and its result, a case, audit events of both ledgers, an import run,
an export job, a registry conflict, an attachment); after `migrate` every row is there with its
id, the foreign keys reach the same rows through the core models, the stored labels say core, the
child's page shows its history and its attachment, and a new child continues the id sequence.
Migrating back restores the dropout labels and tables. The test leaves the database migrated to
the latest state (transactional, so the rest of the suite sees its usual schema and no rows).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core import audit, idnumbers

BEFORE = [("core", "0005_registry_conflicts"), ("dropout", "0002_one_scheduled_round_per_date")]
MOVED = [("core", "0006_roster_moves_to_core"), ("dropout", "0003_roster_moves_to_core")]

pytestmark = [pytest.mark.long, pytest.mark.django_db(transaction=True)]


def _migrate(targets):
    """Migrate to `targets` and return the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _seed(apps) -> dict:
    """Rows of every kind that refers to the roster, made with the pre-move models."""
    Region = apps.get_model("core", "Region")
    User = apps.get_model("core", "User")
    city = Region.objects.create(code="231000", name="牡丹江市", level="city")
    county = Region.objects.create(code="231083", name="海林市", level="county", parent=city)
    county.county_id = county.pk
    county.save()
    township = Region.objects.create(
        code="231083100", name="长汀镇", level="township", parent=county, county=county
    )
    admin = User.objects.create(
        username="migration-admin", role="city_admin", scope=city, is_active=True, password="!"
    )
    RosterVersion = apps.get_model("dropout", "RosterVersion")
    RosterChild = apps.get_model("dropout", "RosterChild")
    autumn = RosterVersion.objects.create(county=county, label="2023年秋季监测名单")
    spring = RosterVersion.objects.create(county=county, label="2024年春季监测名单", note="复核")
    born = dt.date(2013, 3, 14)
    children = [
        RosterChild.objects.create(
            roster_version=version,
            county=county,
            township=township,
            name=name,
            id_number=idnumbers.make("231083", born, sequence),
            gender="M",
            birth_date=born,
            household_category=category,
            monitoring_type="marginal" if category == "monitored" else "",
            village="红旗村",
        )
        for version, name, sequence, category in (
            (autumn, "王小明", 13, "poverty_alleviated"),
            (autumn, "赵小军", 15, "monitored"),
            (spring, "王小明", 13, "poverty_alleviated"),
        )
    ]
    child = children[1]
    ScreeningRound = apps.get_model("dropout", "ScreeningRound")
    screening_round = ScreeningRound.objects.create(
        name="2023年秋季第一轮排查",
        school_year=2023,
        reference_date=dt.date(2023, 8, 31),
        screening_date=dt.date(2023, 9, 15),
        age_min=6,
        age_max=15,
        status="finished",
    )
    screening_round.counties.set([county])
    screening_round.roster_versions.set([autumn])
    result = apps.get_model("dropout", "ScreeningResult").objects.create(
        county=county,
        round=screening_round,
        roster_child=child,
        id_number=child.id_number,
        name=child.name,
        birth_date=child.birth_date,
        township=township,
        household_category=child.household_category,
        classification="suspected",
        match_method="none",
    )
    case = apps.get_model("dropout", "DropoutCase").objects.create(
        county=county,
        township=township,
        roster_child=child,
        id_number=child.id_number,
        name=child.name,
        opened_in_round=screening_round,
        opened_on=dt.date(2023, 9, 15),
        due_on=dt.date(2023, 9, 30),
    )
    AuditEvent = apps.get_model("core", "AuditEvent")
    events = [
        AuditEvent.objects.create(
            actor=admin,
            action="update",
            ledger="dropout.rosterchild",
            object_id=str(child.pk),
            object_repr=child.name,
            county=county,
            changes={"village": ["迁移前村", "红旗村"]},
        ),
        AuditEvent.objects.create(
            actor=admin,
            action="create",
            ledger="dropout.rosterversion",
            object_id=str(spring.pk),
            object_repr=spring.label,
            county=county,
            changes={"note": [None, "复核"]},
        ),
    ]
    untouched = AuditEvent.objects.create(
        actor=admin, action="export", ledger="dropout.dropoutcase", county=county
    )
    run = apps.get_model("core", "ImportRun").objects.create(
        ledger="dropout.rosterchild", actor=admin, county=county, file_name="海林市监测名单.xlsx"
    )
    JobRun = apps.get_model("core", "JobRun")
    export = JobRun.objects.create(
        kind="export",
        title="导出",
        actor=admin,
        params={"ledger": "dropout.rosterversion", "query": "county=1", "language": "zh-hans"},
    )
    preview = JobRun.objects.create(
        kind="import",
        title="导入",
        actor=admin,
        params={"run": run.pk},
        result_url=f"/dropout/roster/import/{run.pk}/",
    )
    conflict = apps.get_model("core", "RegistryConflict").objects.create(
        ledger="dropout.rosterchild",
        id_number=child.id_number,
        county=county,
        existing_id=str(child.pk),
        existing_county=county,
        actor=admin,
        source="import",
    )
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    child_type, _made = ContentTypeThen.objects.get_or_create(
        app_label="dropout", model="rosterchild"
    )
    attachment = apps.get_model("core", "Attachment").objects.create(
        content_type=child_type,
        object_id=child.pk,
        county=county,
        kind="document",
        original_name="家访记录.pdf",
        file_path="attachments/migration-test.pdf",
        mime_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=admin,
    )
    return {
        "admin": admin.pk,
        "versions": {autumn.pk: autumn.label, spring.pk: spring.label},
        "children": {c.pk: (c.roster_version_id, c.id_number, c.name) for c in children},
        "child": child.pk,
        "round": screening_round.pk,
        "result": result.pk,
        "case": case.pk,
        "events": [e.pk for e in events],
        "untouched": untouched.pk,
        "run": run.pk,
        "export": export.pk,
        "preview": preview.pk,
        "conflict": conflict.pk,
        "attachment": attachment.pk,
        "child_type": child_type.pk,
    }


def test_the_roster_moves_to_core_keeping_every_row_id_link_and_event(client):
    from core.models import (
        Attachment,
        AuditEvent,
        ImportRun,
        JobRun,
        RegistryConflict,
        RosterChild,
        RosterVersion,
        User,
    )
    from dropout.models import DropoutCase, ScreeningResult, ScreeningRound

    try:
        seeded = _seed(_migrate(BEFORE))
        assert {"dropout_rosterchild", "dropout_rosterversion"} <= _tables()

        _migrate(_latest())

        tables = _tables()
        assert {"core_rosterchild", "core_rosterversion"} <= tables
        assert not {"dropout_rosterchild", "dropout_rosterversion"} & tables
        # Every row, with its id and version.
        assert dict(RosterVersion.objects.values_list("pk", "label")) == seeded["versions"]
        assert {
            c.pk: (c.roster_version_id, c.id_number, c.name) for c in RosterChild.objects.all()
        } == seeded["children"]
        child = RosterChild.objects.get(pk=seeded["child"])
        # dropout's foreign keys reach the same rows, now core's.
        assert ScreeningResult.objects.get(pk=seeded["result"]).roster_child == child
        assert DropoutCase.objects.get(pk=seeded["case"]).roster_child == child
        assert list(child.results.values_list("pk", flat=True)) == [seeded["result"]]
        screening_round = ScreeningRound.objects.get(pk=seeded["round"])
        assert list(screening_round.roster_versions.all()) == [child.roster_version]
        assert list(child.roster_version.rounds.all()) == [screening_round]
        # The stored labels say core; the row's history shows the event.
        child_event, version_event = (AuditEvent.objects.get(pk=pk) for pk in seeded["events"])
        assert (child_event.ledger, version_event.ledger) == (
            "core.rosterchild",
            "core.rosterversion",
        )
        assert AuditEvent.objects.get(pk=seeded["untouched"]).ledger == "dropout.dropoutcase"
        assert list(audit.history(child)) == [child_event]
        spring = RosterVersion.objects.get(label="2024年春季监测名单")
        assert list(audit.history(spring)) == [version_event]
        assert ImportRun.objects.get(pk=seeded["run"]).ledger == "core.rosterchild"
        assert RegistryConflict.objects.get(pk=seeded["conflict"]).ledger == "core.rosterchild"
        export = JobRun.objects.get(pk=seeded["export"])
        assert export.params == {
            "ledger": "core.rosterversion",
            "query": "county=1",
            "language": "zh-hans",
        }
        preview = JobRun.objects.get(pk=seeded["preview"])
        assert preview.result_url == reverse("rosterchild-import-preview", args=[seeded["run"]])
        # The content type was relabelled in place: the attachment still hangs on the child.
        child_type = ContentType.objects.get_for_model(RosterChild)
        assert child_type.pk == seeded["child_type"]
        assert not ContentType.objects.filter(app_label="dropout", model="rosterchild").exists()
        assert list(child.attachments.values_list("pk", flat=True)) == [seeded["attachment"]]
        assert Attachment.objects.get(pk=seeded["attachment"]).row == child
        # What a user sees: the child's page at its new address, with its history and file.
        client.force_login(User.objects.get(pk=seeded["admin"]))
        page = client.get(reverse("rosterchild-detail", args=[child.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert child.get_absolute_url() == f"/roster/{child.pk}/"
        assert "迁移前村" in html and "家访记录.pdf" in html
        # The id sequence carries on after the renamed table's rows.
        newcomer = RosterChild.objects.create(
            roster_version=spring,
            county=child.county,
            township=child.township,
            name="新来的",
            id_number=idnumbers.make("231083", dt.date(2014, 5, 1), 17),
            gender="M",
            birth_date=dt.date(2014, 5, 1),
            household_category="poverty_alleviated",
        )
        assert newcomer.pk > max(seeded["children"])

        # Back again: dropout's tables, labels and links, the same rows.
        newcomer.delete()
        before = _migrate(BEFORE)
        assert {"dropout_rosterchild", "dropout_rosterversion"} <= _tables()
        assert not {"core_rosterchild", "core_rosterversion"} & _tables()
        ChildThen = before.get_model("dropout", "RosterChild")
        assert set(ChildThen.objects.values_list("pk", flat=True)) == set(seeded["children"])
        EventThen = before.get_model("core", "AuditEvent")
        assert sorted(
            EventThen.objects.filter(pk__in=seeded["events"]).values_list("ledger", flat=True)
        ) == ["dropout.rosterchild", "dropout.rosterversion"]
        JobThen = before.get_model("core", "JobRun")
        assert JobThen.objects.get(pk=seeded["export"]).params["ledger"] == "dropout.rosterversion"
        assert JobThen.objects.get(pk=seeded["preview"]).result_url == (
            f"/dropout/roster/import/{seeded['run']}/"
        )
        TypeThen = before.get_model("contenttypes", "ContentType")
        assert TypeThen.objects.get(pk=seeded["child_type"]).app_label == "dropout"
        ResultThen = before.get_model("dropout", "ScreeningResult")
        assert ResultThen.objects.get(pk=seeded["result"]).roster_child_id == seeded["child"]
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()
