"""Field helpers shared by the grant models."""

from decimal import Decimal

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from grants.choices import RAG  # noqa: F401  (the models import it from here)
from grants.figures import PENNY, ZERO  # noqa: F401

# The largest amount a money column holds (12 digits, 2 of them pence).
MONEY_MAX = Decimal("9999999999.99")


def money_problem(value: Decimal | None, label: str, *, positive: bool = False) -> str | None:
    """What is wrong with an amount of money, in words, or None: pounds and pence, £0 or more (more than
    £0 when `positive`), no bigger than a money column holds. The one check of money, for the forms,
    the services and the workbook importer alike. `label` names it: "the total budget"."""
    name = f"{label[0].upper()}{label[1:]}"
    if value is None:
        return f"Enter {label}."
    if value < 0 or (positive and value == 0):
        return f"{name} must be more than £0." if positive else f"{name} must be £0 or more."
    if value > MONEY_MAX:
        return f"{name} is too large: enter an amount up to £{MONEY_MAX:,}."
    if value.as_tuple().exponent < -2:
        return f"{name} can have at most 2 decimal places (pence)."
    return None


# The largest figure a measure column holds (14 digits, 2 after the point).
FIGURE_MAX = Decimal("999999999999.99")


# Free text is capped (README, "What is bounded"): long enough for a quarter's narrative, well inside the
# 32,767 characters a spreadsheet cell holds, and small enough that a return's text always fits in a
# request. Forms, the workbook import and the database each hold text to it, with a message.
TEXT_MAX = 10_000

# Names and titles go into e-mail subjects, file names and single cells: one line, no control characters.
single_line = RegexValidator(
    r"[\x00-\x1f\x7f]", inverse_match=True,
    message="Enter this on one line: it cannot hold line breaks, tabs or other control characters.",
)


def text_limit(limit: int = TEXT_MAX) -> MaxLengthValidator:
    return MaxLengthValidator(
        limit, message=f"This can be at most {limit:,} characters long (it has %(show_value)s).")


def long_text(verbose_name: str | None = None, **kwargs) -> models.TextField:
    """Free text up to TEXT_MAX characters."""
    kwargs.setdefault("blank", True)
    return models.TextField(verbose_name, max_length=TEXT_MAX, validators=[text_limit()], **kwargs)


def text_limits(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    """The database's own cap on each free-text field, so that nothing longer is kept however it arrives."""
    return [
        models.CheckConstraint(condition=LessThanOrEqual(Length(field), TEXT_MAX), name=f"{prefix}_{field}_length")
        for field in fields
    ]


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


