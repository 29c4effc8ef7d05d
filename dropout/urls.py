"""Pages of dropout control beyond the ledger pages (those, and the case pages' actions, come
from dropout/ledgers.py through core.urls).

Included at "dropout/" (the area's prefix, core.areas) before core.urls; none of these paths
collides with a ledger's (dropout/<slug>/, …/export/, …/new/, …/<pk>/, …/<pk>/edit/, …).
"""

from django.urls import path

from dropout import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dropout-dashboard"),
    path("rounds/start/", views.RoundStartView.as_view(), name="dropout-round-start"),
    path("cases/open/", views.CaseOpenView.as_view(), name="dropout-case-open"),
    path("coverage/", views.CoverageView.as_view(), name="dropout-coverage"),
    path("rates/", views.RatesView.as_view(), name="dropout-rates"),
]
