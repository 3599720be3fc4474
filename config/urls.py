from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("grants.urls")),
    path("reports/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]

# A server error's page stands alone (grants.views.base.server_error): no database, no signed-in user.
handler500 = "grants.views.base.server_error"
