"""
Saving a return writes its spend lines, measure values and their audit history in bulk: the number
of queries of one save is the same for a return of 3 lines and measures as for one of 12, and small;
and the history is the same as row-by-row saves would leave (who, when, why, what).
"""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import selectors
from grants.models import MeasureValue, OutcomeMeasure, QuarterlyReturn, SpendLine
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f
from tests.grants.return_services.helpers import Q1

NEW_RETURN_QUERIES = 11  # a typical import starts the quarter's return
MOST_QUERIES = 15


def lines_and_measures(project, size):
    lines = [f.BudgetLineFactory(project=project, description=f"Line {n}") for n in range(size)]
    measures = [f.ProjectMeasureFactory(project=project, measure=f.OutcomeMeasureFactory(
        name=f"Measure {project.reference} {n}", unit=OutcomeMeasure.Unit.COUNT, aggregation="events")) for n in range(size)]
    return lines, measures


def filled(lines, measures, spent="9000.00", value="12"):
    return ReturnInput(
        progress="Sessions ran every week.", self_rag="green",
        spend={line.pk: SpendInput(actual=Decimal(spent), explanation="Fewer sessions.") for line in lines},
        measures={pm.pk: MeasureInput(value=Decimal(value)) for pm in measures},
    )


def queries_to_save(project, actor, size):
    """The queries of saving a new return (every line and measure filled in), then of saving it again
    with every figure changed."""
    lines, measures = lines_and_measures(project, size)
    data = filled(lines, measures)
    with CaptureQueriesContext(connection) as first:
        ret = s.return_save_draft(actor=actor, project=project, quarter=Q1, version=None, data=data)
    again = filled(lines, measures, spent="8000.00", value="15")
    with CaptureQueriesContext(connection) as second:
        s.return_save_draft(actor=actor, project=project, quarter=Q1, version=ret.version, data=again)
    return counted(first), counted(second)


def counted(queries) -> int:
    """The queries, without the savepoints of the test's own transaction around the service's (outside a
    test the service's transaction is BEGIN and COMMIT, which are not counted either)."""
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def test_a_save_makes_as_many_queries_for_3_lines_and_measures_as_for_12(actors):
    small = queries_to_save(actors.project_a, actors.user_a, 3)
    large = queries_to_save(actors.project_b, actors.user_b, 12)
    assert small == large
    assert small[0] <= NEW_RETURN_QUERIES
    assert small[1] <= MOST_QUERIES


def test_the_history_of_a_save_in_bulk_is_what_saving_row_by_row_wrote(actors):
    """A new return: each line and value recorded as created empty, then changed to its figure; the
    return created, then saved; every record by the provider, with no reason, in that order."""
    lines, measures = lines_and_measures(actors.project_a, 3)
    ret = s.return_save_draft(actor=actors.user_a, project=actors.project_a, quarter=Q1, version=None,
                              data=filled(lines, measures))

    def records(model, **lookups):
        return list(model.history.filter(quarterly_return_id=ret.pk, **lookups).order_by("history_date", "history_id")
                    .values_list("history_type", "history_user_id", "history_change_reason", *VALUES[model]))

    for line in lines:
        assert records(SpendLine, budget_line_id=line.pk) == [
            ("+", actors.user_a.pk, None, None, ""), ("~", actors.user_a.pk, None, Decimal("9000.00"), "Fewer sessions."),
        ]
    for pm in measures:
        assert records(MeasureValue, project_measure_id=pm.pk) == [
            ("+", actors.user_a.pk, None, None, False, "count"), ("~", actors.user_a.pk, None, Decimal("12"), False, "count"),
        ]
    returns = list(QuarterlyReturn.history.filter(id=ret.pk).order_by("history_date", "history_id")
                   .values_list("history_type", "history_user_id", "version", "progress"))
    assert returns == [("+", actors.user_a.pk, 0, ""), ("~", actors.user_a.pk, 1, "Sessions ran every week.")]
    assert [(e.kind, e.actor_id) for e in ret.events.order_by("pk")] == [("created", actors.user_a.pk),
                                                                        ("saved", actors.user_a.pk)]
    assert set(ret.events.model.history.filter(quarterly_return_id=ret.pk).values_list("history_user_id", flat=True)) == {
        actors.user_a.pk}


def test_a_second_save_records_only_the_figures_that_changed_and_the_field_history_shows_them(actors):
    lines, measures = lines_and_measures(actors.project_a, 3)
    ret = s.return_save_draft(actor=actors.user_a, project=actors.project_a, quarter=Q1, version=None,
                              data=filled(lines, measures))
    again = filled(lines, measures)
    again.spend[lines[0].pk].actual = Decimal("7500.00")
    s.return_save_draft(actor=actors.user_a, project=actors.project_a, quarter=Q1, version=ret.version, data=again)

    assert SpendLine.history.filter(quarterly_return_id=ret.pk, history_type="~").count() == 3 + 1
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk, history_type="~").count() == 3
    changes = [(c.old, c.new) for c in selectors.return_field_history(ret) 
               if c.subject == f"Spend: {lines[0].description}" and c.field == "actual spend this quarter"]
    assert changes == [(Decimal("9000.00"), Decimal("7500.00")), (None, Decimal("9000.00"))]


VALUES = {
    SpendLine: ("actual", "variance_explanation"),
    MeasureValue: ("value", "not_collected", "unit"),
}
