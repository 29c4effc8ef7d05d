"""Every model of the shared schema in the admin; ID numbers shown masked, writes audited."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core import audit, calendar, idnumbers, services
from core.attachments.models import Attachment
from core.errors import RowConflict, add_to_messages
from core.importing.models import ImportRun
from core.jobs import JobRun
from core.models import AuditEvent, IdNumberField, Region, School, SchoolEnrolment, Student, User
from core.roster import RosterChild, RosterVersion


class MaskedPersonAdmin(admin.ModelAdmin):
    """ID numbers are never shown in clear in the admin (a reveal goes through the logged reveal
    on the row's page): a stored number is shown masked and cannot be edited here, and a birth
    date is shown as the age and read from the ID number."""

    def _person_fields(self) -> tuple[list[str], list[str]]:
        fields = self.model._meta.concrete_fields
        ids = [f.name for f in fields if isinstance(f, IdNumberField)]
        births = [f.name for f in fields if f.name in audit.BIRTH_DATE_FIELDS]
        return ids, births

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        ids, births = self._person_fields()
        return [*excluded, *births, *(ids if obj is not None else [])]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        ids, births = self._person_fields()
        if obj is not None and ids:
            fields.append("masked_id_number")
        if births:
            fields.append("age")
        return fields

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        ids, _births = self._person_fields()
        return " / ".join(idnumbers.mask(getattr(obj, name)) for name in ids)

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        """For list_display: the row's ID number, masked."""
        return idnumbers.mask(obj.id_number)

    @admin.display(description=_("age"), ordering="-birth_date")
    def age(self, obj):
        return calendar.age(getattr(obj, "birth_date", None), on=calendar.age_day(obj))


class VersionedAdminForm(forms.ModelForm):
    """The version of the row the admin user read, sent back with the change (as the pages'
    forms do): a change based on an older version is refused by the write door."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["row_version"].initial = getattr(self.instance, "version", None)


class AuditedAdmin(MaskedPersonAdmin):
    """Admin writes go through the write door (core.services), as pages, API and imports do:
    the same validation, scope check, version check and audit trail; the admin lists only the
    rows the user sees."""

    form = VersionedAdminForm

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def changeform_view(self, request, *args, **kwargs):
        # A refusal of the door: its message over the row as stored now (a stale version, a
        # racing save). PermissionDenied is Django's 403 page, with its message.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (ValidationError, RowConflict) as error:
            add_to_messages(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except RowConflict as error:
            add_to_messages(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            version = form.cleaned_data.get("row_version")
            services.row_update(actor=request.user, row=obj, version=version)
        else:
            services.row_create(actor=request.user, row=obj)

    def delete_model(self, request, obj):
        services.row_delete(actor=request.user, row=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["code", "name", "county", "township", "kind", "locality", "boarding"]
    list_filter = ["county", "kind", "locality", "ownership", "boarding"]
    search_fields = ["code", "name"]
    raw_id_fields = ["township"]


@admin.register(SchoolEnrolment)
class SchoolEnrolmentAdmin(AuditedAdmin):
    list_display = ["school", "school_year", "enrolment", "boarders"]
    list_filter = ["school_year", "county"]
    raw_id_fields = ["school"]


@admin.register(Student)
class StudentAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "gender", "age", "school", "grade", "status"]
    list_filter = ["county", "status", "grade"]
    search_fields = ["name"]
    raw_id_fields = ["school", "household_region"]
    show_full_result_count = False


@admin.register(RosterVersion)
class RosterVersionAdmin(AuditedAdmin):
    list_display = ["label", "county", "created_at", "imported_by"]
    list_filter = ["county"]


@admin.register(RosterChild)
class RosterChildAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "age", "county", "township", "household_category"]
    list_filter = ["county", "household_category", "risk_eliminated"]
    search_fields = ["name"]
    raw_id_fields = ["roster_version", "township"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "scope", "school", "is_active", "last_login"]
    list_filter = ["role", "is_active", "scope"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("full_name", "role", "scope", "school", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("full_name", "role", "scope", "school")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """The platform's own records (the audit trail, import runs, jobs, files): written by the
    code that does the work, looked at here, never added or changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "ledger", "object_repr", "county"]
    list_filter = ["action", "ledger", "county"]
    search_fields = ["actor__username", "object_repr"]
    has_delete_permission = ReadOnlyAdmin.has_change_permission  # the trail is never pruned here


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ledger", "file_name", "actor", "county", "status"]
    list_filter = ["status", "ledger", "county"]
    search_fields = ["file_name", "actor__username"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "original_name", "kind", "content_type", "county"]
    list_filter = ["kind", "county"]


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "title", "actor", "status", "progress"]
    list_filter = ["status", "kind"]
