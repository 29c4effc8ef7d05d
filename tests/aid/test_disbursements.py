"""The disbursement ledger: one payment per student, programme and term — enforced by the database
and reported clearly, naming the existing row, by the form, the API and the import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from aid.models import Disbursement
from core import idnumbers
from core.importing.models import ImportRun, ImportStatus
from core.models import AuditAction, AuditEvent
from tests.aid.factories import DisbursementFactory, new_id
from tests.core.import_files import upload, xlsx
from tests.factories import SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "身份证号",
    "资助项目",
    "学年",
    "学期",
    "金额",
    "发放日期",
    "学校标识码",
    "资助对象类别",
]


def sheet_row(school, number, *, name="张小华", programme="YW-JS-XX", amount="500", **over):
    row = {
        "name": name,
        "id": number,
        "programme": programme,
        "year": "2023-2024",
        "term": "秋季学期",
        "amount": amount,
        "paid_on": "2023-11-15",
        "school": school.code,
        "category": "原建档立卡",
    }
    row.update(over)
    return list(row.values())


def form_data(school, programme, number, **over):
    data = {
        "id_number": number,
        "name": "李明",
        "programme": programme.pk,
        "school_year": 2023,
        "term": "autumn",
        "amount": "500.00",
        "paid_on": "2023-11-20",
        "school": school.pk,
        "category": "formerly_poor",
    }
    data.update(over)
    return data


def send(client, content: bytes):
    response = client.post(reverse("disbursement-import"), {"file": upload(content, "发放表.xlsx")})
    assert response.status_code == 302, response.content[:500]
    return ImportRun.objects.latest("pk")


# --- The database ------------------------------------------------------------------------------


def test_the_database_refuses_a_second_payment_for_the_same_term(programmes, school):
    first = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.bulk_create(
            [
                Disbursement(
                    id_number=first.id_number,
                    name=first.name,
                    programme=first.programme,
                    school_year=2023,
                    term="autumn",
                    amount=Decimal("500.00"),
                    paid_on=dt.date(2023, 12, 1),
                    school=school,
                    county=school.county,
                    category="dibao",
                )
            ]
        )
    # Another term, or another programme, is another payment.
    DisbursementFactory(
        school=school, programme=first.programme, id_number=first.id_number, term="spring"
    )
    DisbursementFactory(
        school=school, programme=programmes["GZ-ZXJ"], id_number=first.id_number, term="autumn"
    )
    assert Disbursement.objects.filter(id_number=first.id_number).count() == 3


# --- The form ----------------------------------------------------------------------------------


def test_form_links_the_registry_student_and_takes_the_name(county_client, programmes, school):
    student = StudentFactory(school=school, name="王小丫")
    data = form_data(school, programmes["YW-JS-XX"], student.id_number, name="")
    response = county_client.post(reverse("disbursement-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    row = Disbursement.objects.get()
    assert row.student == student and row.name == "王小丫" and row.county == school.county
    assert row.amount == Decimal("500.00")
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(row.pk)).exists()


def test_form_accepts_a_student_not_in_the_registry_with_a_name(county_client, programmes, school):
    number = new_id()
    response = county_client.post(
        reverse("disbursement-create"), form_data(school, programmes["YW-JS-XX"], number, name="")
    )
    assert response.status_code == 200
    assert "不在学籍" in " ".join(response.context["form"].errors["name"])
    response = county_client.post(
        reverse("disbursement-create"),
        form_data(school, programmes["YW-JS-XX"], " " + number.lower(), name="赵一"),
    )
    assert response.status_code == 302
    row = Disbursement.objects.get()
    assert row.student is None and row.id_number == number.upper()


def test_form_names_the_existing_payment(county_client, programmes, school):
    existing = DisbursementFactory(
        school=school,
        programme=programmes["YW-JS-XX"],
        amount=Decimal("500.00"),
        paid_on=dt.date(2023, 10, 8),
    )
    data = form_data(school, programmes["YW-JS-XX"], existing.id_number, amount="480")
    response = county_client.post(reverse("disbursement-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    message = errors[0]
    assert school.name in message and "2023-10-08" in message and "500.00" in message
    assert str(existing.pk) in message
    assert "480" in response.content.decode()  # what was typed is kept
    assert Disbursement.objects.count() == 1


def test_form_edit_of_the_same_row_is_not_a_duplicate(county_client, programmes, school):
    row = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"])
    page = county_client.get(reverse("disbursement-update", args=[row.pk]))
    assert row.id_number not in page.content.decode()  # never sent back to the browser
    data = form_data(school, row.programme, "", amount="520.00", row_version=row.version)
    response = county_client.post(reverse("disbursement-update", args=[row.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.amount == Decimal("520.00") and row.id_number


def test_form_across_counties_names_only_the_other_county(
    county_client, programmes, school, other_school
):
    theirs = DisbursementFactory(school=other_school, programme=programmes["YW-JS-XX"])
    data = form_data(school, programmes["YW-JS-XX"], theirs.id_number)
    response = county_client.post(reverse("disbursement-create"), data)
    message = response.context["form"].non_field_errors()[0]
    assert other_school.county.name in message
    assert other_school.name not in message and str(theirs.pk) not in message


# --- The API -----------------------------------------------------------------------------------


def test_api_names_the_existing_payment(county_user, programmes, school):
    existing = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"])
    api = APIClient()
    api.force_authenticate(county_user)
    payload = form_data(school, programmes["YW-JS-XX"], existing.id_number, paid_on="2023-12-01")
    response = api.post(
        "/api/v1/aid/disbursements/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    message = " ".join(response.json()["non_field_errors"])
    assert school.name in message and existing.paid_on.isoformat() in message
    assert Disbursement.objects.count() == 1

    payload["term"] = "spring"
    response = api.post("/api/v1/aid/disbursements/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "500.00"  # money is a decimal string
    assert body["id_number"] == idnumbers.mask(existing.id_number)


def test_api_race_past_validation_is_a_400_not_a_500(county_user, programmes, school):
    """Two requests that both pass validation: the database refuses the second one, and the
    write door answers with the rule's own message naming the row that won (not a 500)."""
    existing = DisbursementFactory(school=school, programme=programmes["YW-JS-XX"])
    api = APIClient()
    api.force_authenticate(county_user)
    payload = form_data(school, programmes["YW-JS-XX"], existing.id_number)
    # This request was validated before the other one committed: its validation found nothing.
    with mock.patch.object(Disbursement, "full_clean"):
        response = api.post("/api/v1/aid/disbursements/", payload, format="json")
    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert school.name in message and f"第 {existing.pk} 条" in message
    assert Disbursement.objects.filter(id_number=existing.id_number).count() == 1


