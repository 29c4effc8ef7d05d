"""Search by ID number: an officer with a number on the phone finds the child in every list of
rows with an ID number — exact match on the full, normalised number, never in a URL or a log."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core import idnumbers
from core.filters import id_number_field
from core.ledger import all_ledgers
from core.models import AuditAction, AuditEvent
from tests.factories import StudentFactory
from tests.scoping import load_all

pytestmark = pytest.mark.django_db


def _with_x(county_code: str) -> str:
    """A valid number of the county whose check character is X."""
    for sequence in range(1, 999, 2):
        number = idnumbers.make(county_code, dt.date(2012, 4, 9), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def _search(client, url: str, typed: str):
    """Post the number the way the page's form does, then follow the answer like a browser."""
    answer = client.post(url, {"id_number": typed})
    assert answer.status_code == 302
    return answer, client.get(answer["Location"])


def _urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)


def _assert_nowhere(number: str, answer, page) -> None:
    html = page.content.decode()
    assert number not in answer["Location"] and number.lower() not in answer["Location"]
    assert number not in html and number.lower() not in html
    for url in _urls_in(html):
        assert number[6:14] not in url  # not even the birth-date part


def test_an_officer_finds_the_child_by_the_full_number_typed_with_a_lowercase_x(
    county_client, school, caplog
):
    number = _with_x("231083")
    child = StudentFactory(school=school, name="林小雨", id_number=number)
    StudentFactory.create_batch(3, school=school)
    caplog.set_level(logging.DEBUG)
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "  # as read off the phone
    answer, page = _search(county_client, reverse("student-list"), typed)
    assert list(page.context["filter"].qs) == [child]
    html = page.content.decode()
    assert "林小雨" in html and idnumbers.mask(number) in html
    _assert_nowhere(number, answer, page)
    assert number not in caplog.text and number.lower() not in caplog.text
    # The other filters still apply on top, and the export gets the same one row, audited masked.
    export = county_client.get(page.context["export_url"])
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and "林小雨" in values[1]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.changes["id_number"] == idnumbers.mask(number)
    assert number not in str(event.changes) + event.note


def test_a_partial_or_wrong_number_is_said_to_be_malformed_and_searches_nothing(
    county_client, school
):
    """The officer reads 身份证号格式不正确 — not a list of nobody under a masked number that looks
    like "no such child" — and the number typed is not repeated."""
    number = _with_x("231083")
    StudentFactory(school=school, id_number=number)
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    for part in (number[:10], number[:17], number[-6:], wrong_check):
        answer, page = _search(county_client, reverse("student-list"), part)
        html = page.content.decode()
        assert "身份证号格式不正确" in html and "18" in html
        assert "ids=" not in answer["Location"]  # no search was made
        assert 'id="id-search-active"' not in html
        assert part not in html
        _assert_nowhere(number, answer, page)


def test_another_countys_child_is_not_found(county_client, school, other_school):
    theirs = StudentFactory(school=other_school)
    answer, page = _search(county_client, reverse("student-list"), theirs.id_number)
    assert list(page.context["filter"].qs) == []
    assert theirs.name not in page.content.decode()


def test_the_search_is_the_searchers_own(county_client, client, school, county_reviewer):
    child = StudentFactory(school=school)
    answer, _page = _search(county_client, reverse("student-list"), child.id_number)
    client.force_login(county_reviewer)  # the same county, another user, the same link
    page = client.get(answer["Location"])
    assert list(page.context["filter"].qs) == []


def test_every_list_with_an_id_number_is_searched_by_it(county_client, school, other_school):
    cases = load_all()
    searched = []
    for ledger in all_ledgers():
        if id_number_field(ledger.model) is None:
            continue
        case = cases[ledger.label]
        ours, theirs = case.make(school), case.make(other_school)
        field = id_number_field(ledger.model)
        number = getattr(ours, field)
        if not number:
            continue
        url = reverse(ledger.url_name("list"))
        page = county_client.get(url)
        assert 'name="id_number"' in page.content.decode(), ledger.label
        answer, page = _search(county_client, url, number.lower())
        assert list(page.context["filter"].qs) == [ours], ledger.label
        _assert_nowhere(number, answer, page)
        _answer, page = _search(county_client, url, getattr(theirs, field))
        assert list(page.context["filter"].qs) == [], ledger.label
        searched.append(ledger.label)
    for label in ("core.student", "core.rosterchild"):
        assert label in searched
    for label in ("dropout.dropoutcase", "aid.disbursement"):
        if apps.is_installed(label.split(".")[0]):
            assert label in searched


# --- Every search is audited, the number masked -------------------------------------------------


def _searches():
    return list(AuditEvent.objects.filter(action=AuditAction.ID_SEARCH))


