"""A city administrator in a real browser (issue 11, points 10 and 11): the current school year is
the data's (2023–2024) although the clock is later; the school-age rule is edited on the school
calendar page and its history shown; the next school year is started from there, and the dropout
dashboard's one school-year drop-down then offers both years, the rates of 2023 settled."""

from __future__ import annotations

import pytest

from core.reference import SchoolYearStart
from tests.factories import DEMO_PASSWORD, StudentFactory

# The chosen option's text, its width in the select's font, and the room the select leaves it.
FITS = """el => {
  const style = getComputedStyle(el);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = el.options[el.selectedIndex].text;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: text, text_width: ctx.measureText(text).width, room: room};
}"""

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_city_admin_keeps_the_school_calendar(live_server, page, screenshots, city_admin, school):
    SchoolYearStart.objects.create(school_year=2023)  # the year the city's data is in
    StudentFactory.create_batch(3, school=school, grade=3)
    StudentFactory(school=school, grade=4, status="dropped_out")
    origin = live_server.url

    page.goto(origin + "/login/")
    page.fill("#id_username", city_admin.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    # The school calendar from the user menu: 2023–2024 is current, the rule 6 through 15.
    page.locator("#user-menu").click()
    page.locator("#menu-school-calendar").click()
    page.wait_for_url(origin + "/calendar/")
    assert page.locator("#current-year").inner_text() == "2023–2024"
    assert "6 至 15 周岁" in page.locator("#rule-in-force").inner_text()

    # The school-year drop-down shows its whole choice, never "2024–20" cut off by its arrow.
    fits = page.locator("#id_effective_from").evaluate(FITS)
    assert fits["text"] == "2024–2025" and fits["text_width"] <= fits["room"], fits

    # A rule from 2024 on; a bad one first (oldest below youngest): a message, nothing saved.
    page.select_option("#id_effective_from", "2024")
    page.fill("#id_age_min", "12")
    page.fill("#id_age_max", "6")
    page.locator("#add-rule").click()
    assert "最大年龄不能小于最小年龄" in page.locator("#age-rule-form").inner_text()
    page.fill("#id_age_min", "6")
    page.fill("#id_age_max", "16")
    page.fill("#id_note", "延长至16周岁")
    page.locator("#add-rule").click()
    page.wait_for_url(origin + "/calendar/")
    rules = page.locator("#school-age-rules").inner_text()
    assert "2024–2025" in rules and "6–16" in rules and "延长至16周岁" in rules
    assert "6 至 15 周岁" in page.locator("#rule-in-force").inner_text()  # 2023 keeps its rule
    page.screenshot(path=screenshots / "calendar-01-rule.png", full_page=True)

    # The dropout dashboard: one drop-down of school years, 2023–2024 chosen.
    page.goto(origin + "/dropout/")
    assert page.locator("#id_school_year option:checked").inner_text() == "2023–2024"
    page.goto(origin + "/dropout/rates/")
    assert "25.00%" in page.locator("#dropout-rates").inner_text()  # 1 ÷ 4

    # Start 2024–2025: 2023's rates are settled, the drop-down offers both years.
    page.goto(origin + "/calendar/")
    page.locator("#start-year").click()
    page.wait_for_url(origin + "/calendar/")
    assert page.locator("#current-year").inner_text() == "2024–2025"
    assert "6 至 16 周岁" in page.locator("#rule-in-force").inner_text()
    page.screenshot(path=screenshots / "calendar-02-started.png", full_page=True)
    page.goto(origin + "/dropout/rates/")
    page.select_option("#id_school_year", "2023")
    page.locator("form:has(#id_school_year) button[type=submit]").click()
    page.wait_for_url("**/dropout/rates/?school_year=2023*")
    assert page.locator("#settled-note").is_visible()
    assert "25.00%" in page.locator("#dropout-rates").inner_text()
    page.screenshot(path=screenshots / "calendar-03-settled-rates.png", full_page=True)
