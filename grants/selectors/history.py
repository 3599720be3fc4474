"""
The audit history of a return, a programme, an allocation and a project, diffed from the history
tables in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from grants.models import (
    Allocation,
    BudgetLine,
    Clawback,
    Document,
    MeasureValue,
    Organisation,
    OutcomeMeasure,
    Payment,
    Programme,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
    SpendLine,
    Virement,
)
from grants.periods import FinancialYear, Quarter


@dataclass
class Change:
    """One field of one record changed: when, by whom, on what, from what to what, and why (if said)."""

    at: object
    user: object
    subject: str
    field: str
    old: object
    new: object
    reason: str = ""


# The name the return's history used; the same record.
FieldChange = Change


@dataclass
class Source:
    """What a history page diffs: the history records of one model, the fields with how each is shown
    (None: as it is; "money", "date", "bool", "name" (looked up in the names), or a dict of labels), and
    what each record is called. A record's first version leaves out the fields that are `empty` then."""

    history: object
    fields: list
    subject: Callable
    empty: tuple = (None,)


def _shown(value, kind, names):
    if value is None or value == "":
        return None
    if kind == "money":
        return f"£{value:,.2f}"
    if kind == "date":
        return f"{value:%-d %B %Y}"
    if kind == "bool":
        return "Yes" if value else "No"
    if kind == "name":
        return names.get(value, value)
    if isinstance(kind, dict):
        return kind.get(value, value)
    return value


def _changes(source: Source, names) -> list[Change]:
    """Every change to the source's fields (one query), diffed in Python in the order the records were written."""
    changes, previous = [], {}
    model = source.history.model.instance_type
    for record in source.history.select_related("history_user").order_by("history_id"):
        before = previous.get(record.id)
        reason = record.history_change_reason or ""
        subject = source.subject(record)
        if record.history_type == "-":
            changes.append(Change(record.history_date, record.history_user, subject, "Removed", None, None, reason))
            continue
        for name, kind in source.fields:
            new = _shown(getattr(record, name), kind, names)
            old = _shown(getattr(before, name), kind, names) if before is not None else None
            if before is None and new in source.empty:
                continue
            if before is None or old != new:
                label = model._meta.get_field(name).verbose_name
                changes.append(Change(record.history_date, record.history_user, subject, label, old, new, reason))
        previous[record.id] = record
    return changes


def history_changes(sources: list[Source], names: dict | None = None) -> list[Change]:
    """The one history engine: every change in the sources, newest first, one query per source.
    `names` turns the ids of fields shown as "name" into names."""
    changes = [change for source in sources for change in _changes(source, names or {})]
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes


def return_field_history(ret: QuarterlyReturn) -> list[Change]:
    """Every change to the return's figures and text, newest first, from the audit history.

    A fixed number of queries: each history table is read once and diffed in Python. Figures are shown as
    they are; a first version leaves out what was empty, nothing or zero."""
    lines = dict(BudgetLine.objects.filter(spend_lines__quarterly_return=ret).values_list("pk", "description"))
    measures = dict(
        ProjectMeasure.objects.filter(values__quarterly_return=ret).values_list("pk", "measure__name")
    )
    empty = (None, "", False)
    return history_changes([
        Source(QuarterlyReturn.history.filter(id=ret.pk),
               [(name, None) for name in ("status", "spend_status", "self_rag", "officer_rag", "progress",
                                          "challenges", "case_study", "risks", "spend_note")],
               lambda record: "Return", empty),
        Source(SpendLine.history.filter(quarterly_return_id=ret.pk),
               [("actual", None), ("variance_explanation", None)],
               lambda record: f"Spend: {lines.get(record.budget_line_id, '')}", empty),
        Source(MeasureValue.history.filter(quarterly_return_id=ret.pk),
               [("value", None), ("not_collected", None), ("not_collected_reason", None)],
               lambda record: f"Measure: {measures.get(record.project_measure_id, '')}", empty),
        _documents(Document.history.filter(quarterly_return_id=ret.pk)),
    ])


def _documents(records) -> Source:
    """Documents attached and removed: what each is, its title and file, and when it was removed (who
    attached or removed it is the record's user)."""
    return Source(records, [("kind", dict(Document.Kind.choices)), ("title", None), ("original_name", None),
                            ("removed_at", "date")],
                  lambda r: f"Document: {r.title}", (None, ""))


def _status_labels(model):
    return dict(model.Status.choices)


