"""/api/v1/: every registered ledger's viewset, each area's own API views (core.areas), token
log-in and log-out, imports."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from core import areas, token_views
from core.importing import api as import_api
from core.ledger import all_ledgers

router = DefaultRouter()
for ledger in all_ledgers():
    router.register(ledger.api_prefix, ledger.viewset(), basename=ledger.name)

urlpatterns = [
    path("auth/token/", token_views.ApiLoginView.as_view(), name="api-token"),
    path("auth/logout/", token_views.ApiLogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", token_views.ApiLogoutAllView.as_view(), name="api-logout-all"),
    path("imports/ledgers/", import_api.ImportLedgerListView.as_view(), name="api-import-ledgers"),
    path("imports/", import_api.ImportCreateView.as_view(), name="api-import-create"),
    path("imports/<int:pk>/", import_api.ImportRunDetailView.as_view(), name="api-import-detail"),
    path(
        "imports/<int:pk>/confirm/",
        import_api.ImportConfirmView.as_view(),
        name="api-import-confirm",
    ),
    *areas.api_urlpatterns(),  # each area's own API views under its prefix
    *router.urls,
]
