"""
The audit history the quarterly return's services (grants/services/returns.py)
leave behind: history records of the return, its spend lines and its measure
values, none for a save that changes no figure, and the field history built
from them.
"""

from decimal import Decimal

from grants import selectors
from grants.models import MeasureValue, QuarterlyReturn, SpendLine
from grants.services.returns import ReturnInput
from tests.grants.return_services.helpers import Status, complete, save_draft, submit


# --- Audit history ---------------------------------------------------------------------------


def test_saving_and_submitting_leave_history_records_of_the_return_and_its_spend_lines(project_with_every_unit):
    ret = save_draft(project_with_every_unit, ReturnInput(progress="Started."))
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = Decimal("9800.00")

    submit(project_with_every_unit, data, version=ret.version)

    statuses = list(QuarterlyReturn.history.filter(id=ret.pk).order_by("history_date", "history_id")
                    .values_list("status", flat=True))
    assert statuses[0] == Status.DRAFT
    assert statuses[-1] == Status.SUBMITTED
    staff_history = list(SpendLine.history.filter(quarterly_return_id=ret.pk, budget_line_id=project_with_every_unit.staff.pk)
                         .order_by("history_date", "history_id").values_list("actual", flat=True))
    assert staff_history[-1] == Decimal("9800.00")
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk, project_measure_id=project_with_every_unit.people.pk,
                                       value=Decimal("35")).exists()
    # The services take no request, but they know the actor: every record names them, from the command line too.
    records = [QuarterlyReturn.history.filter(id=ret.pk), SpendLine.history.filter(quarterly_return_id=ret.pk),
               MeasureValue.history.filter(quarterly_return_id=ret.pk)]
    assert [set(r.values_list("history_user", flat=True)) for r in records] == [{project_with_every_unit.user_a.pk}] * 3


def test_every_spend_line_of_a_new_return_is_in_the_history_from_its_creation(project_with_every_unit):
    ret = save_draft(project_with_every_unit, ReturnInput(progress="Started."))

    created = SpendLine.history.filter(quarterly_return_id=ret.pk, history_type="+")
    assert sorted(created.values_list("budget_line_id", flat=True)) == sorted([project_with_every_unit.staff.pk, project_with_every_unit.venue.pk])


def test_a_save_that_changes_no_figure_writes_no_spend_history(project_with_every_unit):
    ret = save_draft(project_with_every_unit)
    spend_records = SpendLine.history.filter(quarterly_return_id=ret.pk).count()
    measure_records = MeasureValue.history.filter(quarterly_return_id=ret.pk).count()

    save_draft(project_with_every_unit, complete(project_with_every_unit, challenges="Only the narrative changed."), version=ret.version)

    assert SpendLine.history.filter(quarterly_return_id=ret.pk).count() == spend_records
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk).count() == measure_records


def test_the_field_history_lists_a_change_of_spend_with_its_old_and_new_figure(project_with_every_unit):
    ret = save_draft(project_with_every_unit)
    changed = complete(project_with_every_unit)
    changed.spend[project_with_every_unit.staff.pk].actual = Decimal("9750.25")

    save_draft(project_with_every_unit, changed, version=ret.version)

    spend_changes = [c for c in selectors.return_field_history(ret) if c.subject == "Spend: Youth workers"]
    assert [(c.old, c.new) for c in spend_changes] == [
        (Decimal("10000.00"), Decimal("9750.25")), (None, Decimal("10000.00")),
    ]
    assert spend_changes[0].field == "actual spend this quarter"
