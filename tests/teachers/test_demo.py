"""The demo reproduces the bulletin's figure for teacher staffing from rows (68 special-post
teachers planned) and the issue's scenario (a few posts vacant, every rural teacher covered by
continuing education, some 国培, the online lecture with attendees, a few schools short), read back
through the summary API as a city user and as a county officer."""

from __future__ import annotations

import io
import random

import pytest
from rest_framework.test import APIClient

from core import demo as core_demo
from core.models import User
from teachers import demo as teachers_demo
from teachers import selectors
from teachers.models import ProgrammeKind, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    core_demo.build_demo_city(students=2000, seed=2023, password="x-demo-pass-1")
    out = io.StringIO()
    made = teachers_demo.seed(rng=random.Random(2026), stdout=out)
    return made, out.getvalue()


def summary(user, **params):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/teachers/summary/", {"year": 2023, **params})
    assert response.status_code == 200
    return response.json()


def test_the_summary_after_the_demo(demo):
    made, printed = demo
    admin = User.objects.get(username="city-admin")
    figures = summary(admin)
    assert figures["special_post"] == {"planned": 68, "hired": 63, "on_duty": 61, "vacant": 5}
    assert figures["special_post"]["hired"] == made["special_post_hired"]
    channels = {p["channel"]: p for p in figures["plans"]}
    assert set(channels) == {"special_post", "xuecheng", "secretary", "open"}
    assert channels["xuecheng"]["planned"] == channels["xuecheng"]["hired"] == 6
    cover = figures["training_coverage"]
    assert cover["rate"] == "100.0" and cover["covered"] == cover["rural_teachers"] > 300
    assert figures["rural_teachers"] == cover["rural_teachers"] < figures["teachers"]
    assert figures["schools_short_of_teachers"] == made["short"] == 4
    assert figures["national_training"] > 0
    assert len(figures["counties"]) == 10
    assert sum(c["special_post"]["planned"] for c in figures["counties"]) == 68
    lecture = TrainingRecord.objects.filter(programme__kind=ProgrammeKind.LECTURE)
    assert lecture.count() > 50
    assert not selectors.uncovered(admin, 2023).exists()
    assert "2023年特岗教师计划 68 人" in printed or "68 special-post" in printed


def test_a_county_sees_its_own_part(demo):
    officer = User.objects.get(username="hailin-officer")
    mine = summary(officer)
    assert [c["name"] for c in mine["counties"]] == ["海林市"]
    assert mine["special_post"] == {"planned": 12, "hired": 10, "on_duty": 10, "vacant": 2}
    city = summary(User.objects.get(username="city-admin"), county=officer.scope_id)
    assert {k: v for k, v in city.items() if k != "counties"} == {
        k: v for k, v in mine.items() if k != "counties"
    }


def test_the_special_post_service_after_the_demo(demo):
    admin = User.objects.get(username="city-admin")
    rows = selectors.special_post_service(admin, 2023)
    assert sum(r["cohort"] for r in rows) > 0
    assert all(r["stayed"] + r["left"] <= r["cohort"] for r in rows)
    assert sum(r["left"] for r in rows) > 0 and sum(r["completing"] for r in rows) > 0
