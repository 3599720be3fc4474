"""
The state of the whole database a refused request must leave as it was: the number of rows of every
model (audit history included) and the sum of every money and figure column (every DecimalField of
every model), read through the app registry so that a new model or column is covered without a
change here. One query, however many models there are.
"""

from decimal import Decimal

from django.apps import apps
from django.db import connection, models

# Bookkeeping of the request itself rather than the data: the session of the client signing in,
# sign-in attempts counted by django-axes, the admin's log.
NOT_DATA = {"sessions", "axes", "admin"}


def data_models():
    return [model for model in apps.get_models() if model._meta.app_label not in NOT_DATA]


def _columns():
    quote = connection.ops.quote_name
    columns = []
    for model in data_models():
        table = quote(model._meta.db_table)
        columns.append((f"{model._meta.label} rows", f"(SELECT COUNT(*) FROM {table})"))
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DecimalField):
                columns.append((f"{model._meta.label}.{field.name}",
                                f"(SELECT COALESCE(SUM({quote(field.column)}), 0) FROM {table})"))
    return columns


def database_state() -> dict[str, Decimal]:
    """{"grants.Payment rows": 3, "grants.Payment.amount": Decimal("50000.00"), ...}"""
    columns = _columns()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for _, sql in columns))
        values = cursor.fetchone()
    return {label: Decimal(str(value)) for (label, _), value in zip(columns, values)}


def money_checksum(state: dict[str, Decimal]) -> Decimal:
    """The sum of every money and figure column: one number that moves if any amount does."""
    return sum((value for label, value in state.items() if not label.endswith(" rows")), Decimal(0))


def changes(before: dict, after: dict) -> list[str]:
    """What moved, for a failure message."""
    return [f"{label}: {before.get(label)} -> {after.get(label)}" for label in sorted(set(before) | set(after))
            if before.get(label) != after.get(label)]
