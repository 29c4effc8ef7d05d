"""Tables of alliances and teaching: the ledgers (the plain ones come from core.tables'
derived_table over the models' `ledger_fields`) and the check lists."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from alliances.models import Activity, Alliance, AllianceMember, OnlineSession
from core.tables import LedgerTable, date_column


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
