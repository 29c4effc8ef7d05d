"""REST API: a viewset base for every ledger, scoped and filtered by the page's FilterSet.

Serializers restrict every related field to rows visible to the caller and save through the write
door (core.services), which validates, re-checks the row's scope inside the transaction, checks
the version and audits. ID numbers are write-only; responses carry them masked.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from core import audit, calendar, filters, idnumbers, services
from core.conflicts import ConflictSource, refuse
from core.models import (
    IdNumberField,
    PersonMixin,
    Region,
    School,
    SchoolEnrolment,
    Student,
    tidy_name,
)
from core.roster import RosterChild, RosterVersion
from core.scoping import can_edit, ensure_in_scope


class ScopedFilterBackend(DjangoFilterBackend):
    """The ledger's own FilterSet; an invalid filter (e.g. another county) returns no rows.

    An ID number in the query (`?id_number=`) is refused, not ignored: ignored it would answer
    with every row, and a URL ends up in the server's logs. The number goes in the body of
    POST <ledger>/id-search/ (id_search_action)."""

    def get_filterset_class(self, view, queryset=None):
        ledger = getattr(view, "ledger", None)
        return ledger.filterset if ledger else super().get_filterset_class(view, queryset)

    def filter_queryset(self, request, queryset, view):
        if ID_NUMBER_PARAM in request.query_params:
            raise serializers.ValidationError({ID_NUMBER_PARAM: [ID_NUMBER_NOT_IN_URL]})
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        return filterset.qs


class LedgerPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        model = view.ledger.model if getattr(view, "ledger", None) else None
        if getattr(view, "action", None) == "id_search":  # a read, sent by POST
            return True
        return request.method in permissions.SAFE_METHODS or can_edit(request.user, model)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related-field choices are limited to rows the caller may see; an ID number
    (core.models.IdNumberField) is written checked and read masked (IdNumberSerializerField)."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, IdNumberField):
            field_class = IdNumberSerializerField
            kwargs["max_length"] = 30  # spaces and full-width digits come before normalising
        return field_class, kwargs

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
            fields["age"] = AgeSerializerField(source="*", read_only=True)
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
        """A duplicate of a row the caller may not see is refused as on the forms (core.conflicts);
        the row's own rules (clean(), uniqueness, constraints) are the write door's."""
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        message = refuse(instance, user=self._actor(), source=ConflictSource.API)
        if message:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
        return attrs

    def _actor(self):
        return getattr(self.context.get("request"), "user", None)

    def create(self, validated_data):
        """Through the write door (core.services): validated, scope-checked, audited."""
        return services.row_create(actor=self._actor(), row=self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        """Through the write door, if the row is still at the `version` the caller sent."""
        for name, value in validated_data.items():
            setattr(instance, name, value)
        version = self.initial_data.get("version") if hasattr(self, "initial_data") else None
        return services.row_update(actor=self._actor(), row=instance, version=version)


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


@extend_schema_field(OpenApiTypes.INT)
class AgeSerializerField(serializers.ReadOnlyField):
    """A person's age 周岁 on the day the row's data is about (core.calendar.age_day), read from
    the birth date (the field is given the whole row)."""

    def to_representation(self, value):
        return calendar.age(getattr(value, "birth_date", None), on=calendar.age_day(value))


class ReadOnlyLedgerViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only ledger's viewset (Ledger(editable=False)): list and detail, and the search by
    ID number (POST, a read) where the rows have one."""

    ledger = None
    permission_classes = [LedgerPermission]
    filter_backends = [ScopedFilterBackend]

    def get_queryset(self):
        queryset = self.ledger.model.objects.visible_to(self.request.user)
        if self.ledger.select_related:
            queryset = queryset.select_related(*self.ledger.select_related)
        return queryset.order_by("pk")


class LedgerViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ReadOnlyLedgerViewSet,
):
    # Saving goes through the serializer's create/update, that is through the write door;
    # its refusals become 400/403/409 in core.errors.exception_handler.

    def get_object(self):
        """The row to change or delete: one the caller may write, not merely see (a row a county
        reads through its schools, the city's or another county's, answers 403)."""
        row = super().get_object()
        if self.action in ("update", "partial_update", "destroy") and hasattr(row, "scope_field"):
            ensure_in_scope(self.request.user, row)
        return row

    def perform_destroy(self, instance):
        services.row_delete(actor=self.request.user, row=instance)


# --- The search by ID number ------------------------------------------------------------------

