"""The demo reproduces the bulletin's figure for school conditions from rows (0 townships
without a public central kindergarten) and the issue's scenario, read back through the summary
API as a city user and as a county officer."""

from __future__ import annotations

import random

import pytest
from rest_framework.test import APIClient

from core import demo as core_demo
from core.models import Region, RegionLevel, User
from facilities import demo as facilities_demo
from facilities.models import FundingAllocation, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    core_demo.build_demo_city(students=2000, seed=2023, password="x-demo-pass-1")
    return facilities_demo.seed(rng=random.Random(2026)), None


def summary(user, **params):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/facilities/summary/", {"year": 2023, **params})
    assert response.status_code == 200
    return response.json()


def test_the_summary_after_the_demo(demo):
    made, _seconds = demo
    admin = User.objects.get(username="city-admin")
    figures = summary(admin)
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).count()
    assert figures["townships"] == townships > 50
    assert figures["townships_without_central_kindergarten"] == 0
    assert figures["projects"]["count"] == made["projects"] > 10
    assert sum(figures["projects"]["by_status"].values()) == made["projects"]
    funding = figures["funding"]
    assert funding["underfunded_schools"] == 2
    assert funding["small_schools_funded_as_100"] > 0 and funding["boarders"] > 0
    assert isinstance(funding["computed"], str) and "." in funding["computed"]
    assert float(funding["allocated"]) < float(funding["computed"])
    rect = figures["rectifications"]
    assert rect["findings"] == made["findings"] == rect["closed"] == rect["closed_within_deadline"]
    assert (rect["open"], rect["overdue"]) == (0, 0)
    assert all(r.verified_by_id != r.submitted_by_id for r in Rectification.objects.all())
    assert len(figures["counties"]) == 10


def test_a_county_sees_its_own_part(demo):
    officer = User.objects.get(username="hailin-officer")
    mine = summary(officer)
    assert [c["name"] for c in mine["counties"]] == ["海林市"]
    city = summary(User.objects.get(username="city-admin"), county=officer.scope_id)
    assert mine["funding"] == city["funding"] and mine["projects"] == city["projects"]
    assert mine["townships_without_central_kindergarten"] == 0
    assert (
        FundingAllocation.objects.filter(county=officer.scope).count() == mine["funding"]["schools"]
    )


def test_the_demo_s_maintenance_check_lists_only_the_schools_that_stopped_logging(demo):
    """The demo's log runs to December 2023 and the check counts back from there, not from the
    clock: the schools that stopped logging in October are behind, the others are not."""
    from core.models import School
    from facilities import selectors

    public = list(School.objects.filter(ownership="public").order_by("code"))
    stopped = {
        school
        for number, school in enumerate(public)
        if number % facilities_demo.STOPPED_LOGGING_EVERY == 7
    }
    admin = User.objects.get(username="city-admin")
    assert set(selectors.maintenance_gaps(admin, days=selectors.maintenance_days())) == stopped
    figures = selectors.summary(admin, school_year=2023)["maintenance"]
    assert (figures["gaps"], figures["kept"]) == (len(stopped), len(public) - len(stopped))
    assert 0 < len(stopped) < len(public) // 10


def test_wipe_takes_the_rows_their_photos_and_the_files(
    demo, settings, django_capture_on_commit_callbacks
):
    from core.attachments.models import Attachment

    stored = [path for a in Attachment.objects.all() for path in a.stored_paths()]
    assert stored and all((settings.MEDIA_ROOT / path).exists() for path in stored)
    with django_capture_on_commit_callbacks(execute=True):
        facilities_demo.wipe()
    assert not Rectification.objects.exists() and not FundingAllocation.objects.exists()
    assert not Attachment.objects.exists()
    assert not any((settings.MEDIA_ROOT / path).exists() for path in stored)
    core_demo.wipe_demo()  # nothing of school conditions still refers to the city
    assert not Region.objects.exists()
