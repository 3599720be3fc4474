"""A place beside the grants: provider B (a community safety partnership) serves "Testshire district", for
which its funder keeps recorded crime by month over two years (one small month, suppressed), a survey result
a year with its interval, and a partner's figure; and board actions due in and out of the report's 12 months
(to 31 March 2024)."""

from datetime import date
from decimal import Decimal

from grants.models import Area, Indicator, IndicatorValue, User
from grants.periods import Quarter
from grants.services import board_actions as services
from tests import factories as f

END = Quarter(2023, 4)
CRIME = [Decimal(n) for n in (40, 42, 38, 45, 50, 47, 44, 41, 39, 43, 46, 48,  # 2022-23
                              52, 55, 3, 51, 49, 53, 57, 60, 58, 54, 56, 59)]  # 2023-24: June is 3


def month(index: int) -> date:
    year, m = divmod(3 + index, 12)
    return date(2022 + year, m + 1, 1)


def a_place_beside_the_grants(w):
    w.manager_b = f.UserFactory(username="manager-b", organisation=w.provider_b, role=User.Role.PARTNERSHIP)
    w.area = Area.objects.create(name="Testshire district", code="E08000999", code_type="MD")
    w.project_b.area = w.area
    w.project_b.save()
    funder = w.commissioner_org
    w.crime = Indicator.objects.create(owner=funder, kind="crime", name="Hate crime", theme="hate-crime",
                                       source="police.uk recorded crime", unit="crimes",
                                       caveats="Recording practice changed with Crime Data Integrity.")
    w.asb = Indicator.objects.create(owner=funder, kind="crime", name="Anti-social behaviour", theme="asb",
                                     source="police.uk recorded crime", unit="incidents")
    for i, value in enumerate(CRIME):
        IndicatorValue.objects.create(indicator=w.crime, area=w.area, period_type="month", period_start=month(i),
                                      value=value)
        IndicatorValue.objects.create(indicator=w.asb, area=w.area, period_type="month", period_start=month(i),
                                      value=value * 10)
    w.survey = Indicator.objects.create(owner=funder, kind="survey", name="Feel safe after dark", theme="survey",
                                        source="Your Views survey", unit="%", caveats="Weaker response in deprived areas.")
    for year, value, low, high, breakdown in [(2022, "50.00", "45.00", "52.00", ""), (2023, "60.00", "55.00", "65.00", ""),
                                              (2022, "40.00", "35.00", "45.00", "Most deprived fifth"),
                                              (2023, "43.00", "38.00", "48.00", "Most deprived fifth")]:
        IndicatorValue.objects.create(indicator=w.survey, area=w.area, period_type="year",
                                      period_start=date(year, 4, 1), breakdown=breakdown, value=Decimal(value),
                                      ci_low=Decimal(low), ci_high=Decimal(high), sample_size=3500)
    w.referrals = Indicator.objects.create(owner=w.provider_b, kind="other", name="MARAC referrals", theme="da",
                                           source="MARAC coordinator", unit="referrals")
    IndicatorValue.objects.create(indicator=w.referrals, area=w.area, period_type="quarter",
                                  period_start=date(2023, 10, 1), value=Decimal("4"))
    IndicatorValue.objects.create(indicator=w.referrals, area=w.area, period_type="quarter",
                                  period_start=date(2024, 1, 1), value=Decimal("12"))

    def record(title, due, **links):
        values = {"board": "Scrutiny", "resolved_on": date(2023, 6, 1), "title": title, "resolution": "Resolved.",
                  "action_owner": "Manager", "assignee": None, "due_date": due, "programmes": [], "projects": [],
                  **links}
        return services.board_action_save(actor=w.manager_b, owner=w.provider_b, values=values)

    w.due_in = record("=HYPERLINK(\"http://example.org\")", date(2024, 1, 31), projects=[w.project_b])
    w.due_after = record("After the period", date(2024, 6, 30), projects=[w.project_b])
    return w
