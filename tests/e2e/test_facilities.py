"""The toilet look-back in a real browser: a school officer logs a waste clearing; a county
officer records a finding with its photo on an inspection; the school uploads the after photo
and submits; the county reviewer verifies; the dashboard's open rectifications drop by one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from facilities.models import MaintenanceEntry, Rectification
from tests.facilities.factories import RectificationFactory, ToiletInspectionFactory
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _jpeg(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _log_in(browser, origin, user):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(origin + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")
    return page


def _open_figure(page, origin) -> str:
    page.goto(origin + "/facilities/")
    return page.locator("#figure-rectifications-open").inner_text().strip()


def test_the_look_back_journey(
    live_server, browser, screenshots, tmp_path, settings, school, school_user, county_user,
    county_reviewer,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    origin = live_server.url
    RectificationFactory(
        finding__inspection=ToiletInspectionFactory(school=school), deadline=dt.date(2099, 1, 1)
    )
    inspection = ToiletInspectionFactory(school=school, inspected_on=dt.date(2023, 7, 10))

    # The school officer logs a waste clearing in its maintenance log.
    school_page = _log_in(browser, origin, school_user)
    school_page.goto(origin + "/facilities/maintenance/new/")
    school_page.select_option("#id_school", str(school.pk))
    school_page.fill("#id_done_on", "2023-07-12")
    school_page.select_option("#id_kind", "waste")
    school_page.fill("#id_done_by", "李师傅")
    school_page.locator("form.ledger-form").get_by_role("button", name="保存").click()
    school_page.wait_for_selector("text=已保存")
    assert MaintenanceEntry.objects.get().kind == "waste"

    # The county officer records a finding with a photo: one more open rectification.
    officer = _log_in(browser, origin, county_user)
    assert _open_figure(officer, origin) == "1"
    officer.goto(origin + f"/facilities/inspections/{inspection.pk}/")
    officer.fill("#id_block", "操场北侧男生厕所")
    officer.select_option("#id_toilet_type", "septic")
    officer.select_option("#id_problem", "full")
    officer.fill("#id_responsible_unit", "学校后勤处")
    officer.fill("#id_deadline", "2099-08-15")
    officer.set_input_files("#id_photos", str(_jpeg(tmp_path / "before.jpg", "brown")))
    officer.click("#finding-submit")
    officer.wait_for_selector("#rectification-status")
    item = Rectification.objects.get(finding__block="操场北侧男生厕所")
    assert item.finding.attachments.count() == 1
    assert _open_figure(officer, origin) == "2"
    # The dashboard's charts are drawn (ECharts comes with the first chart on any page).
    officer.wait_for_selector(".chart[data-chart-ready] svg")
    officer.screenshot(path=screenshots / "facilities-01-dashboard.png", full_page=True)

    # The school uploads the after photo and submits the rectification.
    school_page.goto(origin + f"/facilities/rectifications/{item.pk}/")
    school_page.set_input_files("#attachment-files", str(_jpeg(tmp_path / "after.jpg", "green")))
    school_page.click("#attachment-submit")
    school_page.wait_for_selector("#attachment-photos img")
    school_page.fill("#id_measures", "清掏化粪池并更换盖板")
    school_page.click("#step-submit")
    school_page.wait_for_selector("text=已提交验收。")
    assert Rectification.objects.get(pk=item.pk).status == "submitted"

    # The reviewer verifies; the dashboard's open rectifications drop by one.
    reviewer = _log_in(browser, origin, county_reviewer)
    reviewer.goto(origin + f"/facilities/rectifications/{item.pk}/")
    reviewer.click("#step-verify")
    reviewer.wait_for_selector("text=已验收销号。")
    assert reviewer.locator("#rectification-status").inner_text() == "已验收销号"
    assert _open_figure(reviewer, origin) == "1"
    reviewer.screenshot(path=screenshots / "facilities-02-verified.png", full_page=True)
