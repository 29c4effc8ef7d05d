"""Pages of teacher staffing under /teachers/ (the ledgers' own pages come from core.ledger:
/teachers/<slug>/; the check lists' pages from teachers/checks.py)."""

from django.urls import path

from teachers import views
from teachers.views import ProgrammeRef, ReferenceFormView, ReferenceListView, StandardRef

urlpatterns = [
    path("", views.TeachersDashboardView.as_view(), name="teachers-dashboard"),
    path("standards/", ReferenceListView.as_view(ref=StandardRef), name="teachers-standards"),
    path(
        "standards/new/",
        ReferenceFormView.as_view(ref=StandardRef),
        name="teachers-standard-create",
    ),
    path(
        "standards/<int:pk>/edit/",
        ReferenceFormView.as_view(ref=StandardRef),
        name="teachers-standard-update",
    ),
    path("programmes/", ReferenceListView.as_view(ref=ProgrammeRef), name="teachers-programmes"),
    path(
        "programmes/new/",
        ReferenceFormView.as_view(ref=ProgrammeRef),
        name="teachers-programme-create",
    ),
    path(
        "programmes/<int:pk>/edit/",
        ReferenceFormView.as_view(ref=ProgrammeRef),
        name="teachers-programme-update",
    ),
]