# --- The import --------------------------------------------------------------------------------


def test_template_offers_the_programmes_in_a_drop_down_and_on_a_sheet(
    county_client, programmes, school
):
    import io

    from openpyxl import load_workbook

    retired = programmes["YW-JS-XX"]
    retired.active = False
    retired.save()
    response = county_client.get(reverse("disbursement-import-template"))
    workbook = load_workbook(io.BytesIO(response.content))
    data = workbook.worksheets[0]
    headers = [cell.value for cell in data[1]]
    letter = "ABCDEFGHIJ"[headers.index("资助项目")]
    validation = next(
        v for v in data.data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2")
    )
    assert validation.errorStyle == "warning"  # a code from the reference sheet is accepted too
    sheet_name, cells = validation.formula1.split("!")
    listed = [
        c.value for row in workbook[sheet_name.strip("'")][cells.replace("$", "")] for c in row
    ]
    active = [p.name for p in sorted(programmes.values(), key=lambda p: p.sort_order) if p.active]
    assert listed == active and retired.name not in listed
    reference = workbook["资助项目"]
    assert reference.sheet_state == "visible"
    table = [[cell.value for cell in row] for row in reference.iter_rows()]
    assert table[0][:2] == ["代码", "名称"]
    assert {(row[0], row[1]) for row in table[1:]} == {
        (p.code, p.name) for p in programmes.values()
    }
    assert [row[3] for row in table[1:] if row[0] == retired.code] == ["否"]
    # Filled in with a name from the list and imported, the row is the programme's payment.
    number = StudentFactory(school=school).id_number
    for col, value in enumerate(sheet_row(school, number, programme=active[0]), start=1):
        data.cell(row=2, column=col, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = send(county_client, buffer.getvalue())
    assert run.error_total == 0 and run.new_rows == 1, run.errors


def test_import_links_students_and_writes_the_sheet(county_client, programmes, school):
    student = StudentFactory(school=school)
    other = new_id()
    content = xlsx(
        [
            HEADER,
            sheet_row(school, student.id_number, name=student.name),
            sheet_row(
                school,
                other,
                name="外校生",
                programme="义务教育非寄宿生生活补助（小学）",
                amount="250.00",
            ),
        ],
        title="资助发放",
    )
    run = send(county_client, content)
    assert run.status == ImportStatus.PREVIEWED and run.error_total == 0, run.errors
    assert run.new_rows == 2 and not Disbursement.objects.exists()
    county_client.post(reverse("disbursement-import-confirm", args=[run.pk]))
    rows = {row.id_number: row for row in Disbursement.objects.all()}
    assert rows[student.id_number].student == student
    assert rows[other].student is None and rows[other].amount == Decimal("250.00")
    assert rows[other].term == "autumn" and rows[other].school_year == 2023

    again = send(county_client, content)  # the same sheet twice changes nothing
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 2)


