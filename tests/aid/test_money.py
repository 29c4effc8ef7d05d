"""Money is Decimal from the column to the JSON: no float anywhere on the money path."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aid import selectors
from aid.models import Disbursement, fen, wan
from tests.aid.factories import DisbursementFactory

pytestmark = pytest.mark.django_db
MONEY = re.compile(r"^\d+\.\d{2}$")


def floats_in(value, path="$"):
    """Every place a float hides in a JSON-like structure."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in floats_in(v, f"{path}.{k}")]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in floats_in(v, f"{path}[{i}]")]
    return []


def test_fen_and_wan():
    assert fen(None) == Decimal("0.00") and str(fen(Decimal("312.5"))) == "312.50"
    assert wan(Decimal("1966300")) == Decimal("196.63")
    assert str(wan(Decimal("31791500.00"))) == "3179.15"
    assert wan(Decimal("250.00")) == Decimal("0.03")  # half up, not to even
    assert fen(Decimal("0.005")) == Decimal("0.01")
    with pytest.raises(TypeError):
        fen(0.1)


def test_sums_are_exact_decimals(county_user, programmes, school):
    for _ in range(10):
        DisbursementFactory(school=school, programme=programmes["YW-FJS-XX"], amount="0.10")
    for _ in range(3):
        DisbursementFactory(school=school, programme=programmes["YW-FJS-CZ"], amount="312.50")
    figures = selectors.summary(user=county_user, school_year=2023)
    total = figures["total"]
    assert type(total["amount"]) is Decimal and total["amount"] == Decimal("938.50")
    assert type(total["wan"]) is Decimal and total["wan"] == Decimal("0.09")
    for row in figures["by_county"] + figures["by_category"] + figures["by_programme"]:
        assert type(row["amount"]) is Decimal and type(row["wan"]) is Decimal
    assert figures["out_of_area"]["verified_rate"] is None
    data = selectors.summary_json(figures)
    assert floats_in(data) == []
    assert data["total_amount"] == "938.50"
    for row in data["counties"] + data["categories"] + data["programmes"] + data["terms"]:
        assert MONEY.match(row["amount"]) and MONEY.match(row["amount_wan"])
    charts = selectors.chart_data(figures)
    assert floats_in(charts) == []


def test_check_amounts_are_decimals(county_user, programmes, school):
    DisbursementFactory(school=school, programme=programmes["YW-FJS-CZ"], amount="300.01")
    row = selectors.below_standard(user=county_user).get()
    assert type(row.standard) is Decimal and type(row.shortfall) is Decimal
    assert row.shortfall == Decimal("12.49")


def test_imported_amounts_are_decimals(county_client, programmes, school):
    from django.urls import reverse

    from tests.aid.factories import new_id
    from tests.aid.test_disbursements import HEADER, send, sheet_row
    from tests.core.import_files import xlsx

    content = xlsx(
        [
            HEADER,
            sheet_row(school, new_id(), programme="YW-FJS-CZ", amount=312.5),  # a number cell
            sheet_row(school, new_id(), programme="YW-FJS-XX", amount="1,250.00元"),
        ]
    )
    run = send(county_client, content)
    assert run.error_total == 0, run.errors
    county_client.post(reverse("disbursement-import-confirm", args=[run.pk]))
    amounts = sorted(Disbursement.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("312.50"), Decimal("1250.00")]
    assert all(type(a) is Decimal for a in amounts)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cents=st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=25))
def test_summary_total_is_the_exact_sum_of_the_rows(city_user, programmes, school, cents):
    Disbursement.objects.all().delete()
    for value in cents:
        DisbursementFactory(
            school=school, programme=programmes["YW-JS-XX"], amount=Decimal(value) / 100
        )
    expected = sum(Decimal(value) for value in cents) / 100
    data = selectors.summary_json(selectors.summary(user=city_user, school_year=2023))
    assert data["total_amount"] == f"{expected:.2f}"
    assert data["person_times"] == len(cents)
