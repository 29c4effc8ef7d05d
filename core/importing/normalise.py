"""Normalising one cell: what officers type, what other offices' systems write, what Excel stores.

Every function takes the raw cell (str, int, float, bool, date, datetime or None as the reader
gives it) and returns the clean value or raises CellError with a message for the user.

Free text (names) has its full-width letters, digits and spaces folded to half-width, is trimmed
and its inner runs of spaces collapsed — but keeps Chinese punctuation: 第一中学（初中部） stays
as written, so it still matches the stored name. Codes, numbers, dates and choice words are folded
completely (NFKC).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import unicodedata

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import calendar, idnumbers

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug)
EXCEL_SERIAL_RANGE = (1, 2958465)  # 1900-01-01 … 9999-12-31
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Full-width ASCII letters and digits, the ideographic and no-break spaces: to half-width.
_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0x3000: 0x20,
    0x00A0: 0x20,
    **_INVISIBLE,
}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})(?:\s*[-/—–~至]\s*(\d{4}))?\s*(?:学年|年|学年度)?$")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")

BOOL_WORDS = {
    "是": True,
    "否": False,
    "有": True,
    "无": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "√": True,
    "×": False,
    "x": False,
}


class CellError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, *, max_length: int | None = None, fold: bool = False) -> str:
    """A number cell that holds a whole number reads as its digits (12.0 → "12").

    `fold` applies NFKC to everything (for codes, numbers and dates), not just to letters,
    digits and spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        value = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if fold:
        result = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    else:
        result = str(value).translate(_WIDTH)
    result = " ".join(result.split())
    if max_length is not None and len(result) > max_length:
        raise CellError(
            _("Too long: at most %(limit)s characters.") % {"limit": max_length}, "too_long"
        )
    return result


def code(value, *, pattern: str | None = None) -> str:
    result = text(value, fold=True).replace(" ", "")
    if pattern and not re.fullmatch(pattern, result):
        raise CellError(_("Not a valid code."), "code")
    return result


def integer(value, *, min_value: int | None = None, max_value: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."), "int")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Enter a whole number."), "int")
        result = int(value)
    else:
        raw = text(value, fold=True).replace(",", "").replace(" ", "")
        if not _INTEGER.match(raw):
            raise CellError(_("Enter a whole number."), "int")
        result = int(raw.split(".")[0])
    if min_value is not None and result < min_value:
        raise CellError(_("Must be at least %(limit)s.") % {"limit": min_value}, "min_value")
    if max_value is not None and result > max_value:
        raise CellError(_("Must be at most %(limit)s.") % {"limit": max_value}, "max_value")
    return result


def decimal_number(value) -> decimal.Decimal:
    if isinstance(value, bool):
        raise CellError(_("Enter a number."), "decimal")
    if isinstance(value, (int, float)):
        return decimal.Decimal(str(value))
    raw = text(value, fold=True).replace(",", "").replace(" ", "").removesuffix("元")
    try:
        result = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        raise CellError(_("Enter a number."), "decimal") from None
    if not result.is_finite():
        raise CellError(_("Enter a number."), "decimal")
    return result


def date(value) -> dt.date:
    """2023-09-01, 2023/9/1, 2023.9.1, 2023年9月1日, 20230901, a date cell or an Excel serial."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and _COMPACT_DATE.match(str(int(value))):
            return _ymd(*_COMPACT_DATE.match(str(int(value))).groups())
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("Not a date: write it as 2023-09-01."), "date")
    raw = text(value, fold=True)
    match = _DATE.match(raw) or _COMPACT_DATE.match(raw)
    if match:
        return _ymd(*match.groups())
    if raw.isdigit() and EXCEL_SERIAL_RANGE[0] <= int(raw) <= 99999:
        return EXCEL_EPOCH + dt.timedelta(days=int(raw))
    raise CellError(_("Not a date: write it as 2023-09-01."), "date")


def _ymd(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(
            _("Not a real date (no such day in the calendar): write it as 2023-09-01."), "date"
        ) from None


def school_year(value) -> int:
    """2023, 2023-2024, 2023—2024学年, 2023学年: the year the school year starts."""
    raw = text(value, fold=True).replace(" ", "")
    match = _YEAR.match(raw)
    if not match:
        raise CellError(_("Write the school year as 2023–2024 (or 2023)."), "school_year")
    end = match.group(2)
    start = calendar.school_year_named(int(match.group(1)), None if end is None else int(end))
    if start is None or not 1950 <= start <= 2100:
        raise CellError(_("Write the school year as 2023–2024 (or 2023)."), "school_year")
    return start


def choice(value, mapping: dict):
    from core.importing.spec import header_key

    key = header_key(text(value))
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    try:
        return mapping[key]
    except KeyError:
        raise CellError(_("Not one of the values in the template's list."), "choice") from None


def boolean(value, mapping: dict | None = None) -> bool:
    if isinstance(value, bool):
        return value
    return choice(value, mapping or BOOL_WORDS)


_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")  # ASCII: \d would also match full-width digits
_WEIGHTS = np.array(idnumbers.WEIGHTS, dtype=np.int64)
_CHECK_BYTES = np.frombuffer(idnumbers.CHECK_CHARS.encode(), dtype=np.uint8)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def check_clean_id_numbers(values: list):
    """(index, valid) for each value that is already an 18-character ID number in its normal
    form, checked all at once with numpy by the rules of idnumbers.validate (a real birth date
    from 1900-01-01 to today, the MOD 11-2 check character). Other values are not yielded."""
    indexes = [
        index
        for index, value in enumerate(values)
        if value.__class__ is str and len(value) == 18 and _CLEAN_ID.fullmatch(value)
    ]
    if not indexes:
        return
    codes = np.frombuffer("".join(values[i] for i in indexes).encode("ascii"), dtype=np.uint8)
    codes = codes.reshape(len(indexes), 18)
    digits = codes[:, :17].astype(np.int64) - 48
    check = _CHECK_BYTES[(digits @ _WEIGHTS) % 11] == codes[:, 17]
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    today = dt.date.today()  # noqa: DTZ011 - a calendar date, as in idnumbers.validate
    stamp = year * 10000 + month * 100 + day
    earliest = idnumbers.EARLIEST_BIRTH
    valid = (
        check
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (stamp >= earliest.year * 10000 + earliest.month * 100 + earliest.day)
        & (stamp <= today.year * 10000 + today.month * 100 + today.day)
    )
    yield from zip(indexes, valid.tolist(), strict=True)


def id_number(value) -> str:
    """Normalised (full-width, spaces, lower-case x) and checked: date part and check character."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1e15:
        # Excel keeps 15 significant digits: an ID typed into a number cell has lost its tail.
        raise CellError(
            _(
                "The ID number was stored as a number and lost its last digits; format the "
                "column as text and type it again."
            ),
            "id_number_as_number",
        )
    if isinstance(value, str) and "*" in value:  # copied from a masked page or download
        raise CellError(
            _(
                "This ID number is masked (as pages and downloads show it to most roles): "
                "write the full number."
            ),
            "id_number_masked",
        )
    try:
        return idnumbers.validate(text(value))
    except ValidationError as error:
        raise CellError(error.messages[0], error.code or "id_number") from None
