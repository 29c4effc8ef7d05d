"""/api/v1/facilities/: the summary, the funding table and the quotas (the ledgers' viewsets are
registered by core.api_urls from the ledger registry, under the same prefix)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from facilities import api

router = SimpleRouter()
router.register("rates", api.FundingRateViewSet, basename="api-facilities-rate")

urlpatterns = [
    path("summary/", api.FacilitiesSummaryView.as_view(), name="facilities-api-summary"),
    path("funding/", api.FundingTableView.as_view(), name="facilities-api-funding"),
    *router.urls,
]
