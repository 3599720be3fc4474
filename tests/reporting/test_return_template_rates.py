"""
A rate in the provider's workbook is two whole numbers, how many out of how many, read back into the
same numerator and denominator the web form saves; what cannot make a rate is refused at its cell.
"""

from decimal import Decimal

import pytest

from grants.models import MeasureValue
from grants.services import returns as s
from reporting.spreadsheets import template as t
from reporting.spreadsheets.importer import TemplateRefused, read_template
from tests import factories as f
from tests.reporting.template_helpers import (
    QUARTER,
    fill_in,
    open_workbook,
    outcome_cell,
    template_for,
    workbook_bytes,
    equipped_twins,  # noqa: F401
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(equipped_twins):
    equipped_twins.engaged_rate = f.ProjectMeasureFactory(
        project=equipped_twins.project_a, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Engaged of those offered", unit="percentage", aggregation="rate"))
    return equipped_twins


def filled(w, numerator, denominator):
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)
    outcome_cell(book, layout, w.engaged_rate, t.OUTCOME_VALUE_COL).value = numerator
    outcome_cell(book, layout, w.engaged_rate, t.OUTCOME_DENOMINATOR_COL).value = denominator
    return workbook_bytes(book), layout


def test_a_rate_round_trips_as_how_many_out_of_how_many(rated):
    w = rated
    content, layout = filled(w, 24, 25)
    reading = read_template(content, w.user_a)
    entry = reading.data.measures[w.engaged_rate.pk]
    assert (entry.numerator, entry.denominator, entry.value) == (Decimal("24"), Decimal("25"), None)
    row = layout.measure_rows[w.engaged_rate.pk] + 1
    assert (f"Outcomes!I{row}", "Engaged of those offered: how many", "(blank)", "24") in [
        (c.where, c.what, c.old, c.new) for c in reading.changes]
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=reading.version,
                        data=reading.data)
    value = MeasureValue.objects.get(project_measure=w.engaged_rate)
    assert (value.numerator, value.denominator, value.value) == (24, 25, Decimal("96.0"))

    # Downloaded again, the template holds the same two numbers.
    content, layout = template_for(w.project_a)
    book = open_workbook(content)
    assert (outcome_cell(book, layout, w.engaged_rate, t.OUTCOME_VALUE_COL).value,
            outcome_cell(book, layout, w.engaged_rate, t.OUTCOME_DENOMINATOR_COL).value) == (24, 25)


@pytest.mark.parametrize("numerator, denominator, column, message", [
    (30, 25, "J", "how many (30) cannot be more than out of how many (25)"),
    (3, 0, "J", "out of how many must be 1 or more"),
    ("many", 25, "I", "“many” is not a number"),
    (24, None, "J", "enter both how many (the numerator) and out of how many (the denominator)"),
])
def test_a_rate_that_cannot_be_a_rate_is_refused_at_its_cell(rated, numerator, denominator, column, message):
    w = rated
    content, layout = filled(w, numerator, denominator)
    cell = f"{column}{layout.measure_rows[w.engaged_rate.pk] + 1}"
    with pytest.raises(TemplateRefused) as refused:
        read_template(content, w.user_a)
    problems = [(p.sheet, p.cell, p.message) for p in refused.value.problems]
    assert any(sheet == "Outcomes" and where == cell and message in text for sheet, where, text in problems), problems