def programme_history(programme: Programme) -> list[Change]:
    """Every change to the programme's terms and budget, newest first. One query."""
    fields = [("name", None), ("code", None), ("financial_year", None), ("funding_source", None),
              ("total_budget", "money"), ("payment_terms", dict(Programme.PaymentTerms.choices)),
              ("return_due_days", None), ("reminder_days_before", None), ("overdue_reminder_days", None),
              ("variance_threshold_percent", None), ("over_allocation_percent", None),
              ("agreement_before_payment", "bool"), ("safeguarding_before_payment", "bool")]
    return history_changes([Source(Programme.history.filter(id=programme.pk), fields, lambda r: "Programme")])


def allocation_history(allocation: Allocation) -> list[Change]:
    """Every change to the allocation, its payments and its clawbacks, newest first. A fixed number of queries."""
    names = dict(Organisation.objects.filter(
        pk__in=Allocation.history.filter(id=allocation.pk).values("recipient_id")).values_list("pk", "name"))
    sources = [
        Source(Allocation.history.filter(id=allocation.pk),
               [("status", _status_labels(Allocation)), ("title", None), ("recipient_id", "name"), ("amount", "money"),
                ("start_date", "date"), ("end_date", "date"), ("decision_reference", None), ("decision_date", "date"),
                ("agreement_signed_on", "date"), ("withdrawn_reason", None), ("conditions", None)],
               lambda r: "Allocation"),
        Source(Payment.history.filter(allocation_id=allocation.pk),
               [("status", _status_labels(Payment)), ("amount", "money"), ("reference", None), ("paid_on", "date"),
                ("withheld_reason", None)],
               lambda r: f"Payment {Quarter(r.financial_year, r.quarter).label}"),
        Source(Clawback.history.filter(allocation_id=allocation.pk),
               [("status", _status_labels(Clawback)), ("amount", "money"), ("reason", None), ("requested_on", "date"),
                ("received_on", "date"), ("waived_reason", None)],
               lambda r: f"Clawback {r.id}"),
        _documents(Document.history.filter(allocation_id=allocation.pk, quarterly_return_id__isnull=True)),
    ]
    return history_changes(sources, names)


def project_history(project: Project) -> list[Change]:
    """Every change to the project, its budget lines (virements included), its measures' targets and its
    virements, newest first. A fixed number of queries."""
    names = dict(Organisation.objects.filter(
        pk__in=Project.history.filter(id=project.pk).values("provider_id")).values_list("pk", "name"))
    measure_names = dict(OutcomeMeasure.objects.filter(
        pk__in=ProjectMeasure.history.filter(project_id=project.pk).values("measure_id")).values_list("pk", "name"))
    lines = BudgetLine.history.filter(project_id=project.pk)
    line_ids = set(lines.values_list("id", flat=True))
    profile = [(f"profile_q{n}", "money") for n in (1, 2, 3, 4)]
    sources = [
        Source(Project.history.filter(id=project.pk),
               [("name", None), ("provider_id", "name"), ("start_date", "date"), ("end_date", "date"),
                ("description", None)],
               lambda r: "Project"),
        Source(lines, [("description", None), ("amount", "money")] + profile,
               lambda r: f"Budget line: {r.description} ({FinancialYear(r.financial_year).label})"),
        Source(ProjectMeasure.history.filter(project_id=project.pk),
               [(name, None) for name in (
                   "baseline", "annual_target", "target_q1", "target_q2", "target_q3", "target_q4")],
               lambda r: f"Measure: {measure_names.get(r.measure_id, '')} ({FinancialYear(r.financial_year).label})"),
        Source(Virement.history.filter(Q(from_line_id__in=line_ids) | Q(to_line_id__in=line_ids)),
               [("status", _status_labels(Virement)), ("amount", "money"), ("decision_note", None)],
               lambda r: f"Virement {r.id}"),
    ]
    return history_changes(sources, names)


def virement_line_changes(virement: Virement) -> list[tuple]:
    """Each line (line, before, after) around an approved virement, from the audit history. Two queries a line."""
    if virement.status != Virement.Status.APPROVED:
        return []
    reason = f"Virement {virement.pk} approved"
    rows = []
    for line in (virement.from_line, virement.to_line):
        records = BudgetLine.history.filter(id=line.pk)
        after = records.filter(history_change_reason=reason).order_by("-history_id").first()
        before = records.filter(history_id__lt=after.history_id).order_by("-history_id").first() if after else None
        if after is not None and before is not None:
            rows.append((line, before, after))
    return rows
