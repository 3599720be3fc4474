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
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from grants import permissions
from grants.models import (
    BudgetLine,
    MeasureValue,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
    ReturnEvent,
    SpendLine,
)
from grants.models.common import MONEY_MAX, RAG, TEXT_MAX, ZERO
from grants.models.projects import check_measure_value
from grants.periods import Quarter
from grants.personal_data import find_personal_data

from . import Invalid, NotAllowed, Stale

Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus

# The one table of allowed transitions: action -> (from statuses, to status).
TRANSITIONS = {
    "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
    "approve": ((Status.SUBMITTED,), Status.APPROVED),
    "send_back": ((Status.SUBMITTED,), Status.RETURNED),
    "reopen": ((Status.APPROVED,), Status.RETURNED),
}
EDITABLE = (Status.DRAFT, Status.RETURNED)
NARRATIVE_FIELDS = ("progress", "challenges", "case_study", "risks")
NARRATIVE_LABELS = {"progress": "Progress this quarter", "challenges": "Challenges", "case_study": "The case study",
                    "risks": "Risks and issues"}

STALE_MESSAGE = (
    "This return changed since you opened it: someone else saved, submitted or reviewed it. "
    "Nothing was saved. Open the return again to see the latest version."
)


# Keys that name each input, shared by the web form and the workbook importer.
def spend_key(line_id: int) -> str:
    return f"spend-{line_id}"


def explanation_key(line_id: int) -> str:
    return f"explanation-{line_id}"


def value_key(measure_id: int) -> str:
    return f"value-{measure_id}"


def not_collected_key(measure_id: int) -> str:
    return f"not-collected-{measure_id}"


def reason_key(measure_id: int) -> str:
    return f"reason-{measure_id}"


@dataclass
class SpendInput:
    actual: Decimal | None = None
    explanation: str = ""


@dataclass
class MeasureInput:
    value: Decimal | None = None
    not_collected: bool = False
    reason: str = ""


@dataclass
class ReturnInput:
    """What a provider enters, from the web form or a workbook."""

    progress: str = ""
    challenges: str = ""
    case_study: str = ""
    risks: str = ""
    self_rag: str = ""
    spend: dict[int, SpendInput] = field(default_factory=dict)  # by budget line id
    measures: dict[int, MeasureInput] = field(default_factory=dict)  # by project measure id
    personal_data_checked: bool = False


def lines_and_measures(project: Project, quarter: Quarter):
    """The budget lines and project measures a return for `quarter` reports on."""
    lines = list(BudgetLine.objects.filter(project=project, financial_year=quarter.financial_year))
    measures = list(
        ProjectMeasure.objects.filter(project=project, financial_year=quarter.financial_year).select_related("measure")
    )
    return lines, measures


def _event(ret, kind, actor, comment=""):
    event = ReturnEvent(quarterly_return=ret, kind=kind, actor=actor, at=timezone.now(), comment=comment)
    event._history_user = actor
    event.save()


