"""The area's own pages and API views reach nothing of another county (the generic ledger doors
are tests/core/test_scoping.py's): each shows the user's own rows and none of the other county's
(the test can fail). tests/core/test_scoping_endpoints.py names these tests in ELSEWHERE."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.alliances.factories import ActivityFactory, OnlineSessionFactory, alliance_with
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(school, other_school):
    """In each county: an alliance with a member without an activity, and a rural school below
    regular use in the week of 2023-10-16."""
    for place in (school, other_school):
        idle = SchoolFactory(township=place.township, name=f"{place.county}闲置成员校")
        alliance = alliance_with(place, idle, name=f"{place.county}联盟")
        ActivityFactory(alliance=alliance, school=place, held_on=dt.date(2023, 10, 12))
        OnlineSessionFactory(
            school=place,
            week=dt.date(2023, 10, 16),
            sessions=1,
            receivers=[SchoolFactory(township=place.township, name=f"{place.county}接收村小")],
        )


PAGES = [
    ("alliances-dashboard", {}, ""),
    ("alliances-without-activity", {"school_year": 2023, "term": "autumn"}, "闲置成员校"),
    ("alliances-without-activity-export", {"school_year": 2023, "term": "autumn"}, "闲置成员校"),
    ("alliances-regular-use", {"week": "2023-10-16"}, "接收村小"),
    ("alliances-regular-use-export", {"week": "2023-10-16"}, "接收村小"),
]


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxml"):
        sheet = load_workbook(BytesIO(response.content)).active
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    return response.content.decode()


@pytest.mark.parametrize(("name", "params", "word"), PAGES)
def test_pages_show_a_county_only_itself(name, params, word, both, county_user, other_county):
    client = Client()
    client.force_login(county_user)
    mine = _text(client.get(reverse(name), params))
    assert f"海林市{word}" in mine
    assert "东宁市" not in mine
    asked = _text(client.get(reverse(name), {**params, "county": other_county.pk}))
    assert "东宁市" not in asked


def test_the_summary_counts_a_county_only(both, county_user, city_user, other_county):
    api = APIClient()
    api.force_authenticate(county_user)
    mine = api.get("/api/v1/alliances/summary/").json()
    assert (mine["county_level"], mine["member_schools"], mine["activities"]["total"]) == (1, 2, 1)
    assert mine["online_sessions"]["schools_below_regular_use"] == 1
    assert [c["name"] for c in mine["counties"]] == ["海林市"]
    theirs = api.get("/api/v1/alliances/summary/", {"county": other_county.pk}).json()
    assert theirs["member_schools"] == 0 and theirs["counties"] == []
    api.force_authenticate(city_user)
    city = api.get("/api/v1/alliances/summary/").json()
    assert city["member_schools"] == 4 and len(city["counties"]) == 2
    assert (
        api.get("/api/v1/alliances/summary/", {"county": other_county.pk}).json()["member_schools"]
        == 2
    )
