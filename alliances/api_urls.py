"""/api/v1/alliances/: the summary (the ledgers' viewsets are registered by core.api_urls from
the ledger registry, under the same prefix)."""

from django.urls import path

from alliances import api

urlpatterns = [
    path("summary/", api.AlliancesSummaryView.as_view(), name="alliances-api-summary"),
]
