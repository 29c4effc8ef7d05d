from django.urls import path

from core import views
from core.ledger import all_ledgers

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "students/<int:pk>/reveal-id/",
        views.StudentRevealIdView.as_view(),
        name="student-reveal-id",
    ),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user-update"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user-password"),
]
for ledger in all_ledgers():
    urlpatterns += ledger.urlpatterns()
