"""
The one reader of project × quarter figures, for any window of quarters (a quarter, a year to date,
any twelve months): each project's plan, the spend its reported returns hold, each return's status
and ratings, and each measure's values and targets, quarter by quarter. The commissioner's workbook,
the performance reports and the project page's charts read through it, and turn what it reads into
figures with the rules of grants.figures, so that they cannot disagree.

It reads in a fixed number of queries whatever the number of projects: projects, returns, budget
lines, spend, project measures, measure values, and (when asked) narrative and priorities. Without
the budget lines (`lines`), each quarter's status, ratings, plan and spend are those of the kept
quarter figures (grants.models.ProjectQuarter, which the funder's dashboard reads too), with the
capital lines' part read apart; with them, the lines themselves, added up. Drafts'
figures are never read: a quarter counts when its return is approved, and a return submitted or sent
back is "awaiting approval", its figures kept apart (figures.spend_to_date, figures.measure_figure).
Groups of projects added up by the database, by the same rules, are in reporting.groups; the rows it
gives (a project, its lines and measures over the window) are reporting.quarter_rows.
"""

from decimal import Decimal

from django.db.models import CharField, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast

from grants import figures
from grants.choices import ALLOCATION_COMMITTED, CAPITAL_CATEGORIES, RETURN_REPORTED
from grants.figures import NOT_STARTED, ZERO
from grants.models import (
    BudgetLine, MeasureValue, OtherFunding, Project, ProjectMeasure, ProjectQuarter, QuarterlyReturn, SpendLine,
)
from grants.periods import Quarter
from reporting import collector
from reporting.quarter_rows import (
    APPROVED, LineQuarters, MeasureQuarters, MeasureYear, OtherFundingRow, Places, ProjectQuarters,
)

CHUNK = 2000
# From this many projects the reads stream in chunks (a server-side cursor on PostgreSQL, to bound the
# memory of a long report); a smaller read is fetched at once, in fewer round trips (a project page
# reads one project).
STREAM_FROM = 100


def _each(rows, queryset):
    """`queryset`'s rows: streamed when the read is for many projects (`rows`), fetched at once otherwise."""
    return queryset.iterator(chunk_size=CHUNK) if len(rows) >= STREAM_FROM else queryset


MONEY = DecimalField(max_digits=14, decimal_places=2)


class Decimals(dict):
    """The Decimal of each decimal column's text or whole number (None stays None), each parsed once: a
    large read holds the same few amounts and targets thousands of times over, and a shared Decimal
    hashes once."""

    def __missing__(self, text):
        value = self[text] = None if text is None else Decimal(text)
        return value


def text(expression) -> Cast:
    """A decimal column read as its text, made a Decimal here: exact on both databases and, on
    SQLite, several times quicker than the ORM's conversion of each value."""
    return Cast(expression, output_field=CharField())


def read(user, window: list[Quarter], condition: Q = Q(), *, projects=None, lines: bool = False,
         measures: bool = True, narrative: bool | Quarter = False, priorities: bool = False,
         funding: bool = False) -> list[ProjectQuarters]:
    """Every project in `user`'s reach under a decided allocation that `condition` selects (or the
    `projects` QuerySet, already scoped) and that runs in `window`, with its figures for each
    quarter of the window, in the order programme, recipient, project. `narrative`: True reads the
    narrative of every approved return in the window, a Quarter of the window that quarter's alone."""
    with collector.paused():  # a large read makes many small objects and no cycles (reporting/collector.py)
        return _read(user, window, condition, projects, lines, measures, narrative, priorities, funding)


