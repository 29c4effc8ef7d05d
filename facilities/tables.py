"""Tables of school conditions: the ledgers and the check lists (coverage, funding table,
under-funded schools, maintenance gaps)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.tables import (
    CheckTable,
    LedgerTable,
    MoneyColumn,
    NoteColumn,
    SchoolYearColumn,
    date_column,
)
from facilities.models import (
    FundingAllocation,
    FundingNote,
    ImprovementProject,
    KindergartenExemption,
    MaintenanceEntry,
    Rectification,
    ToiletFinding,
    ToiletInspection,
    fen,
)

NOTE_FORM = "facilities/_funding_note_form.html"


class KindergartenExemptionTable(LedgerTable):
    township = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(LedgerTable.Meta):
        model = KindergartenExemption
        fields = ["township", "county", "reason", "updated_at"]


class ImprovementProjectTable(LedgerTable):
    name = tables.Column(linkify=True)
    school_year = SchoolYearColumn()
    budget = MoneyColumn()
    planned_end = date_column()
    progress = tables.Column(attrs={"td": {"class": "text-end"}})

    class Meta(LedgerTable.Meta):
        model = ImprovementProject
        fields = [
            "name",
            "school",
            "county",
            "school_year",
            "kind",
            "status",
            "budget",
            "beds_added",
            "beds_left_behind",
            "planned_end",
            "progress",
        ]


class FundingAllocationTable(LedgerTable):
    school = tables.Column(linkify=lambda record: record.get_absolute_url())
    school_year = SchoolYearColumn()
    amount = MoneyColumn()
    allocated_on = date_column()

    class Meta(LedgerTable.Meta):
        model = FundingAllocation
        fields = ["school", "county", "school_year", "amount", "allocated_on", "note"]


class FundingNoteTable(LedgerTable):
    school = tables.Column(linkify=lambda record: record.get_absolute_url())
    school_year = SchoolYearColumn()

    class Meta(LedgerTable.Meta):
        model = FundingNote
        fields = ["school", "county", "school_year", "reason", "recorded_by", "updated_at"]


class ToiletInspectionTable(LedgerTable):
    school = tables.Column(linkify=lambda record: record.get_absolute_url())
    inspected_on = date_column()

    class Meta(LedgerTable.Meta):
        model = ToiletInspection
        fields = [
            "inspected_on",
            "school",
            "county",
            "kind",
            "inspector",
            "blocks_checked",
            "blocks_ok",
        ]


class ToiletFindingTable(LedgerTable):
    block = tables.Column(linkify=True)
    date = date_column(accessor="inspection__inspected_on", verbose_name=_("date"))
    status = tables.Column(
        accessor="rectification__status",
        verbose_name=pgettext_lazy("rectification", "status"),
        orderable=False,
    )

    class Meta(LedgerTable.Meta):
        model = ToiletFinding
        fields = ["date", "school", "county", "block", "toilet_type", "problem", "status"]

    def render_status(self, record):
        rectification = getattr(record, "rectification", None)
        if rectification is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            rectification.get_absolute_url(),
            rectification.get_status_display(),
        )

    def value_status(self, record):
        rectification = getattr(record, "rectification", None)
        return rectification.get_status_display() if rectification else ""


class RectificationTable(LedgerTable):
    finding = tables.Column(linkify=lambda record: record.get_absolute_url())
    deadline = date_column()
    closed_on = date_column()

    class Meta(LedgerTable.Meta):
        model = Rectification
        fields = [
            "finding",
            "school",
            "county",
            "responsible_unit",
            "deadline",
            "status",
            "closed_on",
        ]
        row_attrs = {"class": lambda record: "table-danger" if record.overdue else ""}


class MaintenanceEntryTable(LedgerTable):
    done_on = date_column(linkify=True)

    class Meta(LedgerTable.Meta):
        model = MaintenanceEntry
        fields = ["done_on", "school", "county", "kind", "done_by", "note"]


# --- Check lists ------------------------------------------------------------------------------


class CoverageTable(CheckTable):
    """One township per row: its kindergartens counted from the school rows."""

    reason = None
    name = tables.Column(verbose_name=_("township"))
    county = tables.Column(verbose_name=_("county"))
    central = tables.Column(verbose_name=_("public central kindergartens"))
    other_public = tables.Column(verbose_name=_("other public kindergartens"))
    private = tables.Column(verbose_name=_("private kindergartens"))
    teaching_points = tables.Column(verbose_name=_("teaching points"))
    state = tables.Column(verbose_name=_("coverage"), empty_values=(), orderable=False)

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = (
            "name",
            "county",
            "central",
            "other_public",
            "private",
            "teaching_points",
            "state",
        )
        row_attrs = {
            "class": lambda record: (
                "table-danger" if not record.central and not record.exempt else ""
            )
        }

    def render_name(self, record):
        url = reverse("school-list") + f"?township={record.pk}"
        return format_html('<a href="{}">{}</a>', url, record.name)

    def value_name(self, record):
        return record.name

    def render_state(self, record):
        return str(self.value_state(record))

    def value_state(self, record):
        if record.exempt:
            return _("Exempt")
        return _("Covered") if record.central else _("No public central kindergarten")


class FundingTable(CheckTable):
    """The funding table: enrolment, funded pupils by stage, boarders, computed, allocated."""

    reason = tables.Column(verbose_name=_("reason"), visible=False)
    school = tables.Column(
        verbose_name=_("school"), linkify=lambda record: record.school.get_absolute_url()
    )
    county = tables.Column(verbose_name=_("county"))
    kind = tables.Column(
        verbose_name=_("kind"), accessor="school__get_kind_display", orderable=False
    )
    locality = tables.Column(
        verbose_name=_("urban or rural"), accessor="school__get_locality_display", orderable=False
    )
    enrolment = tables.Column(verbose_name=_("enrolment"))
    funded = tables.Column(verbose_name=_("funded pupils"))
    primary_funded = tables.Column(verbose_name=_("at the primary quota"))
    junior_funded = tables.Column(verbose_name=_("at the junior middle quota"))
    preschool_funded = tables.Column(verbose_name=_("at the kindergarten quota"))
    special_funded = tables.Column(verbose_name=_("at the special-education quota"))
    boarders = tables.Column(verbose_name=_("boarders"))
    computed = MoneyColumn(verbose_name=_("computed (yuan)"))
    allocated = MoneyColumn(verbose_name=_("allocated (yuan)"))
    variance = MoneyColumn(verbose_name=_("variance (yuan)"))

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = (
            "school",
            "county",
            "kind",
            "locality",
            "enrolment",
            "funded",
            "primary_funded",
            "junior_funded",
            "preschool_funded",
            "special_funded",
            "boarders",
            "computed",
            "allocated",
            "variance",
            "...",
        )

    def __init__(self, *args, school_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_year = school_year

    def render_allocated(self, value):
        return f"{fen(value):,}"

    def render_variance(self, value):
        text = f"{fen(value):,}"
        return format_html('<span class="text-danger">{}</span>', text) if value < 0 else text


class UnderfundedTable(FundingTable):
    reason_form = NoteColumn(NOTE_FORM)

    class Meta(FundingTable.Meta):
        pass


class MaintenanceGapTable(CheckTable):
    reason = None
    name = tables.Column(verbose_name=_("school"), linkify=lambda record: record.get_absolute_url())
    county = tables.Column(verbose_name=_("county"))
    township = tables.Column(verbose_name=_("township"))
    last_inspection = date_column(verbose_name=_("latest daily inspection"))
    last_waste = date_column(verbose_name=_("latest waste clearing"))
    missing = tables.Column(verbose_name=_("missing"), empty_values=(), orderable=False)

    class Meta(CheckTable.Meta):
        model = None
        fields = ()
        sequence = ("name", "county", "township", "last_inspection", "last_waste", "missing")

    def render_missing(self, record):
        return self.value_missing(record)

    def value_missing(self, record):
        parts = []
        if record.no_inspection:
            parts.append(str(_("daily inspection")))
        if record.no_waste:
            parts.append(str(_("waste clearing")))
        return "、".join(parts)
