"""SpendToDate.include adds every one of its fields, money and counts alike, so that a field added to it
is never left out of a total."""

from dataclasses import fields
from decimal import Decimal

from grants.figures import SpendToDate


def test_include_adds_every_field():
    names = [f.name for f in fields(SpendToDate)]
    one = SpendToDate(**{name: (Decimal(f"{i}.01") if isinstance(getattr(SpendToDate(), name), Decimal) else i)
                         for i, name in enumerate(names, start=1)})
    other = SpendToDate(**{name: getattr(one, name) * 10 for name in names})
    total = SpendToDate().include(one).include(other)
    assert {name: getattr(total, name) for name in names} == {name: getattr(one, name) * 11 for name in names}
    assert one + other == total
