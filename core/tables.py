"""Sortable tables for the lists (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2.columns import library

from core import calendar, idnumbers
from core.models import Region, RosterChild, RosterVersion, School, SchoolEnrolment, Student
from core.money import fen


class MaskedIdColumn(tables.Column):
    """An ID number, masked (on screen always); sorting by it is not offered."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("verbose_name", _("ID number"))
        super().__init__(*args, **kwargs)

    def render(self, value):
        return idnumbers.mask(value)

    def value(self, value, table):
        """In an export: masked, unless the export was asked with the numbers in full by a user
        who may reveal them (core.exports sets `table.reveal_ids`)."""
        return value if getattr(table, "reveal_ids", False) else idnumbers.mask(value)


def shows_id_numbers(table) -> bool:
    """Has the table an ID-number column (what an unmasked export would reveal)?"""
    return any(isinstance(column.column, MaskedIdColumn) for column in table.columns)


class AgeColumn(tables.Column):
    """A person's age 周岁 in place of the birth date (which beside the masked ID number would
    give the number away), on the day the row's data is about (core.calendar.age_day: a round's
    reference day, the current school year's) — never today; sorted by the birth date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("accessor", "birth_date")
        kwargs.setdefault("verbose_name", _("age"))
        kwargs.setdefault("order_by", ("-birth_date",))
        super().__init__(*args, **kwargs)

    @staticmethod
    def _day(record, table):
        day = getattr(record, "age_day", None)
        if day is None:  # the current school year's: read once per table
            if not hasattr(table, "_age_default_day"):
                table._age_default_day = calendar.age_day()
            day = table._age_default_day
        return day

    def render(self, value, record, table):
        return calendar.age(value, on=self._day(record, table))

    def value(self, value, record, table):
        return calendar.age(value, on=self._day(record, table))


class MoneyColumn(tables.Column):
    """Yuan with two decimals, right-aligned; exported as a Decimal (a number in Excel)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{fen(value):,}"

    def value(self, value):
        return None if value is None else fen(value)


def date_column(**kwargs):
    """Dates as 2023-09-01, everywhere (the design's date format)."""
    return tables.DateColumn(format="Y-m-d", **kwargs)


@library.register
class SchoolYearColumn(tables.Column):
    """A school year as its label (2023–2024), on screen and in the export: every table's
    column of a school-year field (core.calendar.is_school_year_field) is one, declared or not."""

    @classmethod
    def from_field(cls, field, **kwargs):
        return cls(**kwargs) if calendar.is_school_year_field(field) else None

    def render(self, value):
        return calendar.school_year_label(value)

    def value(self, value):
        return calendar.school_year_label(value)


class LedgerTable(tables.Table):
    """Base of every list's table. Headers begin with a capital in English ("School year", as
    Django's own labels do); the table scrolls inside its box rather than widening the page; the
    columns named in `screen_hidden` are left off the page (they stay in the export and on the
    row's detail page), so that a list's default columns fit a 1280 px window in both languages."""

    screen_hidden: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle ledger-table"}
        template_name = "django_tables2/bootstrap5-responsive.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for column in self.columns.iterall():
            if column.column.verbose_name:  # the base columns are this table's own copies
                column.column.verbose_name = capfirst(column.column.verbose_name)
        for name in self.screen_hidden:
            self.columns.hide(name)


# A name or an ID number is read whole: never broken one character a line in a crowded table.
NO_WRAP = {"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}}


def person_columns(names, leave_out=()) -> list[str]:
    """A person's fields as table columns: the age in place of the birth date (beside the masked
    ID number a date would rebuild it)."""
    return ["age" if name == "birth_date" else name for name in names if name not in leave_out]


class PersonTable(LedgerTable):
    """Base of a ledger of people: the name links to the record (on one line), the ID number is
    masked."""

    name = tables.Column(linkify=True, attrs=NO_WRAP)
    id_number = MaskedIdColumn(attrs=NO_WRAP)


def derived_table(model) -> type:
    """The table of a ledger whose tables.py declares none (core.ledger): the model's
    `ledger_fields`, as a PersonTable for a row about a person (core.models.PersonMixin: its ID
    number masked)."""
    base = PersonTable if hasattr(model, "masked_id") else LedgerTable
    meta = type("Meta", (LedgerTable.Meta,), {"model": model, "fields": list(model.ledger_fields)})
    attrs = {"Meta": meta, "__module__": f"{model._meta.app_config.name}.tables"}
    return type(f"{model.__name__}Table", (base,), attrs)


class CheckTable(LedgerTable):
    """Base of a check list's table (core.checklists): the officer's note on each row is a text
    column in the export and, on screen, the form a subclass names in `reason_form`
    (a `NoteColumn` with the area's template)."""

    reason = tables.Column(verbose_name=_("reason"), visible=False)

    class Meta(LedgerTable.Meta):  # django-tables2 inherits no Meta it is not given
        pass


class NoteColumn(tables.TemplateColumn):
    """The officer's note as a form on screen (never exported: `reason` is)."""

    def __init__(self, template_name: str, **kwargs):
        kwargs.setdefault("verbose_name", _("reason"))
        super().__init__(
            template_name=template_name,
            orderable=False,
            exclude_from_export=True,
            empty_values=(),
            **kwargs,
        )


class RegionTable(LedgerTable):
    code = tables.Column(linkify=False)

    class Meta(LedgerTable.Meta):
        model = Region
        fields = ["code", "name", "level", "parent"]


class SchoolTable(LedgerTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = School
        fields = School.ledger_fields
        order_by = ("code",)


class SchoolEnrolmentTable(LedgerTable):
    school = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = SchoolEnrolment
        fields = ["school", "county", "school_year", "enrolment", "boarders"]


class StudentTable(PersonTable):
    age = AgeColumn()
    school = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = Student
        fields = person_columns(Student.page_fields, leave_out=("household_region",))
        order_by = ("school", "grade", "name")


class RosterVersionTable(LedgerTable):
    label = tables.Column(linkify=True)
    children = tables.Column(verbose_name=_("children"), accessor="children_count")

    class Meta(LedgerTable.Meta):
        model = RosterVersion
        fields = ["label", "county", "as_of", "created_at", "imported_by", "source_name", "note"]
        sequence = ["label", "county", "children", "..."]


class RosterChildTable(PersonTable):
    age = AgeColumn()

    screen_hidden = ("household_head", "monitoring_type", "guardian", "phone")

    class Meta(LedgerTable.Meta):
        model = RosterChild
        fields = person_columns(RosterChild.page_fields)
