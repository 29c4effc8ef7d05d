"""A city administrator adds a school officer in a real browser at 1280 px: the school list
follows the chosen county, and the user list's filter row keeps its button on one line."""

from __future__ import annotations

import pytest

from core.models import User
from core.scoping import Role
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFERED = """(select) => [...select.options]
  .filter((option) => !option.hidden && !option.disabled && option.value)
  .map((option) => option.textContent.trim())"""
FITS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def admin_page(browser, live_server, city_admin):
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", city_admin.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    yield page
    context.close()


def test_the_school_list_follows_the_chosen_county(
    live_server, admin_page, screenshots, county, other_county, school, other_school
):
    page = admin_page
    page.goto(live_server.url + "/users/new/")
    schools = page.locator("#id_school")
    both = [
        f"{county} · {school.code} {school.name}",
        f"{other_county} · {other_school.code} {other_school.name}",
    ]
    assert sorted(schools.evaluate(OFFERED)) == sorted(both)

    page.select_option("#id_scope", str(county.pk))
    assert schools.evaluate(OFFERED) == [both[0]]
    page.select_option("#id_school", str(school.pk))
    # another county: the school chosen for the first one is cleared, only its own are offered
    page.select_option("#id_scope", str(other_county.pk))
    assert schools.evaluate(OFFERED) == [both[1]]
    assert schools.input_value() == ""

    page.fill("#id_username", "sancha-officer")
    page.select_option("#id_role", Role.SCHOOL_OFFICER)
    page.select_option("#id_school", str(other_school.pk))
    page.fill("#id_password", "a-long-fine-pass-77")
    page.screenshot(path=screenshots / "i11u-user-form-county-schools.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(live_server.url + "/users/")
    officer = User.objects.get(username="sancha-officer")
    assert officer.school == other_school and officer.scope == other_county


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_user_list_filters_fit_1280_px_on_one_line(
    live_server, admin_page, screenshots, county, county_user, language
):
    page = admin_page
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/users/")
    button = page.locator("#user-filter-submit")
    assert button.inner_text() == ("搜索" if language == "zh-hans" else "Search")
    height, line = button.evaluate(
        "(b) => [b.getBoundingClientRect().height, parseFloat(getComputedStyle(b).lineHeight)]"
    )
    assert height < 2 * line  # one line of text, not the word broken over two
    scroll_width, inner_width = page.evaluate(FITS)
    assert scroll_width <= inner_width
    # the filters work from the page: a county's users only
    page.select_option("#id_scope", str(county.pk))
    button.click()
    page.wait_for_url("**/users/?*")
    rows = page.locator("#user-table tbody tr")
    assert rows.count() == 1 and county_user.username in rows.inner_text()
    page.screenshot(path=screenshots / f"i11u-user-list-{language}.png", full_page=True)
