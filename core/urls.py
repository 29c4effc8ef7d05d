from django.urls import include, path

from core import calendar_views, conflict_views, job_views, token_views, views
from core.checklists import all_checks
from core.ledger import all_ledgers

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "students/<int:pk>/reveal-id/",
        views.StudentRevealIdView.as_view(),
        name="student-reveal-id",
    ),
    path("jobs/", job_views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", job_views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/progress/", job_views.JobProgressView.as_view(), name="job-progress"),
    path("jobs/<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job-download"),
    path("attachments/", include("core.attachments.urls")),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("conflicts/", conflict_views.ConflictListView.as_view(), name="conflict-list"),
    path(
        "conflicts/<int:pk>/resolve/",
        conflict_views.ConflictResolveView.as_view(),
        name="conflict-resolve",
    ),
    path("reports/", include("core.reporting.urls")),
    path("calendar/", calendar_views.SchoolCalendarView.as_view(), name="school-calendar"),
    path(
        "calendar/start-year/",
        calendar_views.SchoolYearStartView.as_view(),
        name="school-year-start",
    ),
    path(
        "calendar/age-rules/new/",
        calendar_views.SchoolAgeRuleCreateView.as_view(),
        name="school-age-rule-create",
    ),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user-update"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user-password"),
    path("users/<int:pk>/tokens/", token_views.UserTokensView.as_view(), name="user-tokens"),
    path(
        "users/<int:pk>/tokens/revoke/",
        token_views.UserTokenRevokeView.as_view(),
        name="user-token-revoke",
    ),
    path("account/tokens/", token_views.OwnTokensView.as_view(), name="account-tokens"),
    path(
        "account/tokens/revoke/",
        token_views.OwnTokenRevokeView.as_view(),
        name="account-token-revoke",
    ),
    path(
        "account/password/",
        token_views.OwnPasswordChangeView.as_view(),
        name="account-password",
    ),
]
for ledger in all_ledgers():
    urlpatterns += ledger.urlpatterns()
for check in all_checks():
    urlpatterns += check.urlpatterns()
