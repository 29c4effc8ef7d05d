"""Every model of the shared schema in the admin; ID numbers shown masked, writes audited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core import audit, calendar, idnumbers
from core.models import (
    Attachment,
    AuditEvent,
    IdNumberField,
    ImportRun,
    JobRun,
    Region,
    RosterChild,
    RosterVersion,
    School,
    SchoolEnrolment,
    Student,
    User,
)


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
        return calendar.age(getattr(obj, "birth_date", None))


class AuditedAdmin(MaskedPersonAdmin):
    """Admin writes go into the same audit trail as pages, API and imports."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if change:
            audit.record_update(request.user, obj, before)
        else:
            audit.record_create(request.user, obj)

    def delete_model(self, request, obj):
        before, pk = audit.snapshot(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        audit.record_delete(request.user, obj, before, pk)

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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "ledger", "object_repr", "county"]
    list_filter = ["action", "ledger", "county"]
    search_fields = ["actor__username", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ledger", "file_name", "actor", "county", "status"]
    list_filter = ["status", "ledger", "county"]
    search_fields = ["file_name", "actor__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "original_name", "kind", "content_type", "county"]
    list_filter = ["kind", "county"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "title", "actor", "status", "progress"]
    list_filter = ["status", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
