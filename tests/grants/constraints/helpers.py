"""
Helpers shared by the constraint tests in this folder: the named constraints of
the grant models (grants/models/*.py), a check that a write is refused by one of
them, the messages `full_clean()` refuses an instance with, and an outcome measure
of a given unit.

`assert_refused_by` runs the refused write inside its own `transaction.atomic()`
so that the test can carry on after the IntegrityError. PostgreSQL names the
constraint in its error; SQLite names a CHECK constraint but, for a UNIQUE one,
only the columns, so the helper checks the columns there.
"""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from grants import models
from tests import factories as f

Unit = models.OutcomeMeasure.Unit


def named_constraints() -> dict:
    """Every named constraint of the grant models: name -> (model, constraint)."""
    found = {}
    for model in apps.get_app_config("grants").get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = (model, constraint)
    return found


def assert_refused_by(constraint_name: str, write) -> IntegrityError:
    """`write()` must fail with an IntegrityError from the constraint called `constraint_name`."""
    constraints = named_constraints()
    assert constraint_name in constraints, f"No constraint is called {constraint_name}"
    model, constraint = constraints[constraint_name]
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            write()
    message = str(caught.value)
    if connection.vendor == "sqlite" and isinstance(constraint, UniqueConstraint):
        table = model._meta.db_table
        columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields)
        assert f"UNIQUE constraint failed: {columns}" in message, message
    else:
        assert re.search(rf"\b{re.escape(constraint_name)}\b", message), message
    return caught.value


def validation_errors(instance) -> dict[str, list[str]]:
    """The messages `full_clean()` refuses `instance` with, by field."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def measure(unit, **kwargs) -> models.OutcomeMeasure:
    kwargs.setdefault("aggregation", "events" if unit in (Unit.COUNT, Unit.MONEY) else
                      "milestone" if unit == Unit.YES_NO else "level")
    return f.OutcomeMeasureFactory(unit=unit, **kwargs)


NO_TARGETS = dict.fromkeys(models.projects.TARGET_FIELDS)
