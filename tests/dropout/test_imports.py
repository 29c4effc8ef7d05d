"""Importing the roster (a new version per import), out-of-city enrolments and cohort baselines,
through the same import pages and pipeline as every ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.importing.models import ImportRun, ImportStatus
from core.models import RosterChild, RosterVersion
from dropout.models import CohortBaseline, OutOfCityEnrolment
from tests.core.import_files import upload, xlsx
from tests.dropout.factories import run_round
from tests.factories import id_for

pytestmark = pytest.mark.django_db

ROSTER_HEADER = [
    "姓名", "身份证号", "性别", "出生日期", "户主姓名", "户类型", "监测类型", "风险是否消除",
    "乡镇", "村", "监护人", "联系电话",
]  # fmt: skip


def roster_row(county_code, name, *, born=dt.date(2013, 3, 14), category="脱贫户", monitoring="",
               risk="", township="长汀镇"):  # fmt: skip
    number = id_for(county_code, born)
    gender = "男" if int(number[16]) % 2 else "女"
    return [
        name, number, gender, born.isoformat(), "王大山", category, monitoring, risk, township,
        "红旗村", "王大山", "13900000000",
    ]  # fmt: skip


def roster_sheet(rows) -> bytes:
    return xlsx(
        [ROSTER_HEADER, *rows], title="监测名单", before=[["海林市2023年脱贫户监测户子女名单"]]
    )


def send(client, content: bytes, ledger: str, name: str = "名单.xlsx"):
    response = client.post(reverse(f"{ledger}-import"), {"file": upload(content, name)})
    assert response.status_code == 302, response.content[:500]
    return ImportRun.objects.latest("pk")


def commit(client, run, ledger: str):
    assert run.status == ImportStatus.PREVIEWED and run.error_total == 0, run.errors
    client.post(reverse(f"{ledger}-import-confirm", args=[run.pk]))
    run.refresh_from_db()
    return run


def test_each_roster_import_is_a_new_version(county_client, county_user, township):
    rows = [
        roster_row("231083", "王小明"),
        roster_row("231083", "李小花", category="监测户", monitoring="边缘易致贫户", risk="未消除"),
        roster_row(
            "231083", "赵小军", category="监测户", monitoring="突发严重困难户", risk="已消除"
        ),
    ]
    content = roster_sheet(rows)
    assert county_client.get(reverse("rosterchild-import")).status_code == 200

    run = send(county_client, content, "rosterchild")
    assert run.new_rows == 3
    assert not RosterVersion.objects.exists()  # a preview writes nothing
    run = commit(county_client, run, "rosterchild")
    assert run.status == ImportStatus.COMMITTED, run.message

    version = RosterVersion.objects.get()
    assert version.county == township.county and version.imported_by == county_user
    assert version.import_run == run and version.source_name == "名单.xlsx"
    children = {c.name: c for c in version.children.all()}
    assert set(children) == {"王小明", "李小花", "赵小军"}
    assert children["李小花"].household_category == "monitored"
    assert children["李小花"].monitoring_type == "marginal"
    assert not children["李小花"].risk_eliminated and children["赵小军"].risk_eliminated
    assert children["王小明"].township == township and children["王小明"].county == township.county

    # The same file again: a second, identical version; the first is untouched.
    again = commit(county_client, send(county_client, content, "rosterchild"), "rosterchild")
    assert again.status == ImportStatus.COMMITTED
    assert RosterVersion.objects.count() == 2
    assert RosterChild.objects.count() == 6
    assert version.children.count() == 3


def test_a_bad_roster_row_imports_nothing(county_client, township):
    good = roster_row("231083", "王小明")
    bad = roster_row("231083", "李小花")
    bad[3] = "2013-03-15"  # the birth date disagrees with the ID number
    wrong_type = roster_row("231083", "赵小军", monitoring="边缘易致贫户")  # 脱贫户 with a type
    run = send(county_client, roster_sheet([good, bad, wrong_type]), "rosterchild")
    assert run.error_rows == 2
    assert {e["code"] for e in run.errors} == {"birth_date", "monitoring_type"}
    response = county_client.post(reverse("rosterchild-import-confirm", args=[run.pk]))
    assert response.status_code == 302
    assert not RosterVersion.objects.exists() and not RosterChild.objects.exists()


def test_another_countys_township_is_refused(county_client, township, other_township):
    run = send(
        county_client,
        roster_sheet([roster_row("231086", "外县儿童", township=other_township.code)]),
        "rosterchild",
    )
    assert run.error_rows == 1 and not RosterChild.objects.exists()


def test_an_imported_roster_is_what_the_next_round_screens(
    county_client, city_admin, township, school
):
    commit(
        county_client,
        send(county_client, roster_sheet([roster_row("231083", "王小明")]), "rosterchild"),
        "rosterchild",
    )
    screening_round = run_round(city_admin)
    assert screening_round.results.get().name == "王小明"
    assert list(screening_round.roster_versions.all()) == [RosterVersion.objects.get()]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_large_roster_is_imported_as_a_job(county_client, township, settings, celery_worker):
    """On the real worker (REDIS_URL): the check and the import of the roster are its jobs."""
    settings.IMPORT_INLINE_MAX_ROWS = 2
    rows = [roster_row("231083", f"儿童{n}") for n in range(4)]
    county_client.post(
        reverse("rosterchild-import"), {"file": upload(roster_sheet(rows), "名单.xlsx")}
    )
    run = ImportRun.objects.latest("pk")
    assert run.job is not None and celery_worker.wait(run.job).status == "succeeded"
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED and run.new_rows == 4
    county_client.post(reverse("rosterchild-import-confirm", args=[run.pk]))
    run.refresh_from_db()
    assert celery_worker.wait(run.job).kind == "import_commit"
    run.refresh_from_db()
    assert run.status == ImportStatus.COMMITTED, run.message
    assert RosterVersion.objects.get().children.count() == 4


def test_cohort_baselines_import_and_reimport_updates(county_client, county):
    header = ["入学年份", "城乡", "一年级在校生数"]
    run = commit(
        county_client,
        send(county_client, xlsx([header, ["2015", "", 1250], ["2016", "乡村", 800]]),
             "cohortbaseline"),
        "cohortbaseline",
    )  # fmt: skip
    assert run.status == ImportStatus.COMMITTED, run.message
    assert dict(CohortBaseline.objects.values_list("entry_year", "grade1_enrolment")) == {
        2015: 1250,
        2016: 800,
    }
    assert {b.county for b in CohortBaseline.objects.all()} == {county}
    run = send(county_client, xlsx([header, ["2015", "", 1210]]), "cohortbaseline")
    assert (run.new_rows, run.changed_rows) == (0, 1)
    commit(county_client, run, "cohortbaseline")
    assert CohortBaseline.objects.get(entry_year=2015, locality="").grade1_enrolment == 1210


def test_out_of_city_enrolments_import(county_client, county, township):
    header = ["姓名", "身份证号", "学年", "就读地", "就读学校", "核实方式", "核实日期", "核实人"]
    number = id_for("231083", dt.date(2012, 1, 1))
    run = commit(
        county_client,
        send(
            county_client,
            xlsx([header, ["王小明", number, "2023-2024", "辽宁省沈阳市", "沈阳市第一小学",
                           "信函", "2023-09-10", "张老师"]]),
            "outofcityenrolment",
        ),
        "outofcityenrolment",
    )  # fmt: skip
    assert run.status == ImportStatus.COMMITTED, run.message
    row = OutOfCityEnrolment.objects.get()
    assert (row.school_year, row.verified_how, row.county) == (2023, "letter", county)
