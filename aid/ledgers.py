"""The ledgers of student aid: each gets list/detail/form/export pages, its API and the sidebar
entry from core.ledger (FilterSet, Table, Form, serializer and import spec found by name).
Programmes and standards are the city's reference data, not a county ledger: their pages are in
aid/views.py, their API in aid/api.py."""

from aid import models
from core.ledger import Ledger, register

DISBURSEMENTS = register(
    Ledger(
        model=models.Disbursement,
        api_prefix="aid/disbursements",
        select_related=("county", "school", "programme", "student"),
        detail_fields=models.Disbursement.ledger_fields,
    )
)

OUT_OF_AREA = register(
    Ledger(
        model=models.OutOfAreaStudent,
        api_prefix="aid/out-of-area",
        select_related=("county", "household_region"),
        detail_fields=models.OutOfAreaStudent.ledger_fields,
    )
)

CONTACTS = register(
    Ledger(model=models.ContactLog, api_prefix="aid/contacts", select_related=("county", "student"))
)

PUBLICITY = register(
    Ledger(model=models.PublicityActivity, api_prefix="aid/publicity", select_related=("county",))
)

CHECK_NOTES = register(
    Ledger(
        model=models.CheckNote,
        api_prefix="aid/check-notes",
        select_related=("county", "school", "programme", "recorded_by"),
        editable=False,
    )
)
