"""
A place's figures and board actions as sheets: the performance report's Context and Actions due
(reporting.reports.context), and the rows the Strategic Needs Assessment data pack shares with them
(reporting.spreadsheets.sna_pack). Every figure is the one the page shows; a hidden count is an empty
cell beside the words the page shows ("fewer than 5").
"""

from grants.models import BoardAction

from .writer import Column

STATUS_LABELS = dict(BoardAction.Status.choices)

CONTEXT = [
    Column("Kind", "text", 14), Column("Area", "text", 20), Column("Indicator", "text", 34),
    Column("Breakdown", "text", 18), Column("Period", "text", 24), Column("Figure", "number", 12),
    Column("Figure as shown", "text", 16), Column("The year before", "number", 12),
    Column("The year before as shown", "text", 16), Column("Change", "number", 12), Column("Change %", "percent", 10),
    Column("95% interval, lower (%)", "number", 12), Column("95% interval, upper (%)", "number", 12),
    Column("The year before, lower (%)", "number", 12), Column("The year before, upper (%)", "number", 12),
    Column("Sample size", "number", 10), Column("Change called", "text", 16), Column("Unit", "text", 10),
    Column("Source", "text", 30), Column("Caveats", "wrap", 60),
]

ACTIONS = [
    Column("Due by", "date", 12), Column("Action", "wrap", 40), Column("Board", "text", 30),
    Column("Organisation", "text", 30), Column("Who owes it", "text", 24), Column("Resolved on", "date", 12),
    Column("What the board resolved", "wrap", 60), Column("Status", "text", 16), Column("Closed on", "date", 12),
    Column("Outcome", "wrap", 50), Column("Programmes", "wrap", 30), Column("Projects", "wrap", 30),
]


def _source(indicator) -> list:
    return [indicator.unit, indicator.source, indicator.caveats]


def context_rows(context):
    """The rows of the Context sheet, in the page's order: recorded crime, surveys, other figures."""
    for r in context.crime:
        yield ["Recorded crime", r.area, str(r.indicator), "", context.window.title, r.current.value, r.current_text,
               r.previous.value, r.previous_text, r.change.count, r.change.percent, None, None, None, None, None, "",
               *_source(r.indicator)]
    for r in context.surveys:
        earlier = r.earlier or (None, None, None)
        yield ["Survey", r.area, str(r.indicator), r.breakdown, r.latest_label, r.latest[0], "", earlier[0],
               r.earlier_label, None, None, r.latest[1], r.latest[2], earlier[1], earlier[2], r.sample_size, r.verdict,
               *_source(r.indicator)]
    for r in context.others:
        yield ["Other figure", r.area, str(r.indicator), r.breakdown, r.period, r.value.value, r.value_text, None, "",
               None, None, None, None, None, None, None, "", *_source(r.indicator)]


def action_rows(actions):
    for a in actions:
        yield [a.due_date, a.title, a.board, a.owner.name, a.action_owner, a.resolved_on, a.resolution,
               STATUS_LABELS.get(a.status, a.status), a.closed_on, a.outcome,
               "; ".join(f"{p.name} ({p.code})" for p in a.programmes.all()),
               "; ".join(f"{p.reference}: {p.name}" for p in a.projects.all())]


def context_sheets(book, context) -> None:
    """The performance report's Context sheet and its Actions due sheet."""
    sheet = book.sheet("Context")
    end = sheet.table(CONTEXT, context_rows(context))
    areas = "; ".join(f"{a.name}: {', '.join(a.references)}" for a in context.areas) or "None named"
    sheet.write(end + 1, 0, "Areas and the projects serving them", fmt="label")
    sheet.write(end + 1, 2, areas, "wrap")
    sheet.write(end + 2, 0, "Suppression", fmt="label")
    sheet.write(end + 2, 2, f"Counts from 1 to {context.below - 1} are not shown, nor any total or change worked "
                            "out from one. A survey change is called only where the 95% intervals do not overlap. "
                            "These figures describe the place beside the projects' outcomes (the Outcomes sheet), "
                            "not what the projects achieved.", "wrap")
    sheet = book.sheet("Actions due")
    sheet.table(ACTIONS, action_rows(context.actions))
