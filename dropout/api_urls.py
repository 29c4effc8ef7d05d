"""/api/v1/dropout/: the summary (the ledgers' viewsets come from the registry's router)."""

from django.urls import path

from dropout import api

urlpatterns = [
    path("summary/", api.SummaryView.as_view(), name="dropout-api-summary"),
]
