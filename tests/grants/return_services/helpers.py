"""
Helpers shared by the return service tests: a complete return for project A, the
service calls that save, submit and approve it, and what a refused call must
leave as it was (the row counts of every table a return writes to, and a
snapshot of one return).
"""

from decimal import Decimal

from grants.models import MeasureValue, OutcomeMeasure, QuarterlyReturn, ReturnEvent, SpendLine
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput


Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus
Kind = ReturnEvent.Kind
Unit = OutcomeMeasure.Unit

Q1 = Quarter(2023, 1)
Q2 = Quarter(2023, 2)


def complete(w, **narrative) -> ReturnInput:
    """A return for project A that can be submitted as it is: spend on profile, every measure answered."""
    fields = dict(progress="Ran 24 evening sessions in two youth centres.", self_rag="green")
    fields.update(narrative)
    return ReturnInput(
        spend={
            w.staff.pk: SpendInput(actual=Decimal("10000.00")),
            w.venue.pk: SpendInput(actual=Decimal("1000.00")),
        },
        measures={
            w.people.pk: MeasureInput(value=Decimal("35")),
            w.satisfaction.pk: MeasureInput(value=Decimal("92.5")),
            w.policy.pk: MeasureInput(value=Decimal("1")),
            w.match_funding.pk: MeasureInput(value=Decimal("1250.50")),
        },
        **fields,
    )


def save_draft(w, data=None, *, actor=None, version=None, quarter=Q1):
    return s.return_save_draft(
        actor=actor or w.user_a, project=w.project_a, quarter=quarter, version=version, data=data or complete(w),
    )


def submit(w, data=None, *, actor=None, version=None, quarter=Q1):
    return s.return_submit(
        actor=actor or w.user_a, project=w.project_a, quarter=quarter, version=version, data=data or complete(w),
    )


def submitted(w, quarter=Q1):
    return submit(w, quarter=quarter)


def approved(w):
    ret = submitted(w)
    return s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")


def row_counts() -> dict:
    """How many rows every table a return writes to holds, audit history included."""
    return {
        "returns": QuarterlyReturn.objects.count(),
        "spend lines": SpendLine.objects.count(),
        "measure values": MeasureValue.objects.count(),
        "events": ReturnEvent.objects.count(),
        "return history": QuarterlyReturn.history.count(),
        "spend history": SpendLine.history.count(),
        "measure history": MeasureValue.history.count(),
    }


def snapshot(ret: QuarterlyReturn) -> dict:
    """Everything about a saved return that a refused call must leave as it was."""
    ret = QuarterlyReturn.objects.get(pk=ret.pk)
    return {
        "return": {name: getattr(ret, name) for name in (
            "status", "spend_status", "spend_note", "version", "progress", "challenges", "case_study", "risks",
            "self_rag", "officer_rag", "submitted_at", "approved_at",
        )},
        "spend": sorted(SpendLine.objects.filter(quarterly_return=ret).values_list(
            "budget_line_id", "actual", "variance_explanation")),
        "measures": sorted(MeasureValue.objects.filter(quarterly_return=ret).values_list(
            "project_measure_id", "value", "not_collected", "not_collected_reason")),
        "events": list(ret.events.values_list("kind", "actor_id", "comment")),
        "tables": row_counts(),
    }


def kinds(ret) -> list[str]:
    return list(ReturnEvent.objects.filter(quarterly_return_id=ret.pk).order_by("at", "pk").values_list("kind", flat=True))
