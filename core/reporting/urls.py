from django.urls import path

from core.reporting import views

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="report-index"),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="report-submission"),
    path(
        "submissions/<int:pk>/<str:action>/",
        views.SubmissionActionView.as_view(),
        name="report-submission-action",
    ),
    path("<str:report>/", views.ReportTypeView.as_view(), name="report-type"),
    path("<str:report>/matrix/", views.MatrixView.as_view(), name="report-matrix"),
    path("<str:report>/extend/", views.ExtendDeadlineView.as_view(), name="report-extend"),
    path("<str:report>/prepare/<str:period>/", views.PrepareView.as_view(), name="report-prepare"),
]
