"""
Importing recorded crime in the browser: a commissioner officer uploads a crime CSV with a mistake in it and
is shown the problem with its row and column, and nothing to confirm; uploads the corrected file, sees
every row it adds, confirms, and finds the series listed with its latest figure.
A screenshot of every step is saved (tests/e2e/conftest.py).
"""

import pytest

from grants.models import Indicator, IndicatorValue
from tests.e2e.conftest import sign_in
from tests.factories import DEMO_PASSWORD
from tests.grants.places.helpers import CRIME_HEADINGS, CSP, areas, crime_rows, csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)
CSV = "text/csv"


def test_a_commissioner_officer_imports_recorded_crime(actors, new_page, shots):
    areas()
    page = new_page()
    sign_in(page, actors.commissioner.username, DEMO_PASSWORD)
    page.goto("/reports/places/indicators/")
    shots(page, "no-series-yet")
    page.click("text=Import figures")

    # A file with a negative count: the problem is listed with its row and column, and nothing can be confirmed.
    bad = crime_rows() + [("2019-09", CSP, "Burglary", "-3")]
    page.check("#id_layout_crime")
    page.set_input_files("#id_file", files=[{"name": "crime.csv", "mimeType": CSV,
                                             "buffer": csv_bytes(CRIME_HEADINGS, bad)}])
    page.fill("#id_theme", "hate-crime")
    page.click("button:has-text('Check the file')")
    shots(page, "the-problem-is-listed")
    problems = page.locator("[data-testid=problems]").inner_text()
    assert "Row 8, column D (Count): The count cannot be negative." in problems
    assert page.locator("input[name=payload]").count() == 0

    # The corrected file: every row it adds, then confirmed.
    page.check("#id_layout_crime")
    page.set_input_files("#id_file", files=[{"name": "crime.csv", "mimeType": CSV,
                                             "buffer": csv_bytes(CRIME_HEADINGS, crime_rows())}])
    page.fill("#id_theme", "hate-crime")
    page.click("button:has-text('Check the file')")
    shots(page, "the-preview")
    assert "6 figures to add" in page.locator("[data-testid=counts]").inner_text()
    assert page.locator("[data-testid=created] tbody tr").count() == 6
    assert not IndicatorValue.objects.exists()
    page.click("button:has-text('Import 6 figures')")
    shots(page, "imported")

    assert "6 figures added" in page.content()
    series = page.locator("[data-testid=series]").inner_text()
    assert "Hate crime" in series and "2019-09" in series and "hate-crime" in series
    assert IndicatorValue.objects.count() == 6 and Indicator.objects.get().theme == "hate-crime"
    # The refused file's page answered 400 (a form with problems); nothing else went wrong.
    assert [p.split(" ")[0] for p in page.problems] == ["400"]
    page.problems.clear()
