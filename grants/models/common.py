"""Field helpers shared by the grant models."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from grants.choices import RAG  # noqa: F401  (the models import it from here)
from grants.figures import PENNY, ZERO  # noqa: F401

# The largest amount a money column holds (12 digits, 2 of them pence).
MONEY_MAX = Decimal("9999999999.99")
# The largest figure a measure column holds (14 digits, 2 after the point).
FIGURE_MAX = Decimal("999999999999.99")


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """Pounds and pence, never negative. Up to £9,999,999,999.99."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO, message="Enter an amount of £0 or more.")],
        **kwargs,
    )


def percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


def non_negative(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__gte": 0}), name=name)


def quarter_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name=name)


def percent_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0, f"{field}__lte": 100}), name=name
    )


class FinancialYearField(models.PositiveSmallIntegerField):
    """A financial year stored as the calendar year it starts in (2023 for 2023-24)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "The calendar year the financial year starts in: 2023 for 2023-24.")
        kwargs.setdefault(
            "validators",
            [
                MinValueValidator(1900, message="Enter the year a financial year starts in, such as 2023."),
                MaxValueValidator(2999, message="Enter the year a financial year starts in, such as 2023."),
            ],
        )
        super().__init__(*args, **kwargs)


def quarter_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        "quarter", choices=[(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")]
    )


