"""REST API of dropout control: serializers, and the viewsets that do more than the generic one.

Every ledger's viewset comes from the registry (dropout/ledgers.py). Rounds and cases are not
edited as plain rows: POST /api/v1/dropout/rounds/ starts a round (city administrators), and a
case takes actions, a resolution and its closing through its own endpoints — each calling the
service that the pages call.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IdNumberSerializerField, LedgerViewSet, ScopedModelSerializer
from core.columns import columns
from core.models import Region, RegionLevel, School
from core.scoping import require_city_admin
from dropout import selectors, services
from dropout.models import (
    ActionKind,
    CaseAction,
    CaseOutcome,
    CohortBaseline,
    DropoutCase,
    Grade6SpotCheck,
    Responsibility,
    ScreeningResult,
    ScreeningRound,
)


class ScreeningRoundSerializer(ScopedModelSerializer):
    """A round as an API client reads it: `job_url` is the round's job through the API (its
    state, as JSON, with the token); `job_page_url` the job's page a person opens in a browser
    (as an import run's links are, core.importing.api)."""

    person_times = serializers.IntegerField(read_only=True)
    job_url = serializers.SerializerMethodField()
    job_page_url = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningRound
        fields = [
            "id",
            "name",
            "school_year",
            "reference_date",
            "screening_date",
            "age_min",
            "age_max",
            "counties",
            "roster_versions",
            "status",
            "person_times",
            "started_by",
            "scheduled",
            "job",
            "job_url",
            "job_page_url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_job_url(self, obj) -> str | None:
        return self._absolute(reverse("api-job-detail", args=[obj.job_id])) if obj.job_id else None

    def get_job_page_url(self, obj) -> str | None:
        return self._absolute(reverse("job-detail", args=[obj.job_id])) if obj.job_id else None


class RoundStartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    school_year = serializers.IntegerField(min_value=2000, max_value=2100)
    counties = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.none(), many=True, required=False
    )
    screening_date = serializers.DateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        fields["counties"].child_relation.queryset = Region.objects.visible_to(user).filter(
            level=RegionLevel.COUNTY
        )
        return fields


class ScreeningResultSerializer(ScopedModelSerializer):
    class Meta:
        model = ScreeningResult
        fields = columns(ScreeningResult, first=("id",), without=("roster_child",))
        read_only_fields = fields


class DropoutCaseSerializer(ScopedModelSerializer):
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = DropoutCase
        fields = columns(DropoutCase, first=("id",), add=("overdue",))
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    id_number = IdNumberSerializerField(max_length=30)
    name = serializers.CharField(max_length=50)
    township = serializers.PrimaryKeyRelatedField(queryset=Region.objects.none())
    note = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        fields["township"].queryset = Region.objects.visible_to(user).filter(
            level=RegionLevel.TOWNSHIP
        )
        return fields


class CaseActionInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    note = serializers.CharField()


class CaseResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    return_school = serializers.PrimaryKeyRelatedField(
        queryset=School.objects.none(), required=False, allow_null=True
    )
    return_date = serializers.DateField(required=False, allow_null=True)
    outcome_note = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["return_school"].queryset = School.objects.visible_to(self.context["request"].user)
        return fields


class CaseCloseSerializer(serializers.Serializer):
    close_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="What the reviewer checked; required for a case opened by hand that no round "
        "confirmed.",
    )


class CaseActionSerializer(ScopedModelSerializer):
    class Meta:
        model = CaseAction
        fields = ["id", "case", "county", "date", "kind", "note", "actor", "created_at"]
        read_only_fields = fields


class ResponsibilitySerializer(ScopedModelSerializer):
    class Meta:
        model = Responsibility
        fields = ["id", "county", "township", "school", "line", "person", "title", "phone"]
        read_only_fields = ["county"]


class Grade6SpotCheckSerializer(ScopedModelSerializer):
    discrepancy = serializers.IntegerField(read_only=True)

    class Meta:
        model = Grade6SpotCheck
        fields = columns(Grade6SpotCheck, first=("id",))
        read_only_fields = ["county", "registry_count"]


class CohortBaselineSerializer(ScopedModelSerializer):
    class Meta:
        model = CohortBaseline
        fields = ["id", "county", "entry_year", "locality", "grade1_enrolment"]


# --- Viewsets with operations ------------------------------------------------------------------


class ScreeningRoundViewSet(LedgerViewSet):
    """GET: the rounds that include the caller's county. POST: start a round (city admins)."""

    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return RoundStartSerializer if self.action == "create" else ScreeningRoundSerializer

    def create(self, request, *args, **kwargs):
        require_city_admin(request.user, services.ROUND_REFUSED)
        serializer = RoundStartSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        screening_round = services.round_start(actor=request.user, **serializer.validated_data)
        screening_round = self.get_queryset().get(pk=screening_round.pk)
        data = ScreeningRoundSerializer(screening_round, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class DropoutCaseViewSet(LedgerViewSet):
    """Cases: read; POST opens one by hand; actions, resolve and close are their own endpoints.
    The services' refusals are answered by core.errors.exception_handler (400, 403)."""

    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return {
            "create": CaseOpenSerializer,
            "actions": CaseActionInputSerializer,
            "resolve": CaseResolveSerializer,
            "close": CaseCloseSerializer,
        }.get(self.action, DropoutCaseSerializer)

    def _out(self, case, code=status.HTTP_200_OK):
        case = self.get_queryset().get(pk=case.pk)
        return Response(DropoutCaseSerializer(case, context={"request": self.request}).data, code)

    def create(self, request, *args, **kwargs):
        serializer = CaseOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        case = services.case_open(actor=self.request.user, **serializer.validated_data)
        return self._out(case, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        case = self.get_object()
        serializer = CaseActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = services.case_action_add(
            actor=self.request.user, case=case, **serializer.validated_data
        )
        data = CaseActionSerializer(made, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        case = self.get_object()
        serializer = CaseResolveSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values["note"] = values.pop("outcome_note", "")
        return self._out(services.case_resolve(actor=self.request.user, case=case, **values))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        serializer = CaseCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data.get("close_note", "")
        return self._out(services.case_close(actor=self.request.user, case=case, note=note))


class SummaryView(APIView):
    """GET /api/v1/dropout/summary/: the dashboard's figures, scoped, as JSON.

    Parameters: `county` (a county's id or code) and `school_year` (e.g. 2023; default: the
    latest school year with a finished round). Rates are fractions (0.0 … 1.0) or null when the
    denominator is 0. Case figures are the present state ("clear to zero"), of every year.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("county", str, description="a county's id or code"),
            OpenApiParameter("school_year", int, description="e.g. 2023"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        county = None
        raw = request.query_params.get("county")
        if raw:
            counties = Region.objects.visible_to(request.user).filter(level=RegionLevel.COUNTY)
            lookup = {"code": raw} if len(raw) == 6 else {"pk": raw if raw.isdigit() else -1}
            county = get_object_or_404(counties, **lookup)
        school_year = request.query_params.get("school_year")
        if school_year:
            if not school_year.isdigit() or not (2000 <= int(school_year) <= 2100):
                raise ValidationError({"school_year": [_("Enter a school year such as 2023.")]})
            school_year = int(school_year)
        try:
            data = selectors.summary(
                user=request.user, county=county, school_year=school_year or None
            )
        except Region.DoesNotExist as error:
            raise Http404 from error
        return Response(data)
