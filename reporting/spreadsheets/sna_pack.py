"""
A partnership's Strategic Needs Assessment data pack for a financial year, as a workbook written through
the formula-safe writer:

- Contents: what each sheet holds, and each indicator's source, definition and caveats;
- Indicators: every value kept for the partnership's areas (the areas of the projects funded through an
  allocation to it or delivered by it) in the year and the year before, as the reader may see them
  (grants.selectors.places.indicator_values_for), typed, with survey intervals; a count from 1 to
  PLACE_SUPPRESS_BELOW − 1 is an empty cell beside "fewer than 5", as on every page (grants.figures.trends);
- Projects: the partnership's funded projects with their spend against plan and their outcomes against
  target for the year, read through reporting.quarters like every report (only approved returns count);
- Board actions: the partnership's own actions and those linked to its projects, due in the year or
  still open from before it.

Who may download it: grants.permissions.can_download_sna_pack. Which partnerships: `partnerships_for`
(404 outside them). A fixed number of queries whatever the number of projects or values.
"""

from django.db.models import Q
from django.utils import timezone

from grants.figures.places import period_label
from grants.figures.trends import shown_as
from grants.models import Allocation, Area, Organisation, Project
from grants.periods import FinancialYear, Quarter
from grants.selectors.places import board_actions_for, indicator_values_for

from ..reports.context import shown_count, suppress_below
from ..reports.rows import gather_projects
from ..reports.subjects import Window
from .context import ACTIONS, action_rows
from .writer import Column, SafeWorkbook

INDICATORS = [
    Column("Indicator", "text", 30), Column("Kind", "text", 16), Column("Theme", "text", 14),
    Column("Category", "text", 20), Column("Area", "text", 20), Column("Area code", "text", 11),
    Column("Period type", "text", 12), Column("Period", "text", 12), Column("Period starts", "date", 12),
    Column("Breakdown", "text", 18), Column("Value", "number", 12), Column("Value as shown", "text", 14),
    Column("Unit", "text", 10), Column("Sample size", "number", 10), Column("Response rate (%)", "number", 10),
    Column("95% interval, lower (%)", "number", 12), Column("95% interval, upper (%)", "number", 12),
    Column("Source", "text", 30),
]
PROJECTS = [
    Column("Programme", "text", 26), Column("Reference", "text", 12), Column("Project", "text", 30),
    Column("Delivered by", "text", 26), Column("Returns approved", "number", 10), Column("Returns due", "number", 10),
    Column("Plan (profile)", "money", 14), Column("Plan of approved returns", "money", 14),
    Column("Spent (approved returns)", "money", 14), Column("Variance £", "money", 12),
    Column("Variance %", "percent", 10), Column("Awaiting approval: spend reported", "money", 14),
]
OUTCOMES = [
    Column("Reference", "text", 12), Column("Project", "text", 30), Column("Measure", "text", 30),
    Column("Figure for the year", "number", 12), Column("Target for the same quarters", "number", 12),
    Column("% of target", "percent", 10), Column("Quarters approved", "number", 10),
]
CONTENTS = [Column("Sheet or indicator", "text", 34), Column("What it holds", "wrap", 70),
            Column("Source", "wrap", 34), Column("Caveats", "wrap", 60)]


def partnerships_for(user):
    """The partnerships whose pack the user may ask for: a partnership manager's own; for a funder's
    people, the partnerships its programmes make allocations to."""
    partnerships = Organisation.objects.filter(kind=Organisation.Kind.CSP)
    if not (getattr(user, "is_authenticated", False) and user.organisation_id and user.role):
        return partnerships.none()
    if user.is_funder_side:
        return partnerships.filter(pk__in=Allocation.objects.filter(
            programme__commissioner_id=user.organisation_id).values("recipient_id"))
    if user.is_provider:
        return partnerships.filter(pk=user.organisation_id)
    return partnerships.none()


def _theirs(organisation) -> Q:
    return Q(allocation__recipient_id=organisation.pk) | Q(provider_id=organisation.pk)


def pack_filename(organisation, year: FinancialYear) -> str:
    return f"sna-data-pack-{organisation.pk}-{year.label}.xlsx"


