"""
Every shared read, scoped to the user, one module per workflow (mirroring `grants.services`):

- `common`: sums as subqueries, the user's projects and allocations, a project by reference
- `returns`: a provider's returns, the review queue, the return page
- `commissioning`: programmes, allocations, their projects, funding ending soon
- `virements`: a project's budget lines and measures, virements
- `finance`: what each quarter's returns say, the payment schedule, the underspend, the finance page
- `administration`: the organisations a funder works with, people, priorities and areas
- `history`: the audit history of a return, a programme, an allocation or a project
- `documents`: a document for its download, and those attached to one thing (imported as a module)

Selectors read; they never write and never import `grants.services`.
"""

from .administration import organisations_for_choice, organisations_worked_with
from .commissioning import (
    ProgrammeTotals,
    allocation_budgeted,
    allocation_for_user,
    allocation_projects,
    committed_total,
    funding_ending,
    programme_allocations,
    programme_for_user,
    programme_list,
    programme_totals,
    variation_for_user,
    variations_for_user,
)
from .common import (
    add_months,
    allocations_for_user,
    project_for_user,
    projects_with_latest_return,
)
from .finance import (
    DueRow,
    FinancePage,
    QuarterSpend,
    ScheduleRow,
    Underspend,
    VarianceRow,
    ToSchedule,
    allocation_quarters,
    arrears_to_schedule,
    clawback_for_user,
    clawbacks_for,
    ever_scheduled,
    finance_page,
    largest_variances,
    payment_for_user,
    payment_schedule,
    payments_due,
    provider_allocations,
    quarter_spend,
    underspend,
)
from .history import (
    Change,
    FieldChange,
    Source,
    allocation_history,
    history_changes,
    programme_history,
    project_history,
    return_field_history,
    virement_line_changes,
)
from .returns import (
    EarlierValue,
    MeasureRow,
    ReturnPage,
    ReturnRow,
    SpendRow,
    earlier_quarters,
    earlier_spend,
    lines_and_measures,
    measure_figure_for,
    project_returns,
    provider_returns,
    return_page,
    review_queue,
    year_returns,
)
from .virements import (
    project_lines,
    project_measures,
    spent_on,
    virement_for_user,
    virement_lines,
    virements_for_user,
)
from .worklist import WorkItem, work_list

__all__ = [
    # common
    "add_months", "allocations_for_user", "organisations_for_choice", "organisations_worked_with", "project_for_user",
    "projects_with_latest_return",
    # returns
    "EarlierValue", "MeasureRow", "ReturnPage", "ReturnRow", "SpendRow", "earlier_quarters", "earlier_spend",
    "lines_and_measures", "measure_figure_for", "project_returns", "provider_returns", "return_page", "review_queue", "year_returns",
    # commissioning
    "ProgrammeTotals", "allocation_budgeted", "allocation_for_user", "allocation_projects", "committed_total", "variation_for_user", "variations_for_user",
    "funding_ending", "programme_allocations", "programme_for_user", "programme_list", "programme_totals",
    # virements
    "project_lines", "project_measures", "spent_on", "virement_for_user", "virement_lines", "virements_for_user",
    # finance
    "DueRow", "FinancePage", "QuarterSpend", "ScheduleRow", "ToSchedule", "Underspend", "VarianceRow",
    "allocation_quarters", "arrears_to_schedule",
    "clawback_for_user", "clawbacks_for", "ever_scheduled", "finance_page", "largest_variances", "payment_for_user",
    "payment_schedule", "payments_due", "provider_allocations", "quarter_spend", "underspend",
    # history
    "Change", "FieldChange", "Source", "allocation_history", "history_changes", "programme_history", "project_history",
    "return_field_history", "virement_line_changes",
    # worklist
    "WorkItem", "work_list",
]
