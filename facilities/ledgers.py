"""The ledgers of school conditions: each gets list/detail/form/export pages, its API and the
sidebar entry from core.ledger. Findings are recorded on their inspection's page (with their
rectification item), rectifications move through their steps on their own page; the funding
quotas are the city's reference data (facilities/views.py)."""

from django.utils.translation import gettext_lazy as _

from core.ledger import Ledger, ListAction, Route, register
from core.scoping import can_edit, is_city_admin
from facilities import api, models, views

PROJECTS = register(
    Ledger(
        model=models.ImprovementProject,
        api_prefix="facilities/projects",
        select_related=("county", "school"),
    )
)

EXEMPTIONS = register(
    Ledger(
        model=models.KindergartenExemption,
        api_prefix="facilities/kindergarten-exemptions",
        select_related=("county", "township"),
    )
)

ALLOCATIONS = register(
    Ledger(
        model=models.FundingAllocation,
        api_prefix="facilities/allocations",
        select_related=("county", "school"),
        list_actions=(
            ListAction(
                "facilities-rates",
                _("Funding quotas"),
                lambda user: user.is_authenticated,
                icon="bi-calculator",
                element_id="funding-rates",
            ),
        ),
    )
)

FUNDING_NOTES = register(
    Ledger(
        model=models.FundingNote,
        api_prefix="facilities/funding-notes",
        select_related=("county", "school", "recorded_by"),
        editable=False,
    )
)

INSPECTIONS = register(
    Ledger(
        model=models.ToiletInspection,
        api_prefix="facilities/inspections",
        select_related=("county", "school"),
        detail_view=views.InspectionDetailView,
        routes=(Route("<int:pk>/findings/", views.FindingRecordView, "facilities-finding-record"),),
    )
)

FINDINGS = register(
    Ledger(
        model=models.ToiletFinding,
        api_prefix="facilities/findings",
        select_related=("county", "school", "inspection", "rectification"),
        editable=False,
        viewset_base=api.FindingViewSet,
    )
)

RECTIFICATIONS = register(
    Ledger(
        model=models.Rectification,
        api_prefix="facilities/rectifications",
        select_related=("county", "school", "finding", "submitted_by", "verified_by"),
        editable=False,
        detail_view=views.RectificationDetailView,
        viewset_base=api.RectificationViewSet,
        routes=(
            Route("<int:pk>/step/", views.RectificationStepView, "facilities-rectification-step"),
        ),
        detail_fields=models.Rectification.ledger_fields,
    )
)

MAINTENANCE = register(
    Ledger(
        model=models.MaintenanceEntry,
        api_prefix="facilities/maintenance",
        select_related=("county", "school"),
    )
)

__all__ = ["can_edit", "is_city_admin"]
