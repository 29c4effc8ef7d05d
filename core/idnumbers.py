"""Resident ID numbers 居民身份证号 (GB 11643-1999): normalise, validate, mask, make.

An ID number is 6 digits of region code, 8 of birth date (YYYYMMDD), 3 of sequence (odd for men,
even for women) and a check character: ISO 7064 MOD 11-2 over the first 17 digits, 10 written X.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_SEPARATORS = re.compile(r"[\s\u200b\u3000'\"‘’“”-]")


def normalize(value: object) -> str:
    """Trim, fold full-width characters to half-width, drop spaces and quotes, upper-case x."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _SEPARATORS.sub("", text)
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell read from Excel
        text = text[:-2]
    return text.upper()


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(id_number: str) -> dt.date | None:
    """The birth date encoded in a (normalised) ID number, or None when it is not a real date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def gender(id_number: str) -> str:
    """'M' or 'F' from the sequence digit (odd for men)."""
    return "M" if int(id_number[16]) % 2 else "F"


def validate(value: object, *, today: dt.date | None = None) -> str:
    """Return the normalised ID number, or raise ValidationError with a Chinese-ready message."""
    number = normalize(value)
    if not number:
        raise ValidationError(_("ID number is empty."), code="id_empty")
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _("15-digit ID numbers are no longer valid; enter the 18-digit number."),
            code="id_old",
        )
    if not _SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X (18 characters)."),
            code="id_shape",
        )
    born = birth_date(number)
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, not an instant
    if born is None or not (EARLIEST_BIRTH <= born <= today):
        raise ValidationError(
            _("The birth date in the ID number (characters 7–14) is not a real date."),
            code="id_date",
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check character of the ID number is wrong (it should be %(expected)s)."),
            code="id_check",
            params={"expected": expected},
        )
    return number


def is_valid(value: object) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


SHOWN_HEAD = 6  # the region code: shown anyway as the household region
SHOWN_TAIL = 2  # the last sequence digit (the gender, shown anyway) and the check character


def mask(value: object) -> str:
    """231083**********1X: the region code and the last two characters kept.

    The birth date (characters 7–14) and the first two sequence digits are hidden, and no page
    shows the birth date beside a masked number (only the age, `calendar.age`): the masked number,
    the age on a given day, the gender and the region leave about 365 × 100 / 11 ≈ 3,300 valid
    numbers possible (tests/core/test_privacy.py counts them), so nothing shown rebuilds it.
    """
    number = normalize(value)
    if len(number) < SHOWN_HEAD + SHOWN_TAIL + 4:
        return "*" * len(number)
    return (
        number[:SHOWN_HEAD] + "*" * (len(number) - SHOWN_HEAD - SHOWN_TAIL) + number[-SHOWN_TAIL:]
    )


def masked_birth_date(value) -> str | None:
    """A birth date as the audit trail and history keep it: the year only (2013-**-**)."""
    if value in (None, ""):
        return value
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text[:4] + "-**-**" if len(text) >= 4 else text


ID_SHAPED = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")


def redact(text: str) -> str:
    """Every ID-shaped run of 18 characters in a text, masked (for logs and error messages)."""
    return ID_SHAPED.sub(lambda m: mask(m.group(0)), text)


def make(region_code: str, born: dt.date, sequence: int) -> str:
    """Build a valid ID number; sequence 0–999, odd for men, even for women."""
    first17 = f"{region_code[:6]}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
