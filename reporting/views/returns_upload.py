"""A return as a workbook: download the template, upload it filled in, see every change, confirm."""

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from grants import permissions
from grants.models import QuarterlyReturn
from grants.services import Invalid, NotAllowed, Stale
from grants.services import returns as return_services
from grants.views.base import require, stale_or_forbidden
from grants.views.returns import project_and_quarter, return_url
from reporting.spreadsheets import importer
from reporting.spreadsheets.template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label="Upload the filled-in template", help_text="An Excel workbook (.xlsx).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the largest file you can upload is "
                f"{limit / 1024 / 1024:.0f} MB."
            )
        return upload


def template_filename(project, quarter) -> str:
    return f"{project.reference}-{quarter.year.label}-Q{quarter.number}-return.xlsx"


@login_required
def template_download(request, reference, year, quarter):
    """The template for this return, for anyone who can see the return."""
    project, period = project_and_quarter(request.user, reference, year, quarter)
    buffer = io.BytesIO()
    write_template(project, period, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{template_filename(project, period)}"'
    return response


def _editable(request, reference, year, quarter):
    project, period = project_and_quarter(request.user, reference, year, quarter)
    ret = QuarterlyReturn.objects.filter(project=project, financial_year=period.financial_year,
                                         quarter=period.number).first()
    require(permissions.can_edit_return(request.user, project, ret))
    return project, period


@login_required
def upload(request, reference, year, quarter):
    """Upload a filled-in template; show what it would change, or every problem with it."""
    project, period = _editable(request, reference, year, quarter)
    context = {"project": project, "quarter": period, "return_url": return_url(project, period)}
    if request.method != "POST":
        return render(request, "reporting/return_upload.html", {**context, "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "reporting/return_upload.html", {**context, "form": form}, status=400)
    content = form.cleaned_data["file"].read(settings.UPLOAD_MAX_BYTES + 1)
    try:
        reading = importer.read_template(content, request.user, expected=(project, period))
    except importer.TemplateRefused as refused:
        return render(request, "reporting/return_upload.html",
                      {**context, "form": form, "problems": refused.problems}, status=400)
    payload = importer.to_payload(reading, request.user)
    # The preview is confirmed by posting the payload back: it must fit in a request. Free text is capped,
    # so a return never comes near this; a return with a great many lines might, and is told so here
    # rather than with a bare "Bad request" on confirming.
    if len(payload) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024:
        return render(request, "reporting/return_upload.html", {**context, "form": form, "problems": [
            importer.Problem("The figures and text in this file are too much to confirm in one go. Enter the "
                             "return on its page instead, or shorten the longest answers and upload it again.")]},
            status=400)
    return render(request, "reporting/return_upload_preview.html", {**context, "reading": reading, "payload": payload})


@login_required
@require_POST
def upload_confirm(request, reference, year, quarter):
    """Save the previewed input as the draft, exactly as if it had been typed in."""
    project, period = project_and_quarter(request.user, reference, year, quarter)
    context = {"project": project, "quarter": period, "return_url": return_url(project, period), "form": UploadForm()}

    def refused(message):
        return render(request, "reporting/return_upload.html",
                      {**context, "problems": [importer.Problem(message)]}, status=400)

    ret = QuarterlyReturn.objects.filter(project=project, financial_year=period.financial_year,
                                         quarter=period.number).first()
    try:
        confirmed = importer.from_payload(request.POST.get("payload", ""), request.user, project, period)
    except ValueError as error:
        confirmed, problem = None, str(error)
    # The right person confirming a preview of a return that has since moved on is told so; anyone else, 403.
    if stale_or_forbidden(request, permissions.can_edit_return, project, ret,
                          obj=ret if confirmed else None, version=confirmed.version if confirmed else None):
        return refused(return_services.STALE_MESSAGE)
    if confirmed is None:
        return refused(problem)
    try:
        return_services.return_save_draft(actor=request.user, project=project, quarter=period,
                                          version=confirmed.version, data=confirmed.data)
    except (Stale, NotAllowed, Invalid) as error:
        problems = ([importer.Problem(m) for m in error.errors.values()] if isinstance(error, Invalid)
                    else [importer.Problem(error.message)])
        return render(request, "reporting/return_upload.html", {**context, "problems": problems}, status=400)
    messages.success(request, "Draft saved from your spreadsheet. Check it, then submit it when it is ready.")
    return redirect(return_url(project, period))