def test_a_search_on_a_list_page_leaves_an_audit_event_with_the_number_masked(
    county_client, county_user, school, city_admin
):
    number = _with_x("231083")
    StudentFactory(school=school, name="林小雨", id_number=number)
    _search(county_client, reverse("student-list"), number.lower())
    [event] = _searches()
    assert event.actor == county_user and event.ledger == "core.student"
    assert event.county_id == county_user.scope_id
    assert event.changes == {"id_number": idnumbers.mask(number), "via": "page", "found": 1}
    assert number not in str(event.changes) + event.note + event.object_repr
    # The city administrator reads it in the audit log: who, which ledger, the number masked.
    admin = Client()
    admin.force_login(city_admin)
    page = admin.get(reverse("audit-log"), {"action": AuditAction.ID_SEARCH})
    html = page.content.decode()
    assert "按身份证号查询" in html and idnumbers.mask(number) in html
    assert "列表页面" in html and "查到行数" in html
    assert number not in html and number[6:14] not in html
    # A malformed number searches nothing and so leaves no search event.
    _search(county_client, reverse("student-list"), number[:17])
    assert len(_searches()) == 1


# --- The API: POST <ledger>/id-search/ ----------------------------------------------------------


@pytest.fixture
def api(county_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(county_user)
    return client


def test_an_api_client_finds_the_child_by_posting_the_number(api, county_user, school, caplog):
    number = _with_x("231083")
    child = StudentFactory(school=school, name="林小雨", id_number=number)
    StudentFactory.create_batch(3, school=school)
    caplog.set_level(logging.DEBUG)
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    answer = api.post("/api/v1/students/id-search/", {"id_number": typed}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 1 and [row["id"] for row in body["results"]] == [child.pk]
    assert body["results"][0]["id_number"] == idnumbers.mask(number)
    assert number not in answer.content.decode() and number[6:14] not in answer.content.decode()
    # The token stands for the number in the list's own URL (paging, another filter on top).
    again = api.get("/api/v1/students/", {"ids": body["ids"]})
    assert [row["id"] for row in again.json()["results"]] == [child.pk]
    [event] = _searches()
    assert event.actor == county_user and event.ledger == "core.student"
    assert event.changes == {"id_number": idnumbers.mask(number), "via": "api", "found": 1}
    assert number not in caplog.text and number.lower() not in caplog.text


def test_the_api_answers_a_malformed_number_with_the_pages_message_and_searches_nothing(
    api, school
):
    number = _with_x("231083")
    StudentFactory(school=school, id_number=number)
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    for part in (number[:10], number[:17], wrong_check, ""):
        answer = api.post("/api/v1/students/id-search/", {"id_number": part}, format="json")
        assert answer.status_code == 400, part
        text = answer.content.decode()
        assert "身份证号格式不正确" in text and "18" in text
        assert not part or part not in text
        assert "results" not in answer.json()
    assert _searches() == []


def test_an_id_number_in_the_api_url_is_refused_not_ignored(api, school):
    """Ignored, `?id_number=` would answer with every row; and a URL ends up in the logs."""
    child = StudentFactory(school=school)
    StudentFactory.create_batch(2, school=school)
    answer = api.get("/api/v1/students/", {"id_number": child.id_number})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "请勿把身份证号放在网址中" in text and "id-search" in text
    assert child.id_number not in text


def test_every_person_ledgers_api_is_searched_by_id_number(api, county_user, school, other_school):
    cases = load_all()
    searched = []
    for ledger in all_ledgers():
        field = id_number_field(ledger.model)
        if field is None:
            continue
        case = cases[ledger.label]
        ours, theirs = case.make(school), case.make(other_school)
        number = getattr(ours, field)
        if not number:
            continue
        url = reverse(f"api-{ledger.name}-id-search")
        answer = api.post(url, {"id_number": number.lower()}, format="json")
        assert answer.status_code == 200, (ledger.label, answer.content)
        assert [row["id"] for row in answer.json()["results"]] == [ours.pk], ledger.label
        assert number not in answer.content.decode(), ledger.label
        answer = api.post(url, {"id_number": getattr(theirs, field)}, format="json")
        assert answer.json()["count"] == 0, ledger.label
        answer = api.post(url, {"id_number": number[:-1]}, format="json")
        assert answer.status_code == 400, ledger.label
        searched.append(ledger.label)
    for label in ("core.student", "core.rosterchild"):
        assert label in searched
    for label in ("dropout.dropoutcase", "aid.disbursement"):
        if apps.is_installed(label.split(".")[0]):
            assert label in searched
    assert {event.ledger for event in _searches()} == set(searched)


def test_a_read_only_role_may_search_and_a_read_only_ledger_still_refuses_writes(
    city_user, city_admin, school
):
    from rest_framework.test import APIClient

    child = StudentFactory(school=school)
    client = APIClient()
    client.force_authenticate(city_user)
    answer = client.post(
        "/api/v1/students/id-search/", {"id_number": child.id_number}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["count"] == 1
    assert client.post("/api/v1/students/", {"name": "x"}, format="json").status_code == 403
    # A read-only ledger (regions) still takes no writes, whoever asks.
    client.force_authenticate(city_admin)
    assert client.post("/api/v1/regions/", {}, format="json").status_code == 405
    region = school.county
    answer = client.patch(f"/api/v1/regions/{region.pk}/", {"name": "改名"}, format="json")
    assert answer.status_code == 405
