"""REST API of teacher staffing: the roster's serializer (the ID number masked and checked by
core's ScopedModelSerializer; the plans and training records take core's derived serializers),
the city's reference data (the staffing standard, the training programmes: city administrators
write) and the summary."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IdNumberSerializerField, ScopedModelSerializer
from core.models import Region, RegionLevel
from core.scoping import require_city_admin
from teachers import selectors, services
from teachers.models import StaffingStandard, Teacher, TrainingProgramme


class TeacherSerializer(ScopedModelSerializer):
    # Its own field: the model's unique constraint would otherwise become a field validator
    # that says "exists" before core.conflicts can refuse neutrally.
    id_number = IdNumberSerializerField(max_length=30)

    class Meta:
        model = Teacher
        fields = ["id", *Teacher.ledger_fields]
        read_only_fields = ["county"]
        validators = []  # one row per ID number is the model's rule (its message), run by the door


# --- The city's reference data ------------------------------------------------------------------


class _ReferenceSerializer(serializers.ModelSerializer):
    def _actor(self):
        return self.context["request"].user

    def create(self, validated_data):
        return self.save_row(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.save_row(instance)


class StaffingStandardSerializer(_ReferenceSerializer):
    class Meta:
        model = StaffingStandard
        fields = [
            "id",
            "effective_from",
            "primary",
            "junior",
            "senior",
            "small_school_pupils",
            "teachers_per_class",
            "note",
            "set_at",
            "set_by",
        ]
        read_only_fields = ["id", "set_at", "set_by"]
        validators = []  # one row per year is the model's rule (its message), run by the door

    def save_row(self, row):
        return services.standard_save(standard=row, actor=self._actor())


class TrainingProgrammeSerializer(_ReferenceSerializer):
    class Meta:
        model = TrainingProgramme
        fields = [
            "id",
            "name",
            "kind",
            "year",
            "starts_on",
            "ends_on",
            "hours_required",
            "max_hours",
            "note",
            "set_by",
        ]
        read_only_fields = ["id", "set_by"]
        validators = []

    def save_row(self, row):
        return services.programme_save(programme=row, actor=self._actor())


class _ReferenceViewSet(viewsets.ModelViewSet):
    """Every row: everyone signed in reads; city administrators add and correct rows (the same
    service as the pages). Rows are not deleted (the history). Others get 403 in Chinese."""

    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    refused = ""

    def get_queryset(self):
        return self.serializer_class.Meta.model.objects.visible_to(
            self.request.user
        ).select_related("set_by")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH"):
            require_city_admin(request.user, self.refused)


class StaffingStandardViewSet(_ReferenceViewSet):
    serializer_class = StaffingStandardSerializer
    refused = services.STANDARD_REFUSED


class TrainingProgrammeViewSet(_ReferenceViewSet):
    serializer_class = TrainingProgrammeSerializer
    refused = services.PROGRAMMES_REFUSED


# --- The summary ------------------------------------------------------------------------------


class SummaryParams(serializers.Serializer):
    county = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(required=False, min_value=1950, max_value=2100)


def _county(user, data):
    if "county" not in data:
        return None
    county = (
        Region.objects.visible_to(user).filter(pk=data["county"], level=RegionLevel.COUNTY).first()
    )
    return county or Region(pk=0)  # a county the caller may not see: zeros, never wider


def _rate(value):
    return None if value is None else str(value)


def summary_json(figures: dict) -> dict:
    cover = figures["training_coverage"]
    special = figures["special_post"]
    return {
        "year": figures["year"],
        "teachers": figures["teachers"],
        "rural_teachers": figures["rural_teachers"],
        "special_post": {
            "planned": special["planned"],
            "hired": special["hired"],
            "on_duty": special["on_duty"],
            "vacant": special["vacant"],
        },
        "plans": [
            {k: p[k] for k in ("channel", "label", "planned", "hired", "on_duty", "vacant")}
            for p in figures["plans"]
        ],
        "training_coverage": {
            "covered": cover["covered"],
            "rural_teachers": cover["rural_teachers"],
            "rate": _rate(cover["rate"]),
        },
        "national_training": figures["national_training"],
        "schools_short_of_teachers": figures["schools_short_of_teachers"],
        "teachers_short": figures["teachers_short"],
        "counties": [
            {
                "id": c["id"],
                "name": c["name"],
                "teachers": c["teachers"],
                "rural_teachers": c["rural_teachers"],
                "special_post": c["special_post"],
                "training_coverage": {
                    **c["training_coverage"],
                    "rate": _rate(c["training_coverage"]["rate"]),
                },
                "national_training": c["national_training"],
                "special_post_retention_rate": _rate(c["special_post_retention_rate"]),
                "schools_short_of_teachers": c["schools_short_of_teachers"],
                "teachers_short": c["teachers_short"],
            }
            for c in figures["counties"]
        ],
    }


class TeachersSummaryView(APIView):
    """The dashboard's figures for the caller's scope (`?county=`, `?year=`: the plans' and the
    programmes' year); a county the caller may not see gives zeros. Rates are decimal strings of
    a percentage ("100.0"), null without rural teachers."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[SummaryParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = SummaryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        figures = selectors.summary(
            request.user, county=_county(request.user, data), year=data.get("year")
        )
        return Response(summary_json(figures))
