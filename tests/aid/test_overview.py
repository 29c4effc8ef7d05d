"""Student aid's card on the home page and its section of the weekly dispatch: figures are the
rows of the user's scope (a school officer: its school's), and each figure opens those rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aid import overview
from tests.aid.factories import DisbursementFactory, make_roster
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

PA = "poverty_alleviated"
WEEK = {"start": dt.date(2023, 11, 13), "end": dt.date(2023, 11, 19)}


def names(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {row.record.name for row in response.context["table"].paginated_rows}


@pytest.fixture
def paid(programmes, school, neighbour_school, other_school, township):
    """海林市: two pupils of 长汀镇中心小学 on the roster, one paid 250.00 this week; a payment
    of 300.00 at the neighbouring school the week before (低保); 东宁市: 1000.00 this week."""
    allowance = programmes["YW-FJS-XX"]
    paid_pupil = StudentFactory(school=school, name="已资助孩子")
    unpaid = StudentFactory(school=school, name="未资助孩子")
    make_roster(township, [(p.id_number, p.name, PA, False) for p in (paid_pupil, unpaid)])
    DisbursementFactory(
        school=school, id_number=paid_pupil.id_number, name=paid_pupil.name,
        programme=allowance, amount="250.00", paid_on=dt.date(2023, 11, 15),
    )  # fmt: skip
    DisbursementFactory(
        school=neighbour_school, programme=allowance, amount="300.00", category="dibao",
        name="邻校学生", paid_on=dt.date(2023, 11, 8),
    )  # fmt: skip
    DisbursementFactory(
        school=other_school, programme=programmes["GZ-ZXJ"], amount="1000.00",
        name="东宁学生", paid_on=dt.date(2023, 11, 16),
    )  # fmt: skip


def test_a_county_officers_card_counts_its_county_and_opens_the_rows(
    county_client, county_user, paid
):
    card = overview.card(county_user)
    assert card.url == reverse("aid-dashboard")
    amount, person_times, formerly_poor, gaps = card.figures
    assert amount.value == Decimal("0.06")  # 550.00 yuan
    assert person_times.value == 2
    assert names(county_client, amount.url) == {"已资助孩子", "邻校学生"}
    assert formerly_poor.value == Decimal("0.03")
    assert names(county_client, formerly_poor.url) == {"已资助孩子"}
    assert (gaps.value, gaps.level) == (1, "danger")
    assert names(county_client, gaps.url) == {"未资助孩子"}


def test_a_school_officers_card_is_its_schools(school_client, school_user, paid):
    amount, person_times, _poor, gaps = overview.card(school_user).figures
    assert (amount.value, person_times.value) == (Decimal("0.03"), 1)
    assert names(school_client, amount.url) == {"已资助孩子"}
    assert gaps.value == 1


def test_the_city_card_counts_every_county(city_client, city_user, paid):
    amount, person_times, _poor, _gaps = overview.card(city_user).figures
    assert (amount.value, person_times.value) == (Decimal("0.16"), 3)
    assert names(city_client, amount.url) == {"已资助孩子", "邻校学生", "东宁学生"}


def test_the_dispatch_has_a_row_per_county_and_a_total(city_user, school_user, paid):
    section = overview.dispatch_section(user=city_user, **WEEK)
    assert len(section.header) == 6
    assert section.rows == (
        # county, paid this week (n, yuan), school year (n, yuan), not aided this term
        ("海林市", 1, Decimal("250.00"), 2, Decimal("550.00"), 1),
        ("东宁市", 1, Decimal("1000.00"), 1, Decimal("1000.00"), 0),
        ("合计", 2, Decimal("1250.00"), 3, Decimal("1550.00"), 1),
    )
    assert "发放2人次，1250.00元" in section.paragraph
    assert "其中原建档立卡学生1250.00元（2人次）" in section.paragraph

    # A school officer's: its school's payments only.
    rows = overview.dispatch_section(user=school_user, **WEEK).rows
    assert rows[-1] == ("合计", 1, Decimal("250.00"), 1, Decimal("250.00"), 1)


def test_the_home_page_shows_the_card_with_its_links(county_client, county_user, paid):
    html = county_client.get(reverse("home")).content.decode()
    assert 'data-area="aid"' in html and "学生资助" in html
    for figure in overview.card(county_user).figures:
        assert f'href="{figure.url}"'.replace("&", "&amp;") in html
