"""/api/v1/: every registered ledger's viewset, plus token log-in."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from core.importing import api as import_api
from core.ledger import all_ledgers


class TokenView(ObtainAuthToken):
    """POST username and password, get a token (send it as `Authorization: Token <key>`)."""


router = DefaultRouter()
for ledger in all_ledgers():
    router.register(ledger.api_prefix, ledger.viewset(), basename=ledger.name)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("imports/ledgers/", import_api.ImportLedgerListView.as_view(), name="api-import-ledgers"),
    path("imports/", import_api.ImportCreateView.as_view(), name="api-import-create"),
    path("imports/<int:pk>/", import_api.ImportRunDetailView.as_view(), name="api-import-detail"),
    path(
        "imports/<int:pk>/confirm/",
        import_api.ImportConfirmView.as_view(),
        name="api-import-confirm",
    ),
    path("dropout/", include("dropout.api_urls")),
    path("aid/", include("aid.api_urls")),
    *router.urls,
]
