"""The demo reproduces the bulletin — 3 rounds, 1,671 person-times, no suspected dropout left,
dropout rate 0, consolidation rate 100% — through the real rounds and cases, not typed totals."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.models import Region, RegionLevel, RosterChild, User
from dropout import demo
from dropout.models import (
    CaseAction,
    CaseStatus,
    DropoutCase,
    Exemption,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    Responsibility,
    ScreeningResult,
    ScreeningRound,
)

pytestmark = [pytest.mark.long, pytest.mark.django_db]


DEMO_STUDENTS = 2000  # the demo city of the `demo_city` fixture (conftest.py)


def summary(username: str, **params) -> dict:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    response = client.get("/api/v1/dropout/summary/", params)
    assert response.status_code == 200
    return response.json()


def test_the_bulletins_figures_after_seed_demo(demo_city):
    figures = summary("city-admin")
    assert figures["school_year"] == 2023
    assert figures["rounds"] == 3
    assert figures["person_times"] == 1671
    assert figures["suspected_open"] == 0
    assert figures["cases_open"] == 0 and figures["cases_overdue"] == 0
    assert figures["dropout_rate"] == 0.0
    assert figures["consolidation_rate"] == 1.0
    assert len(figures["counties"]) == 10
    assert sum(c["person_times"] for c in figures["counties"]) == 1671
    assert all(c["rounds"] == 3 for c in figures["counties"])
    assert figures["responsibility"]["missing"] == 0
    assert figures["spot_checks"] > 0 and figures["spot_check_discrepancies"] == 1

    # A county sees its own share only.
    hailin = summary("hailin-officer")
    assert [c["code"] for c in hailin["counties"]] == ["231083"]
    assert 0 < hailin["person_times"] < 1671 and hailin["rounds"] == 3


def test_the_figures_were_arrived_at_through_rounds_and_cases(demo_city):
    rounds = list(ScreeningRound.objects.order_by("screening_date"))
    assert [r.results.count() for r in rounds] == [557, 557, 557]
    assert all(r.status == "finished" for r in rounds)
    first, second, third = rounds
    # Round 1 found suspected dropouts; they were followed up, resolved, confirmed, closed.
    assert first.results.filter(classification="suspected").count() == 6
    cases = DropoutCase.objects.all()
    assert cases.count() == 6 and {c.opened_in_round for c in cases} == {first}
    assert all(c.status == CaseStatus.CLOSED for c in cases)
    assert all(c.confirmed_in_round == second for c in cases)
    assert {c.outcome for c in cases} == {"returned", "enrolled_elsewhere"}
    assert all(c.closed_by.role == "county_reviewer" for c in cases)
    assert CaseAction.objects.filter(kind="home_visit").count() == 6
    assert not third.results.filter(classification__in=["suspected", "dropped_out"]).exists()
    # Every class the bulletin's screening meets is there.
    classes = set(third.results.values_list("classification", flat=True))
    assert {"enrolled_local", "enrolled_elsewhere", "exempt"} <= classes
    assert third.results.filter(match_method="name_birth", needs_confirmation=True).exists()
    # Not every child on a roster is screened: not of school age, or risk eliminated.
    newest = RosterChild.objects.filter(roster_version__in=third.roster_versions.all())
    assert newest.count() > 557
    assert newest.filter(risk_eliminated=True, household_category="monitored").exists()
    assert Exemption.objects.count() == 2 and OutOfCityEnrolment.objects.exists()
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).count()
    assert Responsibility.objects.count() == 2 * townships
    assert Grade6SpotCheck.objects.exists()
    assert ScreeningResult.objects.count() == 1671


def test_wipe_clears_the_way_for_the_demo_city_to_be_wiped(demo_city):
    from core.demo import wipe_demo

    demo.wipe()
    assert not ScreeningRound.objects.exists() and not RosterChild.objects.exists()
    wipe_demo()  # nothing of dropout control still refers to the city: no ProtectedError
    assert not Region.objects.exists()


def test_the_demo_roster_versions_carry_the_dates_of_their_sheets_not_of_the_seeding(demo_city):
    from core.models import RosterVersion

    names = {str(v) for v in RosterVersion.objects.all()}
    assert "2023年秋季学期脱贫户和监测户子女名单（2023-09-01）" in names
    assert "2023年春季学期名单（2023-03-01）" in names
