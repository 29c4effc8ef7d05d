"""The roster is shared basic data in core: its pages under basics, its API at /api/v1/roster/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import idnumbers
from tests.factories import RosterChildFactory, RosterVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosters(county, township, other_township):
    mine = RosterVersionFactory(county=county, label="海林市2023年秋季名单")
    child = RosterChildFactory(roster_version=mine, township=township, name="海林儿童")
    RosterChildFactory(roster_version=mine, township=township, name="海林儿童二")
    theirs = RosterVersionFactory(county=other_township.county, label="东宁市2023年秋季名单")
    RosterChildFactory(roster_version=theirs, township=other_township, name="东宁儿童")
    return mine, child


def test_the_roster_is_listed_under_basics_not_under_an_area(county_client, rosters):
    page = county_client.get(reverse("home"))
    basics = [item["url"] for item in page.context["nav_basics"]]
    assert "/roster/" in basics and "/roster/versions/" in basics
    for area in page.context["nav_areas"]:
        assert not {item["url"] for item in area["ledgers"]} & {"/roster/", "/roster/versions/"}


def test_the_roster_pages_live_at_roster(county_client, rosters):
    mine, child = rosters
    assert reverse("rosterchild-list") == "/roster/"
    assert reverse("rosterversion-detail", args=[mine.pk]) == f"/roster/versions/{mine.pk}/"
    listing = county_client.get("/roster/").content.decode()
    assert "海林儿童" in listing and "东宁儿童" not in listing
    version_page = county_client.get(f"/roster/versions/{mine.pk}/").content.decode()
    # The version's own page (core/rosterversion_detail.html) links to its children.
    assert f'href="/roster/?roster_version={mine.pk}" id="version-children"' in version_page
    assert county_client.get("/dropout/roster/").status_code == 404


def test_the_roster_api_lives_at_roster_and_roster_versions(county_user, rosters):
    mine, child = rosters
    client = APIClient()
    client.force_authenticate(county_user)
    versions = client.get("/api/v1/roster/versions/")
    assert versions.status_code == 200
    assert [(row["label"], row["children_count"]) for row in versions.json()["results"]] == [
        ("海林市2023年秋季名单", 2)
    ]
    detail = client.get(f"/api/v1/roster/{child.pk}/").json()
    assert detail["name"] == "海林儿童" and detail["id_number"] == idnumbers.mask(child.id_number)
    assert client.get("/api/v1/dropout/roster/").status_code == 404
