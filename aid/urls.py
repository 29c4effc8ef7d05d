"""Pages of student aid under /aid/ (the ledgers' own pages come from core.ledger: /aid/<slug>/;
the three checks' pages from aid/checks.py: /aid/checks/…/)."""

from django.urls import path

from aid import views

urlpatterns = [
    path("", views.AidDashboardView.as_view(), name="aid-dashboard"),
    path("checks/note/", views.CheckNoteView.as_view(), name="aid-check-note"),
    path("programmes/", views.ProgrammeListView.as_view(), name="aid-programme-list"),
    path("programmes/new/", views.ProgrammeCreateView.as_view(), name="aid-programme-create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="aid-programme-detail"),
    path(
        "programmes/<int:pk>/edit/",
        views.ProgrammeUpdateView.as_view(),
        name="aid-programme-update",
    ),
    path("standards/new/", views.StandardCreateView.as_view(), name="aid-standard-create"),
    path(
        "standards/<int:pk>/edit/",
        views.StandardUpdateView.as_view(),
        name="aid-standard-update",
    ),
    path(
        "standards/<int:pk>/delete/",
        views.StandardDeleteView.as_view(),
        name="aid-standard-delete",
    ),
    path(
        "out-of-area/from-dropout/",
        views.OutOfAreaSeedView.as_view(),
        name="aid-out-of-area-seed",
    ),
    path(
        "out-of-area/<int:pk>/contacts/",
        views.ContactAddView.as_view(),
        name="aid-contact-add",
    ),
]
