"""Tables of student aid: the ledgers and the three checks (ID numbers always masked)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aid.models import (
    ContactLog,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    Stage,
    fen,
)
from core.columns import columns
from core.tables import (
    CheckTable,
    LedgerTable,
    MaskedIdColumn,
    MoneyColumn,
    NoteColumn,
    PersonTable,
    date_column,
)
from core.text import listed

NOTE_FORM = "aid/_check_note_form.html"


class YesNoUnknownColumn(tables.Column):
    def render(self, value):
        return _("Yes") if value else _("No")

    def value(self, value):
        return "" if value is None else str(_("Yes") if value else _("No"))


class DisbursementTable(PersonTable):
    amount = MoneyColumn()
    paid_on = date_column()
    student = tables.BooleanColumn(verbose_name=_("in the registry"), orderable=False)

    class Meta(LedgerTable.Meta):
        model = Disbursement
        fields = [
            "name",
            "id_number",
            "county",
            "school",
            "programme",
            "school_year",
            "term",
            "amount",
            "paid_on",
            "category",
            "student",
        ]
        order_by = ("-school_year", "term", "school", "name")


class OutOfAreaStudentTable(PersonTable):
    verified_on = date_column(verbose_name=_("verified on"))
    receives_aid = YesNoUnknownColumn()
    meets_standard = YesNoUnknownColumn()
    aid_amount = MoneyColumn()
    follow_up_needed = tables.BooleanColumn()

    screen_hidden = ("source", "receives_aid", "aid_programme", "meets_standard")

    class Meta(LedgerTable.Meta):
        model = OutOfAreaStudent
        fields = columns(OutOfAreaStudent, without=("follow_up",))


class ContactLogTable(LedgerTable):
    contacted_on = date_column(linkify=True)
    student = tables.Column(linkify=True)
    reached = tables.BooleanColumn()

    class Meta(LedgerTable.Meta):
        model = ContactLog
        fields = [
            "contacted_on",
            "student",
            "county",
            "method",
            "contacted_by",
            "reached",
            "learned",
        ]


class PublicityActivityTable(LedgerTable):
    title = tables.Column(linkify=True)
    held_on = date_column()

    class Meta(LedgerTable.Meta):
        model = PublicityActivity
        fields = ["held_on", "title", "channel", "county", "reach"]
        order_by = ("-held_on",)


# --- The checks --------------------------------------------------------------------------------


class _CheckTable(CheckTable):
    """A check's rows; the reason form posts to aid-check-note with the check and period."""

    reason_form = NoteColumn(NOTE_FORM)

    def __init__(self, *args, check: str, school_year: int, term: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_kind, self.school_year, self.term = check, school_year, term


class GapTable(_CheckTable):
    name = tables.Column(verbose_name=pgettext_lazy("person", "name"), linkify=True)
    id_number = MaskedIdColumn()
    county = tables.Column(verbose_name=_("county"))
    school = tables.Column(verbose_name=_("school"), order_by=("school__code",))
    grade = tables.Column(verbose_name=_("grade"))
    stage = tables.Column(verbose_name=_("stage"), orderable=False)
    expected = tables.Column(verbose_name=_("programme due"), empty_values=(), orderable=False)
    standard = MoneyColumn(verbose_name=_("standard (yuan)"), empty_values=(), orderable=False)

    class Meta(LedgerTable.Meta):
        sequence = (
            "name",
            "id_number",
            "county",
            "school",
            "grade",
            "stage",
            "expected",
            "standard",
            "reason",
            "reason_form",
        )

    def __init__(self, *args, due: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.due = due

    def _expected(self, record) -> list[dict]:
        from aid.selectors import expected_programmes

        return expected_programmes(self.due, record.stage, record.boarding)

    def render_stage(self, value):
        return Stage(value).label

    def render_expected(self, record):
        return listed(item["programme"].name for item in self._expected(record))

    def render_standard(self, record):
        return f"{sum((item['amount'] for item in self._expected(record)), fen(0)):,}"

    def value_standard(self, record):
        return sum((item["amount"] for item in self._expected(record)), fen(0))


class BelowStandardTable(_CheckTable):
    name = tables.Column(verbose_name=pgettext_lazy("person", "name"), linkify=True)
    id_number = MaskedIdColumn()
    county = tables.Column(verbose_name=_("county"))
    school = tables.Column(verbose_name=_("paying school"), order_by=("school__code",))
    programme = tables.Column(verbose_name=_("programme"))
    term = tables.Column(verbose_name=_("term"))
    category = tables.Column(verbose_name=_("recipient category"))
    amount = MoneyColumn(verbose_name=_("amount (yuan)"))
    standard = MoneyColumn(verbose_name=_("standard (yuan)"))
    shortfall = MoneyColumn(verbose_name=_("shortfall (yuan)"))

    class Meta(LedgerTable.Meta):
        sequence = (
            "name",
            "id_number",
            "county",
            "school",
            "programme",
            "term",
            "category",
            "amount",
            "standard",
            "shortfall",
            "reason",
            "reason_form",
        )


class DuplicateTable(_CheckTable):
    name = tables.Column(verbose_name=pgettext_lazy("person", "name"), linkify=True)
    id_number = MaskedIdColumn()
    county = tables.Column(verbose_name=_("county"))
    school = tables.Column(verbose_name=_("paying school"), order_by=("school__code",))
    programme = tables.Column(verbose_name=_("programme"))
    term = tables.Column(verbose_name=_("term"))
    amount = MoneyColumn(verbose_name=_("amount (yuan)"))
    paid_on = date_column(verbose_name=_("paid on"))
    other_county = tables.Column(verbose_name=_("also paid by"), orderable=False)

    class Meta(LedgerTable.Meta):
        sequence = (
            "name",
            "id_number",
            "county",
            "school",
            "programme",
            "term",
            "amount",
            "paid_on",
            "other_county",
            "reason",
            "reason_form",
        )

    def render_other_county(self, record, value):
        if (record.other_counties or 0) > 1:
            return _("%(county)s and %(more)s more") % {
                "county": value,
                "more": record.other_counties - 1,
            }
        return value
