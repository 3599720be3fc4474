"""
The partnership's review and its return to the commissioner.

Under an allocation made to a community safety partnership that reports on it
(`Allocation.partnership_reports`), money and returns flow in two steps:

    provider ──submit──▶ submitted ──pass on (partnership)──▶ passed on
                  ▲          │
                  └──────────┘ send back (partnership, with a comment)

    partnership return: draft ──submit──▶ submitted ──approve (commissioner)──▶ approved
                          ▲                   │
                          └── returned ◀──────┘ send back (commissioner, with a comment)

The partnership submits its return for a quarter once every project that reports that quarter has its
return passed on; approving it approves those project returns, in one transaction, each with the
officer's RAG rating, so that every figure (which counts approved project returns) moves with it. A
project's return reaches the commissioner only through the partnership's return; reopening an approved
project return reopens the partnership's return with it (grants.services.returns.return_reopen).
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from grants import permissions
from grants.models import PartnershipReturn, PartnershipReturnEvent, QuarterlyReturn, ReturnEvent
from grants.models.common import RAG, TEXT_MAX
from grants.periods import Quarter
from grants.selectors.partnership import partnership_return_for, pending, quarter_lines

from . import kept
from .base import Invalid, NotAllowed, Stale
from .return_input import clean_text
from .returns import STALE_MESSAGE, _claim, _event, _transition, _write_events

Status = QuarterlyReturn.Status


def _partnership_status(ret: QuarterlyReturn) -> str | None:
    report = partnership_return_for(ret.project.allocation, ret.period)
    return report.status if report else None


def _check_review(actor, ret: QuarterlyReturn) -> None:
    allowed, reason = permissions.can_partnership_review_return(actor, ret, partnership_status=_partnership_status(ret))
    if not allowed:
        raise NotAllowed(reason)


def return_pass_on(*, actor, ret: QuarterlyReturn, version: int, comment: str = "") -> QuarterlyReturn:
    """The partnership has reviewed a provider's submitted return and passes it on to the commissioner."""
    _check_review(actor, ret)
    with transaction.atomic():
        locked = _claim(ret, (Status.SUBMITTED,), version)
        if locked.passed_on_at is not None:
            raise Stale(STALE_MESSAGE)
        locked.passed_on_at = timezone.now()
        locked._history_user = actor
        locked.save()
        _write_events([_event(locked, ReturnEvent.Kind.PASSED_ON, actor, clean_text(comment))], actor)
    return locked


def return_partnership_send_back(*, actor, ret: QuarterlyReturn, version: int, comment: str) -> QuarterlyReturn:
    """The partnership sends a provider's submitted return back for amendment, with a comment the provider sees."""
    _check_review(actor, ret)
    errors = {} if comment.strip() else {"comment": "Say what the provider needs to change: they will see this comment."}
    return _transition(actor=actor, ret=ret, version=version, action="send_back",
                       check=lambda user, r: permissions.OK, errors=errors,
                       kind=ReturnEvent.Kind.RETURNED, comment=clean_text(comment))


def _pr_event(report, kind, actor, comment=""):
    event = PartnershipReturnEvent(partnership_return=report, kind=kind, actor=actor, at=timezone.now(),
                                   comment=comment)
    event._history_user = actor
    event.save()


def _claim_report(report: PartnershipReturn, statuses, version: int) -> PartnershipReturn:
    """Take the partnership's return if it is still in one of `statuses` at `version`, or raise Stale. Its
    funder's figures' tokens move first (grants.services.kept: the first lock of every change)."""
    report_id = report.pk
    kept.figures_moved(row=report)
    if not PartnershipReturn.objects.filter(pk=report_id, status__in=statuses, version=version).update(
            version=F("version") + 1):
        raise Stale(STALE_MESSAGE)
    return PartnershipReturn.objects.select_for_update().select_related("allocation__programme").get(pk=report_id)


