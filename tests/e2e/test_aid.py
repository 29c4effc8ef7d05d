"""A county officer in a real browser imports a school's payment sheet 资助发放表: one row repeats
a payment already in the ledger, the check names that payment and nothing is written; the
officer fixes the sheet, imports it, and the student-aid dashboard's figures move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aid.models import Disbursement
from tests.aid.factories import DisbursementFactory, make_programmes, new_id
from tests.core.import_files import xlsx
from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

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


def _row(school, number, name, amount="250.00", programme="义务教育非寄宿生生活补助（小学）"):
    return [name, number, programme, "2023-2024", "秋季学期", amount, "2023-11-20", school.code,
            "原建档立卡"]  # fmt: skip


def test_officer_imports_a_payment_sheet_and_the_dashboard_moves(
    live_server, page, screenshots, tmp_path, county_user, school, other_school
):
    make_programmes()
    from aid.models import AidProgramme

    day_allowance = AidProgramme.objects.get(code="YW-FJS-XX")
    earlier = DisbursementFactory(
        school=school,
        programme=day_allowance,
        amount=Decimal("250.00"),
        paid_on=dt.date(2023, 10, 9),
        name="已发放学生",
    )
    DisbursementFactory(school=other_school, programme=day_allowance, amount=Decimal("250.00"))
    pupils = [StudentFactory(school=school, name=f"受助学生{n}") for n in range(2)]
    good_rows = [_row(school, p.id_number, p.name) for p in pupils]
    good_rows.append(_row(school, new_id(school.county.code), "学籍外学生"))
    with_duplicate = tmp_path / "长汀镇中心小学资助发放表.xlsx"
    with_duplicate.write_bytes(
        xlsx([HEADER, *good_rows, _row(school, earlier.id_number, "已发放学生", "300.00")])
    )
    fixed = tmp_path / "长汀镇中心小学资助发放表（已改）.xlsx"
    fixed.write_bytes(xlsx([HEADER, *good_rows]))
    origin = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # Log in; the student-aid dashboard from the sidebar: one payment, 0.03 万元.
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")
    page.locator("aside.sidebar a[href='/aid/']").first.click()
    page.wait_for_url(origin + "/aid/")
    assert page.locator("#figure-total-amount").inner_text() == "0.03"
    assert "1" in page.locator("#figure-person-times").inner_text()
    page.wait_for_selector("#aid-figures")
    page.screenshot(path=screenshots / "aid-01-dashboard-before.png", full_page=True)

    # The ledger, its import page, the sheet with a payment already made: refused, named.
    page.locator("#aid-nav").get_by_role("link", name="资助发放台账").click()
    page.wait_for_url(origin + "/aid/disbursements/")
    page.locator("#import-link").click()
    page.wait_for_url(origin + "/aid/disbursements/import/")
    page.set_input_files("input[type=file]", str(with_duplicate))
    page.locator("#import-submit").click()
    page.wait_for_selector("#import-errors")
    error_text = page.locator("#import-errors").inner_text()
    assert "身份证号" in error_text
    assert school.name in error_text and "2023-10-09" in error_text and "250.00" in error_text
    assert page.locator("#confirm-import").count() == 0
    assert page.locator("[data-count=errors]").inner_text() == "1"
    assert earlier.id_number not in page.content()
    page.screenshot(path=screenshots / "aid-02-import-duplicate-refused.png", full_page=True)
    assert Disbursement.objects.count() == 2  # nothing written

    # The fixed sheet: three new rows, confirmed.
    page.locator("main a.btn-link[href='/aid/disbursements/import/']").click()  # upload again
    page.wait_for_url(origin + "/aid/disbursements/import/")
    page.set_input_files("input[type=file]", str(fixed))
    page.locator("#import-submit").click()
    page.wait_for_selector("#confirm-import")
    assert page.locator("[data-count=new]").inner_text() == "3"
    page.screenshot(path=screenshots / "aid-03-import-checked.png", full_page=True)
    page.locator("#confirm-import").click()
    page.wait_for_selector("#import-status[data-status=committed]")
    page.screenshot(path=screenshots / "aid-04-imported.png", full_page=True)
    assert Disbursement.objects.filter(county=school.county).count() == 4

    # The dashboard has moved: 4 payments of 250.00 = 0.10 万元, all formerly registered poor.
    page.goto(origin + "/aid/")
    assert page.locator("#figure-total-amount").inner_text() == "0.10"
    assert "4" in page.locator("#figure-person-times").inner_text()
    assert "0.10" in page.locator("#figure-formerly-poor-person-times").inner_text()
    page.wait_for_function("document.querySelector('#aid-chart-counties svg') !== null")
    page.screenshot(path=screenshots / "aid-05-dashboard-after.png", full_page=True)

    # The figure links to its rows.
    page.locator("#figure-formerly-poor-amount").click()
    page.wait_for_url("**/aid/disbursements/?**")
    assert page.locator("table tbody tr").count() == 4
    assert errors == []
