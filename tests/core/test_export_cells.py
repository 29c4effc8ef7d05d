"""What a reviewer sees when opening an exported workbook: yes/no columns read 是/否 (never
Python's "True"), dates are real Excel dates shown yyyy-mm-dd (they sort as dates), and the file
is named after the ledger's title in the user's language, sent with an RFC 5987 file name."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from urllib.parse import unquote

from django.urls import reverse
from openpyxl import load_workbook

from tests.aid.factories import AidProgrammeFactory, DisbursementFactory
from tests.factories import StudentFactory


def exported(client, url_name, **query):
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(BytesIO(content)).active.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return response, headers, rows[1:]


def file_name(response) -> str:
    """The name a browser saves the file as: RFC 5987 `filename*` for a Chinese name, a plain
    quoted `filename` for an ASCII one."""
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    if "filename*=" in disposition:
        return unquote(disposition.split("filename*=utf-8''")[1])
    return disposition.split('filename="')[1].rstrip('"')


def test_the_aid_workbook_says_yes_no_and_holds_sortable_dates(county_client, school):
    programme = AidProgrammeFactory()
    enrolled = StudentFactory(school=school)
    DisbursementFactory(
        school=school,
        programme=programme,
        student=enrolled,
        id_number=enrolled.id_number,
        paid_on=dt.date(2023, 11, 11),
    )
    DisbursementFactory(school=school, programme=programme, paid_on=dt.date(2023, 9, 2))
    response, headers, rows = exported(county_client, "disbursement-export")
    registry = headers.index("在学籍中")
    assert sorted(row[registry].value for row in rows) == ["否", "是"]
    paid = [row[headers.index("发放日期")] for row in rows]
    assert {cell.value.date() for cell in paid} == {dt.date(2023, 11, 11), dt.date(2023, 9, 2)}
    assert {cell.number_format for cell in paid} == {"yyyy-mm-dd"}
    name = file_name(response)
    assert name.startswith("资助发放台账-") and name.endswith(".xlsx")


def test_the_file_is_named_in_english_for_an_english_user(county_client, school):
    DisbursementFactory(school=school, programme=AidProgrammeFactory())
    county_client.cookies["django_language"] = "en"
    response, headers, _rows = exported(county_client, "disbursement-export")
    assert file_name(response).startswith("aid disbursements-")
    assert "in the registry" in [str(h).lower() for h in headers]
