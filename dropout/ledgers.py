"""The ledgers of dropout control: each gets list/detail/export pages (and forms where editable)
and an API viewset from core.ledger (FilterSet, Table, Form, serializer and import spec found by
name); rounds and cases bring their own detail page and viewset, cases their action pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.ledger import Ledger, ListAction, Route, register
from core.scoping import is_city_admin
from dropout import api, models, views

ROUNDS = register(
    Ledger(
        model=models.ScreeningRound,
        api_prefix="dropout/rounds",
        select_related=("started_by", "job"),
        editable=False,
        detail_view=views.RoundDetailView,
        viewset_base=api.ScreeningRoundViewSet,
        list_actions=(
            ListAction(
                "dropout-round-start",
                _("Start a screening round"),
                is_city_admin,  # RoundStartView's and round_start's own check
                icon="bi-play-circle",
                element_id="start-round",
            ),
        ),
    )
)

RESULTS = register(
    Ledger(
        model=models.ScreeningResult,
        api_prefix="dropout/results",
        select_related=("county", "township", "school", "round"),
        editable=False,
        detail_fields=models.ScreeningResult.ledger_fields,
    )
)

CASES = register(
    Ledger(
        model=models.DropoutCase,
        api_prefix="dropout/cases",
        select_related=(
            "county",
            "township",
            "gov_responsible",
            "edu_responsible",
            "confirmed_in_round",
        ),
        editable=False,
        detail_fields=models.DropoutCase.ledger_fields,
        detail_view=views.CaseDetailView,
        viewset_base=api.DropoutCaseViewSet,
        list_actions=(
            ListAction(
                "dropout-case-open",
                _("Open a case by hand"),
                views.may_open_case,
                element_id="open-case",
            ),
        ),
        routes=(
            Route("<int:pk>/actions/", views.CaseActionAddView, "dropout-case-action"),
            Route("<int:pk>/resolve/", views.CaseResolveView, "dropout-case-resolve"),
            Route("<int:pk>/close/", views.CaseCloseView, "dropout-case-close"),
        ),
    )
)

OUT_OF_CITY = register(
    Ledger(
        model=models.OutOfCityEnrolment,
        api_prefix="dropout/out-of-city",
        select_related=("county", "township"),
        detail_fields=models.OutOfCityEnrolment.ledger_fields,
    )
)

EXEMPTIONS = register(
    Ledger(
        model=models.Exemption,
        api_prefix="dropout/exemptions",
        select_related=("county", "township"),
        detail_fields=models.Exemption.ledger_fields,
    )
)

RESPONSIBILITY = register(
    Ledger(
        model=models.Responsibility,
        api_prefix="dropout/responsibility",
        select_related=("county", "township", "school"),
    )
)

SPOT_CHECKS = register(
    Ledger(
        model=models.Grade6SpotCheck,
        api_prefix="dropout/grade6-checks",
        select_related=("county", "school"),
    )
)

COHORT_BASELINES = register(
    Ledger(
        model=models.CohortBaseline,
        api_prefix="dropout/cohort-baselines",
        select_related=("county",),
    )
)

CASE_ACTIONS = register(
    Ledger(
        model=models.CaseAction,
        api_prefix="dropout/case-actions",
        select_related=("county", "case", "actor"),
        editable=False,
    )
)
