"""The ledgers of dropout control: each gets list/detail/export pages (and forms where editable)
and an API viewset from core.ledger; rounds and cases bring their own detail page and viewset."""

from __future__ import annotations

from django.urls import path

from core.ledger import Ledger, register
from dropout import api, filters, forms, imports, tables
from dropout.models import (
    CaseAction,
    CohortBaseline,
    DropoutCase,
    Exemption,
    Grade6SpotCheck,
    OutOfCityEnrolment,
    Responsibility,
    ScreeningResult,
    ScreeningRound,
)


class DropoutLedger(Ledger):
    """A Ledger whose `extra` may name its own detail view and API viewset base.

    extra["detail_view"]: a subclass of core.views.LedgerDetailView (the round and case pages).
    extra["viewset"]: a subclass of core.api.LedgerViewSet (rounds started, cases worked on).
    """

    def urlpatterns(self):
        patterns = super().urlpatterns()
        detail_view = self.extra.get("detail_view")
        if detail_view is None:
            return patterns
        name = self.url_name("detail")
        return [
            path(f"{self.slug}/<int:pk>/", detail_view.as_view(ledger=self), name=name)
            if getattr(pattern, "name", None) == name
            else pattern
            for pattern in patterns
        ]

    def viewset(self):
        base = self.extra.get("viewset")
        if base is None:
            return super().viewset()
        attrs = {"ledger": self, "serializer_class": self.serializer}
        return type(f"{self.model.__name__}ViewSet", (base,), attrs)


def _views():
    from dropout import views

    return views


ROUNDS = register(
    DropoutLedger(
        model=ScreeningRound,
        filterset=filters.ScreeningRoundFilterSet,
        table=tables.ScreeningRoundTable,
        form=None,
        serializer=api.ScreeningRoundSerializer,
        slug="dropout/rounds",
        api_prefix="dropout/rounds",
        select_related=("started_by", "job"),
        editable=False,
        extra={"detail_view": _views().RoundDetailView, "viewset": api.ScreeningRoundViewSet},
    )
)

RESULTS = register(
    Ledger(
        model=ScreeningResult,
        filterset=filters.ScreeningResultFilterSet,
        table=tables.ScreeningResultTable,
        form=None,
        serializer=api.ScreeningResultSerializer,
        slug="dropout/results",
        api_prefix="dropout/results",
        select_related=("county", "township", "school", "round"),
        editable=False,
        detail_fields=(
            "round",
            "name",
            "id_number",
            "birth_date",
            "county",
            "township",
            "household_category",
            "classification",
            "match_method",
            "candidates",
            "needs_confirmation",
            "student",
            "school",
            "grade",
            "registry_status",
            "roster_child",
        ),
    )
)

CASES = register(
    DropoutLedger(
        model=DropoutCase,
        filterset=filters.DropoutCaseFilterSet,
        table=tables.DropoutCaseTable,
        form=None,
        serializer=api.DropoutCaseSerializer,
        slug="dropout/cases",
        api_prefix="dropout/cases",
        select_related=(
            "county",
            "township",
            "gov_responsible",
            "edu_responsible",
            "confirmed_in_round",
        ),
        editable=False,
        detail_fields=(
            "name",
            "id_number",
            "county",
            "township",
            "reason",
            "status",
            "opened_in_round",
            "previous_case",
            "opened_on",
            "due_on",
            "gov_responsible",
            "edu_responsible",
            "outcome",
            "return_school",
            "return_date",
            "outcome_note",
            "resolved_by",
            "resolved_on",
            "confirmed_in_round",
            "refuted_in_round",
            "closed_by",
            "closed_on",
        ),
        extra={"detail_view": _views().CaseDetailView, "viewset": api.DropoutCaseViewSet},
    )
)

OUT_OF_CITY = register(
    Ledger(
        model=OutOfCityEnrolment,
        filterset=filters.OutOfCityEnrolmentFilterSet,
        table=tables.OutOfCityEnrolmentTable,
        form=forms.OutOfCityEnrolmentForm,
        serializer=api.OutOfCityEnrolmentSerializer,
        slug="dropout/out-of-city",
        api_prefix="dropout/out-of-city",
        import_spec=imports.OutOfCityEnrolmentImportSpec(),
        select_related=("county", "township"),
        detail_fields=(
            "name",
            "id_number",
            "county",
            "township",
            "school_year",
            "place",
            "school_name",
            "grade",
            "verified_how",
            "verified_on",
            "verifier",
            "document",
        ),
    )
)

EXEMPTIONS = register(
    Ledger(
        model=Exemption,
        filterset=filters.ExemptionFilterSet,
        table=tables.ExemptionTable,
        form=forms.ExemptionForm,
        serializer=api.ExemptionSerializer,
        slug="dropout/exemptions",
        api_prefix="dropout/exemptions",
        select_related=("county", "township"),
        detail_fields=(
            "name",
            "id_number",
            "county",
            "township",
            "kind",
            "reason",
            "approval_document",
            "approved_on",
            "valid_from",
            "valid_until",
        ),
    )
)

RESPONSIBILITY = register(
    Ledger(
        model=Responsibility,
        filterset=filters.ResponsibilityFilterSet,
        table=tables.ResponsibilityTable,
        form=forms.ResponsibilityForm,
        serializer=api.ResponsibilitySerializer,
        slug="dropout/responsibility",
        api_prefix="dropout/responsibility",
        select_related=("county", "township", "school"),
    )
)

SPOT_CHECKS = register(
    Ledger(
        model=Grade6SpotCheck,
        filterset=filters.Grade6SpotCheckFilterSet,
        table=tables.Grade6SpotCheckTable,
        form=forms.Grade6SpotCheckForm,
        serializer=api.Grade6SpotCheckSerializer,
        slug="dropout/grade6-checks",
        api_prefix="dropout/grade6-checks",
        select_related=("county", "school"),
    )
)

COHORT_BASELINES = register(
    Ledger(
        model=CohortBaseline,
        filterset=filters.CohortBaselineFilterSet,
        table=tables.CohortBaselineTable,
        form=forms.CohortBaselineForm,
        serializer=api.CohortBaselineSerializer,
        slug="dropout/cohort-baselines",
        api_prefix="dropout/cohort-baselines",
        import_spec=imports.CohortBaselineImportSpec(),
        select_related=("county",),
    )
)

CASE_ACTIONS = register(
    Ledger(
        model=CaseAction,
        filterset=filters.CaseActionFilterSet,
        table=tables.CaseActionTable,
        form=None,
        serializer=api.CaseActionSerializer,
        slug="dropout/case-actions",
        api_prefix="dropout/case-actions",
        select_related=("county", "case", "actor"),
        editable=False,
    )
)
