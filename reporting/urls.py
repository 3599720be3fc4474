from django.urls import path

from .views import returns_upload, workbooks

app_name = "reporting"

RETURN = "returns/<slug:reference>/<int:year>/<int:quarter>/"

urlpatterns = [
    path(RETURN + "template.xlsx", returns_upload.template_download, name="return-template"),
    path(RETURN + "upload/", returns_upload.upload, name="return-upload"),
    path(RETURN + "upload/confirm/", returns_upload.upload_confirm, name="return-upload-confirm"),
    path("commissioner-workbook/", workbooks.commissioner_workbook_download, name="commissioner-workbook"),
]
