"""Bad input is refused with a Chinese message and nothing is written, through the page and the
API alike: a school joined twice, a county alliance led by another county's school, an activity
with a non-member school, a session with negative minutes or received by its provider."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from alliances.models import Activity, Alliance, AllianceMember, OnlineSession
from tests.alliances.factories import alliance_with
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(user)
    return api


def _errors(response) -> str:
    return str(response.context["form"].errors)


def test_a_school_joined_twice_is_refused(county_user, school):
    alliance = alliance_with(school, SchoolFactory(township=school.township, name="联盟成员校"))
    member = AllianceMember.objects.get(school__name="联盟成员校")
    count = AllianceMember.objects.count()
    data = {
        "alliance": alliance.pk,
        "school": member.school_id,
        "role": "member",
        "joined_on": "2023-09-01",
    }
    response = signed_in(county_user).post(reverse("alliancemember-create"), data)
    assert response.status_code == 200
    assert "联盟成员校已是" in _errors(response)
    response = api_as(county_user).post("/api/v1/alliances/members/", data, format="json")
    assert response.status_code == 400
    assert "联盟成员校已是" in response.content.decode()
    assert AllianceMember.objects.count() == count
    # Another school joins: the page works (the test can fail).
    other = SchoolFactory(township=school.township)
    response = signed_in(county_user).post(
        reverse("alliancemember-create"), {**data, "school": other.pk}
    )
    assert response.status_code == 302


def test_a_county_alliance_led_by_another_countys_school_is_refused(
    city_admin, school, other_school, county
):
    data = {
        "name": "跨县联盟",
        "level": "county",
        "county": county.pk,
        "kind": "compulsory",
        "lead_school": other_school.pk,
        "founded_on": "2023-03-01",
    }
    response = signed_in(city_admin).post(reverse("alliance-create"), data)
    assert response.status_code == 200
    assert f"{other_school.name}是东宁市的学校" in _errors(response)
    response = api_as(city_admin).post("/api/v1/alliances/alliances/", data, format="json")
    assert response.status_code == 400 and "东宁市的学校" in response.content.decode()
    assert not Alliance.objects.filter(name="跨县联盟").exists()
    # A school of another county joining a county alliance: refused too.
    alliance = alliance_with(school)
    response = signed_in(city_admin).post(
        reverse("alliancemember-create"),
        {
            "alliance": alliance.pk,
            "school": other_school.pk,
            "role": "member",
            "joined_on": "2023-09-01",
        },
    )
    assert response.status_code == 200 and "东宁市的学校" in _errors(response)
    assert not AllianceMember.objects.filter(school=other_school).exists()


def _activity(alliance, host, schools):
    return {
        "held_on": "2023-10-20",
        "alliance": alliance.pk,
        "kind": "demonstration",
        "action_line": "excel",
        "school": host.pk,
        "schools": [s.pk for s in schools],
        "participants": 30,
        "summary": "示范课",
    }


def test_an_activity_with_a_school_that_is_no_member_is_refused(county_user, school):
    member = SchoolFactory(township=school.township, name="成员学校")
    outsider = SchoolFactory(township=school.township, name="非成员学校")
    alliance = alliance_with(school, member)
    response = signed_in(county_user).post(
        reverse("activity-create"), _activity(alliance, school, [member, outsider])
    )
    assert response.status_code == 200
    assert "非成员学校" in _errors(response) and "成员学校" in _errors(response)
    response = api_as(county_user).post(
        "/api/v1/alliances/activities/",
        _activity(alliance, school, [member, outsider]),
        format="json",
    )
    assert response.status_code == 400 and "非成员学校" in response.content.decode()
    # A host that is no member, and a school that left before the day.
    response = signed_in(county_user).post(
        reverse("activity-create"), _activity(alliance, outsider, [member])
    )
    assert response.status_code == 200 and "不是" in _errors(response)
    AllianceMember.objects.filter(school=member).update(left_on="2023-09-30")
    response = signed_in(county_user).post(
        reverse("activity-create"), _activity(alliance, school, [member])
    )
    assert response.status_code == 200 and "成员学校" in _errors(response)
    assert not Activity.objects.exists()

    AllianceMember.objects.filter(school=member).update(left_on=None)
    response = signed_in(county_user).post(
        reverse("activity-create"), _activity(alliance, school, [member])
    )
    assert response.status_code == 302
    assert list(Activity.objects.get().schools.all()) == [member]
    response = api_as(county_user).post(
        "/api/v1/alliances/activities/", _activity(alliance, school, [member]), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["schools"] == [member.pk]


def _session(provider, receivers, **extra):
    return {
        "week": "2023-10-18",
        "classroom": "delivery",
        "school": provider.pk,
        "receivers": [s.pk for s in receivers],
        "subject": "英语",
        "grade": 5,
        "sessions": 2,
        "minutes": 40,
        **extra,
    }


def test_a_session_with_negative_minutes_or_received_by_its_provider_is_refused(
    county_user, school
):
    receiver = SchoolFactory(township=school.township, name="接收学校")
    client, api = signed_in(county_user), api_as(county_user)
    for data, words in (
        (_session(school, [receiver], minutes=-40), "分钟数须大于零"),
        (_session(school, [receiver], minutes=0), "分钟数须大于零"),
        (_session(school, [school, receiver]), "不能同时是接收学校"),
        (_session(school, []), "请选择接收学校"),
    ):
        response = client.post(reverse("onlinesession-create"), data)
        assert response.status_code == 200 and words in _errors(response), _errors(response)
        response = api.post("/api/v1/alliances/sessions/", data, format="json")
        assert response.status_code == 400 and words in response.content.decode()
    assert not OnlineSession.objects.exists()

    response = client.post(reverse("onlinesession-create"), _session(school, [receiver]))
    assert response.status_code == 302
    session = OnlineSession.objects.get()
    assert str(session.week) == "2023-10-16"  # the week's Monday
    assert list(session.receivers.all()) == [receiver]
