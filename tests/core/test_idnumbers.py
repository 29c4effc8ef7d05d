"""ID numbers (GB 11643): normalisation, validation and masking, with property-based tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core import idnumbers

regions = st.sampled_from(["231002", "231083", "231086", "110101", "440305"])
births = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2022, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_made_numbers_validate_and_encode_birth_and_gender(region, born, sequence):
    number = idnumbers.make(region, born, sequence)
    assert idnumbers.validate(number) == number
    assert idnumbers.birth_date(number) == born
    assert idnumbers.gender(number) == ("M" if sequence % 2 else "F")


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(region, born, sequence, position, delta):
    number = idnumbers.make(region, born, sequence)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        idnumbers.validate(changed)


@given(regions, births, sequences)
def test_full_width_spaces_and_lower_case_x_are_normalised(region, born, sequence):
    number = idnumbers.make(region, born, sequence)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    messy = "  " + full_width[:6] + " " + full_width[6:].lower() + "\u3000"
    assert idnumbers.validate(messy) == number


@given(regions, births, sequences)
def test_mask_keeps_region_and_last_two_only(region, born, sequence):
    number = idnumbers.make(region, born, sequence)
    masked = idnumbers.mask(number)
    assert masked == number[:6] + "**********" + number[-2:]
    assert f"{born:%Y%m%d}" not in masked


def test_known_number_with_x():
    # 11010519491231002X is the standard's own worked example.
    assert idnumbers.validate("11010519491231002x") == "11010519491231002X"
    assert idnumbers.mask("11010519491231002X") == "110105**********2X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_empty"),
        ("231083201205011", "id_old"),
        ("23108320120501123", "id_shape"),
        ("2310832012050112A6", "id_shape"),
        ("231083201302301230", "id_date"),  # 30 February
        ("231083209901011230", "id_date"),  # in the future
        ("231083201205011235", "id_check"),
    ],
)
def test_bad_numbers_have_specific_messages(value, code):
    with pytest.raises(ValidationError) as caught:
        idnumbers.validate(value)
    assert caught.value.code == code


def test_messages_are_chinese_by_default():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        idnumbers.validate("231083201205011235")
    assert "校验码" in caught.value.messages[0]