def _read(user, window, condition, projects, lines, measures, narrative, priorities, funding):
    place = Places(window)
    years = sorted({q.financial_year for q in window})
    first, last = window[0], window[-1]
    if projects is None:
        projects = Project.objects.for_user(user).filter(condition).filter(
            allocation__status__in=ALLOCATION_COMMITTED, start_date__lte=last.end, end_date__gte=first.start)
    chosen = Project.objects.filter(pk__in=projects.values("pk"))  # once each, whatever `condition` joins
    running = {}  # by (start, end): many projects share their dates, so the rule runs once per pair
    rows = {}
    for p in (
        chosen.annotate(programme_name=F("allocation__programme__name"), code=F("allocation__programme__code"),
                        programme_pk=F("allocation__programme_id"), recipient=F("allocation__recipient__name"),
                        provider_name=F("provider__name"), allocation_name=F("allocation__title"),
                        area_name=F("area__name"))
        .order_by("programme_name", "code", "recipient", "name", "reference")
        .values_list("pk", "reference", "name", "programme_name", "code", "programme_pk", "recipient",
                     "provider_name", "allocation_name", "start_date", "end_date", "area_id", "area_name",
                     named=True)
    ):
        dates = (p.start_date, p.end_date)
        if dates not in running:
            running[dates] = [figures.runs_in(p.start_date, p.end_date, q) for q in window]
        runs = running[dates]
        n = len(window)
        rows[p.pk] = ProjectQuarters(
            p.pk, p.reference, p.name, p.programme_name, p.code, p.programme_pk, p.recipient, p.provider_name,
            p.allocation_name, p.start_date, p.end_date, window, list(runs),
            statuses=[NOT_STARTED if r else None for r in runs], officer_rags=[""] * n, self_rags=[""] * n,
            spend_statuses=[""] * n, plan=[ZERO] * n, spent=[None] * n, capital_plan=[ZERO] * n,
            capital_spent=[None] * n, area_id=p.area_id, area_name=p.area_name or "",
        )
    if not rows:
        return []

    in_window = figures.quarters_sql(window)
    returns = QuarterlyReturn.objects.filter(in_window, project__in=chosen)
    if lines:
        for project_id, year, number, status, officer_rag, self_rag, spend_status in _each(rows,
            returns.order_by().values_list("project_id", "financial_year", "quarter", "status", "officer_rag",
                                           "self_rag", "spend_status")
        ):
            row, i = rows[project_id], place[year, number]
            if row.runs[i]:
                row.statuses[i], row.officer_rags[i], row.self_rags[i] = status, officer_rag, self_rag
                row.spend_statuses[i] = spend_status
        _lines(rows, chosen, years, place)
        # A reported return with no spend entered still holds £0.
        for row in rows.values():
            for i, status in enumerate(row.statuses):
                if status in RETURN_REPORTED and row.spent[i] is None:
                    row.spent[i] = ZERO
    else:
        _kept(rows, chosen, years, place)
        _capital(rows, chosen, years, window, place)

    if measures:
        _measures(rows, chosen, years, window, place)
    if narrative:
        _narrative(rows, returns, window, place, narrative)
    if priorities:
        for project_id, name in (
            Project.priorities.through.objects.filter(project__in=chosen).order_by("priority__name")
            .values_list("project_id", "priority__name")
        ):
            rows[project_id].priorities.append(name)
    if funding:
        _funding(rows, chosen, years, lines)
    return [_settled(row) for row in rows.values()]


def _funding(rows, chosen, years, lines_read):
    """Each project's budget for the window's financial years (its budget lines' amounts) beside the other
    funding of the same years: two queries, or one when the budget lines of those years are read already."""
    if lines_read:
        budgets = {pk: sum((line.amount for line in row.lines), ZERO) for pk, row in rows.items()}
    else:
        budgets = dict(
            BudgetLine.objects.filter(project__in=chosen, financial_year__in=years).values_list("project_id")
            .annotate(total=Sum("amount")).order_by()
        )
    others = {}
    for project_id, *other in (
        OtherFunding.objects.filter(project__in=chosen, financial_year__in=years)
        .order_by("financial_year", "funder", "pk")
        .values_list("project_id", "funder", "financial_year", "status", "amount", "pays_for")
    ):
        others.setdefault(project_id, []).append(OtherFundingRow(*other))
    for pk, row in rows.items():
        row.other_funders = others.get(pk, [])
        row.funding = figures.funding(figures.pennies(budgets.get(pk) or ZERO),
                                      [(o.status, o.amount) for o in row.other_funders])


def _settled(row: ProjectQuarters) -> ProjectQuarters:
    """The row's per-quarter figures as tuples once read: tuples of numbers and text are left alone by
    the garbage collector, which a large report would otherwise walk again and again."""
    for name in ("runs", "statuses", "officer_rags", "self_rags", "spend_statuses", "plan", "spent", "capital_plan",
                 "capital_spent"):
        setattr(row, name, tuple(getattr(row, name)))
    for line in row.lines:
        line.plan, line.spent = tuple(line.plan), tuple(line.spent)
    for measure in row.measures:
        measure.values, measure.targets, measure.reports = (
            tuple(measure.values), tuple(measure.targets), tuple(measure.reports))
    return row


