"""
What the dashboards show, one module each: the funder's (`funder`), a provider's (`provider`), and
the charts on a project's page (`charts`). Who may see a dashboard is reporting.permissions.

Each reads in a fixed number of queries however many programmes, projects and returns there are.
"""

from .charts import ChartMeasureQuarter, ChartSpendQuarter, MeasureChart, ProjectCharts, project_charts
from .funder import (
    LIST_LENGTH,
    OFF_TARGET_LENGTH,
    AttentionRow,
    FunderDashboard,
    OffTargetRow,
    OverdueRow,
    Period,
    ProgrammeRow,
    counted,
    default_quarter,
    funder_dashboard,
    funding_ending_months,
    project_span,
)
from .provider import ProviderDashboard, provider_dashboard

__all__ = [
    "LIST_LENGTH", "OFF_TARGET_LENGTH",
    "AttentionRow", "FunderDashboard", "OffTargetRow", "OverdueRow", "Period", "ProgrammeRow",
    "counted", "default_quarter", "funder_dashboard", "funding_ending_months", "project_span",
    "ProviderDashboard", "provider_dashboard",
    "ChartMeasureQuarter", "ChartSpendQuarter", "MeasureChart", "ProjectCharts", "project_charts",
]
