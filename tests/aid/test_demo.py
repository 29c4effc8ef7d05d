"""The demo reproduces the bulletin's aid figures from rows: 196.63万元, 2,618 person-times."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from rest_framework.test import APIClient

from aid import demo as aid_demo
from aid.models import (
    CheckNote,
    ContactLog,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
)
from core import demo as core_demo
from core.models import User

pytestmark = pytest.mark.django_db


def _build(students: int):
    core_demo.build_demo_city(students=students, seed=2023, password="x-demo-pass-1")
    try:
        from dropout import demo as dropout_demo
    except ImportError:
        dropout_demo = None
    if dropout_demo is not None and hasattr(dropout_demo, "seed"):
        dropout_demo.seed(rng=random.Random(2024))
    return aid_demo.seed(rng=random.Random(2025))


@pytest.fixture
def demo():
    return _build(2000)


def test_rows_add_up_to_the_bulletin(demo):
    poor = Disbursement.objects.filter(category=RecipientCategory.FORMERLY_POOR).aggregate(
        amount=Sum("amount"), n=Count("pk")
    )
    assert poor["n"] == 2618
    assert poor["amount"] == Decimal("1966300.00")
    assert demo["formerly_poor_rows"] == 2618
    assert Disbursement.objects.exclude(category=RecipientCategory.FORMERLY_POOR).count() > 500
    assert OutOfAreaStudent.objects.count() >= 10 and ContactLog.objects.exists()
    assert PublicityActivity.objects.filter(channel="tv").exists()
    assert CheckNote.objects.exists()


def test_summary_after_the_demo(demo):
    api = APIClient()
    api.force_authenticate(User.objects.get(username="city-staff"))
    data = api.get("/api/v1/aid/summary/").json()
    assert data["school_year"] == 2023
    assert data["formerly_poor"]["amount"] == "1966300.00"
    assert data["formerly_poor"]["person_times"] == 2618
    assert data["formerly_poor"]["amount_wan"] == "196.63"
    assert data["below_standard_count"] == aid_demo.BELOW_STANDARD_ROWS
    assert data["duplicate_count"] == 2 * aid_demo.CROSS_COUNTY_DUPLICATES
    assert data["out_of_area"]["total"] == OutOfAreaStudent.objects.count()
    assert 0 < data["out_of_area"]["verified"] < data["out_of_area"]["total"]
    total = sum(Decimal(c["amount"]) for c in data["counties"])
    assert f"{total:.2f}" == data["total_amount"]
    assert sum(c["person_times"] for c in data["counties"]) == data["person_times"]