ID_NUMBER_PARAM = "id_number"
ID_NUMBER_NOT_IN_URL = _(
    "Do not put an ID number in the URL (URLs are kept in server logs): send it as id_number in "
    "the body of POST …/id-search/."
)
ID_SEARCH_REQUEST = inline_serializer(
    "IdNumberSearch",
    {"id_number": serializers.CharField(help_text="the whole 18-character number")},
)


def id_search_action(ledger):
    """POST <ledger>/id-search/ with {"id_number": …}: the ledger's rows with exactly that
    number (normalised: spaces and a lowercase x are fine), under the list's other filters from
    the query, as a page of the list, ID numbers masked. A malformed or partial number is a 400
    with the page's message; every search is audited (the number masked). The answer's `ids` is
    the search's token: the `next` and `previous` links are the list's, with `ids=` in place of
    the number (valid for the caller, for a few hours)."""

    @extend_schema(
        request=ID_SEARCH_REQUEST,
        responses={
            200: ledger.serializer(many=True),
            400: OpenApiResponse(description="malformed"),
        },
    )
    @action(detail=False, methods=["post"], url_path="id-search", url_name="id-search")
    def id_search(self, request, *args, **kwargs):
        number = idnumbers.normalize(request.data.get(ID_NUMBER_PARAM, ""))[:24]
        if not idnumbers.is_valid(number):
            raise serializers.ValidationError({ID_NUMBER_PARAM: [filters.ID_SEARCH_MALFORMED]})
        token = filters.remember_id_search(request.user, number)
        query = request.query_params.copy()
        query[filters.ID_SEARCH_PARAM] = token
        filterset = self.ledger.filterset(query, queryset=self.get_queryset(), request=request)
        rows = filterset.qs
        audit.record_id_search(
            actor=request.user,
            model=self.ledger.model,
            number=number,
            via="api",
            found=rows.count(),
        )
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        list_url = request.build_absolute_uri(reverse(f"api-{self.ledger.name}-list"))
        for key in ("next", "previous"):
            link = response.data.get(key)
            if link:
                parts = urlsplit(link)
                link = urlunsplit(urlsplit(list_url)[:3] + parts[3:])
                response.data[key] = replace_query_param(link, filters.ID_SEARCH_PARAM, token)
        response.data[filters.ID_SEARCH_PARAM] = token
        return response

    return id_search


# --- Serializers of the shared schema ----------------------------------------------------------


def ledger_serializer(model, fields, *, read_only=("county",), **declared):
    """A plain ledger's serializer (<Model>Serializer, found by name): these fields in this
    order, `read_only` of them only shown, and the fields `declared` on it."""
    meta = type("Meta", (), {"model": model, "fields": list(fields), "read_only_fields": read_only})
    attrs = {"Meta": meta, "__module__": __name__, **declared}
    return type(f"{model.__name__}Serializer", (ScopedModelSerializer,), attrs)


def derived_serializer(model) -> type:
    """The serializer of a ledger whose api.py declares none (core.ledger): the id and the
    model's `ledger_fields`; the county read-only where the row has a school (it follows it)."""
    school = next((f for f in model._meta.concrete_fields if f.name == "school"), None)
    follows_school = school is not None and not school.null
    serializer = ledger_serializer(
        model, ["id", *model.ledger_fields], read_only=("county",) if follows_school else ()
    )
    serializer.__module__ = f"{model._meta.app_config.name}.api"
    return serializer


RegionSerializer = ledger_serializer(Region, ["id", "code", "name", "level", "parent", "county"])
SchoolSerializer = ledger_serializer(School, ["id", *School.ledger_fields], read_only=())
SchoolEnrolmentSerializer = ledger_serializer(
    SchoolEnrolment, ["id", "school", "county", "school_year", "enrolment", "boarders"]
)
StudentSerializer = ledger_serializer(
    Student, ["id", *Student.ledger_fields], id_number=IdNumberSerializerField(max_length=30)
)
ROSTER_VERSION_RECORDED = ("imported_by", "source_name", "created_at")  # what its import set
RosterVersionSerializer = ledger_serializer(
    RosterVersion,
    ["id", "county", "label", "as_of", "note", "children_count", *ROSTER_VERSION_RECORDED],
    read_only=ROSTER_VERSION_RECORDED,
    children_count=serializers.IntegerField(read_only=True),
)
RosterChildSerializer = ledger_serializer(
    RosterChild,
    ["id", *RosterChild.ledger_fields],
    id_number=IdNumberSerializerField(max_length=30),
)
