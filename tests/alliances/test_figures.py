"""The area's figures equal the rows, in each scope: distinct member schools (a school in two
alliances counts once, one that left no more), activities by action line and month, regular use
at its boundary, members without an activity this term; the dashboard, the summary API and the
check lists show them, and a county sees nothing of another county's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from alliances import selectors
from alliances.models import AllianceMember
from tests.alliances.factories import ActivityFactory, OnlineSessionFactory, alliance_with
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

WEEK = dt.date(2023, 10, 16)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def made(school, other_school):
    """海林市: a county alliance of `school` and two others; a city alliance with `school` (again)
    and the other county's school; a member that left. 东宁市: its own county alliance."""
    two = SchoolFactory(township=school.township, name="海林二小")
    left = SchoolFactory(township=school.township, name="海林已退出小学")
    mine = alliance_with(school, two, left, name="海林县域联盟")
    AllianceMember.objects.filter(school=left).update(left_on=dt.date(2023, 7, 1))
    shared = alliance_with(other_school, school, level="city", name="市级联盟")
    theirs = alliance_with(
        other_school, SchoolFactory(township=other_school.township), name="东宁联盟"
    )
    return {"mine": mine, "shared": shared, "theirs": theirs, "two": two, "left": left}


def test_member_schools_are_distinct_and_a_school_that_left_counts_no_more(
    made, county_user, other_county_user, city_user, school
):
    assert set(selectors.member_schools(county_user)) == {school, made["two"]}
    assert selectors.member_schools(other_county_user).count() == 2
    assert selectors.member_schools(city_user).count() == 4  # `school` once, not twice
    figures = selectors.summary(county_user)
    assert (figures["city_level"], figures["county_level"], figures["member_schools"]) == (1, 1, 2)
    # The school that left rejoins another alliance: it counts again.
    alliance_with(made["left"], name="另一联盟")
    assert selectors.member_schools(county_user).count() == 3


def test_activities_by_action_line_and_month(made, county_user, city_user, school, other_school):
    ActivityFactory(
        alliance=made["mine"], school=school, action_line="excel", held_on=dt.date(2023, 9, 20)
    )
    ActivityFactory(
        alliance=made["mine"], school=made["two"], action_line="excel", held_on=dt.date(2023, 10, 9)
    )
    ActivityFactory(
        alliance=made["mine"], school=school, action_line="improve", held_on=dt.date(2023, 10, 10)
    )
    ActivityFactory(alliance=made["theirs"], school=other_school, action_line="consolidate")
    ActivityFactory(
        alliance=made["mine"], school=school, action_line="excel", held_on=dt.date(2022, 10, 1)
    )
    lines = selectors.activities_by_line(county_user, school_year=2023)
    assert lines == {"improve": 1, "consolidate": 0, "excel": 2}
    assert selectors.activities_by_line(city_user, school_year=2023)["consolidate"] == 1
    months = selectors.activities_by_month(county_user, school_year=2023)
    assert [(m["month"], m["lines"]["excel"], m["lines"]["improve"]) for m in months] == [
        (dt.date(2023, 9, 1), 1, 0),
        (dt.date(2023, 10, 1), 1, 1),
    ]
    data = api_as(county_user).get("/api/v1/alliances/summary/", {"year": 2023}).json()
    assert data["activities"] == {"total": 3, "by_action_line": lines}
    assert [c["name"] for c in data["counties"]] == ["海林市"]
    page = signed_in(county_user).get(reverse("alliances-dashboard"), {"school_year": 2023})
    html = page.content.decode()
    assert 'id="figure-line-excel"' in html and "东宁" not in html


