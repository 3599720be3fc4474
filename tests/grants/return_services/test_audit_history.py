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


def test_saving_and_submitting_leave_history_records_of_the_return_and_its_spend_lines(world):
    ret = save_draft(world, ReturnInput(progress="Started."))
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("9800.00")

    submit(world, data, version=ret.version)

    statuses = list(QuarterlyReturn.history.filter(id=ret.pk).order_by("history_date", "history_id")
                    .values_list("status", flat=True))
    assert statuses[0] == Status.DRAFT
    assert statuses[-1] == Status.SUBMITTED
    staff_history = list(SpendLine.history.filter(quarterly_return_id=ret.pk, budget_line_id=world.staff.pk)
                         .order_by("history_date", "history_id").values_list("actual", flat=True))
    assert staff_history[-1] == Decimal("9800.00")
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk, project_measure_id=world.people.pk,
                                       value=Decimal("35")).exists()
    # The services take no request, but they know the actor: every record names them, from the command line too.
    records = [QuarterlyReturn.history.filter(id=ret.pk), SpendLine.history.filter(quarterly_return_id=ret.pk),
               MeasureValue.history.filter(quarterly_return_id=ret.pk)]
    assert [set(r.values_list("history_user", flat=True)) for r in records] == [{world.user_a.pk}] * 3


def test_every_spend_line_of_a_new_return_is_in_the_history_from_its_creation(world):
    ret = save_draft(world, ReturnInput(progress="Started."))

    created = SpendLine.history.filter(quarterly_return_id=ret.pk, history_type="+")
    assert sorted(created.values_list("budget_line_id", flat=True)) == sorted([world.staff.pk, world.venue.pk])


def test_a_save_that_changes_no_figure_writes_no_spend_history(world):
    ret = save_draft(world)
    spend_records = SpendLine.history.filter(quarterly_return_id=ret.pk).count()
    measure_records = MeasureValue.history.filter(quarterly_return_id=ret.pk).count()

    save_draft(world, complete(world, challenges="Only the narrative changed."), version=ret.version)

    assert SpendLine.history.filter(quarterly_return_id=ret.pk).count() == spend_records
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk).count() == measure_records


def test_the_field_history_lists_a_change_of_spend_with_its_old_and_new_figure(world):
    ret = save_draft(world)
    changed = complete(world)
    changed.spend[world.staff.pk].actual = Decimal("9750.25")

    save_draft(world, changed, version=ret.version)

    spend_changes = [c for c in selectors.return_field_history(ret) if c.subject == "Spend: Youth workers"]
    assert [(c.old, c.new) for c in spend_changes] == [
        (Decimal("10000.00"), Decimal("9750.25")), (None, Decimal("10000.00")),
    ]
    assert spend_changes[0].field == "actual spend this quarter"
