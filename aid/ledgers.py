"""The ledgers of student aid: each gets list/detail/form/export pages, its API and the sidebar
entry from core.ledger. Programmes and standards are the city's reference data, not a county
ledger: their pages are in aid/views.py, their API in aid/api.py."""

from aid.api import (
    CheckNoteSerializer,
    ContactLogSerializer,
    DisbursementSerializer,
    OutOfAreaStudentSerializer,
    PublicityActivitySerializer,
)
from aid.filters import (
    CheckNoteFilterSet,
    ContactLogFilterSet,
    DisbursementFilterSet,
    OutOfAreaStudentFilterSet,
    PublicityActivityFilterSet,
)
from aid.forms import (
    ContactLogForm,
    DisbursementForm,
    OutOfAreaStudentForm,
    PublicityActivityForm,
)
from aid.imports import DisbursementImportSpec, OutOfAreaStudentImportSpec
from aid.models import CheckNote, ContactLog, Disbursement, OutOfAreaStudent, PublicityActivity
from aid.tables import (
    CheckNoteTable,
    ContactLogTable,
    DisbursementTable,
    OutOfAreaStudentTable,
    PublicityActivityTable,
)
from core.ledger import Ledger, register

DISBURSEMENTS = register(
    Ledger(
        model=Disbursement,
        filterset=DisbursementFilterSet,
        table=DisbursementTable,
        form=DisbursementForm,
        serializer=DisbursementSerializer,
        slug="aid/disbursements",
        api_prefix="aid/disbursements",
        import_spec=DisbursementImportSpec(),
        select_related=("county", "school", "programme", "student"),
        detail_fields=(
            "name",
            "id_number",
            "student",
            "programme",
            "school_year",
            "term",
            "amount",
            "paid_on",
            "school",
            "county",
            "category",
            "note",
        ),
    )
)

OUT_OF_AREA = register(
    Ledger(
        model=OutOfAreaStudent,
        filterset=OutOfAreaStudentFilterSet,
        table=OutOfAreaStudentTable,
        form=OutOfAreaStudentForm,
        serializer=OutOfAreaStudentSerializer,
        slug="aid/out-of-area",
        api_prefix="aid/out-of-area",
        import_spec=OutOfAreaStudentImportSpec(),
        select_related=("county", "household_region"),
        detail_fields=(
            "name",
            "id_number",
            "county",
            "household_region",
            "province",
            "city",
            "school_name",
            "stage",
            "source",
            "verified_on",
            "receives_aid",
            "aid_programme",
            "aid_amount",
            "meets_standard",
            "follow_up_needed",
            "follow_up",
        ),
    )
)

CONTACTS = register(
    Ledger(
        model=ContactLog,
        filterset=ContactLogFilterSet,
        table=ContactLogTable,
        form=ContactLogForm,
        serializer=ContactLogSerializer,
        slug="aid/contacts",
        api_prefix="aid/contacts",
        select_related=("county", "student"),
    )
)

PUBLICITY = register(
    Ledger(
        model=PublicityActivity,
        filterset=PublicityActivityFilterSet,
        table=PublicityActivityTable,
        form=PublicityActivityForm,
        serializer=PublicityActivitySerializer,
        slug="aid/publicity",
        api_prefix="aid/publicity",
        select_related=("county",),
    )
)

CHECK_NOTES = register(
    Ledger(
        model=CheckNote,
        filterset=CheckNoteFilterSet,
        table=CheckNoteTable,
        form=None,
        serializer=CheckNoteSerializer,
        slug="aid/check-notes",
        api_prefix="aid/check-notes",
        select_related=("county", "school", "programme", "recorded_by"),
        editable=False,
    )
)
