from django.contrib import admin
from django.urls import include, path

from reporting.views.payment_file import payment_file_page

urlpatterns = [
    path("", include("grants.urls")),
    # Beside the finance page it is linked from; a reporting download (grants never imports reporting).
    path("finance/payment-file/", payment_file_page, name="payment-file"),
    path("reports/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]

# A server error's page stands alone (grants.views.base.server_error): no database, no signed-in user.
handler500 = "grants.views.base.server_error"
