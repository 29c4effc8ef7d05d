"""Student aid in the admin: writes audited like every other door; ID numbers shown masked."""

from django.contrib import admin

from aid import models
from core.admin import AuditedAdmin


@admin.register(models.AidProgramme)
class AidProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "code", "stage", "boarding", "counts_for_gap", "active", "sort_order"]
    list_filter = ["stage", "active"]
    search_fields = ["name", "code"]


@admin.register(models.AidStandard)
class AidStandardAdmin(AuditedAdmin):
    list_display = ["programme", "school_year", "term", "amount"]
    list_filter = ["school_year", "term", "programme"]


@admin.register(models.Disbursement)
class DisbursementAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "programme", "school_year", "term", "amount", "school"]
    list_filter = ["school_year", "term", "category", "county", "programme"]
    search_fields = ["name"]
    raw_id_fields = ["school", "student"]
    show_full_result_count = False


@admin.register(models.CheckNote)
class CheckNoteAdmin(AuditedAdmin):
    list_display = ["check_kind", "name", "masked_id", "school_year", "term", "county"]
    list_filter = ["check_kind", "county"]
    raw_id_fields = ["school"]


@admin.register(models.OutOfAreaStudent)
class OutOfAreaStudentAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "county", "province", "city", "stage", "verified_on"]
    list_filter = ["county", "stage", "source", "receives_aid", "meets_standard"]
    search_fields = ["name"]
    raw_id_fields = ["household_region"]


@admin.register(models.ContactLog)
class ContactLogAdmin(AuditedAdmin):
    list_display = ["contacted_on", "student", "method", "contacted_by", "reached"]
    list_filter = ["method", "reached", "county"]
    raw_id_fields = ["student"]


@admin.register(models.PublicityActivity)
class PublicityActivityAdmin(AuditedAdmin):
    list_display = ["held_on", "title", "channel", "county", "reach"]
    list_filter = ["channel", "county"]
