"""The figures of a place: the series a user may see, and importing a file of figures (upload, preview of
every row and every problem, confirm)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grants import permissions
from grants.figures import trends
from grants.figures.places import period_label
from grants.forms.base import VersionedForm
from grants.forms.fields import text
from grants.selectors.places import indicator_values_for, indicators_for
from grants.services import Invalid, NotAllowed
from grants.services.places import indicator_save, indicator_values_import
from grants.views.base import call_service, form_page, form_status, require
from reporting.places.files import Problem
from reporting.places.layouts import LAYOUT_CHOICES, LAYOUTS, Options
from reporting.places.preview import SHOWN, FileRefused, from_payload, read_indicator_file, to_payload


class IndicatorImportForm(forms.Form):
    layout = forms.ChoiceField(label="What the file holds", choices=LAYOUT_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(label="The file", help_text="CSV (UTF-8) or an Excel workbook (.xlsx): its first sheet.")
    theme = forms.SlugField(label="Theme (optional)", max_length=40, required=False,
                            help_text="For the series the file adds, for example hate-crime. Left empty, each "
                                      "series takes its own name as its theme.")
    source = forms.CharField(label="Source (optional)", max_length=200, required=False,
                             help_text="Where the figures come from, for the series the file adds, for example "
                                       "“police.uk recorded crime”.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the largest file you can import is "
                f"{limit / 1024 / 1024:.0f} MB.")
        return upload

    def clean_source(self):
        source = self.cleaned_data["source"].strip()
        if any(ord(ch) < 32 for ch in source):
            raise forms.ValidationError("Write the source on one line.")
        return source


class IndicatorForm(VersionedForm):
    """What a series is: its name, theme, category, source, unit, definition and caveats."""

    name = text("Name", "the name of the series", max_length=200)
    theme = forms.SlugField(label="Theme", max_length=40, help_text="For example hate-crime.",
                            error_messages={"required": "Enter the theme, for example hate-crime.",
                                            "invalid": "Write the theme in lower-case letters, digits and hyphens, "
                                                       "for example hate-crime."})
    category = text("Category (optional)", "the category", required=False, max_length=200,
                    help_text="For recorded crime, the crime category as the source names it.")
    source = text("Source", "where the figures come from", max_length=200)
    unit = text("Unit", "the unit, for example crimes or %", max_length=40)
    definition = text("Definition", "what is counted or asked", required=False, rows=4)
    caveats = text("Caveats", "what a reader must bear in mind", required=False, rows=4,
                   help_text="Shown beside every chart and table of the series, for example a change in "
                             "recording practice.")

    service_fields = ("name", "theme", "category", "source", "unit", "definition", "caveats")


@login_required
def indicator_edit(request, pk):
    """Change what a series says about itself (its figures come from imports)."""
    indicator = get_object_or_404(indicators_for(request.user).select_related("owner"), pk=pk)
    require(permissions.can_manage_indicators(request.user, indicator.owner))
    initial = {name: getattr(indicator, name) for name in IndicatorForm.service_fields}
    form = IndicatorForm(request.POST or None, initial={**initial, "version": indicator.version})
    if request.method == "POST" and call_service(form, lambda data: indicator_save(
            actor=request.user, owner=indicator.owner, indicator=indicator, version=data["version"],
            values={name: data[name] for name in IndicatorForm.service_fields})):
        messages.success(request, f"{form.cleaned_data['name']} saved.")
        return redirect("reporting:indicator-list")
    return form_page(request, form, title="Change a series", heading="Change the series", caption=indicator.name,
                     submit="Save the series", back_url=reverse("reporting:indicator-list"),
                     intro=f"{indicator.get_kind_display()}, kept by {indicator.owner.name}. Its figures come "
                           "from imports; here you change what it says about them.",
                     status=form_status(form))


def _import_allowed(user):
    return permissions.can_manage_indicators(user, user.organisation)


@login_required
def indicator_list(request):
    """The series the user may see, each with its latest period and figure in the user's reach."""
    visible = indicator_values_for(request.user).filter(indicator=OuterRef("pk"), breakdown="")
    latest = visible.order_by("-period_start", "area__name")
    series = list(
        indicators_for(request.user).select_related("owner").annotate(
            latest_start=Subquery(latest.values("period_start")[:1]),
            latest_type=Subquery(latest.values("period_type")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
            latest_area=Subquery(latest.values("area__name")[:1]),
            areas=Subquery(visible.order_by().values("indicator").annotate(n=Count("area", distinct=True))
                           .values("n")[:1]),
        ).order_by("theme", "name", "category", "pk"))
    below = settings.PLACE_SUPPRESS_BELOW
    for indicator in series:
        indicator.editable = permissions.can_manage_indicators(request.user, indicator.owner)[0]
        indicator.latest_period = (period_label(indicator.latest_type, indicator.latest_start)
                                   if indicator.latest_start else "")
        if indicator.latest_value is not None:
            # A small count is never shown, here as everywhere (grants.figures.trends).
            value = Decimal(indicator.latest_value)
            indicator.latest_shown = (trends.shown_as(trends.suppress(value, below), below, places=0)
                                      if trends.is_count(indicator.kind, indicator.unit)
                                      else f"{value.normalize():,f}")
    return render(request, "reporting/indicator_list.html", {
        "series": series, "can_import": _import_allowed(request.user)[0],
    })


def _form_page(request, form, problems=(), status=200):
    return render(request, "reporting/indicator_import.html", {
        "form": form, "problems": list(problems), "layouts": LAYOUTS.values(),
        "max_rows": settings.INDICATOR_IMPORT_MAX_ROWS,
    }, status=status)


@login_required
def indicator_import(request):
    """Upload a file of figures; show every row it would create or change, or every problem with it."""
    require(_import_allowed(request.user))
    if request.method != "POST":
        return _form_page(request, IndicatorImportForm())
    form = IndicatorImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    owner = request.user.organisation
    try:
        preview = read_indicator_file(
            content, layout=form.cleaned_data["layout"], owner=owner, file_name=upload.name[:255],
            options=Options(theme=form.cleaned_data["theme"], source=form.cleaned_data["source"]))
    except FileRefused as refused:
        return _form_page(request, form, refused.problems, status=400)
    payload = to_payload(preview, request.user, owner)
    # The confirmation posts the payload back: it must fit in a request.
    if len(payload) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024:
        return _form_page(request, form, [Problem(
            "The file holds too many rows to confirm on this page. Split it into smaller files, or import it "
            "with the import_indicators command.")], status=400)
    return render(request, "reporting/indicator_import_preview.html", {
        "preview": preview, "payload": payload, "layout": LAYOUTS[preview.layout], "shown": SHOWN,
        "nothing_to_do": not (preview.created_count or preview.changed_count),
    })


@login_required
@require_POST
def indicator_import_confirm(request):
    """Save exactly the previewed rows (from the signed payload), for the user's own organisation."""
    require(_import_allowed(request.user))
    try:
        confirmed = from_payload(request.POST.get("payload", ""), request.user)
        if confirmed.owner_id != request.user.organisation_id:
            raise ValueError("The preview is for another organisation's figures. Upload the file again.")
    except (ValueError, KeyError, TypeError) as error:
        message = str(error) if isinstance(error, ValueError) else "The preview could not be confirmed."
        return _form_page(request, IndicatorImportForm(), [Problem(message)], status=400)
    try:
        result = indicator_values_import(
            actor=request.user, owner=request.user.organisation, rows=confirmed.rows, layout=confirmed.layout,
            file_name=confirmed.file_name, sha256=confirmed.sha256)
    except Invalid as error:
        return _form_page(request, IndicatorImportForm(), [Problem(m) for m in error.errors.values()], status=400)
    except NotAllowed as error:
        return _form_page(request, IndicatorImportForm(), [Problem(error.message)], status=403)
    messages.success(request, (
        f"Imported {confirmed.file_name}: {result.created:,} figure{'s' if result.created != 1 else ''} added, "
        f"{result.updated:,} changed, {result.unchanged:,} already held"
        + (f"; {result.series_created} new series." if result.series_created else ".")))
    return redirect(reverse("reporting:indicator-list"))