def _claim(ret_id: int, statuses, version: int) -> QuarterlyReturn:
    """Take the return if it is still in one of `statuses` at `version`, or raise Stale."""
    claimed = QuarterlyReturn.objects.filter(pk=ret_id, status__in=statuses, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise Stale(STALE_MESSAGE)
    return QuarterlyReturn.objects.select_for_update().select_related("project__allocation__programme").get(pk=ret_id)


def _start(actor, project, quarter, lines, measures) -> QuarterlyReturn:
    try:
        with transaction.atomic():
            ret = QuarterlyReturn(project=project, financial_year=quarter.financial_year, quarter=quarter.number)
            ret._history_user = actor
            ret.save(force_insert=True)
    except IntegrityError:
        # Someone started it a moment ago.
        raise Stale(STALE_MESSAGE)
    bulk_create_with_history([SpendLine(quarterly_return=ret, budget_line=line) for line in lines], SpendLine,
                             default_user=actor)
    for pm in measures:
        value = MeasureValue(quarterly_return=ret, project_measure=pm, unit=pm.unit)
        value._history_user = actor
        value.save()
    _event(ret, ReturnEvent.Kind.CREATED, actor)
    return ret


def _check_values(data: ReturnInput, lines, measures) -> dict[str, str]:
    """Rules every saved figure must keep, draft or not."""
    errors = {}
    names = {line.pk: line.description for line in lines}
    for line_id, spend in data.spend.items():
        if line_id not in names:
            errors[spend_key(line_id)] = "This budget line is not part of this return."
        elif spend.actual is not None:
            if spend.actual < 0:
                errors[spend_key(line_id)] = f"Spend on {names[line_id]} must be £0 or more."
            elif spend.actual > MONEY_MAX:
                errors[spend_key(line_id)] = (
                    f"Spend on {names[line_id]} is too large: enter an amount up to £{MONEY_MAX:,}."
                )
            elif spend.actual.as_tuple().exponent < -2:
                errors[spend_key(line_id)] = f"Spend on {names[line_id]} can have at most 2 decimal places (pence)."
    by_id = {pm.pk: pm for pm in measures}
    for measure_id, entry in data.measures.items():
        pm = by_id.get(measure_id)
        if pm is None:
            errors[value_key(measure_id)] = "This measure is not part of this return."
            continue
        message = check_measure_value(pm.unit, entry.value, pm.measure.name)
        if message:
            errors[value_key(measure_id)] = message
        elif entry.not_collected and entry.value is not None:
            errors[value_key(measure_id)] = f"{pm.measure.name}: enter a value or say it was not collected, not both."
    if data.self_rag and data.self_rag not in RAG.values:
        errors["self_rag"] = "Choose red, amber or green."
    texts = {name: (getattr(data, name), label) for name, label in NARRATIVE_LABELS.items()}
    texts.update({explanation_key(k): (v.explanation, f"The explanation of the variance on {names.get(k, 'a line')}")
                  for k, v in data.spend.items()})
    texts.update({reason_key(k): (v.reason, f"Why {by_id[k].measure.name if k in by_id else 'a measure'} was not "
                                            "collected") for k, v in data.measures.items()})
    for key, (text, label) in texts.items():
        length = len(clean_text(text or ""))
        if length > TEXT_MAX and key not in errors:
            errors[key] = f"{label} is {length:,} characters long: it can be at most {TEXT_MAX:,}."
    return errors


def check_draft(project: Project, quarter: Quarter, data: ReturnInput) -> dict[str, str]:
    """The problems saving `data` as a draft would meet, by input key, without saving anything."""
    lines, measures = lines_and_measures(project, quarter)
    return _check_values(data, lines, measures)


def input_from_return(ret: QuarterlyReturn | None) -> ReturnInput:
    """What is saved on a return, as the input that would save it again (empty for no return)."""
    if ret is None:
        return ReturnInput()
    return ReturnInput(
        **{name: getattr(ret, name) for name in NARRATIVE_FIELDS},
        self_rag=ret.self_rag,
        spend={s.budget_line_id: SpendInput(s.actual, s.variance_explanation) for s in ret.spend_lines.all()},
        measures={
            mv.project_measure_id: MeasureInput(mv.value, mv.not_collected, mv.not_collected_reason)
            for mv in ret.measure_values.all()
        },
    )


def year_to_date(project: Project, quarter: Quarter, exclude_return_id=None) -> dict[int, Decimal]:
    """Actual spend per budget line in the earlier quarters of the same year."""
    totals: dict[int, Decimal] = {}
    earlier = SpendLine.objects.filter(
        quarterly_return__project=project,
        quarterly_return__financial_year=quarter.financial_year,
        quarterly_return__quarter__lt=quarter.number,
        actual__isnull=False,
    ).values_list("budget_line_id", "actual")
    for line_id, actual in earlier:
        totals[line_id] = totals.get(line_id, ZERO) + actual
    return totals


def variance_percent(actual: Decimal, profile: Decimal) -> Decimal | None:
    """How far actual is from profile, as an exact percentage of profile; None when nothing was profiled.

    Compare this with the threshold unrounded; round it only to show it."""
    if profile == 0:
        return None if actual == 0 else Decimal("100")
    return (actual - profile) / profile * 100


def over_threshold(variance: Decimal | None, threshold: Decimal) -> bool:
    return variance is not None and abs(variance) > threshold


def _check_submission(data: ReturnInput, project, quarter, lines, measures) -> dict[str, str]:
    """What a return must have before it is submitted."""
    errors = {}
    threshold = project.allocation.programme.variance_threshold_percent
    earlier = year_to_date(project, quarter)
    for line in lines:
        spend = data.spend.get(line.pk, SpendInput())
        if spend.actual is None:
            errors[spend_key(line.pk)] = f"Enter the actual spend on {line.description} this quarter, or 0."
            continue
        actual_ytd = earlier.get(line.pk, ZERO) + spend.actual
        profile_ytd = line.profile_to_date(quarter.number)
        variance = variance_percent(actual_ytd, profile_ytd)
        if over_threshold(variance, threshold) and not spend.explanation.strip():
            errors[explanation_key(line.pk)] = (
                f"Explain the variance on {line.description}: spend to date is £{actual_ytd:,} against a profile "
                f"of £{profile_ytd:,} ({variance:+.1f}%), "
                f"more than the {threshold.normalize()}% allowed without explanation."
            )
    for pm in measures:
        entry = data.measures.get(pm.pk, MeasureInput())
        if entry.not_collected:
            if not entry.reason.strip():
                errors[reason_key(pm.pk)] = f"Say why {pm.measure.name} was not collected this quarter."
        elif entry.value is None:
            errors[value_key(pm.pk)] = f"Enter a value for {pm.measure.name}, or say it was not collected this quarter."
    if not data.progress.strip():
        errors["progress"] = "Describe the progress made this quarter."
    if not data.self_rag:
        errors["self_rag"] = "Choose a RAG rating for the project this quarter."
    if not data.personal_data_checked:
        texts = {name: getattr(data, name) for name in NARRATIVE_FIELDS}
        texts.update({explanation_key(k): v.explanation for k, v in data.spend.items()})
        texts.update({reason_key(k): v.reason for k, v in data.measures.items()})
        for key, text in texts.items():
            found = find_personal_data(text)
            if found and key not in errors:
                errors[key] = (
                    f"This looks like it contains {' and '.join(found)}. Monitoring returns must not identify "
                    "anyone: remove it, or confirm below that it does not identify a service user."
                )
    return errors


def clean_text(text: str) -> str:
    """Text as we keep it: trimmed, with line breaks as LF however the browser or file sent them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _apply(ret: QuarterlyReturn, data: ReturnInput, lines, measures, actor) -> bool:
    """Write the input onto the return and its lines; True if any spend figure changed.

    Only rows whose figures change are saved, so the audit history shows real changes."""
    for name in NARRATIVE_FIELDS:
        setattr(ret, name, clean_text(getattr(data, name)))
    ret.self_rag = data.self_rag
    spend_changed = False
    existing_spend = {s.budget_line_id: s for s in ret.spend_lines.all()}
    for line in lines:
        entry = data.spend.get(line.pk, SpendInput())
        spend = existing_spend.get(line.pk) or SpendLine(quarterly_return=ret, budget_line=line)
        explanation = clean_text(entry.explanation)
        if spend.pk is None or (spend.actual, spend.variance_explanation) != (entry.actual, explanation):
            spend_changed |= spend.actual != entry.actual
            spend.actual, spend.variance_explanation = entry.actual, explanation
            spend._history_user = actor
            spend.save()
    existing = {mv.project_measure_id: mv for mv in ret.measure_values.all()}
    for pm in measures:
        entry = data.measures.get(pm.pk, MeasureInput())
        mv = existing.get(pm.pk) or MeasureValue(quarterly_return=ret, project_measure=pm)
        new = (None if entry.not_collected else entry.value, entry.not_collected,
               clean_text(entry.reason) if entry.not_collected else "")
        if mv.pk is None or (mv.value, mv.not_collected, mv.not_collected_reason) != new:
            mv.value, mv.not_collected, mv.not_collected_reason = new
            mv._history_user = actor
            mv.save()
    return spend_changed


def _save(*, actor, project: Project, quarter: Quarter, version: int | None, data: ReturnInput, submit: bool):
    lines, measures = lines_and_measures(project, quarter)
    existing = QuarterlyReturn.objects.filter(
        project=project, financial_year=quarter.financial_year, quarter=quarter.number
    ).first()
    allowed, reason = permissions.can_edit_return(actor, project, existing)
    if not allowed:
        raise NotAllowed(reason)
    if existing is not None and version is None:
        raise Stale(STALE_MESSAGE)
    errors = _check_values(data, lines, measures)
    if submit and not errors:
        errors = _check_submission(data, project, quarter, lines, measures)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if existing is None:
            ret = _start(actor, project, quarter, lines, measures)
            ret = _claim(ret.pk, EDITABLE, ret.version)
        else:
            ret = _claim(existing.pk, EDITABLE, version)
        was_returned = ret.status == Status.RETURNED
        spend_changed = _apply(ret, data, lines, measures, actor)
        note = ""
        if spend_changed and ret.spend_status != SpendStatus.NOT_CHECKED:
            ret.spend_status = SpendStatus.NOT_CHECKED
            note = "Spend figures changed, so spend needs verifying again."
        if submit:
            ret.status = TRANSITIONS["submit"][1]
            ret.submitted_at = timezone.now()
            kind = ReturnEvent.Kind.SUBMITTED
            note = " ".join(filter(None, ["Resubmitted after amendment." if was_returned else "", note]))
        else:
            kind = ReturnEvent.Kind.SAVED
        ret.full_clean()
        ret._history_user = actor
        ret.save()
        _event(ret, kind, actor, note)
    return ret


def return_save_draft(*, actor, project: Project, quarter: Quarter, version: int | None, data: ReturnInput):
    """Save what the provider has entered so far; figures must be valid, nothing needs to be complete."""
    return _save(actor=actor, project=project, quarter=quarter, version=version, data=data, submit=False)


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
        locked = _claim(ret.pk, from_statuses, version)
        locked.status = to_status
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked._history_user = actor
        locked.save()
        _event(locked, kind, actor, comment)
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
    errors = {} if reason.strip() else {"reason": "Say why the approved return is being reopened."}
    return _transition(
        actor=actor, ret=ret, version=version, action="reopen", check=permissions.can_reopen_return, errors=errors,
        kind=ReturnEvent.Kind.REOPENED, comment=clean_text(reason), approved_at=None,
    )


def _spend_check(*, actor, ret, version, spend_status, kind, note, errors=None):
    allowed, reason = permissions.can_verify_spend(actor, ret)
    if not allowed:
        raise NotAllowed(reason)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = _claim(ret.pk, (Status.SUBMITTED, Status.APPROVED), version)
        locked.spend_status = spend_status
        locked.spend_note = clean_text(note)
        locked._history_user = actor
        locked.save()
        _event(locked, kind, actor, note.strip())
    return locked


def return_verify_spend(*, actor, ret: QuarterlyReturn, version: int, note: str = ""):
    return _spend_check(actor=actor, ret=ret, version=version, spend_status=SpendStatus.VERIFIED,
                        kind=ReturnEvent.Kind.SPEND_VERIFIED, note=note)


def return_query_spend(*, actor, ret: QuarterlyReturn, version: int, note: str):
    errors = {} if note.strip() else {"note": "Say what finance needs to know about the spend: the provider will see this note."}
    return _spend_check(actor=actor, ret=ret, version=version, spend_status=SpendStatus.QUERIED,
                        kind=ReturnEvent.Kind.SPEND_QUERIED, note=note, errors=errors)


__all__ = [
    "ReturnInput", "SpendInput", "MeasureInput", "return_save_draft", "return_submit",
    "return_approve", "return_send_back", "return_reopen", "return_verify_spend", "return_query_spend",
]
