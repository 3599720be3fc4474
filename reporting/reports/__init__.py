"""
The performance reports: any twelve months ending on a quarter end, for a programme, an
organisation (a recipient such as a CSP, or a provider) or a Police and Crime Plan priority
(`performance`), and the report by priority (`priorities`). Both are made of the same period and
subject (`subjects`) and the same figures per project (`rows`). Each is a printable page and the
same as a workbook (reporting.spreadsheets.reports).

The rules
- The period is the four quarters ending with the chosen one (Quarter.last_twelve_months):
  "12 months to 30 September 2019" is 2018-19 Q3 to 2019-20 Q2. Only a quarter that has ended
  can end a report.
- The projects are those in the user's reach, under a decided allocation (approved, agreement
  signed, active or closed), that run in at least one quarter of the period.
  - A programme is named by its code, so that a funding stream that has one programme per
    financial year (the Community Safety Fund of 2018-19 and of 2019-20) is one report.
  - An organisation's projects are those funded through an allocation to it and those it
    delivers.
  - A priority's projects are those tagged with it. In the report by priority a project with
    several priorities counts under each, so the total row counts each project once and is
    not the sum of the rows above it; projects with no priority have a row of their own.
- Only approved returns count: spend, measure values, narrative, risks and the officer's RAG.
  Every return's status is counted, so the reader knows what is missing. The figures are read
  through reporting.quarters and worked out by grants.figures, like every other page and file.
- Spend against plan, like for like (figures.spend_to_date): the plan is the budget lines'
  profile for the quarters of the period in which the project runs; spent is the actual spend
  on approved returns, compared with the plan of the same (approved) quarters; variance is
  spent minus that plan, and as a % of it. Spend on returns submitted or sent back is shown
  apart as awaiting approval; a quarter not yet reported is never a −100% variance.
- Outcomes against target, per project and measure (figures.measure_figure): events add up
  the approved quarters against the same quarters' targets; people take the latest approved
  figure of unique people in its financial year against that quarter's target (someone helped
  in two financial years is counted in each, so a period that spans two years shows the later
  year's figure); levels and milestones take the latest approved value; rates pool their
  numerators and denominators. RAG by figures.outcome_rag; context measures are not rated.
- Key outcomes, per measure across the projects (figures.combine): events, people and counts
  or money of levels added up over the projects with both a figure and a target; rates pooled;
  percentage levels and milestones as projects on target.
- Narrative highlights: each project's latest approved progress, and every distinct case study
  of its approved returns in the period. Risks: the latest approved return's risks and
  challenges, with its RAG.

Providers may take the report of their own organisation only; the report by priority, a
commissioner's view of its own plan, is for the funder's people (reporting.permissions).
"""

from .performance import PerformanceReport, QuarterTotal, by_quarter, performance_report
from .priorities import PriorityReport, PriorityRow, priority_report
from .rows import KeyOutcome, OutcomeRow, ProjectName, ProjectRow, SpendTotals, gather_projects, key_outcomes
from .subjects import (
    ORGANISATION,
    PRIORITIES,
    PRIORITY,
    PROGRAMME,
    Subject,
    Window,
    organisation_subject,
    priorities_subject,
    priority_subject,
    programme_subject,
)

__all__ = [
    "ORGANISATION", "PRIORITIES", "PRIORITY", "PROGRAMME",
    "Subject", "Window", "organisation_subject", "priorities_subject", "priority_subject", "programme_subject",
    "KeyOutcome", "OutcomeRow", "ProjectName", "ProjectRow", "SpendTotals", "gather_projects", "key_outcomes",
    "PerformanceReport", "QuarterTotal", "by_quarter", "performance_report",
    "PriorityReport", "PriorityRow", "priority_report",
]