def indicator_rows(user, organisation, year: FinancialYear):
    """Every value of the partnership's areas in the year and the year before, as (value row, count)."""
    areas = Area.objects.filter(pk__in=Project.objects.for_user(user).filter(_theirs(organisation))
                                .exclude(area=None).values("area_id"))
    values = (indicator_values_for(user).filter(area__in=areas, period_start__gte=FinancialYear(year.start_year - 1).start,
                                                period_start__lte=year.end)
              .select_related("indicator", "area")
              .order_by("indicator__theme", "indicator__name", "indicator__category", "indicator_id", "area__name",
                        "breakdown", "period_type", "period_start"))
    return [(v, shown_count(v.indicator, v.value) if v.indicator.kind != "survey" else None) for v in values]


def sna_pack(target, *, user, organisation, year: FinancialYear) -> None:
    """Write the pack of `organisation` for `year` to `target`."""
    below = suppress_below()
    values = indicator_rows(user, organisation, year)
    window = Window(Quarter(year.start_year, 4))
    projects = gather_projects(user, window, _theirs(organisation), narrative=False)
    ids = [p.pk for p in projects]
    actions = list(board_actions_for(user).filter(Q(owner_id=organisation.pk) | Q(projects__in=ids)).filter(
        Q(due_date__gte=year.start, due_date__lte=year.end) | Q(status="open", due_date__lt=year.start))
        .distinct().select_related("owner").prefetch_related("programmes", "projects").order_by("due_date", "pk"))

    book = SafeWorkbook(target)
    book.print_setup(title="Strategic Needs Assessment data pack", organisation=organisation.name,
                     period=f"{year.label}: {year.start:%-d %B %Y} to {year.end:%-d %B %Y}",
                     made_by=user.get_full_name() or user.username, made_at=timezone.now())
    sheet = book.sheet("Contents")
    sheet.write(0, 0, f"Strategic Needs Assessment data pack: {organisation.name}, {year.label}", fmt="title")
    indicators = {}
    for v, _ in values:
        indicators.setdefault(v.indicator_id, v.indicator)
    about = [
        ["Indicators", f"Every figure kept for the partnership's areas in {year.label} and "
                       f"{FinancialYear(year.start_year - 1).label}: recorded crime, survey results with their 95% "
                       f"confidence intervals, and figures partners provide. Counts from 1 to {below - 1} are not "
                       "shown (the cell is empty and says so), to protect the people they count.", "", ""],
        ["Projects", f"The partnership's funded projects in {year.label}: spend against plan and outcomes against "
                     "target, from approved returns only (as every report reads them).", "Quarterly returns", ""],
        ["Board actions", f"The partnership's board actions and those linked to its projects, due in {year.label} "
                          "or still open from before it.", "Board and scrutiny minutes", ""],
        *[[str(i), i.definition or f"{i.get_kind_display()}, {i.unit}", i.source, i.caveats]
          for i in indicators.values()],
    ]
    sheet.table(CONTENTS, about, first_row=2)

    sheet = book.sheet("Indicators")
    sheet.table(INDICATORS, (
        [str(v.indicator), v.indicator.get_kind_display(), v.indicator.theme, v.indicator.category, v.area.name,
         v.area.code, v.get_period_type_display(), period_label(v.period_type, v.period_start), v.period_start,
         v.breakdown, v.value if count is None else count.value,
         "" if count is None else shown_as(count, below), v.indicator.unit, v.sample_size, v.response_rate,
         v.ci_low, v.ci_high, v.indicator.source]
        for v, count in values))

    sheet = book.sheet("Projects")
    end = sheet.table(PROJECTS, (
        [p.programme, p.reference, p.name, p.provider, p.approved, p.expected, p.plan_total, p.plan_compared,
         p.spent_total, p.variance, p.variance_percent, p.awaiting_spent] for p in projects))
    sheet.header(end + 1, OUTCOMES, freeze=False)
    outcomes_end = sheet.rows(end + 2, OUTCOMES, (
        [o.project.reference, o.project.name, o.name, o.actual, o.target, o.percent_of_target, o.quarters_reported]
        for p in projects for o in p.outcomes))
    sheet.filtered(end + 1, outcomes_end - 1)  # a second table under the first, a row apart

    sheet = book.sheet("Board actions")
    sheet.table(ACTIONS, action_rows(actions))
    book.close()


__all__ = ["pack_filename", "partnerships_for", "sna_pack"]
