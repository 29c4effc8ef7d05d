"""/api/v1/teachers/: the summary, the staffing standard and the training programmes (the
ledgers' viewsets are registered by core.api_urls from the ledger registry, under the same
prefix)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from teachers import api

router = SimpleRouter()
router.register("standards", api.StaffingStandardViewSet, basename="api-teachers-standard")
router.register("programmes", api.TrainingProgrammeViewSet, basename="api-teachers-programme")

urlpatterns = [
    path("summary/", api.TeachersSummaryView.as_view(), name="teachers-api-summary"),
    *router.urls,
]
