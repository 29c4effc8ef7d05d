"""The visibility rule of alliances (alliances.models): a county sees its county's alliances and
the city-level alliances its schools belong to — read-only: the city's rows — and of a city
alliance's memberships only its own schools'. Proven at every door: list, detail, export, API,
edit and delete; a school officer sees the alliances its school is in."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from alliances.models import Activity, Alliance, AllianceMember
from tests.alliances.factories import ActivityFactory, alliance_with
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _cells(response) -> set[str]:
    sheet = load_workbook(BytesIO(response.content)).active
    return {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.fixture
def city_alliances(school, other_school):
    """One city alliance with a school of each county, one with the other county's only."""
    shared = alliance_with(
        SchoolFactory(township=other_school.township, name="东宁市第一中学", kind="junior"),
        other_school,
        school,
        level="city",
        name="市级联盟甲",
    )
    theirs_only = alliance_with(other_school, level="city", name="市级联盟乙")
    mine = alliance_with(school, name="海林县域联盟")
    return shared, theirs_only, mine


def test_a_county_sees_its_alliances_and_the_city_alliances_of_its_schools(
    city_alliances, county_user, other_county_user, city_user
):
    shared, theirs_only, mine = city_alliances
    assert set(Alliance.objects.visible_to(county_user)) == {shared, mine}
    assert set(Alliance.objects.visible_to(other_county_user)) == {shared, theirs_only}
    assert Alliance.objects.visible_to(city_user).count() == 3

    client = signed_in(county_user)
    page = client.get(reverse("alliance-list")).content.decode()
    assert "市级联盟甲" in page and "海林县域联盟" in page and "市级联盟乙" not in page
    assert client.get(reverse("alliance-detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("alliance-detail", args=[theirs_only.pk])).status_code == 404
    cells = _cells(client.get(reverse("alliance-export")))
    assert {"市级联盟甲", "海林县域联盟"} <= cells and "市级联盟乙" not in cells
    listed = {
        row["name"]
        for row in api_as(county_user).get("/api/v1/alliances/alliances/").json()["results"]
    }
    assert listed == {"市级联盟甲", "海林县域联盟"}


def test_a_school_that_left_keeps_the_city_alliance_visible_to_its_county(
    city_alliances, county_user, school
):
    shared, _, _ = city_alliances
    AllianceMember.objects.filter(alliance=shared, school=school).update(left_on="2023-07-01")
    assert shared in Alliance.objects.visible_to(county_user)  # "is or was a member"
    AllianceMember.objects.filter(alliance=shared, school=school).delete()
    assert shared not in Alliance.objects.visible_to(county_user)


def test_of_a_city_alliance_a_county_sees_only_its_own_schools_memberships(
    city_alliances, county_user, school, other_school
):
    shared, _, _ = city_alliances
    members = AllianceMember.objects.visible_to(county_user).filter(alliance=shared)
    assert [m.school for m in members] == [school]
    page = signed_in(county_user).get(reverse("alliance-detail", args=[shared.pk]))
    html = page.content.decode()
    members_table = html[html.index('id="alliance-members"') :]
    assert school.name in members_table
    assert other_school.name not in html
    # The alliance's own fields are the city's row, its lead school with them; the other
    # county's member schools are not listed.
    assert "东宁市第一中学" not in members_table
    theirs = AllianceMember.objects.get(alliance=shared, school=other_school)
    assert (
        signed_in(county_user).get(reverse("alliancemember-detail", args=[theirs.pk])).status_code
        == 404
    )


def test_a_city_alliance_is_read_only_for_a_county(city_alliances, county_user, school):
    shared, _, mine = city_alliances
    client = signed_in(county_user)
    before = Alliance.objects.filter(pk=shared.pk).values().get()
    page = client.get(reverse("alliance-detail", args=[shared.pk])).content.decode()
    assert reverse("alliance-update", args=[shared.pk]) not in page
    own = client.get(reverse("alliance-detail", args=[mine.pk])).content.decode()
    assert reverse("alliance-update", args=[mine.pk]) in own  # the test can fail

    data = {
        "name": "改名联盟",
        "level": "city",
        "kind": "compulsory",
        "lead_school": school.pk,
        "founded_on": "2022-09-01",
        "row_version": shared.version,
    }
    assert client.get(reverse("alliance-update", args=[shared.pk])).status_code == 403
    assert client.post(reverse("alliance-update", args=[shared.pk]), data).status_code == 403
    assert client.post(reverse("alliance-delete", args=[shared.pk])).status_code == 403
    api = api_as(county_user)
    response = api.patch(
        f"/api/v1/alliances/alliances/{shared.pk}/", {"name": "改名", "version": shared.version}
    )
    assert response.status_code == 403
    assert api.delete(f"/api/v1/alliances/alliances/{shared.pk}/").status_code == 403
    assert Alliance.objects.filter(pk=shared.pk).values().get() == before

    # Nor may a county record a new city alliance, or a member of one.
    count = Alliance.objects.count()
    response = client.post(reverse("alliance-create"), {**data, "name": "新市级联盟"})
    assert response.status_code == 200
    assert "市教育局" in str(response.context["form"].errors)
    members = AllianceMember.objects.count()
    newcomer = SchoolFactory(township=school.township)
    response = client.post(
        reverse("alliancemember-create"),
        {"alliance": shared.pk, "school": newcomer.pk, "role": "member", "joined_on": "2023-09-01"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert Alliance.objects.count() == count and AllianceMember.objects.count() == members


def test_a_city_admin_records_a_city_alliance(admin_client_, school):
    response = admin_client_.post(
        reverse("alliance-create"),
        {
            "name": "市级新联盟",
            "level": "city",
            "kind": "compulsory",
            "lead_school": school.pk,
            "founded_on": "2023-03-01",
        },
    )
    assert response.status_code == 302
    alliance = Alliance.objects.get(name="市级新联盟")
    assert alliance.county_id is None and alliance.level == "city"


def test_a_school_officer_sees_the_alliances_its_school_is_in(city_alliances, school_user, school):
    shared, theirs_only, mine = city_alliances
    neighbour_alliance = alliance_with(SchoolFactory(township=school.township), name="邻校联盟")
    assert set(Alliance.objects.visible_to(school_user)) == {shared, mine}
    assert neighbour_alliance not in Alliance.objects.visible_to(school_user)
    assert {m.alliance for m in AllianceMember.objects.visible_to(school_user)} == {shared, mine}


def test_a_county_sees_another_countys_activity_its_school_took_part_in(
    city_alliances, county_user, other_county_user, school, other_school
):
    shared, _, _ = city_alliances
    hosted_there = ActivityFactory(alliance=shared, school=other_school, schools=[school])
    not_joined = ActivityFactory(alliance=shared, school=other_school)
    assert set(Activity.objects.visible_to(county_user)) == {hosted_there}
    assert set(Activity.objects.visible_to(other_county_user)) == {hosted_there, not_joined}
    client = signed_in(county_user)
    assert client.get(reverse("activity-detail", args=[not_joined.pk])).status_code == 404
    page = client.get(reverse("activity-detail", args=[hosted_there.pk])).content.decode()
    assert reverse("activity-update", args=[hosted_there.pk]) not in page  # read-only
    assert client.get(reverse("activity-update", args=[hosted_there.pk])).status_code == 403
    assert client.post(reverse("activity-delete", args=[hosted_there.pk])).status_code == 403
    assert Activity.objects.filter(pk=hosted_there.pk).exists()
