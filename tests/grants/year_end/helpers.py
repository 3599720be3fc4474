"""Reading the year-end page's figures back: by allocation (its primary key, or "total") and figure name,
and the summary's, as Decimals parsed from the money shown."""

import re
from decimal import Decimal

_ROW = re.compile(r'<tr class="govuk-table__row" data-allocation="([^"]+)">(.*?)</tr>', re.S)
_CELL = re.compile(r'<td class="([^"]*)" data-figure="([a-z_]+)">([^<]*)</td>')
_SUMMARY = re.compile(r'<span class="[^"]*" data-figure="([a-z_]+)">([^<]*)</span>')


def amount(text: str) -> Decimal:
    """£1,234.56 (or -£1.00) as a Decimal."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    return sign * Decimal(text.lstrip("-").lstrip("£").replace(",", ""))


def page_rows(html: str) -> dict[str, dict[str, Decimal]]:
    """{allocation pk or "total": {figure: amount}} of the page's tables."""
    found = {}
    for key, inner in _ROW.findall(html):
        cells = _CELL.findall(inner)
        found.setdefault(key, {}).update({name: amount(text) for _, name, text in cells})
    return found


def money_cells_right_aligned(html: str) -> bool:
    cells = [classes for inner in (m[1] for m in _ROW.findall(html)) for classes, _, _ in _CELL.findall(inner)]
    return bool(cells) and all("govuk-table__cell--numeric" in c and "app-money" in c for c in cells)


def page_summary(html: str) -> dict[str, Decimal]:
    block = re.search(r'<dl[^>]*data-testid="year-end-summary".*?</dl>', html, re.S).group(0)
    return {name: amount(text) for name, text in _SUMMARY.findall(block)}
