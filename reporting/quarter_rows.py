"""
What reporting.quarters reads gives: a project over a window of quarters (ProjectQuarters), its budget
lines (LineQuarters), its measures (MeasureQuarters, a MeasureYear per financial year) and its other
funding (OtherFundingRow), each able to turn its figures into the page's by the rules of grants.figures
(spend to date, a measure's figure), and where each quarter sits in the window (Places).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from grants import figures
from grants.choices import ReturnStatus
from grants.figures import ZERO, MeasureQuarter
from grants.periods import Quarter

APPROVED = ReturnStatus.APPROVED


class Places(dict):
    """Where each quarter of a window is in it: {(financial year, quarter number): position}."""

    def __init__(self, window: list[Quarter]):
        super().__init__(((q.financial_year, q.number), i) for i, q in enumerate(window))
        self._years = {}

    def of_year(self, year: int) -> list:
        """The quarters of financial year `year` in the window: (index of the quarter in the year, 0 for
        Q1, position in the window)."""
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = [(k, self[year, k + 1]) for k in range(4) if (year, k + 1) in self]
        return found


@dataclass(eq=False, slots=True)
class LineQuarters:
    """One budget line over the window: its year's profile, and per window quarter its plan (£0 in
    another year) and the spend the reported return holds (None where there is none)."""

    pk: int
    category: str
    description: str
    financial_year: int
    amount: Decimal
    profile: tuple  # Q1 to Q4 of its year
    plan: list
    spent: list


@dataclass(eq=False, slots=True)
class MeasureQuarters:
    """One measure of a project over the window (one project measure per financial year)."""

    measure_id: int
    name: str
    unit: str
    direction: str
    aggregation: str
    window: list = field(default_factory=list)
    years: dict = field(default_factory=dict)  # financial year -> the project measure's row
    values: list = field(default_factory=list)  # per window quarter: the approved ValueRow, or None
    targets: list = field(default_factory=list)  # per window quarter: its target (figures.quarter_targets)
    reports: list = field(default_factory=list)  # per window quarter: whether the project reports it

    def quarters(self, upto: int | None = None) -> list[MeasureQuarter]:
        """The quarters the project reports the measure in, up to window position `upto` (all of them
        by default), each counted when its return is approved and holds a value."""
        window, targets, values = self.window, self.targets, self.values
        result = []
        for i, reports in enumerate(self.reports[:upto]):
            if reports:
                row = values[i]
                # Plain tuples in MeasureQuarter's order: a large report makes tens of thousands.
                if row is None:
                    result.append((window[i], False, None, None, None, targets[i]))
                else:
                    result.append((window[i], True, row[0], row[1], row[2], targets[i]))
        return result

    def figure(self, upto: int | None = None) -> figures.MeasureFigure:
        """The measure's figure over the window (figures.measure_figure); approved figures only."""
        return figures.measure_figure(self.aggregation, self.quarters(upto))

    def approved_values(self) -> list:
        """Each window quarter's approved value (None where there is none)."""
        return [None if row is None else row[0] for row in self.values]


@dataclass(eq=False, slots=True)
class ProjectQuarters:
    """A project over the window: per window quarter, whether it runs, its return's status and
    ratings, its plan and the spend its reported return holds."""

    pk: int
    reference: str
    name: str
    programme: str
    programme_code: str
    programme_id: int
    recipient: str
    provider: str
    allocation_title: str
    start_date: object
    end_date: object
    window: list
    runs: list
    statuses: list  # the return's status, NOT_STARTED, or None where the project does not run
    officer_rags: list
    self_rags: list
    spend_statuses: list
    plan: list
    spent: list  # reported returns' spend (None where there is none)
    capital_plan: list  # the part of `plan` on capital lines (figures.spend_kind); the rest is revenue
    capital_spent: list  # the part of `spent` on capital lines (None where there is none)
    lines: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    narrative: list = field(default_factory=list)  # (Quarter, approved return's narrative row), in order
    priorities: list = field(default_factory=list)
    # With `funding`: the financial years of the window, the commissioner's budget beside other funders'
    # (figures.Funding), and the other funders' rows (OtherFundingRow).
    funding: figures.Funding | None = None
    other_funders: list = field(default_factory=list)
    area_id: int | None = None  # the area the project serves, if it names one
    area_name: str = ""

    def spend_quarters(self, upto: int | None = None) -> list:
        """(plan, status, spent) of each quarter the project runs in: figures.SpendQuarter's order."""
        return [(self.plan[i], self.statuses[i], self.spent[i]) for i, runs in enumerate(self.runs[:upto]) if runs]

    def spend(self, upto: int | None = None) -> figures.SpendToDate:
        """Spend to date against the plan of the same quarters (figures.spend_to_date)."""
        return figures.spend_to_date(self.spend_quarters(upto))

    def spend_of(self, kind: str, upto: int | None = None) -> figures.SpendToDate:
        """Spend to date of the project's capital lines alone, or its revenue lines alone (kind is
        figures.CAPITAL or figures.REVENUE), by the same rule as `spend`: the two parts' money adds up to
        its money, and each counts the same quarters."""
        quarters = []
        for i, runs in enumerate(self.runs[:upto]):
            if runs:
                plan, spent = self.capital_plan[i], self.capital_spent[i]
                if kind != figures.CAPITAL:
                    plan = self.plan[i] - plan
                    spent = None if self.spent[i] is None else self.spent[i] - (spent or ZERO)
                quarters.append((plan, self.statuses[i], spent))
        return figures.spend_to_date(quarters)

    def line_spend(self, line: LineQuarters, upto: int | None = None) -> figures.SpendToDate:
        return figures.spend_to_date((line.plan[i], self.statuses[i], line.spent[i])
                                     for i, runs in enumerate(self.runs[:upto]) if runs)

    def approved_spent(self, i: int) -> Decimal | None:
        """The approved spend of window quarter `i`, None unless its return is approved."""
        return (self.spent[i] or ZERO) if self.statuses[i] == APPROVED else None

    @property
    def latest(self):
        """The latest approved return's narrative row in the window, or None."""
        return self.narrative[-1][1] if self.narrative else None


class OtherFundingRow(NamedTuple):
    funder: str
    financial_year: int
    status: str
    amount: Decimal
    pays_for: str


class MeasureYear(NamedTuple):
    """A project measure's row for one financial year: baseline, annual target, the targets as set
    and each quarter's target by the rule."""

    pk: int
    baseline: Decimal | None
    annual_target: Decimal | None
    explicit: list
    targets: list
