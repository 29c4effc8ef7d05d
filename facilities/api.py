"""REST API of school conditions: the ledgers' serializers (their viewsets come from the ledger
registry), a finding recorded with its rectification, a rectification's steps, the funding quotas
(city administrators write), the funding table and the summary.
Money is a decimal string ("650.00") in every response."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import LedgerViewSet, ScopedModelSerializer
from core.columns import columns
from core.models import Region, RegionLevel
from core.scoping import can_edit, require_city_admin, school_of
from facilities import selectors, services
from facilities.models import (
    FundingAllocation,
    FundingNote,
    FundingRate,
    KindergartenExemption,
    MaintenanceEntry,
    Rectification,
    ToiletFinding,
    fen,
)


class KindergartenExemptionSerializer(ScopedModelSerializer):
    class Meta:
        model = KindergartenExemption
        fields = ["id", "township", "county", "reason"]
        read_only_fields = ["county"]


class FundingAllocationSerializer(ScopedModelSerializer):
    class Meta:
        model = FundingAllocation
        fields = ["id", "school", "county", "school_year", "amount", "allocated_on", "note"]
        read_only_fields = ["county"]
        validators = []  # the one-per-year rule is the model's (its message), run by the door


class FundingNoteSerializer(ScopedModelSerializer):
    class Meta:
        model = FundingNote
        fields = ["id", "school", "county", "school_year", "reason", "recorded_by", "updated_at"]
        read_only_fields = fields


class ToiletFindingSerializer(ScopedModelSerializer):
    rectification = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ToiletFinding
        fields = [
            "id",
            "inspection",
            "school",
            "county",
            "block",
            "toilet_type",
            "problem",
            "description",
            "rectification",
        ]
        read_only_fields = fields


class FindingCreateSerializer(ScopedModelSerializer):
    """A finding of an inspection the caller can see, and the rectification item it opens (the
    same fields as the inspection page's form; `photos`, optional, are the before photos, sent
    as multipart)."""

    responsible_unit = serializers.CharField(max_length=100)
    deadline = serializers.DateField()
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, default=list
    )

    class Meta:
        model = ToiletFinding
        fields = [
            "inspection",
            "block",
            "toilet_type",
            "problem",
            "description",
            "responsible_unit",
            "deadline",
            "measures",
            "photos",
        ]

    def validate(self, attrs):
        return attrs  # the finding's and the rectification's rules are the service's (the door)


class FindingViewSet(LedgerViewSet):
    """Findings: read; POST records a finding of an inspection and opens its rectification item,
    through facilities.services.finding_record like the inspection page (county and city users;
    the deadline not before the inspection; the rows' own rules). Findings are not changed or
    deleted here. Refusals: 400 / 403 in Chinese (core.errors.exception_handler)."""

    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return FindingCreateSerializer
        return super().get_serializer_class()

    @extend_schema(request=FindingCreateSerializer, responses={201: ToiletFindingSerializer})
    def create(self, request, *args, **kwargs):
        if school_of(request.user) is not None:
            raise PermissionDenied(_("Findings are recorded by the county or the city."))
        params = FindingCreateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        extras = {name: data.pop(name) for name in ("responsible_unit", "deadline", "measures")}
        rectification = services.finding_record(
            inspection=data["inspection"],
            finding=ToiletFinding(**{k: v for k, v in data.items() if k != "photos"}),
            photos=data.get("photos") or (),
            actor=request.user,
            **extras,
        )
        finding = self.get_queryset().get(pk=rectification.finding_id)
        return Response(
            ToiletFindingSerializer(finding, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class RectificationSerializer(ScopedModelSerializer):
    class Meta:
        model = Rectification
        fields = columns(Rectification, first=("id",))
        read_only_fields = fields


class MaintenanceEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = MaintenanceEntry
        fields = ["id", "school", "county", "done_on", "kind", "done_by", "note"]
        read_only_fields = ["county"]


# --- A rectification's steps (an action on its viewset) -------------------------------------


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["start", "submit", "verify", "return"])
    measures = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


def run_step(*, rectification, step: str, measures: str, reason: str, actor):
    """One step of the rectification's state machine (facilities.services)."""
    if not can_edit(actor, Rectification):
        raise PermissionDenied
    if step == "start":
        return services.rectification_start(
            rectification=rectification, measures=measures, actor=actor
        )
    if step == "submit":
        return services.rectification_submit(
            rectification=rectification, measures=measures, actor=actor
        )
    if step == "verify":
        return services.rectification_verify(rectification=rectification, actor=actor)
    return services.rectification_return(rectification=rectification, reason=reason, actor=actor)


class RectificationViewSet(LedgerViewSet):
    """Rectifications: read; a step is POSTed to /step/ (nothing is created here: a finding
    opens its rectification). Refusals: 400 / 403 (core.errors.exception_handler)."""

    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    @extend_schema(request=StepSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"], url_path="step")
    def step(self, request, pk=None):
        """Start, submit, verify or return the rectification."""
        rectification = self.get_object()
        params = StepSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        done = run_step(
            rectification=rectification,
            step=data["step"],
            measures=data.get("measures", ""),
            reason=data.get("reason", ""),
            actor=request.user,
        )
        return Response(RectificationSerializer(done, context={"request": request}).data)


# --- Funding quotas (city administrators write) and the funding table ---------------------


class FundingRateSerializer(serializers.ModelSerializer):
    """The city's quotas from a school year on. A change of the quotas is a new row from a later
    year (the earlier rows are the history); a row is corrected by PUT / PATCH."""

    class Meta:
        model = FundingRate
        fields = [
            "id",
            "effective_from",
            "primary",
            "junior",
            "preschool",
            "special_education",
            "boarder_supplement",
            "note",
            "set_at",
            "set_by",
        ]
        read_only_fields = ["id", "set_at", "set_by"]
        validators = []  # one row per year is the model's rule (its message), run by the door

    def create(self, validated_data):
        return services.funding_rate_save(rate=FundingRate(**validated_data), actor=self._actor())

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.funding_rate_save(rate=instance, actor=self._actor())

    def _actor(self):
        return self.context["request"].user


class FundingRateViewSet(viewsets.ModelViewSet):
    """The city's quotas, every row (the history): everyone signed in reads; city administrators
    add and correct them (facilities.services.funding_rate_save, as on the quotas page). Rows
    are not deleted: past years' tables keep the quotas they had. Others get 403 in Chinese; a
    quota of 0 or below, or a second row for a year, 400."""

    serializer_class = FundingRateSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            FundingRate.objects.visible_to(self.request.user)
            .select_related("set_by")
            .order_by("-effective_from")
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH"):  # DELETE: 405 for everyone
            require_city_admin(request.user, services.RATES_REFUSED)


class YearParams(serializers.Serializer):
    county = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(required=False, min_value=1950, max_value=2100)


def _county(user, data):
    if "county" not in data:
        return None
    county = (
        Region.objects.visible_to(user).filter(pk=data["county"], level=RegionLevel.COUNTY).first()
    )
    return county or Region(pk=0)  # a county the caller may not see: zeros, never wider


class FundingTableView(APIView):
    """Each school's computed and allocated funding in a school year (`?year=`, `?county=`)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[YearParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = YearParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        year = data.get("year") or selectors.latest_funding_year(request.user)
        rows = selectors.funding_table(request.user, year)
        county = _county(request.user, data)
        if county is not None:
            rows = rows.filter(county_id=county.pk)
        return Response(
            {
                "school_year": year,
                "results": [
                    {
                        "school": row.school_id,
                        "school_name": row.school.name,
                        "county": row.county_id,
                        "enrolment": row.enrolment,
                        "boarders": row.boarders,
                        "funded": row.funded,
                        "primary_funded": row.primary_funded,
                        "junior_funded": row.junior_funded,
                        "preschool_funded": row.preschool_funded,
                        "special_funded": row.special_funded,
                        "computed": str(fen(row.computed)),
                        "allocated": None if row.allocated is None else str(fen(row.allocated)),
                        "variance": None if row.variance is None else str(fen(row.variance)),
                    }
                    for row in rows
                ],
            }
        )


def summary_json(figures: dict) -> dict:
    """The summary as JSON: money as decimal strings, counts as numbers."""
    projects = figures["projects"]
    funding = figures["funding"]
    rect = figures["rectifications"]
    return {
        "school_year": figures["school_year"],
        "townships": figures["townships"],
        "townships_covered": figures["townships_covered"],
        "townships_exempt": figures["townships_exempt"],
        "townships_without_central_kindergarten": figures["townships_without_central_kindergarten"],
        "projects": {
            "count": projects["count"],
            "budget": str(projects["budget"]),
            "funds": {name: str(value) for name, value in projects["funds"].items()},
            "by_status": {s["status"]: s["count"] for s in projects["by_status"]},
            "by_kind": {k["kind"]: k["count"] for k in projects["by_kind"]},
            "beds_added": projects["beds_added"],
            "beds_left_behind": projects["beds_left_behind"],
            "at_boarding_or_remote_schools": projects["boarding_or_remote"]["count"],
        },
        "funding": {
            "computed": str(funding["computed"]),
            "allocated": str(funding["allocated"]),
            "variance": str(funding["variance"]),
            "schools": funding["schools"],
            "small_schools_funded_as_100": funding["small_schools"],
            "boarders": funding["boarders"],
            "underfunded_schools": funding["underfunded_schools"],
        },
        "rectifications": {
            "findings": rect["findings"],
            "open": rect["open"],
            "overdue": rect["overdue"],
            "submitted": rect["submitted"],
            "closed": rect["closed"],
            "closed_within_deadline": rect["closed_in_time"],
        },
        "maintenance": {
            "days": figures["maintenance"]["days"],
            "schools": figures["maintenance"]["schools"],
            "schools_behind": figures["maintenance"]["gaps"],
        },
        "counties": [
            {
                "id": c["id"],
                "name": c["name"],
                "townships": c["townships"],
                "townships_without_central_kindergarten": c[
                    "townships_without_central_kindergarten"
                ],
                "projects": c["projects"],
                "budget": str(c["budget"]),
                "computed": str(c["computed"]),
                "allocated": str(c["allocated"]),
                "underfunded_schools": c["underfunded_schools"],
                "rectifications_open": c["rectifications_open"],
                "rectifications_overdue": c["rectifications_overdue"],
                "rectifications_closed": c["rectifications_closed"],
            }
            for c in figures["counties"]
        ],
    }


class FacilitiesSummaryView(APIView):
    """The dashboard's figures for the caller's scope (`?county=`, `?year=`: the school year
    of the projects and the funding table); a county the caller may not see gives zeros."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[YearParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = YearParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        figures = selectors.summary(
            request.user, county=_county(request.user, data), school_year=data.get("year")
        )
        return Response(summary_json(figures))
