"""REST API of student aid: the ledgers' serializers (their viewsets come from the ledger
registry), programmes and standards (everyone reads, city administrators write) and the summary.
Money is a decimal string ("1966300.00") in every response."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from aid import selectors, services
from aid.models import (
    AidProgramme,
    AidStandard,
    CheckNote,
    ContactLog,
    Disbursement,
    OutOfAreaStudent,
    PublicityActivity,
    RecipientCategory,
)
from core.api import ScopedModelSerializer
from core.columns import columns
from core.models import Region, RegionLevel
from core.scoping import is_city_admin


class CountyFieldMixin:
    """A writable county must be a county (the scoping already limits it to visible regions)."""

    def validate_county(self, county):
        if county is not None and county.level != RegionLevel.COUNTY:
            raise serializers.ValidationError(_("Choose a county."))
        return county


class DisbursementSerializer(ScopedModelSerializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    student = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Disbursement
        fields = columns(Disbursement, first=("id", "id_number"))
        read_only_fields = ["county"]
        # The one-per-term rule is the model's (Disbursement.validate_constraints, run by the
        # write door): its message names the existing row, also after losing a race.
        validators = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        id_number = attrs.get("id_number", getattr(self.instance, "id_number", None))
        if "id_number" in attrs or self.instance is None:
            attrs["student"] = services.registry_students(user, [id_number]).get(id_number)
        name = attrs.get("name", getattr(self.instance, "name", ""))
        if not name:
            student = attrs.get("student")
            if student is None:
                raise serializers.ValidationError(
                    {"name": _("This ID number is not in the registry: enter the student's name.")}
                )
            attrs["name"] = student.name
        return attrs


class CheckNoteSerializer(ScopedModelSerializer):
    class Meta:
        model = CheckNote
        fields = columns(CheckNote, first=("id",))
        read_only_fields = fields


class OutOfAreaStudentSerializer(CountyFieldMixin, ScopedModelSerializer):
    class Meta:
        model = OutOfAreaStudent
        fields = columns(OutOfAreaStudent, first=("id", "id_number"))
        read_only_fields = ["verified_on"]


class ContactLogSerializer(ScopedModelSerializer):
    class Meta:
        model = ContactLog
        fields = [
            "id",
            "student",
            "county",
            "method",
            "contacted_on",
            "contacted_by",
            "reached",
            "learned",
        ]
        read_only_fields = ["county"]


class PublicityActivitySerializer(CountyFieldMixin, ScopedModelSerializer):
    class Meta:
        model = PublicityActivity
        fields = ["id", "county", "channel", "held_on", "title", "reach", "note"]


# --- Programmes and standards ------------------------------------------------------------------


class CityAdminWrites(permissions.BasePermission):
    """Everyone with a role reads the city's programmes and standards; city administrators write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_city_admin(request.user)


class AidProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AidProgramme
        fields = columns(AidProgramme, first=("id",))


class AidStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = AidStandard
        fields = ["id", "programme", "school_year", "term", "amount"]


class _CityLevelViewSet(viewsets.ModelViewSet):
    """Writes go through aid's services and so the write door (the audit trail keeps the
    history); a refusal is answered by core.errors.exception_handler."""

    permission_classes = [CityAdminWrites]
    save_service = None

    def get_queryset(self):
        return self.serializer_class.Meta.model.objects.visible_to(self.request.user).order_by("pk")

    def _save(self, serializer):
        instance = serializer.instance or serializer.Meta.model()
        for field, value in serializer.validated_data.items():
            setattr(instance, field, value)
        serializer.instance = type(self).save_service(instance, self.request.user)

    perform_create = _save
    perform_update = _save


class AidProgrammeViewSet(_CityLevelViewSet):
    serializer_class = AidProgrammeSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @staticmethod
    def save_service(instance, actor):
        return services.programme_save(programme=instance, actor=actor)


class AidStandardViewSet(_CityLevelViewSet):
    serializer_class = AidStandardSerializer

    @staticmethod
    def save_service(instance, actor):
        return services.standard_save(standard=instance, actor=actor)

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if params.get("programme", "").isdigit():
            queryset = queryset.filter(programme_id=params["programme"])
        if params.get("school_year", "").isdigit():
            queryset = queryset.filter(school_year=params["school_year"])
        return queryset

    def perform_destroy(self, instance):
        services.standard_delete(standard=instance, actor=self.request.user)


# --- Summary -----------------------------------------------------------------------------------


class SummaryParams(serializers.Serializer):
    county = serializers.IntegerField(required=False, min_value=1)
    school_year = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    category = serializers.ChoiceField(choices=RecipientCategory.choices, required=False)


class AidSummaryView(APIView):
    """The aid dashboard's figures for the caller's scope (`?county=`, `?school_year=`,
    `?category=`); a county the caller may not see gives zeros, never the wider figures."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[SummaryParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = SummaryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        county = None
        if "county" in data:
            county = (
                Region.objects.visible_to(request.user)
                .filter(pk=data["county"], level=RegionLevel.COUNTY)
                .first()
            )
            county = county or Region(pk=0)
        figures = selectors.summary(
            user=request.user,
            county=county,
            school_year=data.get("school_year"),
            category=data.get("category", ""),
        )
        return Response(selectors.summary_json(figures))
