"""The ledgers of student aid: each gets list/detail/form/export pages, its API and the sidebar
entry from core.ledger (FilterSet, Table, Form, serializer and import spec found by name).
Programmes and standards are the city's reference data, not a county ledger: their pages are in
aid/views.py, their API in aid/api.py."""

from aid.models import CheckNote, ContactLog, Disbursement, OutOfAreaStudent, PublicityActivity
from core.ledger import Ledger, register

DISBURSEMENTS = register(
    Ledger(
        model=Disbursement,
        api_prefix="aid/disbursements",
        select_related=("county", "school", "programme", "student"),
        detail_fields=Disbursement.ledger_fields,
    )
)

OUT_OF_AREA = register(
    Ledger(
        model=OutOfAreaStudent,
        api_prefix="aid/out-of-area",
        select_related=("county", "household_region"),
        detail_fields=OutOfAreaStudent.ledger_fields,
    )
)

CONTACTS = register(
    Ledger(model=ContactLog, api_prefix="aid/contacts", select_related=("county", "student"))
)

PUBLICITY = register(
    Ledger(model=PublicityActivity, api_prefix="aid/publicity", select_related=("county",))
)

CHECK_NOTES = register(
    Ledger(
        model=CheckNote,
        api_prefix="aid/check-notes",
        select_related=("county", "school", "programme", "recorded_by"),
        editable=False,
    )
)
