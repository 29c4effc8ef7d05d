from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import areas
from core.health import HealthView, LiveView
from core.views import AdminLoginView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own: whoever may not open the admin gets the site's log-in or a page
    # saying whom it is for (core.views.AdminLoginView), not Django's stock admin log-in.
    path("admin/login/", AdminLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("health/", HealthView.as_view(), name="health"),
    path("health/live/", LiveView.as_view(), name="health-live"),
    path("api/v1/", include("core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Signed-in users only (the schema: SERVE_PERMISSIONS). The split view loads its start-up
    # script from ?script: the CSP allows no inline script, which left the page blank.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Each programme area's own pages under its prefix (core.areas), before the ledgers' pages.
    *areas.page_urlpatterns(),
    path("", include("core.urls")),
]
