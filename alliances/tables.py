"""Tables of alliances and teaching: the ledgers (the plain ones come from core.tables'
derived_table over the models' `ledger_fields`) and the check lists."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from alliances.models import Activity, Alliance, AllianceMember, OnlineSession
from core.tables import CheckTable, LedgerTable, date_column


def _names(schools) -> str:
    return "、".join(school.name for school in schools)


class SchoolsColumn(tables.Column):
    """Several schools of a row (an activity's participants, a session's receivers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def render(self, value):
        return _names(value.all())

    def value(self, value):
        return _names(value.all())


class AllianceTable(LedgerTable):
    name = tables.Column(linkify=True)
    founded_on = date_column()

    class Meta(LedgerTable.Meta):
        model = Alliance
        fields = ["name", "level", "county", "kind", "lead_school", "founded_on"]


class AllianceMemberTable(LedgerTable):
    school = tables.Column(linkify=lambda record: record.get_absolute_url())
    joined_on = date_column()
    left_on = date_column()

    class Meta(LedgerTable.Meta):
        model = AllianceMember
        fields = ["school", "alliance", "county", "role", "joined_on", "left_on", "note"]


class ActivityTable(LedgerTable):
    held_on = date_column(linkify=True)
    schools = SchoolsColumn(verbose_name=_("participating schools"))

    class Meta(LedgerTable.Meta):
        model = Activity
        fields = [
            "held_on",
            "alliance",
            "action_line",
            "kind",
            "school",
            "county",
            "schools",
            "participants",
        ]


class OnlineSessionTable(LedgerTable):
    week = date_column(linkify=True)
    receivers = SchoolsColumn(verbose_name=_("receiving schools"))

    class Meta(LedgerTable.Meta):
        model = OnlineSession
        fields = [
            "week",
            "classroom",
            "school",
            "county",
            "receivers",
            "subject",
            "grade",
            "sessions",
            "minutes",
        ]


# --- Check lists ------------------------------------------------------------------------------


class WithoutActivityTable(CheckTable):
    """A member school with no activity in the term."""

    reason = None
    name = tables.Column(verbose_name=_("school"), linkify=lambda record: record.get_absolute_url())
    county = tables.Column(verbose_name=_("county"))
    township = tables.Column(verbose_name=_("township"))
    alliance_names = tables.Column(verbose_name=_("alliances"), orderable=False)

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = ("name", "county", "township", "alliance_names")


class RegularUseTable(CheckTable):
    """A rural receiving school below regular use in the week, with its weeks' trend."""

    reason = None
    name = tables.Column(verbose_name=_("school"), linkify=lambda record: record.get_absolute_url())
    county = tables.Column(verbose_name=_("county"))
    township = tables.Column(verbose_name=_("township"))
    week_sessions = tables.Column(verbose_name=_("sessions this week"))
    trend = tables.Column(
        verbose_name=_("sessions in the four weeks to this one"),
        empty_values=(),
        orderable=False,
    )

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = ("name", "county", "township", "week_sessions", "trend")

    def render_trend(self, record):
        return self.value_trend(record)

    def value_trend(self, record):
        from alliances import selectors

        return " → ".join(str(n) for n in selectors.trend(record))
