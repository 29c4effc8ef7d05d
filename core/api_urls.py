"""/api/v1/: every registered ledger's viewset, each area's own API views (core.areas), token
log-in and log-out, imports; the index at /api/v1/ lists them all.

API URL names begin with `api-` (a ledger's routes: `api-<model>-list`, `api-<model>-detail`, its
actions `api-<model>-<action>`): the pages use `<model>-list` and the like, and a name shared
with a page would make `reverse()` (and so the index) answer with the page's URL.
"""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.urls.resolvers import RegexPattern
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework.routers import APIRootView, DefaultRouter

from core import areas, job_api, token_views
from core.importing import api as import_api
from core.ledger import all_ledgers

router = DefaultRouter()
router.include_root_view = False  # the index below lists more than the router's viewsets
for ledger in all_ledgers():
    router.register(ledger.api_prefix, ledger.viewset(), basename=f"api-{ledger.name}")

urlpatterns = [
    path("auth/token/", token_views.ApiLoginView.as_view(), name="api-token"),
    path("auth/logout/", token_views.ApiLogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", token_views.ApiLogoutAllView.as_view(), name="api-logout-all"),
    path("imports/ledgers/", import_api.ImportLedgerListView.as_view(), name="api-import-ledgers"),
    path(
        "imports/templates/<str:ledger>/",
        import_api.ImportTemplateView.as_view(),
        name="api-import-template",
    ),
    path("imports/", import_api.ImportCreateView.as_view(), name="api-import-create"),
    path("imports/<int:pk>/", import_api.ImportRunDetailView.as_view(), name="api-import-detail"),
    path(
        "imports/<int:pk>/errors/",
        import_api.ImportErrorsView.as_view(),
        name="api-import-errors",
    ),
    path("jobs/<int:pk>/", job_api.JobDetailApiView.as_view(), name="api-job-detail"),
    path(
        "jobs/<int:pk>/download/",
        job_api.JobDownloadApiView.as_view(),
        name="api-job-download",
    ),
    path(
        "imports/<int:pk>/confirm/",
        import_api.ImportConfirmView.as_view(),
        name="api-import-confirm",
    ),
    path("reports/", include("core.reporting.api_urls")),  # periodic reports (core.reporting)
    *areas.api_urlpatterns(),  # each area's own API views under its prefix
    *router.urls,
]


def _endpoints(patterns, prefix: str = ""):
    """(route, URL name) of every named endpoint that takes no argument: what the index links."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _endpoints(pattern.url_patterns, prefix + _route(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name and _takes_nothing(pattern.pattern):
            yield (prefix + _route(pattern.pattern)).rstrip("/"), pattern.name


def _route(pattern) -> str:
    # A router's routes are regular expressions (^students/$); the others are paths.
    return str(pattern).removeprefix("^").removesuffix("$")


def _takes_nothing(pattern) -> bool:
    if isinstance(pattern, RegexPattern):
        return pattern.regex.groups == 0
    return not pattern.converters


class IndexView(APIRootView):
    """The index at /api/v1/: its title and description in the user's language, not DRF's
    stock "Api Root / The default basic root view for DefaultRouter"."""

    def get_view_name(self):
        return _("API index")

    def get_view_description(self, html=False):
        text = _(
            "Every endpoint of the API, by name. Sign in with POST /api/v1/auth/token/ and send "
            "the token as Authorization: Token <token>. Lists come in pages of %(size)s rows "
            "(page_size= up to %(most)s). The schema is at /api/schema/, the docs at /api/docs/."
        ) % {
            "size": settings.REST_FRAMEWORK["PAGE_SIZE"],
            "most": settings.API_MAX_PAGE_SIZE,
        }
        return f"<p>{escape(text)}</p>" if html else text


INDEX = dict(_endpoints(urlpatterns))
urlpatterns.insert(0, path("", IndexView.as_view(api_root_dict=INDEX), name="api-root"))
