"""REST API of alliances and teaching: the ledgers' serializers (their viewsets come from the
ledger registry) and the summary. An activity's participating schools and a session's receiving
schools are lists of school ids, checked (alliances.rules) and saved with the row in one
transaction."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances import rules, selectors
from alliances.models import (
    Activity,
    Alliance,
    AllianceMember,
    EntranceQuota,
    OnlineSession,
    TrusteeshipIndicator,
    TrusteeshipPair,
)
from core import services
from core.api import ScopedModelSerializer
from core.models import Region, RegionLevel, School


class AllianceSerializer(ScopedModelSerializer):
    class Meta:
        model = Alliance
        fields = ["id", *Alliance.ledger_fields]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        level = attrs.get("level", getattr(self.instance, "level", None))
        message = rules.city_row_refused(self._actor(), level=level)
        if message:
            raise serializers.ValidationError({"level": [message]})
        return attrs


class AllianceMemberSerializer(ScopedModelSerializer):
    class Meta:
        model = AllianceMember
        fields = ["id", *AllianceMember.ledger_fields]
        read_only_fields = ["county"]
        validators = []  # one membership per school: the model's message, run by the door

    def validate(self, attrs):
        attrs = super().validate(attrs)
        alliance = attrs.get("alliance", getattr(self.instance, "alliance", None))
        message = rules.city_row_refused(self._actor(), level=getattr(alliance, "level", None))
        if message:
            raise serializers.ValidationError({"alliance": [message]})
        return attrs


class _WithSchools(ScopedModelSerializer):
    """A row with several schools (`schools_field`): the ids offered are the caller's schools;
    on a change, the schools the caller cannot see (chosen by the city) are kept."""

    schools_field = ""

    def get_fields(self):
        fields = super().get_fields()
        field = fields.get(self.schools_field)
        if field is not None and hasattr(field, "child_relation"):
            field.child_relation.queryset = School.objects.visible_to(self._actor())
        return fields

    def check_schools(self, attrs, schools) -> None:
        raise NotImplementedError

    def validate(self, attrs):
        schools = attrs.pop(self.schools_field, None)
        attrs = super().validate(attrs)
        if schools is None and self.instance is None:
            schools = []
        if schools is not None:
            schools = [*schools, *self._hidden()]
            self.check_schools(attrs, schools)
            attrs[self.schools_field] = schools
        return attrs

    def _hidden(self):
        if self.instance is None:
            return []
        shown = School.objects.visible_to(self._actor()).values("pk")
        return list(getattr(self.instance, self.schools_field).exclude(pk__in=shown))

    def _value(self, attrs, name):
        return attrs.get(name, getattr(self.instance, name, None))

    def create(self, validated_data):
        schools = validated_data.pop(self.schools_field, [])
        with transaction.atomic():
            row = services.row_create(actor=self._actor(), row=self.Meta.model(**validated_data))
            getattr(row, self.schools_field).set(schools)
        return row

    def update(self, instance, validated_data):
        schools = validated_data.pop(self.schools_field, None)
        with transaction.atomic():
            row = super().update(instance, validated_data)
            if schools is not None:
                getattr(row, self.schools_field).set(schools)
        return row


class ActivitySerializer(_WithSchools):
    schools_field = "schools"

    class Meta:
        model = Activity
        fields = ["id", *Activity.ledger_fields]
        read_only_fields = ["county"]

    def check_schools(self, attrs, schools):
        rules.check_participants(
            self._value(attrs, "alliance"), self._value(attrs, "held_on"), schools
        )


class OnlineSessionSerializer(_WithSchools):
    schools_field = "receivers"

    class Meta:
        model = OnlineSession
        fields = ["id", *OnlineSession.ledger_fields]
        read_only_fields = ["county"]

    def check_schools(self, attrs, schools):
        rules.check_receivers(self._value(attrs, "school"), schools)


class EntranceQuotaSerializer(ScopedModelSerializer):
    class Meta:
        model = EntranceQuota
        fields = ["id", *EntranceQuota.ledger_fields]
        read_only_fields = ["county"]
        validators = []  # one quota per year and pair of schools: the model's message


class TrusteeshipPairSerializer(ScopedModelSerializer):
    class Meta:
        model = TrusteeshipPair
        fields = ["id", *TrusteeshipPair.ledger_fields]
        read_only_fields = ["county"]


class TrusteeshipIndicatorSerializer(ScopedModelSerializer):
    class Meta:
        model = TrusteeshipIndicator
        fields = ["id", *TrusteeshipIndicator.ledger_fields]
        read_only_fields = ["county"]
        validators = []  # one indicator per pair and year: the model's message


class SummaryParams(serializers.Serializer):
    county = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


def _county(user, data):
    if "county" not in data:
        return None
    county = (
        Region.objects.visible_to(user).filter(pk=data["county"], level=RegionLevel.COUNTY).first()
    )
    return county or Region(pk=0)  # a county the caller may not see: zeros, never wider


def summary_json(figures: dict) -> dict:
    online = figures["online_sessions"]
    return {
        "school_year": figures["school_year"],
        "city_level": figures["city_level"],
        "county_level": figures["county_level"],
        "member_schools": figures["member_schools"],
        "activities": {
            "total": figures["activities"]["total"],
            "by_action_line": figures["activities"]["by_action_line"],
        },
        "online_sessions": {
            "total": online["total"],
            "by_type": online["by_type"],
            "week": online["week"].isoformat() if online["week"] else None,
            "regular_sessions": online["regular_sessions"],
            "schools_below_regular_use": online["schools_below_regular_use"],
        },
        "counties": [
            {
                key: county[key]
                for key in (
                    "id",
                    "name",
                    "city_level",
                    "county_level",
                    "member_schools",
                    "activities",
                    "sessions",
                )
            }
            for county in figures["counties"]
        ],
    }


class AlliancesSummaryView(APIView):
    """The dashboard's figures for the caller's scope (`?county=`, `?year=`: the school year of
    the activities and sessions; the alliances and member schools are those of now); a county
    the caller may not see gives zeros. Schools below regular use are those of the newest week
    with sessions."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[SummaryParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = SummaryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        figures = selectors.summary(
            request.user, county=_county(request.user, data), school_year=data.get("year")
        )
        return Response(summary_json(figures))
