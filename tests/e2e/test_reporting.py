"""The weekly county report 周报 in a real browser (issue 12): 海林市's officer prepares the week's
report on Thursday, the county reviewer submits it on Saturday morning — after Friday 17:00, so
it is late — city staff return it with a comment on one figure, the county finds the comment on
top of its report and beside the figure, the officer corrects the progress it wrote, the reviewer
resubmits and city staff approve; the matrix shows the county's week approved and late by the
17 hours of its first submission."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.reporting.models import Action, State, Submission
from tests.aid.factories import OutOfAreaStudentFactory
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
COMMENT = "外地就读未核实1人：请写明核实进度和完成时限。"


def moment(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2023, 9, day, hour, 0, tzinfo=SHANGHAI)


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


def open_from_to_do(page, title):
    """Follow the home page's to-do item, then the list's one report."""
    page.locator("#todo-list").get_by_role("link", name=title).click()
    page.locator("#submission-table tbody").get_by_role("link", name="2023-W36").click()
    page.wait_for_url("**/reports/submissions/*/")


def test_a_weekly_report_returned_corrected_and_approved_late(
    live_server, page, screenshots, clock, county, county_user, county_reviewer, city_user
):
    origin = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    OutOfAreaStudentFactory(county=county, verified_on=None)  # the figure the city asks about

    # 1. Thursday 7 September: the officer prepares 2023-W36 from the sidebar.
    clock(moment(7, 10))
    log_in(page, origin, county_user)
    page.locator("#nav-report-weekly").click()
    page.wait_for_url("**/reports/weekly/")
    assert "2023-W36" in page.locator("#current-period h2").inner_text()
    page.locator("#prepare-report").click()
    page.wait_for_url("**/reports/weekly/prepare/2023-W36/")
    figure = page.locator("#figure-aid-out_of_area_not_verified")
    assert figure.locator(".live-value").inner_text().strip() == "1"  # computed, not typed
    page.fill("#id_progress", "完成入户核查12户。")
    page.fill("#id_problems", "1名外地就读学生未核实。")
    page.locator("form.ledger-form button[type=submit]").click()
    page.wait_for_url("**/reports/submissions/*/")
    assert page.locator("#submission-state").inner_text().strip() == "草稿"
    assert page.locator("#submit-report").count() == 0  # an officer does not submit
    log_out(page)

    # 2. Saturday 9 September 10:00, after Friday's 17:00: the reviewer's to-do says overdue;
    #    the matrix leads to the draft, and the reviewer submits it (一审), late.
    clock(moment(9, 10))
    log_in(page, origin, county_reviewer)
    page.locator("#todo-list").get_by_role("link", name="区县周报逾期未报").click()
    page.wait_for_url("**/reports/weekly/matrix/")
    cell = page.locator('tr[data-county="231083"] td[data-period="2023-W36"]')
    assert "逾期 17 小时" in cell.inner_text()
    cell.get_by_role("link", name="草稿").click()
    page.wait_for_url("**/reports/submissions/*/")
    page.locator("#submit-report").click()
    page.locator("#submission-state", has_text="已报送").wait_for()
    assert page.locator("#timeliness").inner_text() == "迟报 17 小时"
    log_out(page)

    # 3. Monday 11 September: city staff return it with a comment on one figure (二审).
    clock(moment(11, 9))
    log_in(page, origin, city_user)
    open_from_to_do(page, "区县周报待审核")
    page.fill("#id_comment__aid__out_of_area_not_verified", COMMENT)
    page.locator("#return-report").click()
    page.locator("#submission-state", has_text="已退回").wait_for()
    log_out(page)

    # 4. The officer finds it returned: the comment on top, naming the figure, and beside it.
    clock(moment(11, 10))
    log_in(page, origin, county_user)
    open_from_to_do(page, "区县周报被退回待修改")
    on_top = page.locator("#returned-reason").inner_text()
    assert f"{city_user} 于 2023-09-11 09:00 退回" in on_top
    assert f"学生资助 · 外地就读未核实：{COMMENT}" in on_top
    assert (
        page.locator("#returned-reason").bounding_box()["y"]
        < (page.locator("#section-aid").bounding_box()["y"])
    )
    page.screenshot(path=screenshots / "reports-01-returned.png", full_page=True)
    page.locator("#edit-report").click()
    page.wait_for_url("**/reports/weekly/prepare/2023-W36/")
    # While correcting: who returned it on top, the comment beside its figure.
    assert f"{city_user} 于 2023-09-11 09:00 退回" in page.locator("#returned-reason").inner_text()
    assert page.locator(
        "#figure-aid-out_of_area_not_verified .figure-comment"
    ).inner_text().strip() == (COMMENT)
    page.fill("#id_progress", "完成入户核查12户；外地就读学生1人已电话联系，9月15日前核实。")
    page.locator("form.ledger-form button[type=submit]").click()
    page.wait_for_url("**/reports/submissions/*/")
    assert "9月15日前核实" in page.locator("#submission-notes").inner_text()
    assert page.locator("#submission-state").inner_text().strip() == "已退回"  # still the county's
    log_out(page)

    # 5. The reviewer resubmits; city staff approve.
    clock(moment(11, 11))
    log_in(page, origin, county_reviewer)
    open_from_to_do(page, "区县周报被退回待修改")
    page.locator("#submit-report").click()
    page.locator("#submission-state", has_text="已报送").wait_for()
    log_out(page)
    clock(moment(11, 14))
    log_in(page, origin, city_user)
    open_from_to_do(page, "区县周报待审核")
    page.locator("#approve-report").click()
    page.locator("#submission-state", has_text="已审核通过").wait_for()

    # 6. The matrix: 海林市's week approved, late as it was first submitted (Saturday 10:00).
    page.goto(origin + "/reports/weekly/matrix/")
    cell = page.locator('tr[data-county="231083"] td[data-period="2023-W36"]')
    assert cell.get_attribute("data-state") == "approved"
    assert cell.locator(".cell-timeliness").inner_text().strip() == "迟报 17 小时"
    row = page.locator('tr[data-county="231083"]')
    assert row.locator(".county-rate").inner_text() == "0.0%"  # due 1, on time 0
    page.screenshot(path=screenshots / "reports-02-matrix.png", full_page=True)

    report = Submission.objects.get()
    assert report.state == State.APPROVED and report.approved_by == city_user
    assert report.notes["progress"].endswith("9月15日前核实。")
    assert list(report.events.order_by("at", "pk").values_list("action", flat=True)) == [
        Action.PREPARED,
        Action.SUBMITTED,
        Action.RETURNED,
        Action.SAVED,
        Action.SUBMITTED,
        Action.APPROVED,
    ]
    assert not errors
