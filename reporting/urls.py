from django.urls import path, re_path

from .views import dashboards, exports, lists, opendata, reports, returns_upload, workbooks
from .views import places
from .views import year_end
from .views import trends
from .views import sna_pack

app_name = "reporting"

RETURN = "returns/<slug:reference>/<int:year>/<int:quarter>/"

urlpatterns = [
    path(RETURN + "template.xlsx", returns_upload.template_download, name="return-template"),
    path(RETURN + "upload/", returns_upload.upload, name="return-upload"),
    path(RETURN + "upload/confirm/", returns_upload.upload_confirm, name="return-upload-confirm"),
    path("commissioner-workbook/", workbooks.commissioner_workbook_download, name="commissioner-workbook"),
    path("year-end.xlsx", year_end.year_end_workbook_download, name="year-end-workbook"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("performance/", reports.performance, name="performance"),
    # Downloads written in the background (reporting/exports.py), each its owner's only.
    path("exports/", exports.export_list, name="export-list"),
    path("exports/<int:pk>/", exports.export_detail, name="export-detail"),
    path("exports/<int:pk>/file/", exports.export_file, name="export-file"),
    # A place's trends as CSV, beside the page /places/<ONS code>/<theme>/ (grants.views.places).
    path("places/<slug:code>/<slug:theme>.csv", trends.place_trends_csv, name="place-trends-csv"),
    path("open-data/", opendata.open_data, name="open-data"),
    re_path(r"^open-data/grants\.(?P<extension>json|xlsx)$", opendata.open_data_download, name="open-data-download"),
    # Lists, each with ?format=xlsx or ?format=csv for a download of the filtered rows.
    path("", lists.index, name="index"),
    path("programmes/", lists.list_page, {"slug": "programmes"}, name="programme-list"),
    path("allocations/", lists.list_page, {"slug": "allocations"}, name="allocation-list"),
    path("projects/", lists.list_page, {"slug": "projects"}, name="project-list"),
    path("returns/", lists.list_page, {"slug": "returns"}, name="return-list"),
    path("payments/", lists.list_page, {"slug": "payments"}, name="payment-list"),
    # The figures of a place: indicator series, and importing a file of them (preview, then confirm).
    path("places/indicators/", places.indicator_list, name="indicator-list"),
    path("places/indicators/<int:pk>/edit/", places.indicator_edit, name="indicator-edit"),
    path("places/indicators/import/", places.indicator_import, name="indicator-import"),
    path("places/indicators/import/confirm/", places.indicator_import_confirm, name="indicator-import-confirm"),
    # A partnership's Strategic Needs Assessment data pack for a financial year (2023-24).
    path("places/sna-pack/<int:pk>/<str:year>.xlsx", sna_pack.sna_pack_download, name="sna-pack"),
]
