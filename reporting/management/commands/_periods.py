"""Reading a financial year and quarter from the command line."""

from django.core.management.base import CommandError

from grants.periods import FinancialYear, Quarter


def quarter_from_options(year: str, quarter) -> Quarter:
    try:
        financial_year = FinancialYear.from_label(year)
    except ValueError:
        raise CommandError(f"--year must be a financial year written like 2023-24, not {year!r}.")
    try:
        return financial_year.quarter(int(quarter))
    except (TypeError, ValueError):
        raise CommandError(f"--quarter must be 1, 2, 3 or 4, not {quarter!r}.")
