"""Sortable tables of dropout control; ID numbers always masked."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.columns import columns
from core.tables import NO_WRAP, AgeColumn, LedgerTable, PersonTable
from dropout.models import (
    CaseAction,
    CohortBaseline,
    DropoutCase,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    Responsibility,
    ScreeningResult,
    ScreeningRound,
)


class OutOfCityEnrolmentTable(PersonTable):
    class Meta(LedgerTable.Meta):
        model = OutOfCityEnrolment
        fields = columns(OutOfCityEnrolment, without=("grade",))


class ScreeningRoundTable(LedgerTable):
    name = tables.Column(linkify=True)
    counties = tables.Column(verbose_name=_("counties"), accessor="county_names", orderable=False)
    person_times = tables.Column(
        verbose_name=_("person-times"), accessor="person_times", orderable=False
    )

    class Meta(LedgerTable.Meta):
        model = ScreeningRound
        fields = [
            "name",
            "school_year",
            "screening_date",
            "counties",
            "person_times",
            "status",
            "started_by",
            "finished_at",
        ]
        order_by = ("-screening_date",)


class ScreeningResultTable(PersonTable):
    age = AgeColumn()
    school = tables.Column(linkify=True)

    screen_hidden = ("match_method", "candidates", "registry_status")

    class Meta(LedgerTable.Meta):
        model = ScreeningResult
        fields = columns(ScreeningResult, without=("birth_date", "student", "roster_child"))
        sequence = ("name", "id_number", "age", "...")


class DropoutCaseTable(PersonTable):
    screen_hidden = (
        "reason",
        "gov_responsible",
        "edu_responsible",
        "resolved_on",
        "confirmed_in_round",
    )
    # Places, the status and dates on one line each (never a character a line).
    county = tables.Column(attrs=NO_WRAP)
    township = tables.Column(attrs=NO_WRAP)
    status = tables.Column(attrs=NO_WRAP)
    opened_on = tables.Column(attrs=NO_WRAP)
    due_on = tables.Column(attrs=NO_WRAP)
    closed_on = tables.Column(attrs=NO_WRAP)

    class Meta(LedgerTable.Meta):
        model = DropoutCase
        fields = columns(
            DropoutCase,
            without=(
                "opened_in_round",
                "previous_case",
                "return_school",
                "return_date",
                "outcome_note",
                "resolved_by",
                "refuted_in_round",
                "closed_by",
                "close_note",
            ),
        )
        row_attrs = {"class": lambda record: "table-danger" if record.is_overdue else ""}


class CaseActionTable(LedgerTable):
    date = tables.Column(linkify=True)
    case = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = CaseAction
        fields = ["date", "case", "county", "kind", "note", "actor"]


class ResponsibilityTable(LedgerTable):
    person = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = Responsibility
        fields = ["county", "township", "school", "line", "person", "title", "phone"]


class Grade6SpotCheckTable(LedgerTable):
    school = tables.Column(linkify=True)
    discrepancy = tables.Column(
        verbose_name=_("discrepancy"), accessor="discrepancy", orderable=False
    )

    class Meta(LedgerTable.Meta):
        model = Grade6SpotCheck
        fields = columns(Grade6SpotCheck)


class CohortBaselineTable(LedgerTable):
    entry_year = tables.Column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = CohortBaseline
        fields = ["county", "entry_year", "locality", "grade1_enrolment"]
