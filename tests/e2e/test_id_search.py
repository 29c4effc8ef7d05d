"""A county officer with an ID number on the phone finds the child in a real browser: the number
is typed with a lowercase x, the list shows the one child, and no request the browser makes
carries the number."""

from __future__ import annotations

import datetime as dt

import pytest

from core import idnumbers
from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_finds_a_child_by_id_number(live_server, page, screenshots, county_user, school):
    number = next(
        n
        for n in (idnumbers.make("231083", dt.date(2012, 4, 9), s) for s in range(1, 999, 2))
        if n.endswith("X")
    )
    StudentFactory(school=school, name="林小雨", id_number=number)
    StudentFactory.create_batch(3, school=school)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    origin = live_server.url
    page.goto(origin + "/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(origin + "/")

    page.goto(origin + "/students/")
    page.fill("#id-search-number", number.lower())
    page.locator("#id-search-submit").click()
    page.wait_for_selector("#id-search-active")
    assert page.locator("table tbody tr").count() == 1
    assert "林小雨" in page.locator("table tbody").inner_text()
    assert idnumbers.mask(number) in page.locator("#id-search-active").inner_text()
    page.screenshot(path=screenshots / "id-number-search.png", full_page=True)
    # Sorting and the next click keep the search, still without the number.
    page.locator("table thead a", has_text="年级").first.click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() == 1
    for url in [*requests, page.url]:
        assert number not in url and number.lower() not in url and number[6:14] not in url
    assert number not in page.content()
    # The search is in the audit trail, the number masked; one search, however many clicks after.
    from core.models import AuditAction, AuditEvent

    [event] = AuditEvent.objects.filter(action=AuditAction.ID_SEARCH)
    assert event.actor == county_user and event.changes["id_number"] == idnumbers.mask(number)
    assert number not in str(event.changes)
