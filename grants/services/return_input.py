"""
What a provider enters on a quarterly return, from the web form or the workbook, and the rules it must
keep: every figure valid on any save (`check_draft`), and on submitting everything complete, each
variance over the programme's threshold explained and no personal data left unconfirmed
(`input_problems`). Nothing here writes: grants.services.returns saves and moves returns along.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from grants import figures
from grants.models import Project, QuarterlyReturn
from grants.models.common import RAG, TEXT_MAX
from grants.models.projects import check_measure_value, check_rate_parts
from grants.periods import Quarter
from grants.personal_data import find_personal_data
from grants.selectors import earlier_quarters, earlier_spend, lines_and_measures

from .base import check_money
NARRATIVE_FIELDS = ("progress", "challenges", "case_study", "risks")
NARRATIVE_LABELS = {"progress": "Progress this quarter", "challenges": "Challenges", "case_study": "The case study",
                    "risks": "Risks and issues"}


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


def numerator_key(measure_id: int) -> str:
    return f"numerator-{measure_id}"


def denominator_key(measure_id: int) -> str:
    return f"denominator-{measure_id}"


@dataclass
class SpendInput:
    actual: Decimal | None = None
    explanation: str = ""


@dataclass
class MeasureInput:
    """A measure's figures for the quarter. A rate is entered as its numerator and denominator; its
    value is worked out from them (figures.rate)."""

    value: Decimal | None = None
    not_collected: bool = False
    reason: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None


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



def check_values(data: ReturnInput, lines, measures) -> dict[str, str]:
    """Rules every saved figure must keep, draft or not."""
    errors = {}
    names = {line.pk: line.description for line in lines}
    for line_id, spend in data.spend.items():
        if line_id not in names:
            errors[spend_key(line_id)] = "This budget line is not part of this return."
        elif spend.actual is not None:
            check_money(errors, spend_key(line_id), spend.actual, f"spend on {names[line_id]}")
    by_id = {pm.pk: pm for pm in measures}
    for measure_id, entry in data.measures.items():
        pm = by_id.get(measure_id)
        if pm is None:
            errors[value_key(measure_id)] = "This measure is not part of this return."
            continue
        if pm.measure.is_rate:
            message = check_rate_parts(entry.numerator, entry.denominator, pm.measure.name)
            if message:
                key = denominator_key(measure_id) if entry.numerator is not None else numerator_key(measure_id)
                errors[key] = message
            elif entry.not_collected and entry.numerator is not None:
                errors[numerator_key(measure_id)] = (
                    f"{pm.measure.name}: enter the figures or say they were not collected, not both.")
            continue
        if entry.numerator is not None or entry.denominator is not None:
            errors[value_key(measure_id)] = f"{pm.measure.name} is not a rate: enter its value alone."
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


def check_draft(project: Project, quarter: Quarter, data: ReturnInput, lines=None, measures=None) -> dict[str, str]:
    """The problems saving `data` as a draft would meet, by input key, without saving anything.

    `lines` and `measures` are the return's (`lines_and_measures`), when the caller has just read them."""
    if lines is None or measures is None:
        lines, measures = lines_and_measures(project, quarter)
    return check_values(data, lines, measures)


def input_from_return(ret: QuarterlyReturn | None) -> ReturnInput:
    """What is saved on a return, as the input that would save it again (empty for no return)."""
    if ret is None:
        return ReturnInput()
    return ReturnInput(
        **{name: getattr(ret, name) for name in NARRATIVE_FIELDS},
        self_rag=ret.self_rag,
        spend={s.budget_line_id: SpendInput(s.actual, s.variance_explanation) for s in ret.spend_lines.all()},
        measures={
            mv.project_measure_id: MeasureInput(
                mv.value, mv.not_collected, mv.not_collected_reason,
                None if mv.numerator is None else Decimal(mv.numerator),
                None if mv.denominator is None else Decimal(mv.denominator))
            for mv in ret.measure_values.all()
        },
    )


def _variance_message(line, to_date: figures.EntrySpend, threshold: Decimal) -> str:
    percent = to_date.variance_percent
    how_far = f"{percent:+.1f}%" if percent is not None else "nothing was profiled"
    return (
        f"Explain the variance on {line.description}: spend to date is £{to_date.actual:,.2f} against a profile "
        f"of £{to_date.plan:,.2f} for the same quarters ({how_far}), "
        f"more than the {threshold.normalize():f}% allowed without explanation."
    )


def _check_submission(data: ReturnInput, project, quarter, lines, measures) -> dict[str, str]:
    """What a return must have before it is submitted. Spend to date is this quarter with the earlier
    quarters of the year that have been reported, against the profile of the same quarters (the
    return page's rule, figures.entry_spend): a draft or missing earlier return is left out."""
    errors = {}
    threshold = project.allocation.programme.variance_threshold_percent
    earlier = earlier_quarters(project, quarter)
    for line in lines:
        spend = data.spend.get(line.pk, SpendInput())
        if spend.actual is None:
            errors[spend_key(line.pk)] = f"Enter the actual spend on {line.description} this quarter, or 0."
            continue
        to_date = figures.entry_spend(line.profile_for(quarter.number), spend.actual,
                                      earlier_spend(line, earlier, quarter.number))
        if to_date.over_threshold(threshold) and not spend.explanation.strip():
            errors[explanation_key(line.pk)] = _variance_message(line, to_date, threshold)
    for pm in measures:
        entry = data.measures.get(pm.pk, MeasureInput())
        if entry.not_collected:
            if not entry.reason.strip():
                errors[reason_key(pm.pk)] = f"Say why {pm.measure.name} was not collected this quarter."
        elif pm.measure.is_rate and (entry.numerator is None or entry.denominator is None):
            key = numerator_key(pm.pk) if entry.numerator is None else denominator_key(pm.pk)
            errors[key] = (f"Enter how many and out of how many for {pm.measure.name}, or say it was not "
                           "collected this quarter.")
        elif not pm.measure.is_rate and entry.value is None:
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

def input_problems(data: ReturnInput, project, quarter, lines, measures, *, submit: bool) -> dict[str, str]:
    """Every problem with the input at once: the figures that are not valid, and on submitting, what is
    missing or unexplained. Where a field has both, the invalid figure is said."""
    errors = check_values(data, lines, measures)
    if submit:
        missing = _check_submission(data, project, quarter, lines, measures)
        for line in lines:  # no variance to explain on a figure that is not valid
            if spend_key(line.pk) in errors:
                missing.pop(explanation_key(line.pk), None)
        errors = {**missing, **errors}
    return errors


def return_problems(*, project: Project, quarter: Quarter, data: ReturnInput, submit: bool) -> dict[str, str]:
    """What saving (or submitting) `data` would be refused for, without saving anything: so that a page
    whose own fields refused some of the input can still list every other problem at once."""
    lines, measures = lines_and_measures(project, quarter)
    return input_problems(data, project, quarter, lines, measures, submit=submit)
