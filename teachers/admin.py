"""Teacher staffing in the admin: writes audited like every other door; ID numbers shown masked."""

from django.contrib import admin

from core.admin import AuditedAdmin
from teachers import models


@admin.register(models.StaffingStandard)
class StaffingStandardAdmin(AuditedAdmin):
    list_display = ["effective_from", "primary", "junior", "senior", "small_school_pupils"]


@admin.register(models.TrainingProgramme)
class TrainingProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "year", "starts_on", "hours_required", "max_hours"]
    list_filter = ["year", "kind"]
    search_fields = ["name"]


@admin.register(models.Teacher)
class TeacherAdmin(AuditedAdmin):
    list_display = ["name", "masked_id", "gender", "age", "school", "subject", "status"]
    list_filter = ["county", "status", "employment", "channel"]
    search_fields = ["name"]
    raw_id_fields = ["school", "plan"]
    show_full_result_count = False


@admin.register(models.RecruitmentPlan)
class RecruitmentPlanAdmin(AuditedAdmin):
    list_display = ["year", "county", "channel", "stage", "subject", "posts", "approval_number"]
    list_filter = ["year", "county", "channel"]


@admin.register(models.TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ["teacher", "programme", "hours", "completed", "county"]
    list_filter = ["county", "completed"]
    raw_id_fields = ["teacher", "programme"]
