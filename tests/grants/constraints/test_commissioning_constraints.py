"""
What the database refuses for the commissioning and finance rows added with the
payment schedule and virements: a waived clawback without its reason and date, and
a virement naming a quarter that is not 1 to 4. And what it still takes at the edge.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


def _clawback(allocation, user, **fields):
    values = dict(allocation=allocation, amount=Decimal("100.00"), reason="Underspend at year end",
                  requested_on=date(2024, 4, 30), recorded_by=user)
    values.update(fields)
    return models.Clawback.objects.create(**values)


@pytest.mark.parametrize("missing", [
    {"waived_reason": "", "waived_on": date(2024, 5, 1)},
    {"waived_reason": "Spent on eligible costs after all", "waived_on": None},
    {"waived_reason": "", "waived_on": None},
])
def test_it_refuses_a_waived_clawback_without_its_reason_and_date(allocation, user, missing):
    assert_refused_by("waived_clawback_has_reason_and_date",
                      lambda: _clawback(allocation, user, status=models.Clawback.Status.WAIVED, **missing))


def test_it_takes_a_waived_clawback_with_its_reason_and_date(allocation, user):
    clawback = _clawback(allocation, user, status=models.Clawback.Status.WAIVED,
                         waived_reason="Spent on eligible costs after all", waived_on=date(2024, 5, 1))
    assert models.Clawback.objects.filter(pk=clawback.pk).exists()


def test_it_takes_a_requested_clawback_with_no_waiver(allocation, user):
    assert _clawback(allocation, user).waived_reason == ""


@pytest.mark.parametrize("quarter", [0, 5])
def test_it_refuses_a_virement_for_a_quarter_that_is_not_1_to_4(project, user, quarter):
    from_line, to_line = f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)
    assert_refused_by("virement_quarter_1_to_4", lambda: models.Virement.objects.create(
        from_line=from_line, to_line=to_line, amount=Decimal("10.00"), quarter=quarter, reason="Move",
        requested_by=user))


@pytest.mark.parametrize("quarter", [1, 2, 4])
def test_it_takes_a_virement_for_quarter_1_to_4(project, user, quarter):
    from_line, to_line = f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)
    virement = models.Virement.objects.create(from_line=from_line, to_line=to_line, amount=Decimal("10.00"),
                                              quarter=quarter, reason="Move", requested_by=user)
    assert models.Virement.objects.get(pk=virement.pk).quarter == quarter