def _kept(rows, chosen, years, place):
    """Each running quarter's return status and ratings, plan and reported spend, from the kept quarter
    figures (grants.models.ProjectQuarter, kept true with every change in the change's own transaction,
    as the funder's dashboard reads them): one row per project and quarter it runs in, "not started"
    where there is no return, £0 spent on a reported return with no spend entered."""
    for project_id, year, number, status, officer_rag, self_rag, spend_status, plan, spent in _each(rows,
        ProjectQuarter.objects.filter(project__in=chosen, financial_year__in=years)
        .values_list("project_id", "financial_year", "quarter", "status", "officer_rag", "self_rag", "spend_status",
                     "plan", "spent").order_by()
    ):
        i = place.get((year, number))
        row = rows[project_id]
        if i is not None and row.runs[i]:
            row.statuses[i], row.officer_rags[i], row.self_rags[i] = status, officer_rag, self_rag
            row.spend_statuses[i], row.plan[i], row.spent[i] = spend_status, plan, spent


def _capital(rows, chosen, years, window, place):
    """The part of each running quarter's plan and reported spend on capital lines (figures.spend_kind):
    the rest is revenue."""
    capital = {"category__in": list(CAPITAL_CATEGORIES)}
    for project_id, year, *sums in _each(rows,
        BudgetLine.objects.filter(project__in=chosen, financial_year__in=years, **capital)
        .values_list("project_id", "financial_year")
        .annotate(*(Sum(f"profile_q{n}") for n in (1, 2, 3, 4))).order_by()
    ):
        row = rows[project_id]
        for number, total in enumerate(sums, start=1):
            i = place.get((year, number))
            if i is not None and row.runs[i]:
                row.capital_plan[i] += figures.pennies(total)
    for project_id, year, number, total in _each(rows,
        SpendLine.objects.reported().filter(figures.quarters_sql(window, "quarterly_return__"),
                                            quarterly_return__project__in=chosen,
                                            **{f"budget_line__{name}": value for name, value in capital.items()})
        .values_list("quarterly_return__project_id", "quarterly_return__financial_year", "quarterly_return__quarter")
        .annotate(total=Sum("actual")).order_by()
    ):
        row, i = rows[project_id], place[year, number]
        if row.runs[i]:
            row.capital_spent[i] = figures.pennies(total)


def _at(model, link: str, quarter: Quarter, **conditions) -> Subquery:
    """The text of the `model` row (a spend line or a measure value) that the return for `quarter` of
    the outer row's project holds for the outer row (a budget line or a project measure): looked up by
    the database, one column per quarter of the window, so that a large workbook reads one row per
    line or measure rather than one per quarter."""
    field = "actual" if model is SpendLine else "value"
    return Subquery(
        model.objects.filter(
            **{link: OuterRef("pk")}, quarterly_return__project=OuterRef("project"),
            quarterly_return__financial_year=quarter.financial_year, quarterly_return__quarter=quarter.number,
            **conditions,
        ).order_by().annotate(t=text(field)).values("t")[:1]
    )


def _lines(rows, chosen, years, place):
    """Each budget line with its plan and the spend of each reported return in the window; the
    project's plan and spend are the lines' added up."""
    window = next(iter(rows.values())).window
    n = len(window)
    spent = {f"s{i}": _at(SpendLine, "budget_line", q, quarterly_return__status__in=RETURN_REPORTED,
                          actual__isnull=False)
             for i, q in enumerate(window)}
    decimals = Decimals()
    for pk, project_id, category, description, year, amount, *figures_ in _each(rows,
        BudgetLine.objects.filter(project__in=chosen, financial_year__in=years)
        .annotate(t_amount=text("amount"), t1=text("profile_q1"), t2=text("profile_q2"), t3=text("profile_q3"),
                  t4=text("profile_q4"), **spent)
        .order_by("project_id", "category", "description", "pk")
        .values_list("pk", "project_id", "category", "description", "financial_year", "t_amount", "t1", "t2", "t3",
                     "t4", *spent)
    ):
        row = rows[project_id]
        runs = row.runs
        capital = figures.spend_kind(category) == figures.CAPITAL
        profile = (decimals[figures_[0]], decimals[figures_[1]], decimals[figures_[2]], decimals[figures_[3]])
        plan, actual = [ZERO] * n, [None] * n
        for k, i in place.of_year(year):
            if runs[i]:
                amount_q = plan[i] = profile[k]
                row.plan[i] += amount_q
                if capital:
                    row.capital_plan[i] += amount_q
        for i, value in enumerate(figures_[4:]):
            if value is not None and runs[i]:
                value = actual[i] = decimals[value]
                row.spent[i] = (row.spent[i] or ZERO) + value
                if capital:
                    row.capital_spent[i] = (row.capital_spent[i] or ZERO) + value
        row.lines.append(LineQuarters(pk, category, description, year, decimals[amount], profile, plan, actual))


