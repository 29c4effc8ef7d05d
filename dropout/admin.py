"""Dropout control in the admin: ID numbers masked, writes audited (core.admin.AuditedAdmin)."""

from django.contrib import admin

from core.admin import AuditedAdmin, MaskedPersonAdmin
from dropout import models


@admin.register(models.OutOfCityEnrolment)
class OutOfCityEnrolmentAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "county", "school_year", "place", "verified_how"]
    list_filter = ["county", "school_year"]
    search_fields = ["name"]


@admin.register(models.Exemption)
class ExemptionAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "county", "kind", "valid_from", "valid_until"]
    list_filter = ["county", "kind"]
    search_fields = ["name"]


@admin.register(models.ScreeningRound)
class ScreeningRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "school_year", "screening_date", "status", "started_by", "finished_at"]
    list_filter = ["school_year", "status"]
    readonly_fields = [f.name for f in models.ScreeningRound._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # rounds are started through the service (the page, the API, the schedule)


@admin.register(models.ScreeningResult)
class ScreeningResultAdmin(MaskedPersonAdmin):
    list_display = ["name", "masked_id", "round", "county", "classification", "match_method"]
    list_filter = ["classification", "match_method", "county"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.DropoutCase)
class DropoutCaseAdmin(MaskedPersonAdmin):
    list_display = ["name", "masked_id", "county", "status", "opened_on", "due_on", "outcome"]
    list_filter = ["status", "county", "outcome"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a case changes through its services (actions, resolution, closing)


@admin.register(models.CaseAction)
class CaseActionAdmin(admin.ModelAdmin):
    list_display = ["case", "date", "kind", "actor"]
    list_filter = ["kind", "county"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ["township", "school", "line", "person", "title", "phone"]
    list_filter = ["county", "line"]
    search_fields = ["person"]
    raw_id_fields = ["township", "school"]


@admin.register(models.Grade6SpotCheck)
class Grade6SpotCheckAdmin(AuditedAdmin):
    list_display = ["school", "date", "inspector", "registry_count", "present_count"]
    list_filter = ["county"]
    raw_id_fields = ["school"]


@admin.register(models.CohortBaseline)
class CohortBaselineAdmin(AuditedAdmin):
    list_display = ["county", "entry_year", "locality", "grade1_enrolment"]
    list_filter = ["county", "entry_year"]
