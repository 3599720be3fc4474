"""
The cases people found on the demo data, each as it reads now: one "left to allocate", no "left to pay"
on withdrawn or closed allocations, no unapproved quarter read as under-performance or −100%, no
fractional households, people that are not added up over quarters, a rate pooled from its parts, and
money netted of what came back.
"""

import csv
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from grants import figures
from grants.models import Allocation, QuarterlyReturn, SpendLine, User
from grants.periods import Quarter
from grants.services import payments as payment_services
from reporting import quarters as reader
from reporting.reports import Window, performance_report, programme_subject
from tests import worlds
from tests.worlds import client_for

D = Decimal
pytestmark = pytest.mark.django_db


# Loaded once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top.
demo_once = worlds.built_once_per_module(worlds.the_demo)


@pytest.fixture
def demo(demo_once, db):
    with time_machine.travel("2024-06-01 12:00"):
        yield {u.username: u for u in User.objects.all()}


def workbook(client, year, quarter):
    response = client.get(f"/reports/commissioner-workbook/?year={year}&quarter={quarter}&programme=")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), data_only=True)
    rows = book["Outcomes"].iter_rows(values_only=True)
    headings = next(rows)
    return [dict(zip(headings, row)) for row in rows if any(row)]


def test_left_to_allocate_is_the_same_on_the_home_page_and_the_programmes_page(demo):
    """Community Safety Fund 2018-19 to 2019-20: £2,400,000 a year plus 10%, less Bradford's £225,000 a
    year and Calderdale's closed £310,000 in 2018-19. Once £2,175,000.00 on one page and £2,415,000.00 on
    the other; now the same over both years on both pages, and per year on the programme's page."""
    client = client_for(demo["commissioner"])
    home, programmes = client.get("/").content.decode(), client.get("/programmes/").content.decode()
    assert "£4,520,000.00" in home and "£4,520,000.00" in programmes
    assert "£2,175,000.00" not in home
    programme = Allocation.objects.get(title="Bradford District Community Safety Fund 2018-20").programme
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    years = dict(re.findall(r'data-year="(\d+)">.*?data-figure="left">([^<]+)</td>', page, flags=re.S))
    assert years == {"2018": "£2,105,000.00", "2019": "£2,415,000.00"}


def test_withdrawn_and_closed_allocations_have_nothing_left_to_pay(demo):
    """Once £290,000.00 for a withdrawn allocation and £6,800.00 for a closed one."""
    closed = "Calderdale Community Safety Fund 2018-19"
    content = client_for(demo["commissioner"]).get("/").content.decode()
    left = dict(re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a></th>.*?'
                           r'data-figure="left-to-pay">(.*?)</td>', content, flags=re.S))
    assert "Withdrawn" in left["Wakefield Community Safety Fund 2019-20"]
    assert "Closed" in left[closed]
    assert "£" not in left["Wakefield Community Safety Fund 2019-20"] + left[closed]


def test_an_outstanding_return_is_not_under_performance_in_the_workbook(demo):
    """West Yorkshire 2019-20 Q3: Breaking the Cycle's Q3 return is only submitted. Young people engaged
    is compared at Q2, its latest approved quarter, and is not Red."""
    rows = workbook(client_for(demo["commissioner"]), 2019, 3)
    engaged = next(r for r in rows if r["Reference"] == "BTC" and r["Measure"] == "Young people engaged")
    assert (engaged["How it adds up"], engaged["Figure to date"], engaged["Target for the same quarters"]) == (
        "Unique people so far", 44, 30)
    assert engaged["RAG"] == "Green"
    assert engaged["Q3 (approved)"] is None


def test_twelve_months_with_a_quarter_awaiting_approval_are_compared_like_for_like(demo):
    """Avon, 12 months to 31 December 2023: Q3's returns are submitted, sent back or in draft. Once
    −36.4% with Q3 at −100% and three measures Red; now Q3 awaits approval, apart."""
    user = demo["avon-commissioner"]
    report = performance_report(user, programme_subject(user, "PCG"), Window(Quarter(2023, 3)))
    q3 = report.by_quarter[-1]
    assert (q3.approved, q3.plan_compared, q3.spent) == (0, D("0"), D("0"))
    assert q3.variance_percent is None
    assert q3.awaiting_spent == D("44425.00")
    assert (report.plan_compared, report.spent) == (D("106500.00"), D("101550.00"))
    assert figures.shown_percent(report.variance_percent) == D("-4.6")
    assert "red" not in {o.rag for o in report.outcomes}
    page = client_for(user).get("/reports/performance/?end=2023-24+Q3&subject=programme&programme=PCG")
    content = page.content.decode()
    assert "-100.0%" not in content and "-36.4%" not in content
    assert "No approved return yet" in content


def test_half_a_year_is_not_set_against_a_full_year(demo):
    """Anti-social driving reports, 2019-20 to 30 September: Operation Steerside's two approved quarters
    (440) against those quarters' targets (400), not the year's 800, and lower is better: amber, not
    green."""
    rows = workbook(client_for(demo["commissioner"]), 2019, 2)
    reports = next(r for r in rows if r["Reference"] == "OSS" and r["Measure"] == "Anti-social driving reports")
    assert (reports["Figure to date"], reports["Target for the same quarters"], reports["RAG"]) == (440, 400, "Amber")


