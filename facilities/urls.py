"""Pages of school conditions under /facilities/ (the ledgers' own pages come from core.ledger:
/facilities/<slug>/; the check lists' pages from facilities/checks.py)."""

from django.urls import path

from facilities import views

urlpatterns = [
    path("", views.FacilitiesDashboardView.as_view(), name="facilities-dashboard"),
    path("network/", views.NetworkView.as_view(), name="facilities-network"),
    path("rates/", views.RateListView.as_view(), name="facilities-rates"),
    path("rates/new/", views.RateFormView.as_view(), name="facilities-rate-create"),
    path("rates/<int:pk>/edit/", views.RateUpdateView.as_view(), name="facilities-rate-update"),
    path("funding/note/", views.FundingNoteView.as_view(), name="facilities-funding-note"),
]