def read_narrative(rows: list[ProjectQuarters], window: list[Quarter]) -> None:
    """The narrative of every approved return in `window` of `rows` (read without it), in one query: for a
    page that shows a few of the many projects it has read."""
    by_pk = {row.pk: row for row in rows if not row.narrative}
    if by_pk:
        returns = QuarterlyReturn.objects.filter(figures.quarters_sql(window), project_id__in=list(by_pk))
        _narrative(by_pk, returns, window, Places(window), True)


def _narrative(rows, returns, window, place, narrative):
    approved = returns.filter(status=APPROVED)
    if isinstance(narrative, Quarter):
        approved = approved.filter(financial_year=narrative.financial_year, quarter=narrative.number)
    for r in _each(rows,
        approved.order_by("financial_year", "quarter")
        .values_list("project_id", "financial_year", "quarter", "progress", "challenges", "case_study", "risks",
                     "officer_rag", "self_rag", named=True)
    ):
        row, i = rows[r.project_id], place[r.financial_year, r.quarter]
        if row.runs[i]:
            row.narrative.append((window[i], r))


def _measures(rows, chosen, years, window, place):
    """Each project measure with its targets, and the approved value (and a rate's parts) of each
    quarter of the window: no page, file or report counts another value."""
    n = len(window)
    by_measure = {}  # (project, measure) -> MeasureQuarters
    by_pm = {}
    decimals = Decimals()
    for pm in _each(rows,
        ProjectMeasure.objects.filter(project__in=chosen, financial_year__in=years)
        .annotate(name=F("measure__name"), direction=F("measure__direction"),
                  aggregation=F("measure__aggregation"), t_baseline=text("baseline"), t_annual=text("annual_target"),
                  t1=text("target_q1"), t2=text("target_q2"), t3=text("target_q3"), t4=text("target_q4"))
        .order_by("name", "financial_year", "pk")
        .values_list("pk", "project_id", "measure_id", "name", "unit", "direction", "aggregation", "financial_year",
                     "t_baseline", "t_annual", "t1", "t2", "t3", "t4")
    ):
        pk, project_id, measure_id, name, unit, direction, aggregation, year, baseline, annual, t1, t2, t3, t4 = pm
        row = rows[project_id]
        measure = by_measure.get((project_id, measure_id))
        if measure is None:
            measure = MeasureQuarters(measure_id, name, unit, direction, aggregation, window,
                                      values=[None] * n, targets=[None] * n, reports=[False] * n)
            row.measures.append(measure)
            by_measure[project_id, measure_id] = measure
        annual = decimals[annual]
        explicit = [decimals[t1], decimals[t2], decimals[t3], decimals[t4]]
        targets = figures.quarter_targets(aggregation, unit, annual, explicit)
        measure.years[year] = MeasureYear(pk, decimals[baseline], annual, explicit, targets)
        runs = row.runs
        for k, i in place.of_year(year):
            if runs[i]:
                measure.reports[i] = True
                measure.targets[i] = targets[k]
        by_pm[pk] = measure
    for pm_id, year, number, value, numerator, denominator in _each(rows,
        MeasureValue.objects.filter(figures.quarters_sql(window, "quarterly_return__"),
                                    quarterly_return__project__in=chosen, quarterly_return__status=APPROVED,
                                    value__isnull=False)
        .annotate(t_value=text("value"))
        .values_list("project_measure_id", "quarterly_return__financial_year", "quarterly_return__quarter", "t_value",
                     "numerator", "denominator").order_by()
    ):
        measure = by_pm.get(pm_id)
        if measure is None:
            continue
        i = place[year, number]
        if measure.reports[i]:
            measure.values[i] = (decimals[value], decimals[numerator], decimals[denominator])


# What it reads is made of the rows of reporting.quarter_rows; the names callers take from here are kept.
__all__ = ["read", "read_narrative", "ProjectQuarters", "LineQuarters", "MeasureQuarters", "Places", "Decimals",
           "APPROVED", "MONEY"]
