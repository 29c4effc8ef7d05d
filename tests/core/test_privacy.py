"""What is shown of a child never rebuilds the ID number.

The scheme (core.idnumbers.mask and .age): the masked number keeps the region code and the last
two characters; no door shows the birth date beside it, only the age. The property: given what a
page shows (masked number, age on the day, gender, region), at least 1,000 valid ID numbers fit.
The door tests check that every ledger with ID numbers — list page, detail page, API list and
detail, export — shows nothing more than that: no full number, no birth date, only the mask.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core import calendar, idnumbers
from core.ledger import all_ledgers
from core.models import IdNumberField
from tests.scoping import load_all

MASKED = re.compile(r"\b(\d{6})(\*{10})([\dX]{2})\b")
TODAY = dt.date(2026, 12, 1)


def candidates(masked: str, age: int, gender: str, *, on: dt.date) -> int:
    """How many valid ID numbers fit a masked number, an age on a day and a gender."""
    head, tail = masked[:6], masked[-2:]
    assert set(masked[6:-2]) == {"*"}, masked
    latest = dt.date(on.year - age, on.month, min(on.day, 28))
    births = [
        born
        for born in (latest - dt.timedelta(days=offset) for offset in range(-4, 372))
        if calendar.age(born, on=on) == age
    ]
    count = 0
    for born in births:
        first14 = f"{head}{born:%Y%m%d}"
        for first_two in range(100):
            first17 = f"{first14}{first_two:02d}{tail[0]}"
            if (
                idnumbers.gender(first17 + "0") == gender
                and idnumbers.check_char(first17) == tail[1]
            ):
                count += 1
    return count


@settings(max_examples=40, deadline=None)
@given(
    born=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    region=st.sampled_from(["231083", "231086", "231002", "110105"]),
)
def test_what_a_page_shows_leaves_at_least_1000_numbers(born, sequence, region):
    number = idnumbers.make(region, born, sequence)
    shown = idnumbers.mask(number)
    assert number not in shown
    fits = candidates(shown, calendar.age(born, on=TODAY), idnumbers.gender(number), on=TODAY)
    assert fits >= 1000, (shown, fits)


def test_the_old_mask_with_the_birth_date_beside_it_would_have_been_rebuilt():
    """The reproduction: region + last four + birth date left exactly one number."""
    born = dt.date(2013, 3, 14)
    number = idnumbers.make("231083", born, 735)
    old_mask = number[:6] + "********" + number[-4:]
    rebuilt = old_mask[:6] + f"{born:%Y%m%d}" + old_mask[-4:]
    assert rebuilt == number
    assert idnumbers.mask(number) != old_mask


def test_redact_masks_every_number_in_a_text():
    number = idnumbers.make("231086", dt.date(2013, 5, 4), 12)
    text = f"Key (id_number)=({number}) already exists; other 1234567890123456789 stays"
    assert number not in idnumbers.redact(text)
    assert idnumbers.mask(number) in idnumbers.redact(text)
    assert "1234567890123456789" in idnumbers.redact(text)


# --- Every door of every ledger that holds ID numbers -------------------------------------------

CASES = load_all()
PERSON_LEDGERS = sorted(
    ledger.label
    for ledger in all_ledgers()
    if any(isinstance(f, IdNumberField) for f in ledger.model._meta.concrete_fields)
)


def _url(ledger, action, *args):
    try:
        return reverse(ledger.url_name(action), args=args)
    except NoReverseMatch:
        return None


def _birth_texts(born: dt.date) -> list[str]:
    return [
        born.isoformat(),
        f"{born:%Y/%m/%d}",
        f"{born:%Y%m%d}",
        f"{born.year}年{born.month}月{born.day}日",
        f"{born.year}-{born.month}-{born.day}",
    ]


def _check_shown(text: str, row, where: str):
    number = row.id_number
    assert number not in text, f"{where}: the full ID number is shown"
    born = idnumbers.birth_date(number)
    for form in _birth_texts(born):
        assert form not in text, f"{where}: the birth date is shown ({form})"
    masks = {m.group(0) for m in MASKED.finditer(text)}
    assert idnumbers.mask(number) in masks, f"{where}: the masked number is missing"


@pytest.fixture(params=PERSON_LEDGERS)
def person_row(request, school):
    ledger = next(x for x in all_ledgers() if x.label == request.param)
    return ledger, CASES[request.param].make(school)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["county_user", "county_reviewer", "city_user"])
def test_no_door_shows_more_than_the_mask(person_row, who, request, client):
    ledger, row = person_row
    user = request.getfixturevalue(who)
    client.force_login(user)
    pages = {
        "list": _url(ledger, "list"),
        "detail": _url(ledger, "detail", row.pk),
        "edit form": _url(ledger, "update", row.pk) if who == "county_user" else None,
    }
    for where, url in pages.items():
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code == 200, (where, url)
        _check_shown(response.content.decode(), row, f"{ledger.label} {where}")

    api = APIClient()
    api.force_authenticate(user)
    base = f"/api/v1/{ledger.api_prefix}/"
    for where, url in {"API list": base, "API detail": f"{base}{row.pk}/"}.items():
        response = api.get(url)
        assert response.status_code == 200, (where, url)
        _check_shown(response.content.decode(), row, f"{ledger.label} {where}")

    response = client.get(_url(ledger, "export"))
    assert response.status_code == 200
    workbook = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = []
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            for value in values:
                if isinstance(value, dt.datetime):
                    value = value.date()
                cells.append(value.isoformat() if isinstance(value, dt.date) else str(value))
    _check_shown("\n".join(cells), row, f"{ledger.label} export")


@pytest.mark.django_db
def test_admin_pages_mask_the_number(person_row, client, django_user_model):
    ledger, row = person_row
    admin = django_user_model.objects.create_superuser("root", "root@example.cn", "pw-12345678")
    client.force_login(admin)
    meta = ledger.model._meta
    for url in (
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _check_shown(response.content.decode(), row, f"admin {url}")