def test_regular_use_at_the_boundary(made, county_user, settings, school):
    settings.ALLIANCES_REGULAR_SESSIONS_PER_WEEK = 3
    at, under, urban = (
        SchoolFactory(township=school.township, name="达标村小"),
        SchoolFactory(township=school.township, name="不达标村小"),
        SchoolFactory(township=school.township, name="城区小学", locality="urban"),
    )
    OnlineSessionFactory(school=school, week=WEEK, sessions=2, receivers=[at, under, urban])
    OnlineSessionFactory(
        school=school, week=WEEK, sessions=1, classroom="master_teacher", receivers=[at]
    )
    OnlineSessionFactory(
        school=school, week=WEEK - dt.timedelta(weeks=1), sessions=3, receivers=[under]
    )
    below = selectors.below_regular_use(county_user, week=WEEK)
    assert [s.name for s in below] == ["不达标村小"]  # 3 is regular use, 2 is not; urban not asked
    assert selectors.trend(below[0]) == [0, 0, 3, 2]
    settings.ALLIANCES_REGULAR_SESSIONS_PER_WEEK = 4
    assert {s.name for s in selectors.below_regular_use(county_user, week=WEEK)} == {
        "达标村小",
        "不达标村小",
    }
    settings.ALLIANCES_REGULAR_SESSIONS_PER_WEEK = 3
    weeks = selectors.weekly_regular_use(county_user)
    assert [(w["week"], w["schools"], w["below"]) for w in weeks] == [
        (WEEK - dt.timedelta(weeks=1), 2, 1),
        (WEEK, 2, 1),
    ]
    data = api_as(county_user).get("/api/v1/alliances/summary/").json()
    assert data["online_sessions"]["schools_below_regular_use"] == 1
    assert data["online_sessions"]["by_type"] == {
        "delivery": 5,
        "master_teacher": 1,
        "famous_school": 0,
    }
    page = signed_in(county_user).get(reverse("alliances-regular-use"), {"week": "2023-10-18"})
    html = page.content.decode()
    assert "不达标村小" in html and "达标村小</a>" not in html.replace("不达标村小</a>", "")
    assert "0 → 0 → 3 → 2" in html


def test_member_schools_without_an_activity_this_term(made, county_user, school, other_school):
    ActivityFactory(alliance=made["mine"], school=school, held_on=dt.date(2023, 10, 12))
    ActivityFactory(
        alliance=made["mine"], school=made["two"], held_on=dt.date(2023, 3, 12)
    )  # spring
    rows = selectors.schools_without_activity(county_user, school_year=2023, term="autumn")
    assert [s.name for s in rows] == ["海林二小"]
    assert rows[0].alliance_names == "海林县域联盟"
    # Taking part counts as much as hosting.
    ActivityFactory(
        alliance=made["mine"], school=school, held_on=dt.date(2023, 11, 2), schools=[made["two"]]
    )
    assert not selectors.schools_without_activity(
        county_user, school_year=2023, term="autumn"
    ).exists()
    page = signed_in(county_user).get(
        reverse("alliances-without-activity"), {"school_year": 2023, "term": "spring"}
    )
    assert page.status_code == 200 and school.name in page.content.decode()
    assert other_school.name not in page.content.decode()


def test_a_county_asking_for_another_county_gets_zeros(made, county_user, other_county):
    ActivityFactory(alliance=made["theirs"], school=made["theirs"].lead_school)
    data = api_as(county_user).get("/api/v1/alliances/summary/", {"county": other_county.pk}).json()
    assert (data["city_level"], data["county_level"], data["member_schools"]) == (0, 0, 0)
    assert data["activities"]["total"] == 0 and data["counties"] == []
    page = signed_in(county_user).get(reverse("alliances-dashboard"), {"county": other_county.pk})
    assert "东宁联盟" not in page.content.decode()


def test_the_home_card_agrees_with_the_summary(made, county_user, school_user, school):
    from alliances.overview import card

    ActivityFactory(alliance=made["mine"], school=school, action_line="excel")
    shown = {figure.label: figure.value for figure in card(county_user).figures}
    assert shown["市级学校联盟"] == 1 and shown["县域学校联盟"] == 1
    assert shown["成员校"] == 2 and shown["联盟活动"] == 1 and shown["培优"] == 1
    assert card(school_user) is None
    page = signed_in(county_user).get("/").content.decode()
    assert "联盟与教学" in page
