"""Pages of alliances and teaching under /alliances/ (the ledgers' own pages come from
core.ledger: /alliances/<slug>/; the check lists' pages from alliances/checks.py)."""

from django.urls import path

from alliances import views

urlpatterns = [
    path("", views.AlliancesDashboardView.as_view(), name="alliances-dashboard"),
]
