"""A force area with two partnerships and a ward-level series, for the trends page (tests/grants/trends,
tests/e2e/test_trends_page.py). Every figure is chosen so that it can be worked out by hand:

The commissioner's "Hate crime" series, monthly, April 2022 to March 2024: Testshire (the force area)
100 a month, then 110 (1,200 -> 1,320, +120, +10.0%); Northtown 30 then 40 (360 -> 480, +120, +33.3%);
Southtown 70 both years (840 -> 840, 0, 0.0%).

Provider B, a partnership for Northtown, keeps its own "Hate crime" series for Northtown and its wards:

    ward    2022-23 a month   2023-24 a month   12 months to March 2023 / 2024
    Abbey         5                 7                 60 -> 84   (+24, +40.0%)
    Brook         6                 5                 72 -> 60   (−12, −16.7%)
    Castle   2 in May 2022    3 in January 2024        2 -> 3    (both fewer than 5)
    Dale          1                 2                 12 -> 24   (hidden to protect Castle)
    Elm          10                11                120 -> 132  (+12, +10.0%)

Northtown is the sum of its wards each month: 22 a month in 2022-23 (24 in May 2022), 25 a month in
2023-24 (28 in January 2024): 266 -> 303, +37, +13.9%, an average of 25.3 a month.

Survey results for Northtown (the commissioner's, yearly): feeling safe 70.0% (67.0–73.0) then 65.0%
(62.0–68.0): the intervals overlap, no clear change; confidence to report 50.0% (47.0–53.0) then 58.0%
(55.0–61.0): they do not, it rose.
"""

from datetime import date
from decimal import Decimal

from grants.models import Area, Indicator, IndicatorValue, Organisation, User
from tests import factories as f
from tests.worlds import two_providers_one_programme

CAVEATS = "Rises can reflect more victims coming forward: increased reporting was supported."


def months(first: date, count: int) -> list[date]:
    found, year, month = [], first.year, first.month
    for _ in range(count):
        found.append(date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return found


TWO_YEARS = months(date(2022, 4, 1), 24)


def crime(owner, name="Hate crime", theme="hate-crime") -> Indicator:
    return Indicator.objects.create(
        owner=owner, kind=Indicator.Kind.CRIME, name=name, theme=theme, category="", unit="crimes",
        source="Testshire Police recorded crime", definition="Crimes a victim or anyone else perceives as "
        "motivated by hostility or prejudice.", caveats=CAVEATS)


def monthly(indicator, area, by_month) -> list[IndicatorValue]:
    """Values from a function of the month (None: no value)."""
    rows = [IndicatorValue(indicator=indicator, area=area, period_type="month", period_start=m,
                           value=Decimal(by_month(m))) for m in TWO_YEARS if by_month(m) is not None]
    return IndicatorValue.objects.bulk_create(rows)


def two_years(first, second):
    return lambda m: first if m < date(2023, 4, 1) else second


WARDS = {
    "Abbey": two_years(5, 7),
    "Brook": two_years(6, 5),
    "Castle": lambda m: 2 if m == date(2022, 5, 1) else 3 if m == date(2024, 1, 1) else 0,
    "Dale": two_years(1, 2),
    "Elm": two_years(10, 11),
}


def northtown_month(m) -> int:
    return sum(f(m) for f in WARDS.values())


def a_force_area_with_two_partnerships(w=None):
    """two_providers_one_programme, with provider B a partnership for Northtown (its manager `manager`),
    project A-1 in Southtown and B-1 in Northtown, and the series above."""
    w = w or two_providers_one_programme()
    w.testshire = Area.objects.create(name="Testshire", code="E23000099", code_type=Area.CodeType.PFA)
    w.northtown = Area.objects.create(name="Northtown", code="E22000001", code_type=Area.CodeType.CSP)
    w.southtown = Area.objects.create(name="Southtown", code="E22000002", code_type=Area.CodeType.CSP)
    w.wards = {name: Area.objects.create(name=name, code=f"E0500000{i}", code_type=Area.CodeType.WD)
               for i, name in enumerate(WARDS, 1)}
    type(w.project_a).objects.filter(pk=w.project_a.pk).update(area=w.southtown)
    type(w.project_b).objects.filter(pk=w.project_b.pk).update(area=w.northtown)
    w.provider_b.kind = Organisation.Kind.CSP
    w.provider_b.save()
    w.manager = f.UserFactory(username="csp-manager", organisation=w.provider_b, role=User.Role.PARTNERSHIP)

    w.force_series = crime(w.commissioner_org)
    monthly(w.force_series, w.testshire, two_years(100, 110))
    monthly(w.force_series, w.northtown, two_years(30, 40))
    monthly(w.force_series, w.southtown, two_years(70, 70))

    w.ward_series = crime(w.provider_b)
    monthly(w.ward_series, w.northtown, northtown_month)
    for name, by_month in WARDS.items():
        monthly(w.ward_series, w.wards[name], by_month)

    w.feel_safe = survey(w.commissioner_org, "Feel safe outside after dark")
    yearly(w.feel_safe, w.northtown, [("70.0", "67.0", "73.0"), ("65.0", "62.0", "68.0")])
    w.confident = survey(w.commissioner_org, "Confident to report hate crime")
    yearly(w.confident, w.northtown, [("50.0", "47.0", "53.0"), ("58.0", "55.0", "61.0")])
    return w


def survey(owner, name, theme="hate-crime") -> Indicator:
    return Indicator.objects.create(
        owner=owner, kind=Indicator.Kind.SURVEY, name=name, theme=theme, unit="%", source="Your Views survey",
        definition="Share of those answering who agree.", caveats="Weaker response in deprived areas.")


def yearly(indicator, area, results, sample_size=None):
    """(value, low, high) for 2022-23 and 2023-24; low and high None to leave the interval out."""
    IndicatorValue.objects.bulk_create([
        IndicatorValue(indicator=indicator, area=area, period_type="year", period_start=date(2022 + i, 4, 1),
                       value=Decimal(value), ci_low=None if low is None else Decimal(low),
                       ci_high=None if high is None else Decimal(high), sample_size=sample_size)
        for i, (value, low, high) in enumerate(results)])


def more_wards(w, count: int):
    """`count` more wards in provider B's series, each with 20 a month both years (no change)."""
    for i in range(count):
        ward = Area.objects.create(name=f"Ward {i:03d}", code=f"E05{100000 + i:06d}", code_type=Area.CodeType.WD)
        monthly(w.ward_series, ward, lambda m: 20)
