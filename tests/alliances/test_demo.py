"""The demo reproduces the bulletin's figures for alliances from rows — 3 city-level and 14
county-level alliances with 93 member schools — and the issue's scenario (a term of activities
on all three action lines, a few rural schools below regular use, quotas, a trusteeship pair),
read back through the summary API as a city user and as a county officer."""

from __future__ import annotations

import random

import pytest
from rest_framework.test import APIClient

from alliances import demo as alliances_demo
from alliances.models import AllianceMember, EntranceQuota, TrusteeshipIndicator, TrusteeshipPair
from core import demo as core_demo
from core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    core_demo.build_demo_city(students=1000, seed=2023, password="x-demo-pass-1")
    return alliances_demo.seed(rng=random.Random(2026))


def summary(user, **params):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/alliances/summary/", params)
    assert response.status_code == 200
    return response.json()


def test_the_summary_after_the_demo(made):
    admin = User.objects.get(username="city-admin")
    figures = summary(admin)
    assert (figures["city_level"], figures["county_level"]) == (3, 14)
    assert figures["member_schools"] == 93
    # Counted once: some schools are in a county and a city alliance; one left and is not counted.
    rows = AllianceMember.objects.filter(left_on=None)
    assert rows.count() > rows.values("school").distinct().count() == 93
    assert AllianceMember.objects.exclude(left_on=None).count() == 1
    lines = figures["activities"]["by_action_line"]
    assert all(lines[line] > 0 for line in ("improve", "consolidate", "excel"))
    assert figures["activities"]["total"] == made["activities"] == sum(lines.values())
    online = figures["online_sessions"]
    assert online["schools_below_regular_use"] == made["below"] == 3
    assert all(online["by_type"][kind] > 0 for kind in online["by_type"])
    assert online["week"] == "2023-10-23"
    assert sum(c["member_schools"] for c in figures["counties"]) == 93
    assert EntranceQuota.objects.count() == made["quotas"] > 0
    assert TrusteeshipPair.objects.count() == 1 and TrusteeshipIndicator.objects.count() == 3

    officer = User.objects.filter(role="county_officer", scope__code="231083").first()
    mine = summary(officer)
    assert mine["county_level"] == 2 and 1 <= mine["city_level"] <= 3
    assert [c["name"] for c in mine["counties"]] == ["海林市"]
    assert (
        mine["member_schools"]
        == [c for c in figures["counties"] if c["name"] == "海林市"][0]["member_schools"]
    )
