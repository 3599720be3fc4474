"""The database's own rules for the figures of a place: one series per name, one value per period, no
negative figure, an interval that holds its value, and the cap on a series' free text."""

from datetime import date
from decimal import Decimal

import pytest

from grants import models
from grants.models.common import TEXT_MAX
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


def _indicator(**kwargs):
    values = {"owner": kwargs.pop("owner", None) or f.CommissionerFactory(), "kind": "survey",
              "name": "Feel safe after dark", "theme": "feeling-safe", "source": "Survey", "unit": "%"}
    return models.Indicator.objects.create(**{**values, **kwargs})


def _value(indicator, area, **kwargs):
    values = {"period_type": "year", "period_start": date(2019, 4, 1), "value": Decimal("50")}
    return models.IndicatorValue.objects.create(indicator=indicator, area=area, **{**values, **kwargs})


@pytest.fixture
def area():
    return models.Area.objects.create(name="Somewhere", code="E22000001", code_type="CSP")


def test_an_organisation_keeps_one_series_of_a_kind_and_name():
    first = _indicator()
    _indicator(owner=first.owner, kind="other")  # another kind: kept
    _indicator(owner=first.owner, category="Most deprived")  # another category: kept
    assert_refused_by("one_indicator_per_name", lambda: _indicator(owner=first.owner))


def test_one_value_per_series_area_period_and_breakdown(area):
    indicator = _indicator()
    _value(indicator, area)
    _value(indicator, area, breakdown="Most deprived fifth")
    _value(indicator, area, period_type="quarter")
    assert_refused_by("one_indicator_value_per_period", lambda: _value(indicator, area))


def test_a_figure_is_never_negative(area):
    _value(_indicator(), area, value=Decimal("0"))
    assert_refused_by("indicator_value_not_negative", lambda: _value(_indicator(name="x"), area, value=Decimal("-1")))


def test_an_interval_holds_its_value(area):
    indicator = _indicator()
    _value(indicator, area, ci_low=Decimal("50"), ci_high=Decimal("50"))  # at the edges: kept
    assert_refused_by("indicator_interval_holds_value", lambda: _value(
        indicator, area, period_type="month", ci_low=Decimal("51"), ci_high=Decimal("60")))
    # An interval has both ends or none.
    assert_refused_by("indicator_interval_holds_value", lambda: _value(
        indicator, area, period_type="quarter", ci_low=Decimal("40"), ci_high=None))


@pytest.mark.parametrize("field, constraint", [("definition", "indicator_definition_length"),
                                               ("caveats", "indicator_caveats_length")])
def test_a_series_free_text_is_capped(field, constraint):
    rows = models.Indicator.objects.filter(pk=_indicator().pk)
    rows.update(**{field: "é" * TEXT_MAX})
    assert len(getattr(rows.get(), field)) == TEXT_MAX
    assert_refused_by(constraint, lambda: rows.update(**{field: "x" * (TEXT_MAX + 1)}))
