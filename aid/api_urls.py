"""/api/v1/aid/: the summary, programmes and standards (the ledgers' viewsets are registered by
core.api_urls from the ledger registry, under the same prefix)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from aid import api

router = SimpleRouter()
router.register("programmes", api.AidProgrammeViewSet, basename="api-aid-programme")
router.register("standards", api.AidStandardViewSet, basename="api-aid-standard")

urlpatterns = [
    path("summary/", api.AidSummaryView.as_view(), name="aid-api-summary"),
    *router.urls,
]
