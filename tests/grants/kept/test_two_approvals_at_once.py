"""
Two quarters of one project approved at the same moment, each in its own database connection: a
measure's figure to date reads every approved quarter of its year, so neither approval may write its
figures without the other's. The second waits for the first to commit, then reads what it wrote: the
project's row, locked by grants.services.kept.refresh_measures, holds it, and so does the funder's
token row both approvals move. Needs PostgreSQL (SQLite lets one transaction write at a time).
"""

import pytest
from django.db import connection

from grants.models import MeasureToDate
from grants.periods import Quarter
from grants.services import kept, returns
from tests import worlds
from tests.races import at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_quarters_approved_at_once_both_count_in_the_measures_figures_to_date(actors):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    w = worlds.project_a_with_named_people(actors)
    submitted = [returns.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, n), version=None,
                                       data=worlds.complete_input(w)) for n in (1, 2)]
    outcomes = at_once(*[
        lambda ret=ret: returns.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")
        for ret in submitted])
    failures = [repr(error) for error in outcomes if error is not None]

    assert failures == []
    have = {kept.measure_key(row): kept.measure_values(row) for row in MeasureToDate.objects.all()}
    assert have == {kept.measure_key(row): kept.measure_values(row) for row in kept.measure_rows_for()}
    # Q2's young people to date are both quarters' 35.
    assert MeasureToDate.objects.get(project_measure=w.people, quarter=2).actual == 70
