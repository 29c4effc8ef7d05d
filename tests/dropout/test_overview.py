"""Dropout control's card on the home page and its section of the weekly dispatch: figures are
the rows of the user's scope, and each figure opens those rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.areas import cards_for, dispatch_sections
from dropout import overview
from dropout.models import CaseStatus, DropoutCase
from tests.dropout.factories import listed_names, run_round
from tests.factories import RosterChildFactory, RosterVersionFactory, StudentFactory

pytestmark = pytest.mark.django_db

WEEK = {"start": dt.date(2023, 9, 11), "end": dt.date(2023, 9, 17)}  # the round's week


@pytest.fixture
def screened(county, township, school, other_township, city_admin):
    """海林市: one child enrolled, two not (two cases, overdue by now); 东宁市: one case, closed
    on 16 September."""
    mine = RosterVersionFactory(county=county)
    enrolled = RosterChildFactory(roster_version=mine, township=township, name="在读儿童")
    StudentFactory(
        school=school, id_number=enrolled.id_number, name=enrolled.name,
        birth_date=enrolled.birth_date,
    )  # fmt: skip
    RosterChildFactory(roster_version=mine, township=township, name="海林失学")
    RosterChildFactory(roster_version=mine, township=township, name="海林失学二")
    theirs = RosterVersionFactory(county=other_township.county)
    RosterChildFactory(roster_version=theirs, township=other_township, name="东宁失学")
    screening_round = run_round(city_admin)
    DropoutCase.objects.filter(name="东宁失学").update(
        status=CaseStatus.CLOSED, closed_on=dt.date(2023, 9, 16)
    )
    return screening_round


def test_a_county_officers_card_counts_its_county_and_opens_the_rows(county_user, screened):
    card = overview.card(county_user)
    assert card.url == reverse("dropout-dashboard")
    person_times, cases_open, overdue, rate = card.figures
    assert person_times.value == 3
    assert listed_names(county_user, person_times.url) == {"在读儿童", "海林失学", "海林失学二"}
    assert (cases_open.value, cases_open.level) == (2, "danger")
    assert listed_names(county_user, cases_open.url) == {"海林失学", "海林失学二"}
    assert overdue.value == 2
    assert listed_names(county_user, overdue.url) == {"海林失学", "海林失学二"}
    assert rate.url.startswith(reverse("dropout-rates"))


def test_the_city_card_counts_every_county(city_user, screened):
    person_times, cases_open, overdue, _rate = overview.card(city_user).figures
    assert (person_times.value, cases_open.value, overdue.value) == (4, 2, 2)
    assert listed_names(city_user, person_times.url) == {
        "在读儿童",
        "海林失学",
        "海林失学二",
        "东宁失学",
    }


def test_a_school_officer_has_no_dropout_card_nor_section(school_user, screened):
    """Screening results and cases are the county's: a school sees none of them."""
    assert overview.card(school_user) is None
    assert "dropout" not in {card.area for card in cards_for(school_user)}
    assert "dropout" not in {s.area for s in dispatch_sections(user=school_user, **WEEK)}


def test_the_dispatch_has_a_row_per_county_and_a_total(city_user, county_user, screened):
    section = overview.dispatch_section(user=city_user, **WEEK)
    assert len(section.header) == 7
    assert section.rows == (
        # county, person-times, suspected, open, overdue, opened this week, closed this week
        ("海林市", 3, 2, 2, 2, 2, 0),
        ("东宁市", 1, 1, 0, 0, 1, 1),
        ("合计", 4, 3, 2, 2, 3, 1),
    )
    assert "新建跟踪3件，销号1件" in section.paragraph
    assert "2023–2024学年开展排查1轮，排查4人次" in section.paragraph

    # A county officer's: its county only; another week opened and closed nothing.
    rows = overview.dispatch_section(user=county_user, **WEEK).rows
    assert rows == (("海林市", 3, 2, 2, 2, 2, 0), ("合计", 3, 2, 2, 2, 2, 0))
    later = overview.dispatch_section(
        user=county_user, start=dt.date(2023, 9, 18), end=dt.date(2023, 9, 24)
    )
    assert later.rows[-1][5:] == (0, 0)


def test_the_home_page_shows_the_card_with_its_links(county_client, county_user, screened):
    html = county_client.get(reverse("home")).content.decode()
    assert 'data-area="dropout"' in html and "控辍保学" in html
    card = overview.card(county_user)
    for figure in card.figures:
        assert f'href="{figure.url}"'.replace("&", "&amp;") in html
