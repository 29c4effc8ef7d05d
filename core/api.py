"""REST API: a viewset base for every ledger, scoped and filtered by the page's FilterSet.

Serializers restrict every related field to rows visible to the caller, and writes re-check the
saved row's county inside the transaction. ID numbers are write-only; responses carry them masked.
"""

from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.settings import api_settings

from core import audit, calendar, idnumbers
from core.attachments.services import attachments_follow_row
from core.conflicts import ConflictSource, refuse
from core.models import (
    PersonMixin,
    Region,
    RosterChild,
    RosterVersion,
    School,
    SchoolEnrolment,
    Student,
    tidy_name,
)
from core.scoping import can_edit, ensure_in_scope


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"


class ScopedFilterBackend(DjangoFilterBackend):
    """The ledger's own FilterSet; an invalid filter (e.g. another county) returns no rows."""

    def get_filterset_class(self, view, queryset=None):
        ledger = getattr(view, "ledger", None)
        return ledger.filterset if ledger else super().get_filterset_class(view, queryset)

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        return filterset.qs


class LedgerPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        model = view.ledger.model if getattr(view, "ledger", None) else None
        return request.method in permissions.SAFE_METHODS or can_edit(request.user, model)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related-field choices are limited to rows the caller may see."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
        if any(f.name == "version" for f in self.Meta.model._meta.concrete_fields):
            fields["version"] = serializers.IntegerField(read_only=True)
        if "birth_date" in fields:
            # Beside the masked ID number a birth date would give the number away: it may be
            # sent (it must agree with the ID number) but is answered as the age.
            birth_date = fields["birth_date"]
            birth_date.write_only = True
            birth_date.required = False
            fields["age"] = AgeSerializerField(source="birth_date", read_only=True)
        return fields

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        model_fields = {f.name for f in self.Meta.model._meta.concrete_fields}
        if issubclass(self.Meta.model, PersonMixin) and "name" in attrs:
            attrs["name"] = tidy_name(attrs["name"])
        number = attrs.get("id_number")
        if "birth_date" in model_fields and number and "birth_date" not in attrs:
            attrs["birth_date"] = idnumbers.birth_date(number)
        return attrs

    def validate(self, attrs):
        """Run the model's clean() on the row as it would be saved: one rule set for every door."""
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        request = self.context.get("request")
        message = refuse(instance, user=getattr(request, "user", None), source=ConflictSource.API)
        if message:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
        try:
            instance.clean()
            # Uniqueness before the database refuses it (an IntegrityError would be a 500 and
            # would carry the values into the log).
            instance.validate_constraints()
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from error
        return attrs


class IdNumberSerializerField(serializers.CharField):
    """Write: normalised and validated. Read: masked, always."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return idnumbers.validate(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def to_representation(self, value):
        return idnumbers.mask(value)


def _saved_meanwhile() -> Conflict:
    """A save that raced another one to the same unique key (validation had passed): 409, and
    nothing of the values in the log."""
    return Conflict(_("Someone saved the same row a moment ago. Reload it and check."))


class AgeSerializerField(serializers.ReadOnlyField):
    """A person's age 周岁 today, read from the birth date (see core.calendar.age)."""

    def to_representation(self, value):
        return calendar.age(value)


class LedgerViewSet(viewsets.ModelViewSet):
    ledger = None
    permission_classes = [LedgerPermission]
    filter_backends = [ScopedFilterBackend]

    def get_queryset(self):
        queryset = self.ledger.model.objects.visible_to(self.request.user)
        if self.ledger.select_related:
            queryset = queryset.select_related(*self.ledger.select_related)
        return queryset.order_by("pk")

    def perform_create(self, serializer):
        try:
            with transaction.atomic():
                obj = serializer.save()
                ensure_in_scope(self.request.user, obj)
                audit.record_create(self.request.user, obj)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except IntegrityError:
            raise _saved_meanwhile() from None

    def perform_update(self, serializer):
        before = audit.snapshot(self.ledger.model.objects.get(pk=serializer.instance.pk))
        try:
            with transaction.atomic():
                self.check_version(serializer.instance)
                obj = serializer.save()
                ensure_in_scope(self.request.user, obj)
                audit.record_update(self.request.user, obj, before)
                attachments_follow_row(obj)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except IntegrityError:
            raise _saved_meanwhile() from None

    def check_version(self, instance):
        """A change must send the `version` it read (as the forms do): 409 if the row changed
        meanwhile, 400 if it is missing — a blind overwrite would lose a concurrent edit."""
        if not hasattr(instance, "version"):
            return
        sent = self.request.data.get("version")
        if sent in (None, ""):
            raise serializers.ValidationError(
                {"version": [_("Send the version of the row you read (the field version).")]}
            )
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
        if str(current.version) != str(sent):
            raise Conflict(
                _("This row was changed by someone else (now version %(version)s); reload it.")
                % {"version": current.version}
            )
        instance.version = current.version

    def perform_destroy(self, instance):
        before, pk = audit.snapshot(instance), instance.pk
        with transaction.atomic():
            instance.delete()
            instance.pk = pk
            audit.record_delete(self.request.user, instance, before, pk)


# --- Serializers of the shared schema ----------------------------------------------------------


class RegionSerializer(ScopedModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "county"]
        read_only_fields = ["county"]


class SchoolSerializer(ScopedModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "county",
            "township",
            "kind",
            "ownership",
            "locality",
            "boarding",
            "is_central_kindergarten",
        ]


class SchoolEnrolmentSerializer(ScopedModelSerializer):
    class Meta:
        model = SchoolEnrolment
        fields = ["id", "school", "county", "school_year", "enrolment", "boarders"]
        read_only_fields = ["county"]


class StudentSerializer(ScopedModelSerializer):
    id_number = IdNumberSerializerField(max_length=30)

    class Meta:
        model = Student
        fields = [
            "id",
            "id_number",
            "name",
            "gender",
            "birth_date",
            "school",
            "county",
            "grade",
            "status",
            "household_region",
        ]
        read_only_fields = ["county"]


class RosterVersionSerializer(ScopedModelSerializer):
    children_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = RosterVersion
        fields = [
            "id",
            "county",
            "label",
            "as_of",
            "note",
            "children_count",
            "imported_by",
            "source_name",
            "created_at",
        ]
        read_only_fields = ["imported_by", "source_name", "created_at"]


class RosterChildSerializer(ScopedModelSerializer):
    id_number = IdNumberSerializerField(max_length=30)

    class Meta:
        model = RosterChild
        fields = [
            "id",
            "roster_version",
            "county",
            "name",
            "id_number",
            "gender",
            "birth_date",
            "household_head",
            "household_category",
            "monitoring_type",
            "risk_eliminated",
            "township",
            "village",
            "guardian",
            "phone",
        ]
        read_only_fields = ["county"]