def test_import_reports_a_duplicate_in_the_file_and_against_the_ledger(
    county_client, programmes, school
):
    stored = DisbursementFactory(
        school=school, programme=programmes["YW-JS-XX"], paid_on=dt.date(2023, 10, 9)
    )
    twice = new_id()
    content = xlsx(
        [
            HEADER,
            sheet_row(school, twice),
            sheet_row(school, new_id()),
            sheet_row(school, twice),
            sheet_row(school, stored.id_number, amount="450"),
        ],
        title="资助发放",
    )
    run = send(county_client, content)
    assert run.error_total == 2
    by_row = {error["row"]: error for error in run.errors}
    assert by_row[4]["code"] == "duplicate" and "2" in by_row[4]["message"]  # "same as row 2"
    message = by_row[5]["message"]
    assert by_row[5]["column"] == "身份证号"
    assert school.name in message and "2023-10-09" in message and "500.00" in message
    assert str(stored.pk) in message
    assert not run.confirmable
    page = county_client.get(reverse("disbursement-import-preview", args=[run.pk]))
    assert school.name in page.content.decode()
    response = county_client.post(reverse("disbursement-import-confirm", args=[run.pk]))
    assert response.status_code == 302
    assert Disbursement.objects.count() == 1  # nothing written


def test_import_of_another_countys_payment_names_only_the_county(
    county_client, programmes, school, other_school
):
    theirs = DisbursementFactory(school=other_school, programme=programmes["YW-JS-XX"])
    run = send(county_client, xlsx([HEADER, sheet_row(school, theirs.id_number)]))
    assert run.error_total == 1
    message = run.errors[0]["message"]
    assert other_school.county.name in message and other_school.name not in message


def test_import_rules_row_by_row(county_client, programmes, school, other_school):
    content = xlsx(
        [
            HEADER,
            sheet_row(school, new_id(), programme="不存在的项目"),
            sheet_row(school, new_id(), amount="312.555"),
            sheet_row(school, new_id(), amount="0"),
            sheet_row(other_school, new_id()),
            sheet_row(school, new_id(), term="冬季"),
            sheet_row(school, new_id(), category="低保户", term="下学期"),
        ]
    )
    run = send(county_client, content)
    codes = {error["row"]: error["code"] for error in run.errors}
    assert codes == {
        2: "programme",
        3: "amount",
        4: "amount",
        5: "school_unknown",
        6: "choice",
    }
    assert run.new_rows == 1


def test_city_admin_import_for_several_counties(admin_client_, programmes, school, other_school):
    content = xlsx([HEADER, sheet_row(school, new_id()), sheet_row(other_school, new_id())])
    run = send(admin_client_, content)
    assert run.error_total == 0 and run.new_rows == 2
    admin_client_.post(reverse("disbursement-import-confirm", args=[run.pk]))
    assert set(Disbursement.objects.values_list("county", flat=True)) == {
        school.county_id,
        other_school.county_id,
    }


def test_imported_rows_are_audited(county_client, county_user, programmes, school):
    run = send(county_client, xlsx([HEADER, sheet_row(school, new_id())]))
    county_client.post(reverse("disbursement-import-confirm", args=[run.pk]))
    row = Disbursement.objects.get()
    event = AuditEvent.objects.get(ledger="aid.disbursement", action=AuditAction.CREATE)
    assert event.actor == county_user and event.object_id == str(row.pk)
    assert event.changes["id_number"][1] == row.masked_id


def test_paying_school_decides_the_county(county_client, programmes, school):
    second = SchoolFactory(township=school.township)
    row = DisbursementFactory(school=second, programme=programmes["YW-JS-XX"])
    assert row.county == school.county


def test_preview_runs_a_bounded_number_of_queries(
    county_user, programmes, school, django_assert_max_num_queries
):
    """No query per row: the spec looks students and stored payments up in bulk (prepare())."""
    from aid.ledgers import DISBURSEMENTS
    from core.importing import services

    rows = [sheet_row(school, StudentFactory(school=school).id_number) for _ in range(60)]
    run, checked = services.import_run_create(
        ledger=DISBURSEMENTS, user=county_user, upload=upload(xlsx([HEADER, *rows]))
    )
    with django_assert_max_num_queries(10):
        services.import_run_preview(run=run, spec=DISBURSEMENTS.import_spec, checked=checked)
    assert run.new_rows == 60
    assert services.claim_for_commit(run)
    with django_assert_max_num_queries(20):
        services.import_run_commit(run=run, spec=DISBURSEMENTS.import_spec)
    assert Disbursement.objects.filter(student__isnull=False).count() == 60
