"""Which returns count and how: how returns are counted by status and rating, a return's RAG, a return
owed or overdue, projects running in a quarter and sets of quarters (grants.figures)."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, F, Q, Value, When

from grants.choices import RAG, RETURN_AWAITING, RETURN_OWED, ReturnStatus
from grants.periods import Quarter

NOT_STARTED = "not_started"  # a quarter the project runs in, with no return yet
NOT_RATED = "not_rated"
# How returns are counted by status and by rating, in the order pages list them.
STATUS_ORDER = (ReturnStatus.APPROVED, ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, ReturnStatus.DRAFT, NOT_STARTED)
STATUS_LABELS = {**dict(ReturnStatus.choices), NOT_STARTED: "Not started"}
RAG_ORDER = (RAG.RED, RAG.AMBER, RAG.GREEN, NOT_RATED)
RAG_LABELS = {**dict(RAG.choices), NOT_RATED: "Not rated"}

def return_rag(status: str, officer_rag: str, self_rag: str) -> tuple[str, str]:
    """The RAG a return counts as, and whose rating it is ("officer", "provider" or "").

    An approved return counts with the officer's rating (the provider's if the officer gave none).
    A return submitted or sent back for amendment counts with the provider's own rating. A draft
    has not been sent, so it is not rated, like a return not started."""
    if status == ReturnStatus.APPROVED:
        if officer_rag:
            return officer_rag, "officer"
        return (self_rag, "provider") if self_rag else (NOT_RATED, "")
    if status in RETURN_AWAITING and self_rag:
        return self_rag, "provider"
    return NOT_RATED, ""


def return_rag_sql(prefix: str = ""):
    """The SQL twin of `return_rag`: the rating a return counts as, or None when it is not rated."""
    approved = Q(**{f"{prefix}status": ReturnStatus.APPROVED})
    sent = Q(**{f"{prefix}status__in": [ReturnStatus.APPROVED, *RETURN_AWAITING]})
    return Case(
        When(approved & ~Q(**{f"{prefix}officer_rag": ""}), then=F(f"{prefix}officer_rag")),
        When(sent & ~Q(**{f"{prefix}self_rag": ""}), then=F(f"{prefix}self_rag")),
        default=Value(None), output_field=CharField(),
    )


def return_rag_in_sql(rags, prefix: str = "") -> Q:
    """The SQL twin of `return_rag` as a condition: returns that count as one of `rags`."""
    approved = Q(**{f"{prefix}status": ReturnStatus.APPROVED})
    sent = Q(**{f"{prefix}status__in": list(RETURN_AWAITING)})
    return (
        (approved & Q(**{f"{prefix}officer_rag__in": rags}))
        | (approved & Q(**{f"{prefix}officer_rag": ""}) & Q(**{f"{prefix}self_rag__in": rags}))
        | (sent & Q(**{f"{prefix}self_rag__in": rags}))
    )


# --- Periods and returns -----------------------------------------------------------------------


def latest_ended_quarter(today: date) -> Quarter:
    """The current quarter of the dashboards: the latest quarter that has ended by `today`
    (on 21 November 2026 that is 2026-27 Q2, July to September)."""
    return Quarter.from_date(today).previous()


def runs_in(start: date, end: date, quarter: Quarter) -> bool:
    """A project runs in a quarter when its dates share a day with it (SQL twin:
    ProjectQuerySet.running_in)."""
    return start <= quarter.end and end >= quarter.start


def running_in_sql(quarter: Quarter, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": quarter.end, f"{prefix}end_date__gte": quarter.start})


def is_owed(status: str | None) -> bool:
    """A return the provider still owes: not started, in draft, or sent back for amendment."""
    return status in (None, "", NOT_STARTED, *RETURN_OWED)


def is_overdue(status: str | None, due: date, today: date) -> bool:
    return is_owed(status) and today > due


def quarters_sql(quarters, prefix: str = "") -> Q:
    """Rows whose (financial_year, quarter) is one of `quarters`."""
    by_year: dict[int, list[int]] = {}
    for quarter in quarters:
        by_year.setdefault(quarter.financial_year, []).append(quarter.number)
    condition = Q(pk__in=[])
    for year, numbers in by_year.items():
        condition |= Q(**{f"{prefix}financial_year": year, f"{prefix}quarter__in": numbers})
    return condition


__all__ = [
    "NOT_STARTED",
    "NOT_RATED",
    "STATUS_ORDER",
    "STATUS_LABELS",
    "RAG_ORDER",
    "RAG_LABELS",
    "return_rag",
    "return_rag_sql",
    "return_rag_in_sql",
    "latest_ended_quarter",
    "runs_in",
    "running_in_sql",
    "is_owed",
    "is_overdue",
    "quarters_sql",
]
