"""/api/v1/: every registered ledger's viewset, plus token log-in."""

from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from core.ledger import all_ledgers


class TokenView(ObtainAuthToken):
    """POST username and password, get a token (send it as `Authorization: Token <key>`)."""


router = DefaultRouter()
for ledger in all_ledgers():
    router.register(ledger.api_prefix, ledger.viewset(), basename=ledger.name)

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token"), *router.urls]
