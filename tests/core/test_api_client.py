"""What an API client with a token (no browser, no session) finds: an index of the API's own
endpoints, pages of the size it asks for (up to a maximum), and import templates it can download
from the links the API gives."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.factories import DEMO_PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(county_user, school) -> APIClient:
    """Logged in as an API client does: a token from /api/v1/auth/token/."""
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": county_user.username, "password": DEMO_PASSWORD}
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_the_index_lists_api_endpoints_that_answer_a_token(api):
    index = api.get("/api/v1/").json()
    for name in ("students", "schools", "dropout/cases", "aid/disbursements", "imports/ledgers"):
        assert index[name] == f"http://testserver/api/v1/{name}/", name
    assert index["aid/programmes"] == "http://testserver/api/v1/aid/programmes/"
    assert index["dropout/summary"] == "http://testserver/api/v1/dropout/summary/"
    assert index["auth/token"] == "http://testserver/api/v1/auth/token/"
    assert all(url.startswith("http://testserver/api/v1/") for url in index.values()), index
    # Every listed read endpoint answers the token with JSON, not a log-in page.
    for name, url in index.items():
        if name.startswith(("auth/", "imports")) and name != "imports/ledgers":
            continue  # POST only: log-in, log-out, uploads
        if name.endswith("/id-search"):
            continue  # POST only: the number goes in the body (tests/core/test_id_search.py)
        response = api.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"] == "application/json", name


def test_the_index_in_a_browser_says_what_it_is_in_the_users_language(county_client):
    """Not DRF's stock "Api Root / The default basic root view for DefaultRouter"."""
    page = county_client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "API 索引" in page and "列表每页 50 行" in page
    assert "DefaultRouter" not in page and "Api Root" not in page
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's cookie
    english = county_client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "API index" in english and "Lists come in pages of 50 rows" in english


def test_page_size_is_honoured_up_to_the_maximum(api, school, settings):
    StudentFactory.create_batch(30, school=school)
    page = api.get("/api/v1/students/", {"page_size": 7}).json()
    assert page["count"] == 30 and len(page["results"]) == 7
    assert "page_size=7" in page["next"]
    last = api.get("/api/v1/students/", {"page_size": 7, "page": 5}).json()
    assert len(last["results"]) == 2 and last["next"] is None
    assert len(api.get("/api/v1/students/").json()["results"]) == 30  # default 50 a page

    settings.API_MAX_PAGE_SIZE = 12
    assert len(api.get("/api/v1/students/", {"page_size": 25}).json()["results"]) == 12
    assert len(api.get("/api/v1/students/", {"page_size": 12}).json()["results"]) == 12
    assert len(api.get("/api/v1/schools/", {"page_size": 1}).json()["results"]) == 1


def test_the_import_template_link_downloads_the_workbook_with_a_token(api, school):
    ledgers = {item["ledger"]: item for item in api.get("/api/v1/imports/ledgers/").json()}
    link = ledgers["core.student"]["template_url"]
    assert link == "http://testserver/api/v1/imports/templates/core.student/"
    response = api.get(
        link, HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(".xlsx")
    book = load_workbook(BytesIO(response.content))
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers[:2] == ["姓名", "身份证号"]
    assert "学校标识码" in headers
    # Without the token the same link refuses, as the rest of the API does.
    assert APIClient().get(link).status_code == 401
