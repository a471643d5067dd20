from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core.views import favicon, healthz, home

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/postal/", include("agencies.api_urls")),
    path("api/v1/postal/", include("postal.api.urls")),
    path("", include("agencies.urls")),
    path("agency/", include("agencies.agency_urls")),
    path("pay/", include("payments.urls")),
    path("officer/performance/", include("performance.urls")),
    path("officer/", include("officer.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
