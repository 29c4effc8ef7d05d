"""/api/v1/reports/submissions/: the submissions the caller sees, filtered by report type,
county, period and state (the list page's FilterSet), with the same actions as the pages —
prepare (POST to the list), submit, approve, return with a reason, reopen — through the same
services, so the same roles, scope, states and versions are checked and refused in the same
words (core.errors: 400, 403, 409)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedFilterBackend
from core.models import Region, RegionLevel
from core.reporting import deadlines, selectors, services
from core.reporting.filters import SubmissionFilterSet
from core.reporting.models import Submission
from core.reporting.periods import late_by, period_from_key
from core.reporting.registry import get_type


class SubmissionSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    due_at = serializers.SerializerMethodField()
    timeliness = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "report_type",
            "county",
            "county_name",
            "period_key",
            "period_start",
            "period_end",
            "state",
            "state_label",
            "notes",
            "snapshot",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "due_at",
            "timeliness",
            "version",
            "events",
        ]
        read_only_fields = fields

    def _due(self, obj):
        report_type = get_type(obj.report_type)
        period = selectors.period_of_submission(report_type, obj)
        extension = deadlines.extensions(
            report_type, county_ids=[obj.county_id], starts=[obj.period_start]
        ).get((obj.county_id, obj.period_start))
        return deadlines.due_at(report_type, period, extension)

    def _now(self):
        """The reports' now, read once per response (the data's clock outside the school year)."""
        if "now" not in self.context:
            self.context["now"] = deadlines.now()
        return self.context["now"]

    def get_due_at(self, obj) -> str:
        return timezone.localtime(self._due(obj)).isoformat()

    def get_timeliness(self, obj) -> str:
        late = deadlines.lateness(obj.first_submitted_at, self._due(obj), self._now())
        if obj.first_submitted_at is None:
            return (
                _("overdue by %(delay)s") % {"delay": late_by(late)} if late else _("not due yet")
            )
        return _("late by %(delay)s") % {"delay": late_by(late)} if late else _("on time")

    def get_events(self, obj) -> list[dict]:
        return [
            {
                "action": event.action,
                "action_label": event.get_action_display(),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "actor": str(event.actor),
                "at": timezone.localtime(event.at).isoformat(),
                "comment": event.comment,
                "comments": [
                    {"section": c.section, "figure": c.figure, "text": c.text}
                    for c in event.comments.all()
                ],
            }
            for event in obj.events.select_related("actor").prefetch_related("comments")
        ]


class PrepareSerializer(serializers.Serializer):
    report_type = serializers.CharField()
    period = serializers.CharField(help_text="2023-W36")
    notes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    version = serializers.IntegerField(required=False, allow_null=True)


class CommentSerializer(serializers.Serializer):
    section = serializers.CharField()
    figure = serializers.CharField(allow_blank=True, required=False, default="")
    text = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    comments = CommentSerializer(many=True, required=False, default=list)


class SubmissionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SubmissionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [ScopedFilterBackend]
    filterset_class = SubmissionFilterSet

    def get_queryset(self):
        return (
            Submission.objects.visible_to(self.request.user)
            .select_related("county")
            .order_by("-period_start", "county__code")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return PrepareSerializer
        if self.action in ("submit", "approve", "return_", "reopen"):
            return ActionSerializer
        return SubmissionSerializer

    def create(self, request, *args, **kwargs):
        """Prepare (or correct) the caller's county's report of a period."""
        data = PrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report_type = get_type(data.validated_data["report_type"])
        if report_type is None:
            raise ValidationError({"report_type": [_("There is no such report.")]})
        period = period_from_key(report_type.cadence, data.validated_data["period"])
        if period is None:
            raise ValidationError({"period": [_("This is not a period of this report.")]})
        county = Region.objects.visible_to(request.user).filter(level=RegionLevel.COUNTY)
        county = county.filter(pk=getattr(request.user, "scope_id", None)).first()
        submission = services.submission_prepare(
            actor=request.user,
            report_type=report_type,
            county=county.pk if county is not None else None,
            period=period,
            notes=data.validated_data.get("notes") or {},
            version=data.validated_data.get("version"),
        )
        return Response(SubmissionSerializer(submission).data, status=201)

    def _act(self, request, service, extra):
        submission = self.get_object()
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = service(
            actor=request.user,
            submission=submission,
            version=data.validated_data["version"],
            **extra(data.validated_data),
        )
        return Response(SubmissionSerializer(submission).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, services.submission_submit, extra=lambda d: {})

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(
            request, services.submission_approve, extra=lambda d: {"comment": d["reason"]}
        )

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(request, services.submission_return, extra=_send_back)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(request, services.submission_reopen, extra=_send_back)


def _send_back(data) -> dict:
    return {
        "reason": data["reason"],
        "comments": {(c["section"], c.get("figure") or ""): c["text"] for c in data["comments"]},
    }
