"""
Twelve months that cross two financial years, for the report tests: the 12 months to
30 September 2019 are 2018-19 Q3, 2018-19 Q4, 2019-20 Q1 and 2019-20 Q2.

The commissioner's Serious Violence Fund (code SVF) has a programme in 2018-19 and in 2019-20,
each with an allocation to provider B (a CSP that passes money on):

    P18   2018-19, delivered by A under B's allocation; priorities: Youth violence, Exploitation
          Q1, Q2 approved (before the period)   Q3 approved   Q4 submitted (does not count)
    P19   2019-20, delivered by B; priority Youth violence; its name looks like a formula
          Q1, Q2 approved                       Q3 approved (after the period)
    SPAN  October 2018 to September 2019, delivered by B; no priority; a budget line and
          measures in each year
          2018-19 Q3, Q4 approved   2019-20 Q1 returned for amendment   2019-20 Q2 approved

Another commissioner also has a programme coded SVF, funding provider B, with an approved
return in the period that must never appear in ours.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import OutcomeMeasure, QuarterlyReturn
from grants.periods import Quarter
from tests import factories as f
from tests.reporting.dashboard_fixtures import line, ret
from tests.worlds import FORMULA_NAME

D = Decimal
Status = QuarterlyReturn.Status
END = Quarter(2019, 2)


@pytest.fixture
def years(actors):
    w = actors
    w.svf18 = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Fund", code="SVF",
                                 financial_year=2018)
    w.svf19 = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Fund", code="SVF",
                                 financial_year=2019)
    alloc18 = f.AllocationFactory(programme=w.svf18, recipient=w.provider_b, title="SVF 2018-19 to B")
    alloc19 = f.AllocationFactory(programme=w.svf19, recipient=w.provider_b, title="SVF 2019-20 to B")
    span_alloc = f.AllocationFactory(programme=w.svf18, recipient=w.provider_b, title="SVF across two years",
                                     start_date=date(2018, 10, 1), end_date=date(2019, 9, 30))

    youth = f.PriorityFactory(commissioner=w.commissioner_org, name="Youth violence", code="youth")
    exploitation = f.PriorityFactory(commissioner=w.commissioner_org, name="Exploitation", code="exploitation")
    w.hate = f.PriorityFactory(commissioner=w.commissioner_org, name="Hate crime", code="hate")
    w.youth, w.exploitation = youth, exploitation
    f.PriorityFactory(commissioner=w.other_commissioner_org, name="Their own priority", code="theirs")

    people = f.OutcomeMeasureFactory(name="Young people engaged", unit=OutcomeMeasure.Unit.COUNT, aggregation="events")
    rate = f.OutcomeMeasureFactory(name="Voluntary engagement rate", unit=OutcomeMeasure.Unit.PERCENTAGE,
                                   aggregation="level")
    w.people, w.rate = people, rate

    # P18 --------------------------------------------------------------------------------------
    w.p18 = f.ProjectFactory(allocation=alloc18, provider=w.provider_a, reference="P18", name="Youth outreach 2018-19")
    w.p18.priorities.add(youth, exploitation)
    l18 = line(w.p18, ["1000.10", "2000.20", "3000.30", "4000.40"], "Outreach workers", year=2018)
    people18 = f.ProjectMeasureFactory(project=w.p18, measure=people, financial_year=2018, annual_target=D("100"),
                                       target_q1=D("20"), target_q2=D("20"), target_q3=D("30"), target_q4=D("30"))
    rate18 = f.ProjectMeasureFactory(project=w.p18, measure=rate, financial_year=2018, annual_target=D("90"))
    ret(w.p18, 1, Status.APPROVED, year=2018, spend=[(l18, "500.00")], values=[(people18, 40)],
        progress="P18 Q1 progress, before the period.", officer_rag="green")
    ret(w.p18, 2, Status.APPROVED, year=2018, spend=[(l18, "600.00")], values=[(people18, 40)],
        case_study="P18 Q2 case study, before the period.", officer_rag="green")
    ret(w.p18, 3, Status.APPROVED, year=2018, spend=[(l18, "2999.99")], values=[(people18, 28), (rate18, 92)],
        progress="P18 Q3 progress.", case_study="Case study A.", officer_rag="amber", self_rag="green")
    ret(w.p18, 4, Status.SUBMITTED, year=2018, spend=[(l18, "4100.00")], values=[(people18, 50)],
        progress="P18 Q4 progress, not approved.", risks="P18 Q4 risk, not approved.", self_rag="red")

    # P19 --------------------------------------------------------------------------------------
    w.p19 = f.ProjectFactory(allocation=alloc19, reference="P19", name=FORMULA_NAME)
    w.p19.priorities.add(youth)
    l19 = line(w.p19, ["2500.00", "2500.00", "2500.00", "2500.00"], "Youth workers", year=2019)
    people19 = f.ProjectMeasureFactory(project=w.p19, measure=people, financial_year=2019, annual_target=D("80"))
    ret(w.p19, 1, Status.APPROVED, year=2019, spend=[(l19, "2400.50")], values=[(people19, 18)],
        case_study="Case study B.", officer_rag="green")
    ret(w.p19, 2, Status.APPROVED, year=2019, spend=[(l19, "2600.25")], values=[(people19, 25)],
        progress="P19 Q2 progress.", case_study="Case study B.", challenges="Recruiting volunteers.",
        officer_rag="green")
    ret(w.p19, 3, Status.APPROVED, year=2019, spend=[(l19, "9999.00")], values=[(people19, 99)],
        progress="P19 Q3 progress, after the period.", officer_rag="red")

    # SPAN -------------------------------------------------------------------------------------
    w.span = f.ProjectFactory(allocation=span_alloc, reference="SPAN", name="Mentoring across two years",
                              start_date=date(2018, 10, 1), end_date=date(2019, 9, 30))
    s18 = line(w.span, ["0", "0", "1000.00", "1000.00"], "Mentors 2018-19", year=2018)
    s19 = line(w.span, ["1500.00", "1500.00", "0", "0"], "Mentors 2019-20", year=2019)
    sp18 = f.ProjectMeasureFactory(project=w.span, measure=people, financial_year=2018, annual_target=D("40"),
                                   target_q3=D("10"), target_q4=D("10"))
    sp19 = f.ProjectMeasureFactory(project=w.span, measure=people, financial_year=2019, annual_target=D("60"))
    sr18 = f.ProjectMeasureFactory(project=w.span, measure=rate, financial_year=2018, annual_target=D("85"))
    sr19 = f.ProjectMeasureFactory(project=w.span, measure=rate, financial_year=2019, annual_target=D("85"),
                                   target_q2=D("95"))
    ret(w.span, 3, Status.APPROVED, year=2018, spend=[(s18, "900.00")], values=[(sp18, 9), (sr18, 80)],
        officer_rag="green")
    ret(w.span, 4, Status.APPROVED, year=2018, spend=[(s18, "1100.00")], values=[(sp18, 12)], officer_rag="green")
    ret(w.span, 1, Status.RETURNED, year=2019, spend=[(s19, "1400.00")], values=[(sp19, 100)],
        progress="SPAN Q1 progress, sent back.")
    ret(w.span, 2, Status.APPROVED, year=2019, spend=[(s19, "1600.00")], values=[(sp19, 14), (sr19, 96)],
        progress="SPAN Q2 progress.", risks="The venue's lease ends in March.", officer_rag="",
        self_rag="amber")

    # Another commissioner's SVF ---------------------------------------------------------------
    theirs = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Their violence fund", code="SVF",
                                financial_year=2019)
    z = f.ProjectFactory(allocation=f.AllocationFactory(programme=theirs, recipient=w.provider_b), reference="Z19",
                         name="Their project")
    z_line = line(z, ["100.00", "100.00", "100.00", "100.00"], year=2019)
    ret(z, 1, Status.APPROVED, year=2019, spend=[(z_line, "777.77")], progress="Their progress.",
        officer_rag="red")
    return w
