"""Pages of dropout control beyond the generic ledger pages (those come from core.urls).

Included from config/urls.py at "dropout/" before core.urls; none of these paths collides with a
ledger's (dropout/<slug>/, …/export/, …/new/, …/<pk>/, …/<pk>/edit/, …/<pk>/delete/).
"""

from django.urls import path

from dropout import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dropout-dashboard"),
    path("rounds/start/", views.RoundStartView.as_view(), name="dropout-round-start"),
    path("cases/open/", views.CaseOpenView.as_view(), name="dropout-case-open"),
    path(
        "cases/<int:pk>/actions/",
        views.case_view(views.CaseActionAddView),
        name="dropout-case-action",
    ),
    path(
        "cases/<int:pk>/resolve/",
        views.case_view(views.CaseResolveView),
        name="dropout-case-resolve",
    ),
    path("cases/<int:pk>/close/", views.case_view(views.CaseCloseView), name="dropout-case-close"),
    path("coverage/", views.CoverageView.as_view(), name="dropout-coverage"),
    path("rates/", views.RatesView.as_view(), name="dropout-rates"),
]
