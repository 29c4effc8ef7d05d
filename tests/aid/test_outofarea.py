"""Out-of-area supervision 本地户籍外地就读: the list, the contact log that verifies, coverage
figures (verified ÷ all, receiving ÷ verified, at standard ÷ receiving) and "no one missed"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aid import selectors, services
from aid.models import ContactLog, OutOfAreaSource, OutOfAreaStudent
from core.models import AuditAction, AuditEvent
from dropout.models import OutOfCityEnrolment
from tests.aid.factories import ContactLogFactory, OutOfAreaStudentFactory, make_roster, new_id

pytestmark = pytest.mark.django_db


def _student(county, *, reached=None, receives=None, standard=None):
    student = OutOfAreaStudentFactory(county=county)
    if reached is not None:
        ContactLogFactory(student=student, reached=reached)
    if receives is not None:
        student.receives_aid = receives
        student.meets_standard = standard
        student.aid_amount = Decimal("500.00") if receives else None
        student.save()
    return student


def test_coverage_figures(county_user, county, other_county):
    _student(county)  # never contacted
    _student(county, reached=False)  # a letter without an answer
    _student(county, reached=True, receives=False)
    _student(county, reached=True, receives=True, standard=False)
    _student(county, reached=True, receives=True, standard=True)
    _student(county, reached=True, receives=True, standard=True)
    _student(other_county, reached=True, receives=True, standard=True)  # not theirs
    figures = selectors.out_of_area_coverage(user=county_user)
    assert figures["total"] == 6 and figures["verified"] == 4
    assert figures["receiving"] == 3 and figures["at_standard"] == 2
    assert figures["not_verified"] == 2
    assert figures["verified_rate"] == Decimal("66.7")
    assert figures["receiving_rate"] == Decimal("75.0")
    assert figures["at_standard_rate"] == Decimal("66.7")


def test_no_students_no_rates(county_user):
    figures = selectors.out_of_area_coverage(user=county_user)
    assert figures["total"] == 0 and figures["verified_rate"] is None


def test_a_contact_that_reaches_the_student_verifies_them(county_client, county):
    student = _student(county)
    assert student.verified_on is None
    url = reverse("aid-contact-add", args=[student.pk])
    response = county_client.post(
        url,
        {
            "method": "letter",
            "contacted_on": "2023-10-10",
            "contacted_by": "王老师",
            "learned": "已寄出",
        },
    )
    assert response.status_code == 302 and response.url == student.get_absolute_url()
    student.refresh_from_db()
    assert student.verified_on is None  # a letter not answered does not verify
    county_client.post(
        url,
        {
            "method": "phone",
            "contacted_on": "2023-10-20",
            "contacted_by": "王老师",
            "reached": "on",
            "learned": "在当地享受寄宿生生活补助，达到标准",
        },
    )
    student.refresh_from_db()
    assert student.verified_on == dt.date(2023, 10, 20)
    assert (
        AuditEvent.objects.filter(ledger="aid.contactlog", action=AuditAction.CREATE).count() == 2
    )
    page = county_client.get(student.get_absolute_url()).content.decode()
    assert "在当地享受寄宿生生活补助" in page and student.id_number not in page

    # Deleting the contact (generic ledger page) takes the verification back.
    reached = ContactLog.objects.get(reached=True)
    county_client.post(reverse("contactlog-delete", args=[reached.pk]))
    student.refresh_from_db()
    assert student.verified_on is None


def test_contact_of_another_countys_student_is_refused(county_client, other_county):
    theirs = _student(other_county)
    response = county_client.post(
        reverse("aid-contact-add", args=[theirs.pk]),
        {"method": "phone", "contacted_on": "2023-10-20", "contacted_by": "x", "reached": "on"},
    )
    assert response.status_code == 404 and not ContactLog.objects.exists()


def test_not_verified_list_is_the_no_one_missed_figure(county_client, county):
    missed = _student(county)
    _student(county, reached=True)
    response = county_client.get(reverse("outofareastudent-list"), {"verified": "false"})
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [missed.pk]


def test_form_keeps_unknown_aid_answers_unknown(county_client, county):
    response = county_client.post(
        reverse("outofareastudent-create"),
        {
            "id_number": new_id(county.code),
            "name": "在外学生",
            "county": county.pk,
            "province": "吉林省",
            "city": "长春市",
            "school_name": "长春市实验中学",
            "stage": "junior",
            "receives_aid": "unknown",
            "meets_standard": "unknown",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    student = OutOfAreaStudent.objects.get()
    assert student.receives_aid is None and student.meets_standard is None
    assert student.source == OutOfAreaSource.MANUAL


def test_seeded_from_the_dropout_evidence_ledger(county_client, county_user, county, township):
    poor, other = new_id(county.code), new_id(county.code)
    for number, name in ((poor, "脱贫户在外"), (other, "普通在外")):
        OutOfCityEnrolment.objects.create(
            county=county,
            township=township,
            id_number=number,
            name=name,
            school_year=2023,
            place="吉林省长春市",
            school_name="长春市第二实验学校",
            grade=5,
            verified_how="letter",
            verified_on=dt.date(2023, 9, 20),
            verifier="李老师",
        )
    make_roster(township, [(poor, "脱贫户在外", "poverty_alleviated", False)])
    response = county_client.post(reverse("aid-out-of-area-seed"))
    assert response.status_code == 302
    rows = {s.name: s for s in OutOfAreaStudent.objects.all()}
    assert rows["脱贫户在外"].source == OutOfAreaSource.ROSTER
    assert rows["普通在外"].source == OutOfAreaSource.EVIDENCE
    assert rows["普通在外"].province == "吉林省" and rows["普通在外"].city == "长春市"
    assert rows["普通在外"].stage == "primary" and rows["普通在外"].household_region == township
    assert rows["普通在外"].verified_on is None  # supervision of aid is a contact of its own
    again = services.out_of_area_seed_from_dropout(actor=county_user)
    assert again == {"created": 0, "existing": 2}
    assert OutOfAreaStudent.objects.count() == 2


def test_split_place():
    assert services.split_place("吉林省长春市") == ("吉林省", "长春市")
    assert services.split_place("北京市海淀区") == ("北京市", "海淀区")
    assert services.split_place("内蒙古自治区呼和浩特市") == ("内蒙古自治区", "呼和浩特市")
    assert services.split_place("外地") == ("外地", "")


def test_imported_from_a_sheet_and_updated_by_the_next(county_client, county, township):
    from core.importing.models import ImportRun
    from tests.core.import_files import upload, xlsx

    header = ["姓名", "身份证号", "户籍乡镇", "就读省份", "就读城市", "就读学校", "学段",
              "是否享受资助", "每学期金额", "是否达到国家标准"]  # fmt: skip
    first, second = new_id(county.code), new_id(county.code)
    rows = [
        ["在外甲", first, township.name, "吉林省", "长春市", "长春一中", "初中", "是", 625, "是"],
        ["在外乙", second, "", "辽宁省", "", "", "小学", "否", "", ""],
        ["在外丙", new_id(county.code), "", "辽宁省", "", "", "小学", "否", "300", ""],
    ]  # fmt: skip

    def send(content):
        response = county_client.post(
            reverse("outofareastudent-import"), {"file": upload(content, "外地就读.xlsx")}
        )
        assert response.status_code == 302
        return ImportRun.objects.latest("pk")

    run = send(xlsx([header, *rows]))
    assert [(e["row"], e["code"]) for e in run.errors] == [(4, "receives_aid")]
    run = send(xlsx([header, *rows[:2]]))
    assert run.error_total == 0 and run.new_rows == 2
    county_client.post(reverse("outofareastudent-import-confirm", args=[run.pk]))
    imported = OutOfAreaStudent.objects.get(id_number=first)
    assert imported.county == county and imported.household_region == township
    assert imported.aid_amount == Decimal("625.00") and imported.meets_standard is True
    assert OutOfAreaStudent.objects.get(id_number=second).receives_aid is False

    rows[0][5] = "长春二中"  # the school elsewhere changed: an update, not a new row
    run = send(xlsx([header, *rows[:2]]))
    assert (run.new_rows, run.changed_rows, run.unchanged_rows) == (0, 1, 1)
