"""Import specs: what a ledger's spreadsheet looks like and how a row becomes a ledger row.

An app declares one `ImportSpec` subclass per importable ledger (in `<app>/imports.py`) and
attaches an instance to its Ledger (`import_spec=...`). The spec lists its columns — the Chinese
header of the template, the variants other offices write, the kind of value, whether it is
required — and the natural key the bulk upsert matches existing rows on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import translation


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # digits kept as text (a number cell 2123108301.0 reads as "2123108301")
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    ID_NUMBER = "id_number"
    SCHOOL = "school"  # a school by its 10-digit code or exact name, among those the user sees
    REGION = "region"  # a region by its code or exact name
    SCHOOL_YEAR = "school_year"  # 2023, 2023-2024, 2023学年 → 2023


@dataclass(frozen=True)
class Column:
    """One column of an import: `field` is the model field (attname for a foreign key)."""

    field: str
    header: str  # the header in the downloadable template
    variants: tuple[str, ...] = ()  # other headers meaning the same; earlier ones win
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: type | None = None  # a TextChoices / IntegerChoices enum: labels are accepted
    aliases: Mapping[str, object] = field(default_factory=dict)  # more words for a choice
    levels: tuple[str, ...] = ()  # REGION: the region levels accepted
    within: str | None = None  # REGION: a name is looked up inside this column's county
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    pattern: str | None = None  # CODE: a regular expression the value must match
    example: object = ""
    help: object = ""  # one line for the instructions sheet (lazy gettext)

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.variants)

    def choice_map(self) -> dict[str, object]:
        """Every accepted word (normalised) → the stored value: Chinese and English labels,
        the stored value itself and the spec's aliases."""
        mapping: dict[str, object] = {}
        if self.choices is not None:
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    for value, label in self.choices.choices:
                        mapping[header_key(str(label))] = value
            for value, _label in self.choices.choices:
                mapping[header_key(str(value))] = value
        for word, value in self.aliases.items():
            mapping[header_key(word)] = value
        return mapping

    def labels(self) -> list[str]:
        """The Chinese labels offered in the template's drop-down list: a choice column's
        labels; for a yes/no column its own first words for yes and no, else 是 and 否."""
        if self.kind == Kind.BOOL:
            yes = next((w for w, v in self.aliases.items() if v is True), "是")
            no = next((w for w, v in self.aliases.items() if v is False), "否")
            return [yes, no]
        if self.choices is None:
            return [str(word) for word in self.aliases]
        with translation.override("zh-hans"):
            return [str(label) for _value, label in self.choices.choices]


def header_key(text: object) -> str:
    """How headers and choice words are compared: NFKC, no spaces, no required-marks, no case,
    and no trailing note in brackets (出生日期(yyyy-mm-dd) is 出生日期)."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text))
    key = "".join(key.split()).replace("*", "").lower()
    while key.endswith(")") and "(" in key and not key.startswith("("):
        key = key[: key.rindex("(")]
    return key


class ImportSpec:
    """The declaration of one ledger's import. Subclasses set the class attributes.

    `natural_key` names the model fields (attnames) that identify a row: importing a row whose
    key exists changes that row, otherwise it creates one.
    """

    model: type = None
    columns: tuple[Column, ...] = ()
    natural_key: tuple[str, ...] = ()
    sheet_title: object = ""  # the template's data sheet; default the model's verbose name
    instructions: tuple = ()  # extra lines for the instructions sheet

    def __init__(self):
        names = [column.field for column in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"{type(self).__name__}: a field is declared twice")
        self._choice_maps: dict[str, dict] = {}  # built on first use (needs translations)

    # --- hooks a spec may override ------------------------------------------------------------

    def prepare(self, values: dict[str, list], context) -> None:
        """Called once per analysis, before build_row, with every present column's normalised
        values (lookups resolved to Refs, None where empty or in error): do the spec's own
        lookups here, in bulk, and keep them on the context."""
        return None

    def build_row(self, values: dict, context) -> dict:
        """Turn a row's normalised values into model field values (attnames).

        Raise `RowInvalid` with (column field, message, code) entries for rule violations that
        involve several columns. The result must include `county_id` for a scoped model.
        """
        return dict(values)

    # Stored columns check_change needs besides those the file sets (attnames).
    stored_fields: tuple[str, ...] = ()

    def check_change(self, row: dict, stored: dict, context) -> list[tuple[str, str, str]]:
        """Rules between a row of the file and the stored row it would change, for instance
        with a column the file leaves out (the stored value stays): (column field, message,
        code) for each rule broken. `stored` holds the row's columns and `stored_fields`."""
        return []

    def template_choices(self, column: Column, user) -> list[str]:
        """The values the template offers in a drop-down list for this column (none when
        empty): a choice or yes/no column's Chinese labels. A spec whose column names rows of
        reference data (a programme by its name) lists them here, as `user` may use them."""
        if column.kind in (Kind.BOOL, Kind.CHOICE):
            return column.labels()
        return []

    def reference_sheets(self, user) -> list[ReferenceSheet]:
        """Sheets of reference data the template adds after its instructions (the schools'
        codes are added for every spec with a school column)."""
        return []

    def describe(self, row: dict, context) -> str:
        """The row as the audit trail names it (what str(obj) would give, without a query)."""
        return str(row.get("name", ""))[:200]

    # --- derived ------------------------------------------------------------------------------

    def column(self, field_name: str) -> Column:
        for column in self.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)

    def choice_map(self, field_name: str) -> dict:
        if field_name not in self._choice_maps:
            self._choice_maps[field_name] = self.column(field_name).choice_map()
        return self._choice_maps[field_name]

    def example_row(self) -> list:
        return [column.example for column in self.columns]

    def title(self) -> str:
        return str(self.sheet_title or self.model._meta.verbose_name_plural)


@dataclass(frozen=True)
class ReferenceSheet:
    """A sheet of reference data the template carries, to look values up in (the schools'
    codes, a ledger's programmes): a header row, then one row per entry."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple]
    widths: tuple[int, ...] = ()
    text_columns: tuple[int, ...] = (0,)  # formatted as text (codes): 0-based positions


class RowInvalid(Exception):
    """A row breaks a rule: `problems` is a list of (column field, message, code)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__(problems)
        self.problems = problems
