"""A case opened by hand, in a real browser: a village reports a child who is on no roster; the
county officer finds 手动新建跟踪 on the case list, opens the case and resolves it; the case says
the county reviewer verifies it, the reviewer's to-do leads to it, and the reviewer writes what
was checked and closes it (销号). No screening round is involved: none would screen this child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dropout.models import CaseStatus, DropoutCase
from tests.factories import DEMO_PASSWORD, StudentFactory, id_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, origin, user):
    page.goto(origin + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")


def log_out(page):
    page.locator("#user-menu").click()
    page.locator("#logout").click()
    page.wait_for_url("**/login/**")


def test_a_hand_opened_case_from_the_link_to_the_reviewers_close(
    live_server, page, screenshots, county_user, county_reviewer, school, township
):
    origin = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    number = id_for("231083", dt.date(2012, 4, 8))

    # 1. The officer goes to the cases from the sidebar and opens one by hand from its link.
    log_in(page, origin, county_user)
    page.locator("aside").get_by_role("link", name="疑似辍学跟踪", exact=True).click()
    page.wait_for_url("**/dropout/cases/")
    page.locator("#open-case").click()
    page.wait_for_url("**/dropout/cases/open/")
    page.fill("#id_id_number", number)
    page.fill("#id_name", "李小花")
    page.locator("#id_township").select_option(label=township.name)
    page.fill("#id_note", "村委会报告：开学两周未到校。")
    page.locator("form.ledger-form button[type=submit]").click()
    page.wait_for_url("**/dropout/cases/*/")
    assert page.locator("#field-status").inner_text().strip() == "跟踪中"
    assert page.locator("#case-next").inner_text().startswith("下一步：县区填报员")

    # 2. The officer resolves it: back at school.
    today = timezone.localdate().isoformat()
    page.locator("#case-resolve-form select[name=outcome]").select_option("returned")
    page.locator("#case-resolve-form select[name=return_school]").select_option(str(school.pk))
    page.fill("#case-resolve-form input[name=return_date]", today)
    page.locator("#case-resolve-submit").click()
    page.locator("#case-awaiting-verification").wait_for()
    assert "由县区审核员核实处置结果后销号" in page.locator(".alert-success").inner_text()
    assert "县区审核员核实处置结果" in page.locator("#case-next").inner_text()
    assert page.locator("#case-close").count() == 0  # the officer does not close
    page.screenshot(path=screenshots / "dropout-hand-01-resolved.png", full_page=True)
    log_out(page)

    # The provincial registry's next import shows the child at school.
    StudentFactory(school=school, id_number=number, name="李小花", grade=4)

    # 3. The reviewer's to-do leads to the case; the reviewer checks and closes it.
    log_in(page, origin, county_reviewer)
    page.get_by_role("link", name="手动新建且已办结的疑似辍学跟踪：请核实后销号").click()
    page.locator("table tbody").get_by_role("link", name="李小花").click()
    page.wait_for_url("**/dropout/cases/*/")
    registry = page.locator("#case-registry").inner_text().strip()
    assert registry == f"学籍库显示该儿童在{school.name}在读（四年级）。"
    page.locator("#case-close").click()  # nothing written yet: the form asks what was checked
    page.locator("#case-close-form .invalid-feedback").wait_for()
    assert "请先写明核实情况" in page.locator("#case-close-form").inner_text()
    # The refusal is seen where the reviewer is working: the page answers scrolled to the form
    # (not at its top, the message out of sight below) and the note field has the focus.
    assert page.evaluate("document.activeElement.name") == "close_note"
    assert page.evaluate(
        "(() => { const r = document.querySelector('#case-close-form').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    assert DropoutCase.objects.get().status == CaseStatus.RESOLVED
    checked = "学籍库显示在读；电话联系班主任确认已到校。"
    page.fill("#case-close-form textarea[name=close_note]", checked)
    page.locator("#case-close").click()
    page.locator("#case-closed").wait_for()
    assert page.locator("#field-status").inner_text().strip() == "已销号"
    assert "班主任确认已到校" in page.locator("#field-close_note").inner_text()
    assert page.locator("#case-next").inner_text().startswith("下一步：无需再办理")
    page.screenshot(path=screenshots / "dropout-hand-02-closed.png", full_page=True)

    case = DropoutCase.objects.get()
    assert case.status == CaseStatus.CLOSED and case.closed_by == county_reviewer
    assert case.close_note == checked
    assert number not in page.content()  # the ID number stays masked
    assert not errors
