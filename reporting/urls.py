from django.urls import path, re_path

from .views import dashboards, opendata, reports, returns_upload, workbooks

app_name = "reporting"

RETURN = "returns/<slug:reference>/<int:year>/<int:quarter>/"

urlpatterns = [
    path(RETURN + "template.xlsx", returns_upload.template_download, name="return-template"),
    path(RETURN + "upload/", returns_upload.upload, name="return-upload"),
    path(RETURN + "upload/confirm/", returns_upload.upload_confirm, name="return-upload-confirm"),
    path("commissioner-workbook/", workbooks.commissioner_workbook_download, name="commissioner-workbook"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("performance/", reports.performance, name="performance"),
    path("open-data/", opendata.open_data, name="open-data"),
    re_path(r"^open-data/grants\.(?P<extension>json|xlsx)$", opendata.open_data_download, name="open-data-download"),
]
