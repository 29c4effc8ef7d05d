"""Tables of teacher staffing: the roster (ID numbers masked, the age in place of the birth date)
and the check lists' rows. The plans and the training records take core's derived tables."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import AgeColumn, CheckTable, LedgerTable, PersonTable, person_columns
from teachers.models import Teacher


class TeacherTable(PersonTable):
    age = AgeColumn()
    school = tables.Column(linkify=True)

    screen_hidden = ("title", "qualification", "plan", "reported_on", "left_on")

    class Meta(LedgerTable.Meta):
        model = Teacher
        fields = person_columns(Teacher.ledger_fields)
        order_by = ("school", "name")


class ShortTable(CheckTable):
    """Schools short of teachers against the staffing standard."""

    reason = None
    name = tables.Column(verbose_name=_("school"), linkify=lambda record: record.get_absolute_url())
    county = tables.Column(verbose_name=_("county"))
    kind = tables.Column(verbose_name=_("kind"), accessor="get_kind_display")
    pupils = tables.Column(verbose_name=_("pupils"))
    classes = tables.Column(verbose_name=_("classes"))
    rule = tables.Column(verbose_name=_("rule"), accessor="small", orderable=False)
    required = tables.Column(verbose_name=_("teachers required"))
    teachers = tables.Column(verbose_name=_("teachers in post"))
    short = tables.Column(verbose_name=_("short by"))

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = (
            "name",
            "county",
            "kind",
            "pupils",
            "classes",
            "rule",
            "required",
            "teachers",
            "short",
        )

    def render_rule(self, value):
        return self.value_rule(value)

    def value_rule(self, value):
        return str(_("by classes") if value else _("by pupils"))


class MissingSubjectTable(CheckTable):
    """Schools without a teacher in post of a subject the stage needs."""

    reason = None
    name = tables.Column(verbose_name=_("school"), linkify=lambda record: record.get_absolute_url())
    county = tables.Column(verbose_name=_("county"))
    kind = tables.Column(verbose_name=_("kind"), accessor="get_kind_display")
    missing = tables.Column(
        verbose_name=_("subjects without a teacher"), empty_values=(), orderable=False
    )

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = ("name", "county", "kind", "missing")

    def render_missing(self, record):
        return self.value_missing(record)

    def value_missing(self, record):
        from teachers.selectors import missing_text

        return missing_text(record)


class UncoveredTable(CheckTable):
    """Rural teachers in post without the year's continuing education completed."""

    reason = None
    name = tables.Column(verbose_name=_("full name"), linkify=True)
    school = tables.Column(verbose_name=_("school"))
    county = tables.Column(verbose_name=_("county"))
    subject = tables.Column(verbose_name=_("subject"))
    hours = tables.Column(verbose_name=_("hours recorded"), empty_values=())

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = ("name", "school", "county", "subject", "hours")

    def render_hours(self, value):
        return value if value is not None else "—"

    def value_hours(self, value):
        return value if value is not None else ""
