"""
Groups of projects' figures added up by the database: the SQL twins of reading each project with
reporting.quarters.read and adding its figures up with the rules of grants.figures.

`group_spend` works spend to date out from the source tables; `group_kept` reads it, with the
quarter's projects running and their returns by status and by RAG, from the kept quarter figures
(grants.models.ProjectQuarter), and `group_by_programme` the same by programme without a join.
tests/test_figures_agree.py and tests/grants/kept hold them to the one rule, project by project added
up.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.lookups import Exact

from grants import figures
from grants.choices import RETURN_AWAITING
from grants.figures import NOT_STARTED, ZERO
from grants.models import BudgetLine, Project, ProjectQuarter, QuarterlyReturn, SpendLine
from grants.periods import Quarter
from reporting.quarters import APPROVED, MONEY


def group_spend(scope, quarter: Quarter, group: str) -> dict:
    """The SQL twin of reading each project that `scope` selects with `reporting.quarters.read` and adding their
    `spend()` for Q1 to `quarter` of its year, grouped by `group` (a path from Project, such as
    "allocation__programme_id"): {group value: figures.SpendToDate}.

    `scope(prefix)` is the condition on Project (through `prefix`) that picks the projects, already
    limited to the user's reach: joins, not a subquery of ids, which the databases plan well. Three
    small grouped queries whatever the number of projects; tests/test_figures_agree.py checks that
    the result equals the one rule, project by project added up."""
    year, number = quarter.financial_year, quarter.number
    quarters = quarter.year_to_date()
    result: dict = {}

    def row(key) -> figures.SpendToDate:
        return result.setdefault(key, figures.SpendToDate())

    # Quarters expected: each project running in each quarter.
    for key, *counts in (
        Project.objects.filter(scope("")).values_list(group)
        .annotate(**{f"n{q.number}": Sum(Case(When(figures.running_in_sql(q), then=Value(1)), default=Value(0)))
                     for q in quarters})
        .values_list(group, *(f"n{q.number}" for q in quarters)).order_by()
    ):
        row(key).expected += sum(count or 0 for count in counts)
    # The plan of every quarter each project runs in.
    line_group = f"project__{group}"
    plan = [Case(When(figures.running_in_sql(q, "project__"), then=F(f"profile_q{q.number}")), default=Value(ZERO),
                 output_field=MONEY) for q in quarters]
    for key, total in (
        BudgetLine.objects.filter(scope("project__"), financial_year=year).values_list(line_group)
        .annotate(total=Sum(sum(plan[1:], plan[0]), output_field=MONEY)).order_by()
    ):
        row(key).plan += figures.pennies(total)
    # Each reported return of a quarter its project runs in, with the plan of its project's budget lines
    # for its quarter and the spend it holds, looked up by the database; added up by the return's status.
    its_quarter = Case(*[When(Exact(OuterRef("quarter"), n), then=F(f"profile_q{n}")) for n in (1, 2, 3, 4)],
                       output_field=MONEY)
    plan_of_its_quarter = _total(BudgetLine.objects.filter(project=OuterRef("project"), financial_year=year), its_quarter)
    its_spend = _total(SpendLine.objects.entered().filter(quarterly_return=OuterRef("pk")), F("actual"))
    for key, status, plan_total, spent, returns in (
        QuarterlyReturn.objects.reported().filter(scope("project__"), financial_year=year, quarter__lte=number)
        .filter(_running_return("", quarters))
        .annotate(its_plan=plan_of_its_quarter, its_spend=its_spend)
        .values_list(f"project__{group}", "status")
        .annotate(plan_total=Sum("its_plan"), spent=Sum("its_spend"), returns=Count("pk")).order_by()
    ):
        spend = row(key)
        if status == APPROVED:
            spend.plan_compared += figures.pennies(plan_total)
            spend.spent += figures.pennies(spent)
            spend.approved += returns
        else:
            spend.awaiting_plan += figures.pennies(plan_total)
            spend.awaiting_spent += figures.pennies(spent)
            spend.awaiting += returns
    return result


@dataclass(slots=True)
class GroupQuarter:
    """A group's figures from the kept quarter figures: spend to date (figures.SpendToDate), and for
    the quarter itself the projects running, their returns by status and by RAG (only the statuses
    and ratings that occur, and always figures.NOT_STARTED and figures.NOT_RATED)."""

    spend: figures.SpendToDate
    running: int
    statuses: dict
    rags: dict


def group_kept(scope, quarter: Quarter, group: str) -> dict:
    """What `group_spend` works out, and each group's projects running in `quarter` with their returns
    by status and by RAG, read from the kept quarter figures (grants.models.ProjectQuarter, one row per
    project per quarter it runs in) in one query: {group value: GroupQuarter}. `scope` and `group` as
    for `group_spend`; tests/grants/kept checks that the kept rows are what the source tables say.

    The database counts and adds up the rows by group, quarter, status and RAG (a few hundred rows
    whatever the number of projects), and they are put together here."""
    year, number = quarter.financial_year, quarter.number
    return _put_together(
        ProjectQuarter.objects.filter(scope("project__"), financial_year=year, quarter__lte=number)
        .values_list(f"project__{group}", "quarter", "status", "rag")
        .annotate(count=Count("pk"), plan=Sum("plan"), spent=Sum("spent")).order_by(), number)


def group_by_programme(programme_ids, quarter: Quarter, allocation_statuses) -> dict:
    """What `group_kept` works out by programme for every project of `programme_ids` under an allocation in
    one of `allocation_statuses`, from the programme and allocation status each kept row holds: no join
    to the projects and allocations. For a reader who reaches whole programmes (a funder's officer);
    tests/grants/kept checks that it equals `group_kept`."""
    year, number = quarter.financial_year, quarter.number
    return _put_together(
        ProjectQuarter.objects.filter(programme_id__in=programme_ids, allocation_status__in=allocation_statuses,
                                      financial_year=year, quarter__lte=number)
        .values_list("programme_id", "quarter", "status", "rag")
        .annotate(count=Count("pk"), plan=Sum("plan"), spent=Sum("spent")).order_by(), number)


def _put_together(rows, number: int) -> dict:
    """{group value: GroupQuarter} from rows of (group value, quarter, status, RAG, how many, plan, spent)
    of a year's quarters up to `number`."""
    found = {}  # group value -> [SpendToDate, running, statuses, rags]
    for key, q, status, rag, count, plan, spent in rows:
        entry = found.get(key)
        if entry is None:
            entry = found[key] = [figures.SpendToDate(), 0, {NOT_STARTED: 0}, {figures.NOT_RATED: 0}]
        spend = entry[0]
        plan, spent = plan or ZERO, spent or ZERO
        spend.expected += count
        spend.plan += plan
        if status == APPROVED:
            spend.approved += count
            spend.plan_compared += plan
            spend.spent += spent
        elif status in RETURN_AWAITING:
            spend.awaiting += count
            spend.awaiting_plan += plan
            spend.awaiting_spent += spent
        if q == number:
            entry[1] += count
            entry[2][status] = entry[2].get(status, 0) + count
            entry[3][rag] = entry[3].get(rag, 0) + count
    result = {}
    for key, (spend, running, statuses, rags) in found.items():
        for name in ("plan", "plan_compared", "spent", "awaiting_plan", "awaiting_spent"):
            setattr(spend, name, figures.pennies(getattr(spend, name)))
        # In the order every page lists them.
        result[key] = GroupQuarter(
            spend, running, {s: statuses[s] for s in figures.STATUS_ORDER if s in statuses},
            {r: rags[r] for r in figures.RAG_ORDER if r in rags})
    return result


def _total(queryset, expression) -> Subquery:
    """The sum of `expression` over `queryset` (correlated with OuterRef), as a subquery."""
    summed = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(t=Sum(expression)).values("t")
    return Subquery(summed, output_field=MONEY)


def _running_return(prefix: str, quarters) -> Q:
    """Returns of a quarter their project runs in (the reader leaves out the others)."""
    condition = Q(pk__in=[])
    for q in quarters:
        condition |= Q(**{f"{prefix}quarter": q.number}) & figures.running_in_sql(q, f"{prefix}project__")
    return condition


__all__ = ["group_spend", "group_kept", "group_by_programme", "GroupQuarter"]
