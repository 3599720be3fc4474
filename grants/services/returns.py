"""
The quarterly return's workflow.

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                  │                     │
      └── returned ◀─────┘ send back           │ reopen (commissioner, with a reason)
             ▲─────────────────────────────────┘

Finance verifies or queries spend separately, on a submitted or approved return.
Every transition claims the row with a conditional update on the status and
version the actor saw, so two people acting at once give one success and one
"this return changed" message, on SQLite as on PostgreSQL.

What a provider enters and the rules it must keep are grants.services.return_input.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from grants import figures, permissions
from grants.choices import RETURN_EDITABLE, RETURN_SPEND_CHECKABLE
from grants.models import (
    MeasureValue, PartnershipReturn, PartnershipReturnEvent, Project, QuarterlyReturn, ReturnEvent, SpendLine,
)
from grants.models.common import RAG, ZERO
from grants.periods import Quarter
from grants.selectors import lines_and_measures

from . import kept
from .base import Invalid, NotAllowed, Stale, history_rows, write_history
# What is entered and its rules have their own module; the names callers take from here are kept.
from .return_input import (
    NARRATIVE_FIELDS, NARRATIVE_LABELS, MeasureInput, ReturnInput, SpendInput, check_draft, clean_text,
    denominator_key, explanation_key, input_from_return, input_problems, not_collected_key, numerator_key,
    reason_key, return_problems, spend_key, value_key,
)

Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus

# The one table of allowed transitions: action -> (from statuses, to status).
TRANSITIONS = {
    "submit": (RETURN_EDITABLE, Status.SUBMITTED),
    "approve": ((Status.SUBMITTED,), Status.APPROVED),
    "send_back": ((Status.SUBMITTED,), Status.RETURNED),
    "reopen": ((Status.APPROVED,), Status.RETURNED),
}
EDITABLE = RETURN_EDITABLE

STALE_MESSAGE = (
    "This return changed since you opened it: someone else saved, submitted or reviewed it. "
    "Nothing was saved. Open the return again to see the latest version."
)


def _event(ret, kind, actor, comment=""):
    return ReturnEvent(quarterly_return=ret, kind=kind, actor=actor, at=timezone.now(), comment=comment)


def _write_events(events, actor):
    """The return's events and their audit history, in two queries."""
    bulk_create_with_history(events, ReturnEvent, default_user=actor)


