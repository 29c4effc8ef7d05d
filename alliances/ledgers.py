"""The ledgers of alliances and teaching: each gets list/detail/form/export pages, its API and
the sidebar entry from core.ledger, scoped by its model's queryset (alliances.models states who
sees what)."""

from alliances import models, views
from core.ledger import Ledger, register

ALLIANCES = register(
    Ledger(
        model=models.Alliance,
        api_prefix="alliances/alliances",
        select_related=("county", "lead_school"),
        detail_fields=models.Alliance.ledger_fields,
        detail_view=views.AllianceDetailView,
    )
)

MEMBERS = register(
    Ledger(
        model=models.AllianceMember,
        api_prefix="alliances/members",
        select_related=("county", "alliance", "school"),
        detail_fields=models.AllianceMember.ledger_fields,
    )
)

ACTIVITIES = register(
    Ledger(
        model=models.Activity,
        api_prefix="alliances/activities",
        select_related=("county", "alliance", "school"),
        detail_fields=models.Activity.ledger_fields,
        detail_view=views.WithSchoolsDetailView,
    )
)

SESSIONS = register(
    Ledger(
        model=models.OnlineSession,
        api_prefix="alliances/sessions",
        select_related=("county", "school"),
        detail_fields=models.OnlineSession.ledger_fields,
        detail_view=views.WithSchoolsDetailView,
    )
)

QUOTAS = register(
    Ledger(
        model=models.EntranceQuota,
        api_prefix="alliances/quotas",
        select_related=("county", "high_school", "junior_school"),
        detail_fields=models.EntranceQuota.ledger_fields,
    )
)

PAIRS = register(
    Ledger(
        model=models.TrusteeshipPair,
        api_prefix="alliances/trusteeships",
        select_related=("county", "supported_school"),
        detail_fields=models.TrusteeshipPair.ledger_fields,
    )
)

INDICATORS = register(
    Ledger(
        model=models.TrusteeshipIndicator,
        api_prefix="alliances/indicators",
        select_related=("county", "pair", "pair__supported_school"),
        detail_fields=models.TrusteeshipIndicator.ledger_fields,
    )
)
