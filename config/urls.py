from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from config.health import healthz
from reports import trend_views
from reports.urls import campaign_results_urlpatterns


def ping(request):
    """Liveness without the database or the broker; the load benchmark's trivial view."""
    return HttpResponse("ok", content_type="text/plain")


# Refused and failed requests get pages in the site's layout (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("ping/", ping, name="ping"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    # A campaign's results page sits beside its board (/campaigns/<pk>/), in reports:
    # it reads the reports' selector, which inspections may not import.
    path("campaigns/<int:pk>/", include(campaign_results_urlpatterns)),
    # A unit's results across campaigns (reports/trend_views.py).
    path("offices/<int:pk>/trend/", trend_views.office_trend, name="office-trend"),
    path("offices/<int:pk>/trend.xlsx", trend_views.office_trend_xlsx, name="office-trend-xlsx"),
    path("branches/<int:pk>/trend/", trend_views.branch_trend, name="branch-trend"),
    path("branches/<int:pk>/trend.xlsx", trend_views.branch_trend_xlsx, name="branch-trend-xlsx"),
    path("", include("inspections.urls")),
]
