"""A county officer who types /admin/ in a real browser reads, in the site's layout and in
Chinese, that the admin is for the city's system administrators, and clicks the way back."""

from __future__ import annotations

import pytest

from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_county_officer_opening_the_admin_is_told_whom_it_is_for(
    live_server, page, screenshots, county_user
):
    origin = live_server.url
    page.goto(origin + "/admin/")
    page.wait_for_url(origin + "/login/?next=/admin/")  # the site's own log-in, not the admin's
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_selector("#error-page")
    heading = page.locator("#error-page h1").inner_text()
    assert "后台管理仅供市局系统管理员使用" in heading
    assert "您的账号无权打开" in page.locator("#error-page").inner_text()
    assert "Django" not in page.content()
    page.screenshot(path=screenshots / "admin-refused.png", full_page=False)
    page.locator("#error-page").get_by_role("link", name="返回概览").click()
    page.wait_for_url(origin + "/")