def test_twelve_months_across_two_years_follow_the_project(demo):
    """12 months to 30 September 2019 span both years of Operation Steerside: one row for the service,
    its four approved quarters (190 + 170 + 210 + 230 = 800) against the same quarters' targets (200 each),
    not two half-projects."""
    user = demo["commissioner"]
    report = performance_report(user, programme_subject(user, "CSF"), Window(Quarter(2019, 2)))
    rows = [o for o in report.outcomes if o.project.reference == "OSS" and o.name == "Anti-social driving reports"]
    assert [(o.actual, o.target) for o in rows] == [(D("800"), D("800"))]
    assert len({o.project.reference for o in report.outcomes}) == 2  # Breaking the Cycle and Operation Steerside


def test_no_target_to_date_is_a_fraction_of_a_household(demo):
    """The Sanctuary Scheme's 150 households a year: 38, 37, 38 and 37, never 112.5 to date."""
    user = demo["avon-commissioner"]
    [data] = [d for d in reader.read(user, Quarter(2023, 4).year_to_date()) if d.reference == "SAN-2324"]
    [households] = [m for m in data.measures if m.name.startswith("Households")]
    assert households.targets == (D("38"), D("37"), D("38"), D("37"))
    client = client_for(demo["bristol-provider"])
    for number in (1, 2, 3, 4):
        content = client.get(f"/returns/SAN-2324/2023/{number}/").content.decode()
        assert "112.5" not in content and "37.5" not in content
    assert "113" in client.get("/returns/SAN-2324/2023/3/").content.decode()


def test_people_are_not_added_up_over_quarters(demo):
    """Young people engaged, Breaking the Cycle 2018-19: the unique young people of the year (60), not
    the quarters' caseloads added up."""
    user = demo["commissioner"]
    report = performance_report(user, programme_subject(user, "CSF"), Window(Quarter(2018, 4)))
    [engaged] = [o for o in report.outcomes if o.project.reference == "BTC" and o.name == "Young people engaged"]
    assert (engaged.actual, engaged.target, engaged.aggregation) == (D("60"), D("60"), "people")


def test_the_voluntary_engagement_rate_is_pooled_from_engaged_and_offered(demo):
    """96% voluntary engagement over the 12 months to 30 September 2019: 120 engaged of the 125 offered,
    across both years' projects, not "2 of 2 on target"."""
    user = demo["commissioner"]
    report = performance_report(user, programme_subject(user, "CSF"), Window(Quarter(2019, 2)))
    [rate] = [k for k in report.key_outcomes if k.name == "Voluntary engagement rate"]
    assert (rate.numerator, rate.denominator, rate.actual, rate.adds_up) == (D("120"), D("125"), D("96.0"), True)
    content = client_for(user).get("/reports/performance/?end=2019-20+Q2&subject=programme&programme=CSF")
    assert "96% (120 of 125)" in " ".join(re.sub(r"<[^>]+>", " ", content.content.decode()).split())


def test_ineligible_spend_recovered_is_not_verified_spend_and_disbursed_is_net(demo):
    """2018-19: £1,200 spent on a residential trip outside the agreement was recovered. It no longer
    counts as verified spend, and the 360Giving amount disbursed is what was paid less what came back."""
    allocation = Allocation.objects.get(title="Bradford District Community Safety Fund 2018-20")
    money = payment_services.underspend(allocation)
    assert money.ineligible == D("1200.00")
    verified = SpendLine.objects.filter(quarterly_return__project__allocation=allocation,
                                        quarterly_return__spend_status=QuarterlyReturn.SpendStatus.VERIFIED)
    assert money.verified_spend == sum(verified.values_list("actual", flat=True)) - D("1200.00")
    assert money.net_paid == money.released - D("1200.00")
    package = json.loads(client_for(demo["commissioner"]).get("/reports/open-data/grants.json").content)
    [grant] = [g for g in package["grants"] if g["title"] == allocation.title]
    assert D(str(grant["amountDisbursed"])) == money.net_paid


def test_a_context_measure_is_shown_but_never_rated(demo):
    """Hate incidents reported: more reports can mean more victims coming forward."""
    user = demo["avon-commissioner"]
    report = performance_report(user, programme_subject(user, "PCG"), Window(Quarter(2023, 3)))
    [reports] = [o for o in report.outcomes if o.name == "Hate incidents reported to the service"]
    assert (reports.actual, reports.rag) == (D("251"), "")
    [key] = [k for k in report.key_outcomes if k.name == "Hate incidents reported to the service"]
    assert (key.actual, key.rag) == (D("251"), "")


def test_a_year_chosen_in_the_lists_keeps_the_service_funded_over_several_years(demo):
    """The lists' "Financial year" chose a project, an allocation or a programme by the programme's first
    year, so 2019-20 left out Breaking the Cycle although it ran all that year. It now chooses what runs in
    the year, and offers every year something runs in."""
    client = client_for(demo["commissioner"])

    def references(path, year, column):
        response = client.get(f"{path}?financial_year={year}&format=csv")
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        return sorted(row[column] for row in csv.DictReader(rows))

    assert references("/reports/projects/", 2019, "Reference") == ["BTC", "OSS"]
    assert references("/reports/projects/", 2018, "Reference") == ["BTC", "OSS"]
    allocations = references("/reports/allocations/", 2019, "Allocation")
    assert "Bradford District Community Safety Fund 2018-20" in allocations
    assert "Calderdale Community Safety Fund 2018-19" not in allocations
    assert "Calderdale Community Safety Fund 2018-19" in references("/reports/allocations/", 2018, "Allocation")
    page = client.get("/reports/programmes/").content.decode()
    assert '<option value="2019">2019-20</option>' in page and '<option value="2018">2018-19</option>' in page
    assert client.get("/reports/programmes/?financial_year=2019").status_code == 200
