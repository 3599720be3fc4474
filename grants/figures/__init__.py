"""
Every rule behind a number, in one place: pennies and percentages, variance and its threshold,
spend to date against the profile of the same quarters, targets to date, a measure's figure for a
period, off target, RAG, and the money left to allocate, to pay and paid net.

Pure functions of plain values (no database), so that a page, a chart, a workbook and an open-data
file that show the same figure call the same rule. Where a rule also runs in the database, its SQL
twin stands beside it (`*_sql`), and tests/grants/figures check that the two agree on the same rows.
README.md, "How the figures are worked out", says the same in words.

    money.py     pennies, percentages, variance, spend to date, and the money of allocations
    measures.py  targets, a measure's figure for a period, off target, RAG, projects combined
    returns.py   which returns count and how: statuses, a return's RAG, owed and overdue, quarters
"""

from .measures import *  # noqa: F401,F403
from .money import *  # noqa: F401,F403
from .returns import *  # noqa: F401,F403
from .measures import __all__ as _measures
from .money import __all__ as _money
from .returns import __all__ as _returns

__all__ = [*_money, *_measures, *_returns]
