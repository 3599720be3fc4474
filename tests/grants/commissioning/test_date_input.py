"""
Dates are typed into the GOV.UK date input everywhere: three boxes for day, month and year, with
the pattern's messages ("Decision date must include a month", "… must be a real date"), an error
summary that links to the day box, only the boxes at fault outlined in red, what was typed shown
back, and a saved date shown back in its boxes.
"""

import re
from datetime import date

import pytest

from grants.forms import AllocationForm, ApproveForm, ProjectForm, ReleaseForm, SignForm
from grants.forms.dates import GovukDateField
from grants.forms.finance import ClawbackForm, ReceiveForm
from grants.models import Allocation
from tests.dates import date_boxes
from tests.grants.commissioning.helpers import client_for, error_summary


def decision_date(day, month, year):
    form = ApproveForm({"version": "1", "decision_reference": "DEC-1", "decision_date_day": day,
                        "decision_date_month": month, "decision_date_year": year})
    form.is_valid()
    return form.cleaned_data.get("decision_date"), form.errors.get("decision_date", [])


@pytest.mark.parametrize("day, month, year, expected", [
    ("1", "3", "2023", date(2023, 3, 1)),
    (" 01 ", "03", "2023", date(2023, 3, 1)),
    ("5", "Dec", "2026", date(2026, 12, 5)),
    ("5", "december", "2026", date(2026, 12, 5)),
    ("5", "Sept.", "2026", date(2026, 9, 5)),
    ("29", "2", "2024", date(2024, 2, 29)),
])
def test_a_date_is_read_from_its_three_boxes_with_the_month_as_a_number_or_a_name(day, month, year, expected):
    assert decision_date(day, month, year) == (expected, [])


@pytest.mark.parametrize("day, month, year, message", [
    ("", "", "", "Enter the date of the decision."),
    ("1", "", "2023", "Decision date must include a month"),
    ("", "3", "2023", "Decision date must include a day"),
    ("1", "3", "", "Decision date must include a year"),
    ("", "", "2023", "Decision date must include a day and month"),
    ("", "3", "", "Decision date must include a day and year"),
    ("31", "2", "2023", "Decision date must be a real date"),
    ("29", "2", "2023", "Decision date must be a real date"),
    ("1", "13", "2023", "Decision date must be a real date"),
    ("0", "3", "2023", "Decision date must be a real date"),
    ("first", "3", "2023", "Decision date must be a real date"),
    ("١", "3", "2023", "Decision date must be a real date"),
    ("1", "3", "23", "Decision date year must include 4 numbers"),
    ("1", "3", "0000", "Decision date must be a real date"),
    ("1", "3", "20233", "Decision date year must include 4 numbers"),
])
def test_a_date_missing_a_part_or_not_a_real_date_is_refused_in_the_patterns_words(day, month, year, message):
    assert decision_date(day, month, year) == (None, [message])


def test_an_optional_date_left_empty_is_no_date():
    form = ReleaseForm({"version": "1", "reference": "", **date_boxes(paid_on="")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["paid_on"] is None


def test_every_form_that_asks_for_a_date_uses_the_date_input():
    dates = {(form.__name__, name) for form in (AllocationForm, ApproveForm, SignForm, ProjectForm, ReleaseForm,
                                                ClawbackForm, ReceiveForm)
             for name, field in form.base_fields.items() if isinstance(field, GovukDateField)}
    assert dates == {("AllocationForm", "start_date"), ("AllocationForm", "end_date"),
                     ("ApproveForm", "decision_date"), ("SignForm", "signed_on"), ("ProjectForm", "start_date"),
                     ("ProjectForm", "end_date"), ("ReleaseForm", "paid_on"), ("ClawbackForm", "requested_on"),
                     ("ReceiveForm", "received_on")}


def boxes(html, name) -> dict[str, tuple[str, bool]]:
    """The value of each box of the date input `name`, and whether it is outlined as at fault."""
    found = {}
    for part in ("day", "month", "year"):
        tag = re.search(rf'<input [^>]*id="id_{name}_{part}"[^>]*>', html).group(0)
        found[part] = (re.search(r'value="([^"]*)"', tag).group(1), "govuk-input--error" in tag)
    return found


def test_a_date_missing_its_month_links_the_summary_to_the_day_box_and_outlines_only_the_month(pages):
    response = client_for(pages.commissioner).post(f"/allocations/{pages.draft.pk}/approve/", {
        "version": pages.draft.version, "decision_reference": "DEC-1",
        "decision_date_day": "3", "decision_date_month": "", "decision_date_year": "2023"})

    assert response.status_code == 400
    assert error_summary(response) == [("id_decision_date_day", "Decision date must include a month")]
    html = response.content.decode()
    assert boxes(html, "decision_date") == {"day": ("3", False), "month": ("", True), "year": ("2023", False)}
    fieldset = re.search(r'<fieldset class="govuk-fieldset" role="group"[^>]*>\s*<legend[^>]*>Decision date</legend>',
                         html)
    assert fieldset and 'aria-describedby="id_decision_date-hint id_decision_date-error"' in fieldset.group(0)
    assert Allocation.objects.get(pk=pages.draft.pk).status == "draft"


def test_a_services_refusal_of_a_date_outlines_all_three_boxes(pages):
    response = client_for(pages.commissioner).post(f"/allocations/{pages.draft.pk}/approve/", {
        "version": pages.draft.version, "decision_reference": "DEC-1", **date_boxes(decision_date="16/5/2024")})

    assert error_summary(response) == [("id_decision_date_day", "The decision date cannot be in the future.")]
    assert boxes(response.content.decode(), "decision_date") == {
        "day": ("16", True), "month": ("5", True), "year": ("2024", True)}


def test_a_saved_date_is_shown_back_in_its_boxes(pages):
    html = client_for(pages.commissioner).get("/projects/A-1/edit/").content.decode()
    project = pages.project_a
    assert boxes(html, "start_date") == {"day": (str(project.start_date.day), False),
                                         "month": (str(project.start_date.month), False),
                                         "year": (str(project.start_date.year), False)}


def test_dates_fixed_by_the_approval_are_shown_in_boxes_that_cannot_be_changed(pages):
    html = client_for(pages.commissioner).get(f"/allocations/{pages.allocation_a.pk}/edit/").content.decode()
    start = pages.allocation_a.start_date
    assert boxes(html, "start_date") == {"day": (str(start.day), False), "month": (str(start.month), False),
                                         "year": (str(start.year), False)}
    assert re.search(r'<input [^>]*id="id_start_date_day"[^>]*disabled', html)
