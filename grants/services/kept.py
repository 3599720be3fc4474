"""
Keeping the quarter figures (grants.models.ProjectQuarter) and the measures' figures to date
(grants.models.MeasureToDate) true.

`refresh(project_ids)` works out the affected projects' rows again from the source tables (project
dates, budget lines, returns, spend lines) and writes what changed: every service that moves one of
those figures calls it inside its own transaction, so the kept rows change with the change or not at
all. `rebuild()` does the same for every project, in bulk (the `rebuild_kept_figures` command and the
migration that made the table). `rows_for()` is the builder both use; the tests compare the kept rows
with it after any sequence of service calls.

`figures_moved()` changes the tokens of grants.models.FiguresVersion that a change touches (its
funder's, or the one funders share, and the one every change moves), once per transaction, in that
transaction: every service that moves a figure or a name a page shows reaches it, through `refresh`
and through the signals of grants/apps.py on every model a page reads. Pages kept in the cache
(grants/kept_pages.py) are kept under the tokens, so none outlives the change it would miss.

The tokens are also the first lock of every change. Every change moves the token every change moves,
so from that moment to its commit it holds that row and any other change waits for it. A change that
locked something first (a project, a budget line) and then waited for the tokens could be waiting for
one that holds the tokens and waits for that very thing, and PostgreSQL would cancel one of the two as a
deadlock. So the tokens are moved before anything else is locked or written: `figures_moved` runs
before a row is saved or deleted in a transaction (grants/apps.py; a save on its own commits at once,
and moves its token just after), the services' claims and locks (grants.services.base.claim,
.lock_allocation, and the returns' own) call it for what they are about to change before they take it,
and one statement moving several tokens locks them in the order of their scope, `all` first
(tests/grants/kept/test_locks_in_one_order.py, test_tokens_first.py).

The rules are those of reporting.quarters: a row per quarter the project runs in (figures.runs_in);
plan = its budget lines' profile for that quarter of their year; spent = the spend lines entered on a
reported return (£0 when none), nothing for a draft; rag = figures.return_rag.

The measures' figures to date follow the return page's rules: a row per project measure and quarter
of its year whose value counts (an approved return holding a value, not marked not collected); actual
and target = figures.measure_figure over Q1 to that quarter against figures.quarter_targets; share =
figures.shortfall. `refresh_measures(project_ids)` works a project's rows out again: `refresh` calls it,
and so does every change of a return's status (grants.services.returns), of a project measure's
targets (grants.services.projects) and of a library measure's direction or aggregation (the admin).
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from uuid import uuid4

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from grants import figures
from grants.choices import RETURN_REPORTED, ReturnStatus
from grants.figures import NOT_STARTED, ZERO
from grants.models import (
    BudgetLine, FiguresVersion, MeasureToDate, MeasureValue, Project, ProjectMeasure, ProjectQuarter, QuarterlyReturn,
    SpendLine,
)
from grants.models.kept import FIELDS, MEASURE_FIELDS
from grants.periods import Quarter

CHUNK = 2000


# How a change to a row reaches the funder whose pages show it: the row's column, and the path from a
# programme to the row that column names (None: the column is the funder's own id).
REACHES_FUNDER = {
    "Programme": ("commissioner_id", None),
    "Priority": ("commissioner_id", None),
    "Allocation": ("programme_id", "pk"),
    "Project": ("allocation_id", "allocations"),
    "Payment": ("allocation_id", "allocations"),
    "Clawback": ("allocation_id", "allocations"),
    "BudgetLine": ("project_id", "allocations__projects"),
    "ProjectMeasure": ("project_id", "allocations__projects"),
    "OtherFunding": ("project_id", "allocations__projects"),
    "QuarterlyReturn": ("project_id", "allocations__projects"),
    "ProjectPriority": ("project_id", "allocations__projects"),
    "SpendLine": ("quarterly_return_id", "allocations__projects__returns"),
    "MeasureValue": ("quarterly_return_id", "allocations__projects__returns"),
    "ReturnEvent": ("quarterly_return_id", "allocations__projects__returns"),
    "PaymentReturn": ("quarterly_return_id", "allocations__projects__returns"),
    "Variation": ("allocation_id", "allocations"),
    "ProfileChange": ("variation_id", "allocations__variations"),
    "ProgrammeYear": ("programme_id", "pk"),
    "AllocationYear": ("allocation_id", "allocations"),
    "Virement": ("from_line_id", "allocations__projects__budget_lines"),
    "PartnershipReturn": ("allocation_id", "allocations"),
    "PartnershipReturnEvent": ("partnership_return_id", "allocations__partnership_returns"),
    "Document": ("allocation_id", "allocations"),
}
# Rows every funder's pages may show.
SHARED_MODELS = {"Organisation", "OutcomeMeasure", "Area"}
# Models whose rows no kept page shows: the kept figures themselves (their writers call figures_moved),
# the token, and the records of signing in and reminding. A user's row changes at every sign-in.
NOT_ON_ANY_KEPT_PAGE = {"ProjectQuarter", "MeasureToDate", "FiguresVersion", "User", "AccountEvent",
                        "PasswordResetRequest", "ReminderSent"}
EVERYTHING = ("everything",)


def on_kept_pages(model) -> bool:
    """Whether a change to a row of `model` can change a kept page (its audit records cannot)."""
    return model.__name__ not in NOT_ON_ANY_KEPT_PAGE and not model.__name__.startswith("Historical")


class _Moved:
    """Registered with on_commit by `figures_moved` for what it has moved: its presence says the
    transaction in flight has already changed those tokens (Django drops it with a rollback, or a
    savepoint's, with the change)."""

    def __init__(self, key: tuple):
        self.key = key

    def __call__(self):
        pass


def _moved(using: str) -> set:
    connection = connections[using]
    if not connection.in_atomic_block:
        return set()
    return {func.key for _, func, _ in connection.run_on_commit if isinstance(func, _Moved)}


def moved_in_this_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the transaction in flight has moved a figure not yet committed: a page worked out now
    must not be kept, nor a kept one shown."""
    return bool(_moved(using))


def _reach(row=None, project_ids=None, allocation_id=None) -> tuple[tuple, Q | None]:
    """(what moved, which funders' rows: None for every row). What moved is named as a row under a
    project or an allocation names it (REACHES_FUNDER), so that one project's figures and a row of that
    project move the tokens once between them."""
    from grants.models import Programme

    if project_ids is not None:
        project_ids = sorted(set(project_ids))
        return ("allocations__projects", *project_ids), Q(commissioner__in=Programme.objects.filter(
            allocations__projects__in=project_ids).values("commissioner"))
    if allocation_id is not None:
        return ("allocations", allocation_id), Q(commissioner__in=Programme.objects.filter(
            allocations=allocation_id).values("commissioner"))
    name = type(row).__name__ if row is not None else None
    if name in SHARED_MODELS:
        return ("shared",), Q(scope=FiguresVersion.SHARED)
    if name in REACHES_FUNDER:
        column, path = REACHES_FUNDER[name]
        value = getattr(row, column)
        if path is None:
            return (column, value), Q(commissioner_id=value)
        return (path, value), Q(commissioner__in=Programme.objects.filter(**{path: value}).values("commissioner"))
    return EVERYTHING, None


def figures_moved(using: str = DEFAULT_DB_ALIAS, *, row=None, project_ids=None, allocation_id=None) -> None:
    """A figure or a name a page shows is changing: change the tokens of the pages it touches, once per
    transaction, in it. `row`: the row about to be saved or deleted (its funder's token, or the shared
    one, with the one every change moves); `project_ids`: those projects' funders'; `allocation_id`: that
    allocation's funder's; none: every token."""
    key, funders = _reach(row, project_ids, allocation_id)
    connection = connections[using]
    if connection.in_atomic_block:
        moved = _moved(using)
        if key in moved or EVERYTHING in moved:
            return
        transaction.on_commit(_Moved(key), using=using)
    tokens = FiguresVersion.objects.using(using)
    if funders is not None:
        tokens = tokens.filter(Q(scope=FiguresVersion.ALL) | funders)
    if connection.in_atomic_block and connection.features.has_select_for_update:
        # In one statement, the rows locked in the order of their scope: `all` before any funder's or the
        # shared one, whatever order the table holds them in, so that a change waits for the one holding
        # `all` before it holds anything another change moving several tokens may want.
        tokens = FiguresVersion.objects.using(using).filter(
            pk__in=tokens.order_by("scope").select_for_update().values("pk"))
    tokens.update(token=uuid4().hex, moved_at=timezone.now())


def rows_for(project_ids=None, *, apps=None) -> list[ProjectQuarter]:
    """The rows the source tables give for `project_ids` (every project when None), unsaved, in
    (project, year, quarter) order. Four queries whatever the number of projects. `apps` is a
    migration's models registry (the migration that made the table fills it with this)."""
    if apps is None:
        models = (BudgetLine, SpendLine, QuarterlyReturn, Project, ProjectQuarter)
    else:
        models = tuple(apps.get_model("grants", name) for name in
                       ("BudgetLine", "SpendLine", "QuarterlyReturn", "Project", "ProjectQuarter"))
    BudgetLine_, SpendLine_, QuarterlyReturn_, Project_, ProjectQuarter_ = models

    def only(queryset, path):
        return queryset if project_ids is None else queryset.filter(**{f"{path}__in": project_ids})

    plans = defaultdict(lambda: [ZERO] * 4)
    for project_id, year, *sums in (
        only(BudgetLine_.objects, "project_id").values_list("project_id", "financial_year")
        .annotate(*(Sum(f"profile_q{n}") for n in (1, 2, 3, 4))).order_by().iterator(chunk_size=CHUNK)
    ):
        plans[project_id, year] = [figures.pennies(total) for total in sums]
    spent = {
        return_id: total for return_id, total in
        only(SpendLine_.objects.filter(actual__isnull=False, quarterly_return__status__in=RETURN_REPORTED),
             "quarterly_return__project_id").values_list("quarterly_return_id")
        .annotate(total=Sum("actual")).order_by().iterator(chunk_size=CHUNK)
    }
    returns = {
        (r[1], r[2], r[3]): r for r in
        only(QuarterlyReturn_.objects, "project_id").order_by()
        .values_list("pk", "project_id", "financial_year", "quarter", "status", "officer_rag", "self_rag",
                     "spend_status").iterator(chunk_size=CHUNK)
    }
    rows = []
    quarters_of = {}  # many projects share their dates
    # The programme and the allocation's status (not there before the migration that added them).
    placed = any(f.name == "allocation_status" for f in ProjectQuarter_._meta.get_fields())
    for pk, start, end, programme, allocation_status in (
        only(Project_.objects, "pk").order_by("pk")
        .values_list("pk", "start_date", "end_date", "allocation__programme_id", "allocation__status")
        .iterator(chunk_size=CHUNK)
    ):
        where = {"programme_id": programme, "allocation_status": allocation_status} if placed else {}
        if (start, end) not in quarters_of:
            quarters_of[start, end] = list(Quarter.covering(start, end)) if start <= end else []
        for q in quarters_of[start, end]:
            year, number = q.financial_year, q.number
            found = returns.get((pk, year, number))
            if found is None:
                status, officer_rag, self_rag, spend_status, held = NOT_STARTED, "", "", "", None
            else:
                return_id, _, _, _, status, officer_rag, self_rag, spend_status = found
                held = figures.pennies(spent.get(return_id) or ZERO) if status in RETURN_REPORTED else None
            rag, _ = figures.return_rag(status, officer_rag, self_rag)
            rows.append(ProjectQuarter_(
                project_id=pk, financial_year=year, quarter=number, plan=plans[pk, year][number - 1],
                status=status, officer_rag=officer_rag, self_rag=self_rag, rag=rag, spend_status=spend_status,
                spent=held, **where))
    return rows


def key(row: ProjectQuarter) -> tuple:
    return row.project_id, row.financial_year, row.quarter


def values(row: ProjectQuarter) -> tuple:
    return tuple(getattr(row, name) for name in FIELDS)


def refresh(project_ids: Iterable[int], quarters=None, *, measures: bool = True) -> None:
    """Make the kept rows of `project_ids` what the source tables say, in the caller's transaction.
    Rows that did not change are left alone; `quarters` (Quarter objects) narrows what is written when
    the caller knows only those moved; `measures=False` leaves the measures' figures to date alone when
    the caller knows they cannot have moved (a row that no measure figure reads)."""
    project_ids = sorted(set(project_ids))
    if not project_ids:
        return
    with transaction.atomic(savepoint=False):  # the caller's transaction when there is one
        figures_moved(project_ids=project_ids)
        # One refresh of a project at a time, in the order of their ids: a second waits here, then reads
        # what the first committed (PostgreSQL reads afresh at each statement), so that two changes to
        # one project at once (a budget line and a return's approval) cannot leave the other's figure
        # behind, nor add the same row twice. SQLite lets one transaction write at a time anyway.
        _lock(project_ids)
        _write(project_ids, quarters)
        if measures:
            _write_measures(project_ids)


def _lock(project_ids) -> None:
    list(Project.objects.select_for_update().filter(pk__in=project_ids).order_by("pk").values_list("pk", flat=True))


def _write(project_ids, quarters) -> None:
    wanted = {key(row): row for row in rows_for(project_ids)}
    if quarters is not None:
        narrowed = {(q.financial_year, q.number) for q in quarters}
        wanted = {k: row for k, row in wanted.items() if k[1:] in narrowed}
    kept = ProjectQuarter.objects.filter(project_id__in=project_ids)
    if quarters is not None:
        kept = kept.filter(figures.quarters_sql(quarters))
    _sync(ProjectQuarter, wanted, {key(row): row for row in kept}, FIELDS)


def _sync(model, wanted: dict, have: dict, fields) -> None:
    """Write what differs between the rows wanted and the rows kept (each by its key): rows no longer
    wanted are deleted, new ones added, changed ones updated, the rest left alone."""
    gone = [row.pk for k, row in have.items() if k not in wanted]
    new = [row for k, row in wanted.items() if k not in have]
    changed = []
    for k, row in wanted.items():
        old = have.get(k)
        if old is not None and any(getattr(old, name) != getattr(row, name) for name in fields):
            for name in fields:
                setattr(old, name, getattr(row, name))
            changed.append(old)
    if gone:
        model.objects.filter(pk__in=gone).delete()
    if new:
        model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, fields)


def refresh_return(ret: QuarterlyReturn, spent=None) -> None:
    """A return's quarter moved: its status, ratings or spend. Only the return's own columns of its
    quarter's row are written (the plan is the budget lines' and is kept by their services), so no
    lock on the project is needed: one query, and one more to add up its spend unless the caller,
    who has just written the spend lines, passes their total."""
    if ret.status in RETURN_REPORTED:
        if spent is None:
            spent = SpendLine.objects.filter(quarterly_return=ret, actual__isnull=False).aggregate(
                total=Sum("actual"))["total"]
        held = figures.pennies(spent or ZERO)
    else:
        held = None
    rag, _ = figures.return_rag(ret.status, ret.officer_rag, ret.self_rag)
    figures_moved(row=ret)
    updated = ProjectQuarter.objects.filter(
        project_id=ret.project_id, financial_year=ret.financial_year, quarter=ret.quarter,
    ).update(status=ret.status, officer_rag=ret.officer_rag, self_rag=ret.self_rag, rag=rag,
             spend_status=ret.spend_status, spent=held)
    if not updated:  # no row for the quarter yet: the whole project's rows are worked out again
        refresh([ret.project_id], [Quarter(ret.financial_year, ret.quarter)])


def allocation_moved(allocation) -> None:
    """An allocation changed status: its projects' kept rows say so, in the caller's transaction. Its
    projects are locked first, as `refresh` locks them before it reads the allocation's status, so that
    a row written at the same moment is either seen here or written with the new status. Called after
    the allocation's own save, which moves its pages' tokens (grants/apps.py)."""
    _lock(Project.objects.filter(allocation_id=allocation.pk).values_list("pk", flat=True))
    ProjectQuarter.objects.filter(project__allocation_id=allocation.pk).exclude(
        allocation_status=allocation.status).update(allocation_status=allocation.status)


# --- The measures' figures to date ----------------------------------------------------------------


def measure_rows_for(project_ids=None, *, apps=None) -> list[MeasureToDate]:
    """The measures' figures to date the source tables give for `project_ids` (every project when
    None), unsaved, in (project measure, quarter) order. Two queries whatever the number of projects."""
    if apps is None:
        models = (ProjectMeasure, MeasureValue, MeasureToDate)
    else:
        models = tuple(apps.get_model("grants", name) for name in ("ProjectMeasure", "MeasureValue", "MeasureToDate"))
    ProjectMeasure_, MeasureValue_, MeasureToDate_ = models
    measures = ProjectMeasure_.objects.order_by("pk")
    values = MeasureValue_.objects.filter(
        quarterly_return__status=ReturnStatus.APPROVED, value__isnull=False, not_collected=False,
        quarterly_return__financial_year=F("project_measure__financial_year"))
    if project_ids is not None:
        measures = measures.filter(project_id__in=project_ids)
        values = values.filter(project_measure__project_id__in=project_ids)
    counted = defaultdict(dict)  # project measure -> quarter -> (value, numerator, denominator)
    for pm_id, number, value, numerator, denominator in values.values_list(
            "project_measure_id", "quarterly_return__quarter", "value", "numerator", "denominator").order_by():
        counted[pm_id][number] = (value, None if numerator is None else Decimal(numerator),
                                  None if denominator is None else Decimal(denominator))
    rows = []
    runs = {}  # (start, end, year) -> the quarters of the year the project runs in; many projects share them
    for pk, project_id, start, end, year, unit, aggregation, direction, annual, *explicit in measures.values_list(
            "pk", "project_id", "project__start_date", "project__end_date", "financial_year", "unit",
            "measure__aggregation", "measure__direction", "annual_target", "target_q1", "target_q2", "target_q3",
            "target_q4").iterator(chunk_size=CHUNK):
        found = counted.get(pk)
        if not found:
            continue
        if (start, end, year) not in runs:
            runs[start, end, year] = {n for n in (1, 2, 3, 4) if figures.runs_in(start, end, Quarter(year, n))}
        # A value counts in a quarter the project runs in (as reporting.quarters reads it): one whose dates
        # moved away from an approved return's quarter no longer counts it.
        found = {n: found[n] for n in found if n in runs[start, end, year]}
        targets = figures.quarter_targets(aggregation, unit, annual, explicit)
        quarters = [figures.MeasureQuarter(Quarter(year, n), n in found, *found.get(n, (None, None, None)),
                                           targets[n - 1]) for n in (1, 2, 3, 4)]
        for n in sorted(found):
            result = figures.measure_figure(aggregation, quarters[:n])
            rows.append(MeasureToDate_(
                project_id=project_id, project_measure_id=pk, financial_year=year, quarter=n, actual=result.actual,
                target=result.target, share=float(figures.shortfall(direction, result.target, result.actual))))
    return rows


def measure_key(row: MeasureToDate) -> tuple:
    return row.project_measure_id, row.quarter


def measure_values(row: MeasureToDate) -> tuple:
    return tuple(getattr(row, name) for name in MEASURE_FIELDS)


def refresh_measures(project_ids: Iterable[int]) -> None:
    """Make the measures' figures to date of `project_ids` what the source tables say, in the caller's
    transaction, the projects locked as `refresh` locks them: a figure to date reads every quarter of
    its year, so two approvals of one project at once must not each miss the other's."""
    project_ids = sorted(set(project_ids))
    if not project_ids:
        return
    with transaction.atomic(savepoint=False):
        figures_moved(project_ids=project_ids)
        _lock(project_ids)
        _write_measures(project_ids)


def _write_measures(project_ids) -> None:
    wanted = {measure_key(row): row for row in measure_rows_for(project_ids)}
    have = {measure_key(row): row for row in MeasureToDate.objects.filter(project_id__in=project_ids)}
    _sync(MeasureToDate, wanted, have, MEASURE_FIELDS)


def refresh_library_measure(measure) -> None:
    """A measure of the library changed how it adds up or which way is better: every project reporting
    it has its figures to date worked out again."""
    refresh_measures(ProjectMeasure.objects.filter(measure=measure).values_list("project_id", flat=True).distinct())


# --- From scratch ---------------------------------------------------------------------------------


def rebuild_quarters(*, apps=None) -> int:
    """Every kept quarter figure worked out again from scratch, in bulk. The number of rows written."""
    return _rebuild(rows_for, "ProjectQuarter", apps)


def rebuild_measures(*, apps=None) -> int:
    """Every measure's figure to date worked out again from scratch, in bulk. The number of rows written."""
    return _rebuild(measure_rows_for, "MeasureToDate", apps)


def _rebuild(builder, name, apps) -> int:
    model = (apps or django_apps).get_model("grants", name)
    with transaction.atomic():
        if apps is None:
            figures_moved()  # the first lock of every change
        rows = builder(apps=apps)
        model.objects.all().delete()
        model.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def rebuild() -> int:
    """Every kept figure (quarters and measures) worked out again from scratch. The number of rows written."""
    with transaction.atomic():
        return rebuild_quarters() + rebuild_measures()


__all__ = ["allocation_moved", "figures_moved", "moved_in_this_transaction", "refresh", "refresh_measures",
           "refresh_library_measure", "refresh_return", "rebuild", "rebuild_measures", "rebuild_quarters", "rows_for",
           "measure_rows_for"]
