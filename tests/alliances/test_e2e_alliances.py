"""An alliance activity in a real browser: a county officer records an activity on the 培优 line
with two member schools taking part and uploads its photo; the dashboard's 培优 count goes up by
one and each of the two schools' activity lists shows it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from alliances.models import Activity
from tests.alliances.factories import ActivityFactory, alliance_with
from tests.factories import DEMO_PASSWORD, SchoolFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(buffer, format="JPEG")
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


def _excel_count(page, origin) -> str:
    page.goto(origin + "/alliances/?school_year=2023")
    return page.locator("#figure-line-excel .line-count").inner_text().strip()


def test_a_county_officer_records_an_excellence_activity_with_a_photo(
    live_server, browser, screenshots, tmp_path, settings, school, county_user
):
    settings.MEDIA_ROOT = tmp_path / "media"
    origin = live_server.url
    one = SchoolFactory(township=school.township, name="长汀镇第二小学")
    two = SchoolFactory(township=school.township, name="长汀镇中学", kind="junior")
    alliance = alliance_with(school, one, two, name="海林市第一农村学校联盟")
    ActivityFactory(
        alliance=alliance, school=school, action_line="excel", held_on=dt.date(2023, 9, 20)
    )

    page = _log_in(browser, origin, county_user)
    assert _excel_count(page, origin) == "1"
    for member in (one, two):
        page.goto(origin + f"/alliances/activities/?involving={member.pk}")
        assert "2023-10-20" not in page.locator("main table").inner_text()

    page.goto(origin + "/alliances/activities/new/")
    page.fill("#id_held_on", "2023-10-20")
    page.select_option("#id_alliance", str(alliance.pk))
    page.select_option("#id_kind", "demonstration")
    page.select_option("#id_action_line", "excel")
    page.select_option("#id_school", str(school.pk))
    page.select_option("#id_schools", [str(one.pk), str(two.pk)])
    page.fill("#id_participants", "46")
    page.fill("#id_summary", "培优示范课：数学拓展课")
    page.locator("form.ledger-form").get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已保存")
    activity = Activity.objects.get(summary="培优示范课：数学拓展课")
    assert set(activity.schools.all()) == {one, two}
    assert "长汀镇第二小学" in page.locator("#field-schools").inner_text()

    page.set_input_files("#attachment-files", str(_jpeg(tmp_path / "lesson.jpg")))
    page.click("#attachment-submit")
    page.wait_for_selector("#attachment-photos img")
    assert activity.attachments.count() == 1
    page.screenshot(path=screenshots / "alliances-01-activity.png", full_page=True)

    assert _excel_count(page, origin) == "2"
    page.wait_for_selector(".chart[data-chart-ready] svg")
    page.screenshot(path=screenshots / "alliances-02-dashboard.png", full_page=True)
    for member in (one, two):
        page.goto(origin + f"/alliances/activities/?involving={member.pk}")
        assert "2023-10-20" in page.locator("main table").inner_text()