def partnership_return_save(*, actor, allocation, quarter: Quarter, version: int | None, narrative: str,
                            submit: bool) -> PartnershipReturn:
    """Save the partnership's return for a quarter as a draft, or submit it to the commissioner: submitting needs
    the narrative and every reporting project's return passed on (or already approved)."""
    existing = partnership_return_for(allocation, quarter)
    allowed, reason = permissions.can_edit_partnership_return(actor, allocation, existing)
    if not allowed:
        raise NotAllowed(reason)
    narrative = clean_text(narrative)
    errors = {}
    if quarter.start > allocation.end_date or quarter.end < allocation.start_date:
        errors["__all__"] = f"{quarter} is outside the allocation's dates: no return is owed for it."
    elif submit:
        if not narrative:
            errors["narrative"] = "Write the partnership's report for the quarter before submitting it."
        lines = quarter_lines(allocation, quarter)
        if not lines:
            errors["__all__"] = f"No project of this allocation reports for {quarter}: there is nothing to submit."
        waiting = [line.waiting_for for line in lines if not line.ready]
        if waiting:
            errors["__all__"] = "Every project's return must be passed on first: " + "; ".join(waiting) + "."
    if len(narrative) > TEXT_MAX:
        errors["narrative"] = f"The partnership's report must be {TEXT_MAX:,} characters or fewer."
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            if existing is None:
                if version is not None:
                    raise Stale(STALE_MESSAGE)
                report = PartnershipReturn(allocation=allocation, financial_year=quarter.financial_year,
                                           quarter=quarter.number, version=1)
            else:
                if version is None:
                    raise Stale(STALE_MESSAGE)
                report = _claim_report(existing, (Status.DRAFT, Status.RETURNED), version)
            resubmitted = report.status == Status.RETURNED
            report.narrative = narrative
            if submit:
                report.status = Status.SUBMITTED
                report.submitted_at = timezone.now()
            report.full_clean(exclude=["allocation"], validate_unique=False, validate_constraints=False)
            report._history_user = actor
            report.save()
            kind = PartnershipReturnEvent.Kind.SUBMITTED if submit else PartnershipReturnEvent.Kind.SAVED
            _pr_event(report, kind, actor, "Resubmitted after amendment." if submit and resubmitted else "")
    except IntegrityError:
        if existing is None and partnership_return_for(allocation, quarter) is not None:
            raise Stale(STALE_MESSAGE)
        raise
    return report


def partnership_return_approve(*, actor, report: PartnershipReturn, version: int, ratings: dict[int, str],
                               comment: str = "") -> PartnershipReturn:
    """Approve the partnership's return and, with it, each project return in it not yet approved, each with the
    officer's RAG rating (`ratings`, by return id)."""
    allowed, reason = permissions.can_review_partnership_return(actor, report)
    if not allowed:
        raise NotAllowed(reason)
    waiting = pending(quarter_lines(report.allocation, report.period))
    errors = {f"rag_{r.pk}": f"Choose the officer's RAG rating for {r.project.name}."
              for r in waiting if ratings.get(r.pk) not in RAG.values}
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = _claim_report(report, (Status.SUBMITTED,), version)
        # Every project must still be in: a return sent back or reopened meanwhile stops the approval.
        lines = quarter_lines(locked.allocation, locked.period)
        if any(not line.ready for line in lines):
            raise Stale(STALE_MESSAGE)
        now = timezone.now()
        for line in lines:
            ret = line.ret
            if ret.status == Status.SUBMITTED:
                if ret.pk not in {r.pk for r in waiting}:
                    raise Stale(STALE_MESSAGE)
                _transition(actor=actor, ret=ret, version=ret.version, action="approve",
                            check=lambda user, r: permissions.OK, kind=ReturnEvent.Kind.APPROVED,
                            comment=f"Approved with {locked.allocation.recipient}'s return for the quarter.",
                            officer_rag=ratings[ret.pk], approved_at=now)
        locked.status = Status.APPROVED
        locked.approved_at = now
        locked._history_user = actor
        locked.save()
        _pr_event(locked, PartnershipReturnEvent.Kind.APPROVED, actor, clean_text(comment))
    return locked


def partnership_return_send_back(*, actor, report: PartnershipReturn, version: int, comment: str) -> PartnershipReturn:
    """Send the partnership's return back for amendment with a comment: its project returns stay as they are, so
    the partnership can send any of them back to its provider, or change its report, and submit again."""
    allowed, reason = permissions.can_review_partnership_return(actor, report)
    if not allowed:
        raise NotAllowed(reason)
    if not comment.strip():
        raise Invalid({"comment": "Say what the partnership needs to change: they will see this comment."})
    with transaction.atomic():
        locked = _claim_report(report, (Status.SUBMITTED,), version)
        locked.status = Status.RETURNED
        locked._history_user = actor
        locked.save()
        _pr_event(locked, PartnershipReturnEvent.Kind.RETURNED, actor, clean_text(comment))
    return locked