def _claim(ret: QuarterlyReturn, statuses, version: int) -> QuarterlyReturn:
    """Take the return if it is still in one of `statuses` at `version`, or raise Stale. Its project's
    figures' tokens move first (grants.services.kept: the first lock of every change)."""
    ret_id = ret.pk
    kept.figures_moved(project_ids=[ret.project_id])
    claimed = QuarterlyReturn.objects.filter(pk=ret_id, status__in=statuses, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise Stale(STALE_MESSAGE)
    # The return's row alone; its project, allocation and programme are read with it, not locked. Locking
    # them too (the project first, in one statement) deadlocked with a change to the project's budget or
    # dates, which locks the allocation and then the project (tests/grants/kept/test_locks_in_one_order.py).
    return QuarterlyReturn.objects.select_for_update(of=("self",)).select_related(
        "project__allocation__programme").get(pk=ret_id)


def _claim_read(existing: QuarterlyReturn, project: Project, version: int) -> QuarterlyReturn:
    """`_claim` for a return read a moment ago: when it was read at `version`, a successful claim
    proves it has not changed since (every change of a return moves its version), so it is not read
    again."""
    if existing.version != version:
        return _claim(existing, EDITABLE, version)
    kept.figures_moved(project_ids=[project.pk])
    if not QuarterlyReturn.objects.filter(pk=existing.pk, status__in=EDITABLE, version=version).update(
        version=F("version") + 1
    ):
        raise Stale(STALE_MESSAGE)
    existing.version += 1
    existing.project = project
    return existing


def _start(actor, project, quarter, lines, measures, history):
    """A new return with an empty spend line per budget line and an empty value per measure, built but
    not yet inserted (`_save` inserts them once filled in); their "created" audit records are added to
    `history`, as they are now, empty, as if each had been saved before being filled in."""
    ret = QuarterlyReturn(project=project, financial_year=quarter.financial_year, quarter=quarter.number)
    spend = [SpendLine(quarterly_return=ret, budget_line=line) for line in lines]
    values = [MeasureValue(quarterly_return=ret, project_measure=pm, unit=pm.unit) for pm in measures]
    history.extend(history_rows([ret, *spend, *values], "+", actor, timezone.now()))
    return ret, {s.budget_line_id: s for s in spend}, {v.project_measure_id: v for v in values}



def _apply(ret: QuarterlyReturn, data: ReturnInput, lines, measures, actor, existing_spend, existing, history):
    """Write the input onto the return and its lines (in memory); whether any spend figure changed, and
    the lines and values changed.

    Only rows whose figures change are to be written, so the audit history shows real changes; their
    audit records (as each row's save would have written them) are added to `history`."""
    for name in NARRATIVE_FIELDS:
        setattr(ret, name, clean_text(getattr(data, name)))
    ret.self_rag = data.self_rag
    spend_changed = False
    fresh = []
    changed_spend = []
    for line in lines:
        entry = data.spend.get(line.pk, SpendInput())
        spend = existing_spend.get(line.pk)
        if spend is None:
            # A line added to the project since the return was started: created with its figures.
            spend = existing_spend[line.pk] = SpendLine(quarterly_return=ret, budget_line=line)
            fresh.append(spend)
        explanation = clean_text(entry.explanation)
        if (spend.actual, spend.variance_explanation) != (entry.actual, explanation):
            spend_changed |= spend.actual != entry.actual
            spend.actual, spend.variance_explanation = entry.actual, explanation
            changed_spend.append(spend)
    changed_values = []
    for pm in measures:
        entry = data.measures.get(pm.pk, MeasureInput())
        mv = existing.get(pm.pk)
        if mv is None:
            mv = existing[pm.pk] = MeasureValue(quarterly_return=ret, project_measure=pm, unit=pm.unit)
            fresh.append(mv)
        if entry.not_collected:
            parts, value = (None, None), None
        elif pm.measure.is_rate:
            parts = (_whole(entry.numerator), _whole(entry.denominator))
            value = figures.rate(*parts) if None not in parts else None
            if value is None:
                parts = (None, None)
        else:
            parts, value = (None, None), entry.value
        new = (value, *parts, entry.not_collected, clean_text(entry.reason) if entry.not_collected else "")
        if (mv.value, mv.numerator, mv.denominator, mv.not_collected, mv.not_collected_reason) != new:
            mv.value, mv.numerator, mv.denominator, mv.not_collected, mv.not_collected_reason = new
            mv.unit = pm.unit
            changed_values.append(mv)
    when = timezone.now()
    history.extend(history_rows(fresh, "+", actor, when))
    history.extend(history_rows([row for row in [*changed_spend, *changed_values]
                                 if not any(row is new for new in fresh)], "~", actor, when))
    return spend_changed, changed_spend, changed_values


def _write(model, rows, changed, fields):
    """Insert the rows not yet in the database (with their figures as they are now) and update the
    changed ones already there: a query each, none when there is nothing to write."""
    new = [row for row in rows if row.pk is None]
    if new:
        model.objects.bulk_create(new)
    old = [row for row in changed if row.pk is not None and not any(row is n for n in new)]
    if old:
        model.objects.bulk_update(old, fields)



def _whole(value):
    return None if value is None else int(value)


def _save(*, actor, project: Project, quarter: Quarter, version: int | None, data: ReturnInput, submit: bool,
          read=None):
    lines, measures = read or lines_and_measures(project, quarter)
    # Without a version the person's page had no return: it is started here, and if someone started it
    # meanwhile the insert meets the unique constraint and the save is refused as stale (below).
    existing = None if version is None else QuarterlyReturn.objects.filter(
        project=project, financial_year=quarter.financial_year, quarter=quarter.number
    ).first()
    allowed, reason = permissions.can_edit_return(actor, project, existing)
    if not allowed:
        raise NotAllowed(reason)
    errors = input_problems(data, project, quarter, lines, measures, submit=submit)
    if errors:
        raise Invalid(errors)
    history = []
    try:
        with transaction.atomic():
            events = []
            if existing is None:
                kept.figures_moved(project_ids=[project.pk])  # the first lock of every change (kept)
                ret, spend, values = _start(actor, project, quarter, lines, measures, history)
                events.append(_event(ret, ReturnEvent.Kind.CREATED, actor))
                # Inserted once filled in, as started and then claimed once (its version 1).
                ret.version += 1
            else:
                ret = _claim_read(existing, project, version)
                spend = {s.budget_line_id: s for s in ret.spend_lines.all()}
                by_id = {pm.pk: pm for pm in measures}
                values = {mv.project_measure_id: mv for mv in ret.measure_values.all()}
                for mv in values.values():
                    if mv.project_measure_id in by_id:
                        mv.project_measure = by_id[mv.project_measure_id]
            was_returned = ret.status == Status.RETURNED
            spend_changed, changed_spend, changed_values = _apply(ret, data, lines, measures, actor, spend, values,
                                                                  history)
            note = ""
            if spend_changed and ret.spend_status != SpendStatus.NOT_CHECKED:
                ret.spend_status = SpendStatus.NOT_CHECKED
                note = "Spend figures changed, so spend needs verifying again."
            if submit:
                ret.status = TRANSITIONS["submit"][1]
                ret.submitted_at = timezone.now()
                # Under an allocation its partnership reports on, the partnership reviews its providers'
                # returns first; a return of its own it stands behind by submitting it.
                allocation = project.allocation
                ret.passed_on_at = (ret.submitted_at if allocation.partnership_reports
                                    and actor.organisation_id == allocation.recipient_id else None)
                kind = ReturnEvent.Kind.SUBMITTED
                note = " ".join(filter(None, ["Resubmitted after amendment." if was_returned else "", note]))
            else:
                kind = ReturnEvent.Kind.SAVED
            # The input's own checks (`_problems`) have held every text to its length and the return
            # keeps its project and quarter: the database's constraints still stand behind them.
            ret.full_clean(exclude=["project"], validate_unique=False, validate_constraints=False)
            ret.skip_history_when_saving = True  # its records are written with the others (`history`)
            ret.save(force_insert=existing is None)
            del ret.skip_history_when_saving
            _write(SpendLine, spend.values(), changed_spend, ["actual", "variance_explanation"])
            _write(MeasureValue, values.values(), changed_values,
                   ["unit", "value", "numerator", "denominator", "not_collected", "not_collected_reason"])
            history.extend(history_rows([ret], "~", actor, timezone.now()))
            write_history(history)
            events.append(_event(ret, kind, actor, note))
            _write_events(events, actor)
            kept.refresh_return(ret, spent=sum((line.actual for line in spend.values() if line.actual is not None),
                                               ZERO))
    except IntegrityError:
        if existing is None and QuarterlyReturn.objects.filter(
            project=project, financial_year=quarter.financial_year, quarter=quarter.number
        ).exists():
            # Someone started it a moment ago.
            raise Stale(STALE_MESSAGE)
        raise
    return ret


def return_save_draft(*, actor, project: Project, quarter: Quarter, version: int | None, data: ReturnInput,
                      lines_and_measures=None):
    """Save what the provider has entered so far; figures must be valid, nothing needs to be complete.
    `lines_and_measures`: the quarter's budget lines and project measures, when the caller has just read
    them (an import that reads a file and saves it at once), so that they are not read twice."""
    return _save(actor=actor, project=project, quarter=quarter, version=version, data=data, submit=False,
                 read=lines_and_measures)


def return_submit(*, actor, project: Project, quarter: Quarter, version: int | None, data: ReturnInput):
    """Save and submit: everything must be complete and valid."""
    return _save(actor=actor, project=project, quarter=quarter, version=version, data=data, submit=True)


def _transition(*, actor, ret: QuarterlyReturn, version: int, action: str, check, kind, errors=None, comment="",
                **changes):
    """Move the return along TRANSITIONS. Permission is checked before the input's `errors` are raised,
    so someone who may not act learns that, not what their form lacked."""
    allowed, reason = check(actor, ret)
    if not allowed:
        raise NotAllowed(reason)
    if errors:
        raise Invalid(errors)
    from_statuses, to_status = TRANSITIONS[action]
    with transaction.atomic():
        locked = _claim(ret, from_statuses, version)
        locked.status = to_status
        if to_status not in (Status.SUBMITTED, Status.APPROVED):
            locked.passed_on_at = None  # back with its provider: the partnership reviews it again
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked._history_user = actor
        locked.save()
        _write_events([_event(locked, kind, actor, comment)], actor)
        kept.refresh_return(locked)
        if Status.APPROVED in (*from_statuses, to_status):  # its measure values start or stop counting
            kept.refresh_measures([locked.project_id])
    return locked


def return_approve(*, actor, ret: QuarterlyReturn, version: int, officer_rag: str, comment: str = ""):
    errors = {} if officer_rag in RAG.values else {"officer_rag": "Choose the officer's RAG rating before approving."}
    return _transition(
        actor=actor, ret=ret, version=version, action="approve", check=permissions.can_review_return, errors=errors,
        kind=ReturnEvent.Kind.APPROVED, comment=clean_text(comment), officer_rag=officer_rag, approved_at=timezone.now(),
    )


def return_send_back(*, actor, ret: QuarterlyReturn, version: int, comment: str, officer_rag: str = ""):
    errors = {} if comment.strip() else {"comment": "Say what the provider needs to change: they will see this comment."}
    changes = {"officer_rag": officer_rag} if officer_rag in RAG.values else {}
    return _transition(
        actor=actor, ret=ret, version=version, action="send_back", check=permissions.can_review_return, errors=errors,
        kind=ReturnEvent.Kind.RETURNED, comment=clean_text(comment), **changes,
    )


def return_reopen(*, actor, ret: QuarterlyReturn, version: int, reason: str):
    """Reopen an approved return: back to its provider to amend. Under an allocation its partnership reports
    on, the partnership's approved return for the quarter is reopened with it (sent back to the partnership),
    since it no longer stands for what was approved."""
    errors = {} if reason.strip() else {"reason": "Say why the approved return is being reopened."}
    with transaction.atomic():
        locked = _transition(
            actor=actor, ret=ret, version=version, action="reopen", check=permissions.can_reopen_return,
            errors=errors, kind=ReturnEvent.Kind.REOPENED, comment=clean_text(reason), approved_at=None,
        )
        if locked.project.allocation.partnership_reports:
            _reopen_partnership_return(locked, actor, reason)
    return locked


def _reopen_partnership_return(ret: QuarterlyReturn, actor, reason: str) -> None:
    report = (PartnershipReturn.objects.select_for_update()
              .filter(allocation_id=ret.project.allocation_id, financial_year=ret.financial_year, quarter=ret.quarter,
                      status=Status.APPROVED).first())
    if report is None:
        return
    report.status = Status.RETURNED
    report.approved_at = None
    report.version += 1
    report._history_user = actor
    report.save()
    comment = clean_text(f"The return for {ret.project.name} was reopened: {reason}")
    PartnershipReturnEvent.objects.create(partnership_return=report, kind=PartnershipReturnEvent.Kind.REOPENED,
                                          actor=actor, at=timezone.now(), comment=comment)


def _spend_check(*, actor, ret, version, spend_status, kind, note, errors=None):
    allowed, reason = permissions.can_verify_spend(actor, ret)
    if not allowed:
        raise NotAllowed(reason)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = _claim(ret, RETURN_SPEND_CHECKABLE, version)
        locked.spend_status = spend_status
        locked.spend_note = clean_text(note)
        locked._history_user = actor
        locked.save()
        _write_events([_event(locked, kind, actor, note.strip())], actor)
        kept.refresh_return(locked)
    return locked


def return_verify_spend(*, actor, ret: QuarterlyReturn, version: int, note: str = ""):
    return _spend_check(actor=actor, ret=ret, version=version, spend_status=SpendStatus.VERIFIED,
                        kind=ReturnEvent.Kind.SPEND_VERIFIED, note=note)


def return_query_spend(*, actor, ret: QuarterlyReturn, version: int, note: str):
    errors = {} if note.strip() else {"note": "Say what finance needs to know about the spend: the provider will see this note."}
    return _spend_check(actor=actor, ret=ret, version=version, spend_status=SpendStatus.QUERIED,
                        kind=ReturnEvent.Kind.SPEND_QUERIED, note=note, errors=errors)


__all__ = [
    "return_save_draft", "return_submit", "return_approve", "return_send_back", "return_reopen",
    "return_verify_spend", "return_query_spend", "STALE_MESSAGE", "TRANSITIONS",
    # from .return_input
    "ReturnInput", "SpendInput", "MeasureInput", "NARRATIVE_FIELDS", "NARRATIVE_LABELS", "check_draft", "clean_text",
    "input_from_return", "return_problems", "spend_key", "explanation_key", "value_key", "not_collected_key",
    "reason_key", "numerator_key", "denominator_key",
]
