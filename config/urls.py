from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("grants.urls")),
    path("reports/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
