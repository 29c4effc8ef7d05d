"""/api/v1/reports/: the submissions of periodic reports and their actions."""

from rest_framework.routers import SimpleRouter

from core.reporting.api import SubmissionViewSet

router = SimpleRouter()
router.register("submissions", SubmissionViewSet, basename="api-report-submission")
urlpatterns = router.urls
