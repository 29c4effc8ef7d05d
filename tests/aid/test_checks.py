"""The three checks: eligible but not aided 应助未助, below the standard, paid by two counties —
each a list with export and a reason per row, scoped, set-based."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aid import selectors
from aid.models import CheckKind, CheckNote
from core.models import AuditAction, AuditEvent
from tests.aid.factories import DisbursementFactory, make_roster
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db

PA, MON = "poverty_alleviated", "monitored"
AUTUMN = {"school_year": 2023, "term": "autumn"}
SPRING = {"school_year": 2023, "term": "spring"}


def gap_names(client, **params) -> set[str]:
    response = client.get(reverse("aid-gap-list"), {**AUTUMN, **params})
    assert response.status_code == 200
    return {row.record.name for row in response.context["table"].paginated_rows}


def pay(student, programme, **over):
    return DisbursementFactory(
        school=student.school,
        id_number=student.id_number,
        name=student.name,
        programme=programme,
        **over,
    )


@pytest.fixture
def pupils(programmes, school, township):
    """Registry pupils of a day primary school, some on the roster."""
    make = lambda name, **kw: StudentFactory(school=school, name=name, **kw)  # noqa: E731
    rows = {
        "poor": make("脱贫户孩子"),
        "monitored": make("监测户孩子"),
        "eliminated": make("已消除风险"),
        "not_on_roster": make("普通学生"),
        "suspended": make("休学学生", status="suspended"),
        "kindergarten": StudentFactory(
            school=SchoolFactory(township=township, kind="kindergarten"),
            name="幼儿园孩子",
            grade=-1,
            birth_date=dt.date(2018, 5, 1),
        ),
    }
    make_roster(
        township,
        [
            (rows["poor"].id_number, "脱贫户孩子", PA, False),
            (rows["monitored"].id_number, "监测户孩子", MON, False),
            (rows["eliminated"].id_number, "已消除风险", MON, True),
            (rows["suspended"].id_number, "休学学生", PA, False),
            (rows["kindergarten"].id_number, "幼儿园孩子", PA, False),
        ],
    )
    return rows


# --- Eligible but not aided --------------------------------------------------------------------


def test_gap_list_and_a_paid_student_leaves_it(county_client, pupils, programmes):
    assert gap_names(county_client) == {"脱贫户孩子", "监测户孩子", "幼儿园孩子"}

    # The officer pays the student through the ledger form: gone from the autumn list only.
    student = pupils["poor"]
    response = county_client.post(
        reverse("disbursement-create"),
        {
            "id_number": student.id_number,
            "programme": programmes["YW-FJS-XX"].pk,
            "school_year": 2023,
            "term": "autumn",
            "amount": "250.00",
            "paid_on": "2023-11-02",
            "school": student.school_id,
            "category": "formerly_poor",
        },
    )
    assert response.status_code == 302
    assert gap_names(county_client) == {"监测户孩子", "幼儿园孩子"}
    assert "脱贫户孩子" in gap_names(county_client, **SPRING)


def test_gap_row_shows_the_programme_due_and_its_standard(county_client, pupils, programmes):
    response = county_client.get(reverse("aid-gap-list"), AUTUMN)
    html = response.content.decode()
    assert "义务教育非寄宿生生活补助（小学）" in html and "250.00" in html
    assert "学前教育资助" in html
    assert pupils["poor"].id_number not in html  # masked


def test_boarding_school_pupils_are_due_the_boarders_allowance(county_client, township):
    from tests.aid.factories import make_programmes

    make_programmes()
    boarding = SchoolFactory(township=township, boarding=True, kind="junior")
    student = StudentFactory(school=boarding, grade=8, name="寄宿生")
    make_roster(township, [(student.id_number, "寄宿生", PA, False)])
    table = county_client.get(reverse("aid-gap-list"), AUTUMN).context["table"]
    row = next(iter(table.paginated_rows))
    assert row.get_cell("expected") == "义务教育寄宿生生活补助（初中）"
    assert row.get_cell("standard") == "625.00"


def test_aided_last_term_in_an_aid_category_is_expected_again(county_client, programmes, school):
    dibao = StudentFactory(school=school, name="低保学生")
    other = StudentFactory(school=school, name="其他类别学生")
    pay(dibao, programmes["YW-FJS-XX"], category="dibao", amount=Decimal("250.00"))
    pay(other, programmes["YW-FJS-XX"], category="other", amount=Decimal("250.00"))
    assert gap_names(county_client, **SPRING) == {"低保学生"}
    assert gap_names(county_client) == set()  # both were paid in autumn


def test_only_the_newest_roster_version_counts(county_client, programmes, school, township):
    dropped = StudentFactory(school=school, name="已出列")
    kept = StudentFactory(school=school, name="仍在列")
    make_roster(township, [(dropped.id_number, dropped.name, PA, False)], label="旧名单")
    make_roster(township, [(kept.id_number, kept.name, PA, False)], label="新名单")
    assert gap_names(county_client) == {"仍在列"}


def test_no_standard_for_the_term_means_no_gap(county_client, pupils):
    assert gap_names(county_client, school_year=2024) == set()


def test_roster_of_another_county_counts_but_other_rows_stay_hidden(
    county_client, programmes, school, other_school, other_township
):
    here = StudentFactory(school=school, name="本县就读")
    there = StudentFactory(school=other_school, name="外县就读")
    make_roster(
        other_township,
        [(here.id_number, here.name, PA, False), (there.id_number, there.name, PA, False)],
    )
    assert gap_names(county_client) == {"本县就读"}


def test_city_sees_every_county(city_client, programmes, school, other_school, township):
    a = StudentFactory(school=school, name="甲")
    b = StudentFactory(school=other_school, name="乙")
    make_roster(township, [(a.id_number, "甲", PA, False), (b.id_number, "乙", PA, False)])
    assert gap_names(city_client) == {"甲", "乙"}
    assert gap_names(city_client, county=other_school.county_id) == {"乙"}


def test_reason_recorded_on_a_gap_row(county_client, county_user, pupils):
    student = pupils["monitored"]
    url = reverse("aid-check-note")
    data = {"check": "gap", "row": student.pk, **AUTUMN, "reason": "已转学外省", "next": "/aid/"}
    response = county_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "已转学外省" in response.content.decode() and "已保存" in response.content.decode()
    note = CheckNote.objects.get()
    assert note.check_kind == CheckKind.GAP and note.county == student.county
    assert note.recorded_by == county_user and note.id_number == student.id_number
    assert AuditEvent.objects.filter(ledger="aid.checknote", action=AuditAction.CREATE).exists()

    page = county_client.get(reverse("aid-gap-list"), AUTUMN)
    assert "已转学外省" in page.content.decode()
    assert gap_names(county_client, noted="false") == {"脱贫户孩子", "幼儿园孩子"}
    assert gap_names(county_client, noted="true") == {"监测户孩子"}
    assert selectors.gap_list(user=county_user, **SPRING).filter(reason__isnull=False).count() == 0

    # Changed, then removed (an empty reason), each in the audit trail; a plain POST redirects.
    response = county_client.post(url, {**data, "reason": "家长未申请"})
    assert response.status_code == 302 and response.url == "/aid/"
    assert CheckNote.objects.get().reason == "家长未申请"
    county_client.post(url, {**data, "reason": ""})
    assert not CheckNote.objects.exists()
    assert AuditEvent.objects.filter(ledger="aid.checknote").count() == 3


def test_no_reason_on_another_countys_row(county_client, programmes, other_school):
    theirs = StudentFactory(school=other_school)
    response = county_client.post(
        reverse("aid-check-note"), {"check": "gap", "row": theirs.pk, **AUTUMN, "reason": "x"}
    )
    assert response.status_code == 404 and not CheckNote.objects.exists()


def test_city_staff_may_not_record_reasons(city_client, pupils):
    response = city_client.post(
        reverse("aid-check-note"),
        {"check": "gap", "row": pupils["poor"].pk, **AUTUMN, "reason": "x"},
    )
    assert response.status_code == 403


def test_gap_export_is_masked_and_has_the_reasons(county_client, county_user, pupils):
    CheckNote.objects.create(
        check_kind="gap",
        id_number=pupils["poor"].id_number,
        name="脱贫户孩子",
        school=pupils["poor"].school,
        school_year=2023,
        term="autumn",
        reason="家长未提交申请",
    )
    response = county_client.get(reverse("aid-gap-list-export"), AUTUMN)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert len(rows) == 1 + 3
    assert "家长未提交申请" in text and pupils["poor"].id_number not in text
    assert pupils["poor"].masked_id in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=county_user).exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_big_gap_export_runs_as_a_job_like_a_ledgers(
    county_client, county_user, pupils, settings, celery_worker
):
    """The check list's export takes the ledgers' path: above EXPORT_MAX_ROWS_INLINE, a job on
    the worker, whose file has the same rows and reasons as the page."""
    from core.jobs import JobRun, JobStatus

    CheckNote.objects.create(
        check_kind="gap",
        id_number=pupils["poor"].id_number,
        name="脱贫户孩子",
        school=pupils["poor"].school,
        school_year=2023,
        term="autumn",
        reason="家长未提交申请",
    )
    settings.EXPORT_MAX_ROWS_INLINE = 2
    response = county_client.get(reverse("aid-gap-list-export"), AUTUMN)
    job = JobRun.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.params["check"] == "aid.gap"
    job = celery_worker.wait(job)
    assert job.status == JobStatus.SUCCEEDED and job.actor == county_user, job.error
    download = county_client.get(reverse("job-download", args=[job.pk]))
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert len(rows) == 1 + 3
    assert "家长未提交申请" in text and pupils["poor"].id_number not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=county_user)
    assert event.ledger == "aid.checknote" and event.changes == {"rows": 3, "check": "gap"}


def test_gap_list_is_one_query_however_many_rows(
    county_user, programmes, school, township, django_assert_max_num_queries
):
    students = [StudentFactory(school=school) for _ in range(40)]
    make_roster(township, [(s.id_number, s.name, PA, False) for s in students])
    with django_assert_max_num_queries(2):  # the programmes due, then the list
        rows = list(selectors.gap_list(user=county_user, **AUTUMN))
    assert len(rows) == 40 and all(row.stage == "primary" for row in rows)


# --- Below the standard ------------------------------------------------------------------------


def test_below_standard(county_client, programmes, school):
    short = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="480.00")
    DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="500.00")
    DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="550.00")
    DisbursementFactory(  # no standard for 2022: nothing to compare with
        school=school, programme=programmes["YW-JS-XX"], amount="1.00", school_year=2022
    )
    response = county_client.get(reverse("aid-below-standard"), {"school_year": 2023})
    rows = [row.record for row in response.context["table"].paginated_rows]
    assert [row.pk for row in rows] == [short.pk]
    assert rows[0].standard == Decimal("500.00") and rows[0].shortfall == Decimal("20.00")
    county_client.post(
        reverse("aid-check-note"),
        {"check": "below_standard", "row": short.pk, **AUTUMN, "reason": "按新标准补发"},
    )
    note = CheckNote.objects.get()
    assert note.programme == short.programme and note.check_kind == "below_standard"
    assert "按新标准补发" in county_client.get(reverse("aid-below-standard")).content.decode()


# --- Paid by two counties ----------------------------------------------------------------------


@pytest.fixture
def paid_twice(programmes, school, other_school):
    student = StudentFactory(school=school, name="两地受助")
    here = pay(student, programmes["YW-FJS-XX"], amount=Decimal("250.00"))
    there = DisbursementFactory(
        school=other_school,
        id_number=student.id_number,
        name=student.name,
        programme=programmes["YW-JS-XX"],
        paid_on=dt.date(2023, 12, 24),
    )
    # Not duplicates: one county paying two programmes; two counties in different terms.
    once = StudentFactory(school=school)
    pay(once, programmes["YW-FJS-XX"], amount=Decimal("250.00"))
    pay(once, programmes["GZ-ZXJ"], amount=Decimal("1000.00"))
    moved = StudentFactory(school=school)
    pay(moved, programmes["YW-FJS-XX"], amount=Decimal("250.00"))
    DisbursementFactory(
        school=other_school, id_number=moved.id_number, programme=programmes["YW-JS-XX"],
        term="spring",
    )  # fmt: skip
    return here, there


def test_county_sees_its_own_row_and_the_other_countys_name(
    county_client, paid_twice, other_school
):
    here, there = paid_twice
    response = county_client.get(reverse("aid-duplicates"), {"school_year": 2023})
    rows = list(response.context["table"].paginated_rows)
    assert [row.record.pk for row in rows] == [here.pk]
    assert rows[0].get_cell("other_county") == other_school.county.name
    html = response.content.decode()
    assert other_school.name not in html and str(there.paid_on) not in html


def test_city_sees_both_rows(city_client, paid_twice):
    response = city_client.get(reverse("aid-duplicates"), {"school_year": 2023})
    assert {row.record.pk for row in response.context["table"].paginated_rows} == {
        paid_twice[0].pk,
        paid_twice[1].pk,
    }


def test_each_county_gives_its_own_reason(client, county_user, other_county_user, paid_twice):
    here, there = paid_twice
    for user, row, reason in (
        (county_user, here, "学期中转出"),
        (other_county_user, there, "转入"),
    ):
        client.force_login(user)
        client.post(
            reverse("aid-check-note"),
            {"check": "duplicate", "row": row.pk, **AUTUMN, "reason": reason},
        )
    assert dict(CheckNote.objects.values_list("county_id", "reason")) == {
        here.county_id: "学期中转出",
        there.county_id: "转入",
    }


def test_without_any_programme_the_list_is_empty_not_an_error(county_client, county_user, school):
    StudentFactory(school=school)
    assert selectors.gap_list(user=county_user, **AUTUMN).filter(reason__isnull=True).count() == 0
    assert county_client.get(reverse("home")).status_code == 200


def test_a_check_list_is_searched_by_id_number_too(county_client, programmes, school):
    """The shared search (core.filters) reaches check lists: the number posted, a token in the
    URL, the one row with that number shown."""
    short = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="480.00")
    DisbursementFactory(school=school, programme=programmes["YW-JS-XX"], amount="470.00")
    url = reverse("aid-below-standard") + "?school_year=2023"
    answer = county_client.post(url, {"id_number": short.id_number.lower()})
    assert answer.status_code == 302 and "school_year=2023" in answer["Location"]
    assert short.id_number not in answer["Location"] and "ids=" in answer["Location"]
    response = county_client.get(answer["Location"])
    rows = [row.record for row in response.context["table"].paginated_rows]
    assert [row.pk for row in rows] == [short.pk]
    assert short.id_number not in response.content.decode()
