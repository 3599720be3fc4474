"""
The audit history of a return, a programme, an allocation and a project, diffed from the history
tables in a fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Q

from grants.models import (
    Allocation,
    BudgetLine,
    Clawback,
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
class FieldChange:
    at: object
    user: object
    subject: str
    field: str
    old: object
    new: object


def return_field_history(ret: QuarterlyReturn) -> list[FieldChange]:
    """Every change to the return's figures and text, newest first, from the audit history.

    A fixed number of queries: each history table is read once and diffed in Python."""
    lines = dict(BudgetLine.objects.filter(spend_lines__quarterly_return=ret).values_list("pk", "description"))
    measures = dict(
        ProjectMeasure.objects.filter(values__quarterly_return=ret).values_list("pk", "measure__name")
    )
    sources = [
        (QuarterlyReturn.history.filter(id=ret.pk), "id",
         ["status", "spend_status", "self_rag", "officer_rag", "progress", "challenges", "case_study", "risks", "spend_note"],
         lambda record: "Return"),
        (SpendLine.history.filter(quarterly_return_id=ret.pk), "id", ["actual", "variance_explanation"],
         lambda record: f"Spend: {lines.get(record.budget_line_id, '')}"),
        (MeasureValue.history.filter(quarterly_return_id=ret.pk), "id", ["value", "not_collected", "not_collected_reason"],
         lambda record: f"Measure: {measures.get(record.project_measure_id, '')}"),
    ]
    changes = []
    for history, key, fields, subject in sources:
        model = history.model.instance_type
        previous = {}
        for record in history.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(getattr(record, key))
            for name in fields:
                new = getattr(record, name)
                old = getattr(before, name) if before is not None else None
                if before is None and new in (None, "", False):
                    continue
                if before is None or old != new:
                    changes.append(FieldChange(record.history_date, record.history_user, subject(record),
                                               model._meta.get_field(name).verbose_name, old, new))
            previous[getattr(record, key)] = record
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes


@dataclass
class Change:
    at: object
    user: object
    subject: str
    field: str
    old: object
    new: object
    reason: str


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


def _changes(history, fields, subject, names) -> list[Change]:
    """Every change to `fields` through `history` (one query), diffed in Python in the order the records
    were written."""
    changes, previous = [], {}
    model = history.model.instance_type
    for record in history.select_related("history_user").order_by("history_id"):
        before = previous.get(record.id)
        reason = record.history_change_reason or ""
        if record.history_type == "-":
            changes.append(Change(record.history_date, record.history_user, subject(record), "Removed", None, None,
                                  reason))
            continue
        for name, kind in fields:
            new = _shown(getattr(record, name), kind, names)
            old = _shown(getattr(before, name), kind, names) if before is not None else None
            if before is None and new is None:
                continue
            if before is None or old != new:
                label = model._meta.get_field(name).verbose_name
                changes.append(Change(record.history_date, record.history_user, subject(record), label, old, new, reason))
        previous[record.id] = record
    return changes


def _status_labels(model):
    return dict(model.Status.choices)


def programme_history(programme: Programme) -> list[Change]:
    """Every change to the programme's terms and budget, newest first. One query."""
    fields = [("name", None), ("code", None), ("financial_year", None), ("funding_source", None),
              ("total_budget", "money"), ("payment_terms", dict(Programme.PaymentTerms.choices)),
              ("return_due_days", None), ("reminder_days_before", None), ("overdue_reminder_days", None),
              ("variance_threshold_percent", None), ("over_allocation_percent", None)]
    changes = _changes(Programme.history.filter(id=programme.pk), fields, lambda r: "Programme", {})
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def allocation_history(allocation: Allocation) -> list[Change]:
    """Every change to the allocation, its payments and its clawbacks, newest first. A fixed number of queries."""
    names = dict(Organisation.objects.filter(
        pk__in=Allocation.history.filter(id=allocation.pk).values("recipient_id")).values_list("pk", "name"))
    sources = [
        (Allocation.history.filter(id=allocation.pk),
         [("status", _status_labels(Allocation)), ("title", None), ("recipient_id", "name"), ("amount", "money"),
          ("start_date", "date"), ("end_date", "date"), ("decision_reference", None), ("decision_date", "date"),
          ("agreement_signed_on", "date"), ("withdrawn_reason", None), ("conditions", None)],
         lambda r: "Allocation"),
        (Payment.history.filter(allocation_id=allocation.pk),
         [("status", _status_labels(Payment)), ("amount", "money"), ("reference", None), ("paid_on", "date"),
          ("withheld_reason", None)],
         lambda r: f"Payment {Quarter(r.financial_year, r.quarter).label}"),
        (Clawback.history.filter(allocation_id=allocation.pk),
         [("status", _status_labels(Clawback)), ("amount", "money"), ("reason", None), ("requested_on", "date"),
          ("received_on", "date"), ("waived_reason", None)],
         lambda r: f"Clawback {r.id}"),
    ]
    changes = [c for history, fields, subject in sources for c in _changes(history, fields, subject, names)]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


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
        (Project.history.filter(id=project.pk),
         [("name", None), ("provider_id", "name"), ("start_date", "date"), ("end_date", "date"),
          ("description", None)],
         lambda r: "Project"),
        (lines, [("description", None), ("amount", "money")] + profile,
         lambda r: f"Budget line: {r.description} ({FinancialYear(r.financial_year).label})"),
        (ProjectMeasure.history.filter(project_id=project.pk),
         [(name, None) for name in ("baseline", "annual_target", "target_q1", "target_q2", "target_q3", "target_q4")],
         lambda r: f"Measure: {measure_names.get(r.measure_id, '')} ({FinancialYear(r.financial_year).label})"),
        (Virement.history.filter(Q(from_line_id__in=line_ids) | Q(to_line_id__in=line_ids)),
         [("status", _status_labels(Virement)), ("amount", "money"), ("decision_note", None)],
         lambda r: f"Virement {r.id}"),
    ]
    changes = [c for history, fields, subject in sources for c in _changes(history, fields, subject, names)]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes
