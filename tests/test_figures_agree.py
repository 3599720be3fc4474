"""
The same quarter's figures are the same on every surface: the return page, the project page and its
charts, the dashboard, the lists and their downloads, the performance report and its workbook, the
commissioner's workbook, the allocation page and the 360Giving export. Each surface is read as a
person reads it (a page, a CSV, a workbook, a JSON file) and set beside the others, for the demo and
for a generated world with returns in every status and measures of every kind.

The expected figures come from the one reader (reporting.quarters) and the one set of rules
(grants.figures); every surface must say the same, to the penny.
"""

import csv
import html
import io
import json
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db.models import Q

from grants import figures
from grants.choices import ALLOCATION_COMMITTED, ReturnStatus
from grants.models import Allocation, OutcomeMeasure, Programme, Project, User
from grants.periods import Quarter
from grants.services import payments as payment_services
from reporting import groups
from reporting import quarters as reader
from tests import worlds
from tests.worlds import client_for

D = Decimal
pytestmark = pytest.mark.django_db


# --- Reading what a person reads -------------------------------------------------------------------


def number(text: str):
    """A figure as a page shows it (£1,234.56, 96.4%, 1,250, Yes, –) as a Decimal, or None."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text)).split("(")[0].strip()
    text = text.split()[0] if text else ""
    if text in ("", "–", "-"):
        return None
    if text in ("Yes", "No"):
        return D(1 if text == "Yes" else 0)
    return D(text.replace("£", "").replace(",", "").replace("%", ""))


def figures_in(fragment: str) -> dict:
    return {name: number(value) for name, value in re.findall(
        r'data-(?:figure|series)="([^"]+)">(.*?)</(?:td|dd|span)>', fragment, flags=re.S)}


def rows_with(content: str, attribute: str) -> dict:
    """Each table row carrying `data-<attribute>`, by its value, with the figures in it."""
    found = {}
    for key, body in re.findall(rf'<tr[^>]*data-{attribute}="([^"]+)"[^>]*>(.*?)</tr>', content, flags=re.S):
        found[html.unescape(key)] = figures_in(body)
    return found


def workbook(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def sheet(book, name) -> list[dict]:
    rows = book[name].iter_rows(values_only=True)
    headings = next(rows)
    table = []
    for row in rows:
        if all(v is None for v in row):
            break
        table.append(dict(zip(headings, row)))
    return table


def cell(value, percent=False):
    """A workbook number as a Decimal (percentages are stored as fractions)."""
    if value is None:
        return None
    value = D(str(value))
    return value * 100 if percent else value


def pennies(value):
    return None if value is None else figures.pennies(value)


def close(a, b, places="0.01"):
    """Equal once rounded as they are shown (pages show a rate to 0.1, a workbook keeps its float)."""
    if a is None or b is None:
        return a is None and b is None
    step = D(places)
    return D(a).quantize(step) == D(b).quantize(step)


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode(
        "utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def money_cell(text):
    """A CSV money value (a formula-like one would be quote-prefixed; money never is)."""
    return None if text in ("", None) else D(text)


# --- The checks -------------------------------------------------------------------------------------


def check_workbook_and_report_and_dashboard(user, quarter: Quarter):
    """For Q1 to `quarter`: each project's spend and measures in the commissioner's workbook, the
    performance report (page and workbook, when the quarter ends a year) and each programme's row on
    the dashboard are the reader's figures by the rules."""
    client = client_for(user)
    window = quarter.year_to_date()
    programmes = Programme.objects.for_user(user).running_in(quarter.financial_year)
    projects = Project.objects.for_user(user).filter(allocation__programme__in=programmes,
                                                     allocation__status__in=ALLOCATION_COMMITTED)
    truth = {p.reference: p for p in reader.read(user, window, projects=projects)}
    assert truth, "nothing to compare"

    book = workbook(client.get(f"/reports/commissioner-workbook/?year={quarter.financial_year}"
                               f"&quarter={quarter.number}&programme="))
    summary = {r["Reference"]: r for r in sheet(book, "Summary")}
    assert set(summary) == set(truth)
    for ref, data in truth.items():
        spend, row = data.spend(), summary[ref]
        assert (cell(row["Profiled spend to date"]), cell(row["Profile of approved quarters"]),
                cell(row["Actual spend to date (approved)"]), cell(row["Variance £"]),
                cell(row["Awaiting approval: spend reported"])) == (
            spend.plan, spend.plan_compared, spend.spent, spend.variance, spend.awaiting_spent), ref
        assert row["Quarters approved"] == spend.approved
        assert close(cell(row["Variance %"], percent=True), spend.variance_percent, "0.0001"), ref

    # Each budget line's approved quarters add up to the project's quarter on the Spend sheet.
    by_quarter = defaultdict(lambda: D(0))
    for row in sheet(book, "Spend"):
        for n in range(1, quarter.number + 1):
            value = row[f"Actual Q{n} (approved)"]
            if value is not None:
                by_quarter[row["Reference"], n] += cell(value)
    for ref, data in truth.items():
        for i, q in enumerate(window):
            expected = data.approved_spent(i)
            assert pennies(by_quarter.get((ref, q.number))) == pennies(expected) or (
                expected is None and (ref, q.number) not in by_quarter), (ref, q)

    outcomes = {(r["Reference"], r["Measure"]): r for r in sheet(book, "Outcomes")}
    for ref, data in truth.items():
        for m in data.measures:
            figure = m.figure()
            row = outcomes[ref, m.name]
            percent = m.unit == "percentage"
            assert close(cell(row["Figure to date"], percent), figure.actual), (ref, m.name)
            assert close(cell(row["Target for the same quarters"], percent), figure.target), (ref, m.name)
            assert (row["RAG"] or "") == dict(figures.RAG_LABELS).get(
                figures.outcome_rag(m.direction, figure.target, figure.actual), ""), (ref, m.name)

    # The SQL twin that adds up a group of projects in the database is the rule, project by project.
    from grants.models.scoping import project_scope

    def scope(prefix):
        return project_scope(user, prefix) & Q(**{f"{prefix}allocation__programme__in": programmes,
                                                  f"{prefix}allocation__status__in": ALLOCATION_COMMITTED})

    grouped = groups.group_spend(scope, quarter, "allocation__programme_id")
    for programme in programmes:
        mine = [d.spend() for d in truth.values() if d.programme_id == programme.pk]
        if mine:
            assert grouped[programme.pk] == figures.total_spend(mine), programme

    # The dashboard: each programme's row is its projects' figures added up.
    content = client.get(f"/reports/dashboard/?quarter={quarter.label.replace(' ', '+')}").content.decode()
    shown = rows_with(content.split('data-testid="programme-money"')[1].split("</table>")[0], "programme")
    for programme in programmes:
        total = figures.total_spend(d.spend() for d in truth.values() if d.programme_id == programme.pk)
        row = shown[str(programme.pk)]
        assert (row["plan"], row["plan-compared"], row["spent"], row["awaiting"]) == (
            total.plan, total.plan_compared, total.spent, total.awaiting_spent), programme
        assert row["variance"] == total.variance
        book_rows = [summary[d.reference] for d in truth.values() if d.programme_id == programme.pk]
        assert sum((cell(r["Profile of approved quarters"]) for r in book_rows), D(0)) == total.plan_compared

    if quarter.number == 4:
        check_report(user, quarter, truth, summary, outcomes)
        check_capital_revenue_and_funding(user, quarter, truth, book)
    return truth


def check_capital_revenue_and_funding(user, quarter, truth, book):
    """Capital and revenue apart, and the projects' funding beside other funders': the performance report's
    page and workbook for each programme code say what the commissioner's workbook says for its projects,
    and each co-funded project's page says the same as both."""
    client = client_for(user)
    end = quarter.label.replace(" ", "+")
    spend_rows, funding_rows = sheet(book, "Spend"), {r["Reference"]: r for r in sheet(book, "Funding")}
    for code in sorted({d.programme_code for d in truth.values()}):
        mine = {d.reference for d in truth.values() if d.programme_code == code}
        url = f"/reports/performance/?end={end}&subject=programme&programme={code}"
        content = client.get(url).content.decode()
        kinds = rows_with(content.split('data-testid="spend-by-kind"')[1].split("</table>")[0], "kind")
        report_book = workbook(client.get(url + "&format=xlsx"))
        kind_sheet = {r["Capital or revenue"]: r for r in sheet(report_book, "Capital and revenue")}
        for kind in ("Capital", "Revenue"):
            lines = [r for r in spend_rows if r["Reference"] in mine and r["Capital or revenue"] == kind]
            expected = [sum((cell(r[h]) for r in lines if r[h] is not None), D(0)) for h in (
                "Profiled to date", "Profile of approved quarters", "Actual to date (approved)",
                "Awaiting approval: spend reported")]
            row = kinds[kind]
            assert [row["plan"], row["plan-compared"], row["spent"], row["awaiting"] or D(0)] == expected, (code, kind)
            in_book = kind_sheet[kind]
            assert [cell(in_book[h]) for h in ("Plan (profile)", "Plan of approved returns", "Spent (approved returns)",
                                               "Awaiting approval: spend reported")] == expected, (code, kind)

        every = rows_with(content.split('data-testid="funding"')[1].split("</table>")[0], "project")["all"]
        expected = {name: sum((cell(funding_rows[ref][h]) for ref in mine), D(0)) for name, h in (
            ("commissioner", "Budget for the year (this grant)"), ("total-cost", "Total cost"))}
        assert (every["commissioner"], every["total-cost"]) == (expected["commissioner"], expected["total-cost"]), code
        for ref in mine:
            row = funding_rows[ref]
            if not row["Other funders"]:
                continue
            page = client.get(f"/projects/{ref}/").content.decode()
            table = page.split(f'data-testid="funding-{quarter.financial_year}"')[1].split("</table>")[0]
            shown = figures_in(table)
            assert (shown["commissioner"], shown["total-cost"]) == (
                cell(row["Budget for the year (this grant)"]), cell(row["Total cost"])), ref
            assert close(shown["share"], cell(row["Commissioner's share"], percent=True), "0.1"), ref


def check_report(user, quarter, truth, summary, outcomes):
    """The 12 months to the end of the year are the year to date: the report's page and workbook show
    the workbook's figures for every project of each programme code."""
    client = client_for(user)
    end = quarter.label.replace(" ", "+")
    for code in sorted({d.programme_code for d in truth.values()}):
        url = f"/reports/performance/?end={end}&subject=programme&programme={code}"
        content = client.get(url).content.decode()
        projects = rows_with(content.split('data-testid="spend-by-project"')[1].split("</table>")[0], "project")
        mine = [d for d in truth.values() if d.programme_code == code]
        for d in mine:
            row, book = projects[d.reference], summary[d.reference]
            assert (row["plan"], row["plan-compared"], row["spent"]) == (
                cell(book["Profiled spend to date"]), cell(book["Profile of approved quarters"]),
                cell(book["Actual spend to date (approved)"])), d.reference
            assert row["variance"] == cell(book["Variance £"])
            assert (row["awaiting"] or D(0)) == cell(book["Awaiting approval: spend reported"])
        measure_rows = re.findall(r'<tr[^>]*data-project="([^"]+)" data-measure="([^"]+)"[^>]*>(.*?)</tr>', content,
                                  flags=re.S)
        assert measure_rows
        for ref, measure, body in measure_rows:
            found, row = figures_in(body), outcomes[ref, html.unescape(measure)]
            percent = row["Unit"] == "Percentage"
            assert close(found["actual"], cell(row["Figure to date"], percent), "0.1"), (ref, measure)
            assert close(found["target"], cell(row["Target for the same quarters"], percent), "0.1"), (ref, measure)

        book = workbook(client.get(url + "&format=xlsx"))
        for row in sheet(book, "Spend by project"):
            if row["Reference"] is None:  # the total row
                continue
            expected = summary[row["Reference"]]
            assert (cell(row["Plan (profile)"]), cell(row["Plan of approved quarters"]),
                    cell(row["Spent (approved returns)"]), cell(row["Awaiting approval: spend reported"])) == (
                cell(expected["Profiled spend to date"]), cell(expected["Profile of approved quarters"]),
                cell(expected["Actual spend to date (approved)"]),
                cell(expected["Awaiting approval: spend reported"])), row["Reference"]


def check_project_pages_and_lists(user, quarter: Quarter, truth: dict):
    """The project page's budget table and charts, the return page, and the projects and returns lists
    (page downloads as CSV and xlsx) say what the reader says."""
    client = client_for(user)
    for ref, data in truth.items():
        project = Project.objects.get(reference=ref)
        everything = reader.read(user, list(project.quarters()), projects=Project.objects.filter(pk=project.pk))[0]
        content = client.get(f"/projects/{ref}/").content.decode()
        charts = rows_with(content.split('data-testid="chart-spend"')[1].split("</figure>")[0], "quarter")
        for i, q in enumerate(everything.window):
            row = charts[q.label]
            assert row["Profiled"] == everything.plan[i], (ref, q)
            assert row["Spent (approved returns)"] == everything.approved_spent(i), (ref, q)
        lines = rows_with(content.split('id="budget"')[1].split('id="measures"')[0], "line")
        approved_total = sum((d for d in (everything.approved_spent(i) for i in range(len(everything.window)))
                              if d is not None), D(0))
        assert sum((row["spent"] for row in lines.values()), D(0)) == approved_total, ref
        for m in everything.measures:
            key = f"chart-measure-{m.measure_id}"
            section = content.split(f'data-testid="{key}"')[1].split("</figure>")[0]
            quarters = rows_with(section, "quarter")
            values = m.approved_values()
            for i, q in enumerate(everything.window):
                if m.reports[i]:
                    assert close(quarters[q.label]["Value (approved returns)"], values[i]), (ref, m.name, q)
                    assert close(quarters[q.label]["Target"], m.targets[i]), (ref, m.name, q)

        # The return page of each quarter whose return is approved shows the approved spend, and for
        # the last quarter the figure to date when every earlier quarter is approved too.
        for i, q in enumerate(data.window):
            if data.statuses[i] != ReturnStatus.APPROVED:
                continue
            page = client.get(f"/returns/{ref}/{q.financial_year}/{q.number}/").content.decode()
            spent = [number(v) for v in re.findall(r'data-figure="actual">(.*?)</span>', page)]
            assert sum((v for v in spent if v is not None), D(0)) == data.approved_spent(i), (ref, q)
            if all(s == ReturnStatus.APPROVED for s in data.statuses[: i + 1]):
                shown = rows_with(page, "measure")
                for m in data.measures:
                    if not m.reports[i]:
                        continue
                    figure = m.figure(upto=i + 1)
                    assert close(shown[m.name].get("measure-to-date"), figure.actual, "0.1"), (ref, q, m.name)
                    assert close(shown[m.name].get("measure-target"), figure.target, "0.1"), (ref, q, m.name)

    # The lists: every project's approved spend, all time, on the page's download and the return list.
    rows = {r["Reference"]: r for r in csv_rows(client.get("/reports/projects/?format=csv"))}
    book = {r["Reference"]: r for r in sheet(workbook(client.get("/reports/projects/?format=xlsx")), "Projects")}
    for ref in truth:
        project = Project.objects.get(reference=ref)
        everything = reader.read(user, list(project.quarters()), projects=Project.objects.filter(pk=project.pk))[0]
        total = sum((v for v in (everything.approved_spent(i) for i in range(len(everything.window)))
                     if v is not None), D(0))
        assert money_cell(rows[ref]["Spent (approved returns)"]) == total, ref
        assert cell(book[ref]["Spent (approved returns)"]) == total, ref
    returns = csv_rows(client.get("/reports/returns/?format=csv"))
    for r in returns:
        data = truth.get(r["Reference"])
        if data is None or not r["Quarter"].startswith(quarter.year.label):
            continue
        i = int(r["Quarter"][-1]) - 1
        if i < len(data.window) and data.statuses[i] == ReturnStatus.APPROVED:
            assert money_cell(r["Spend"]) == data.approved_spent(i), (r["Reference"], r["Quarter"])
        elif i < len(data.window) and data.statuses[i] in (ReturnStatus.SUBMITTED, ReturnStatus.RETURNED):
            assert money_cell(r["Spend"]) == data.spent[i], (r["Reference"], r["Quarter"])


def check_partnership_returns(user, quarter: Quarter, truth: dict):
    """Each partnership return of the quarter shows each of its projects' plan, approved spend and spend
    awaiting approval as the reader has them."""
    client = client_for(user)
    i = len(quarter.year_to_date()) - 1
    allocations = Allocation.objects.for_user(user).filter(partnership_reports=True, start_date__lte=quarter.end,
                                                          end_date__gte=quarter.start)
    seen = 0
    for allocation in allocations:
        content = client.get(f"/allocations/{allocation.pk}/quarters/{quarter.financial_year}/{quarter.number}/")
        rows = rows_with(content.content.decode(), "project")
        for ref, shown in rows.items():
            data = truth[ref]
            assert shown["plan"] == data.plan[i], (ref, quarter)
            assert shown["spent"] == data.approved_spent(i), (ref, quarter)
            awaiting = data.spent[i] if data.statuses[i] in (ReturnStatus.SUBMITTED, ReturnStatus.RETURNED) else None
            assert shown["awaiting"] == awaiting, (ref, quarter)
            seen += 1
    return seen


def check_money_out(user):
    """What an allocation has paid out net, on its page and in the 360Giving export; and what is left
    to allocate on the home page and the programmes page."""
    client = client_for(user)
    package = json.loads(client.get("/reports/open-data/grants.json").content)
    disbursed = {int(g["id"].rsplit("-", 1)[1]): D(str(g["amountDisbursed"])) for g in package["grants"]}
    assert disbursed
    for pk, amount in disbursed.items():
        content = client.get(f"/allocations/{pk}/").content.decode()
        page = {k: number(v) for k, v in re.findall(r'data-figure="([^"]+)">(.*?)</dd>', content, flags=re.S)}
        money = payment_services.underspend(Allocation.objects.get(pk=pk))
        assert amount == page["net-paid"] == money.net_paid, pk
        assert page["verified"] == money.verified_spend
    home = client.get("/").content.decode()
    programmes = client.get("/programmes/").content.decode()
    for value in re.findall(r'data-figure="left-to-allocate">(.*?)</td>', home):
        assert value in programmes


# --- A generated world ----------------------------------------------------------------------------


@pytest.fixture
def every_kind_of_measure(actors):
    return worlds.three_projects_with_every_kind_of_measure(actors)


@pytest.mark.parametrize("number", [2, 4])
def test_a_generated_worlds_figures_agree_everywhere(every_kind_of_measure, number):
    with time_machine.travel(date(2024, 5, 15)):
        truth = check_workbook_and_report_and_dashboard(every_kind_of_measure.commissioner, Quarter(2023, number))
        check_project_pages_and_lists(every_kind_of_measure.commissioner, Quarter(2023, number), truth)
        check_money_out(every_kind_of_measure.commissioner)


def test_the_generated_world_has_what_it_claims(every_kind_of_measure):
    """Returns in every status and measures of every kind, so that the agreement above means something."""
    with time_machine.travel(date(2024, 5, 15)):
        [data] = [d for d in reader.read(every_kind_of_measure.commissioner, Quarter(2023, 4).year_to_date())
                  if d.reference == "B-1"]
    assert data.statuses == ("approved", "submitted", "returned", "draft")
    assert {m.aggregation for m in data.measures} == set(OutcomeMeasure.Aggregation.values)
    assert {m.direction for m in data.measures} == set(OutcomeMeasure.Direction.values)


# --- The demo ---------------------------------------------------------------------------------------


# Loaded once for the class (tests/worlds/: built_once); the tests only read.
demo_once = worlds.built_once(worlds.the_demo, scope="class")


class TestTheDemo:
    @pytest.mark.parametrize("username, quarter", [
        ("commissioner", Quarter(2019, 3)), ("commissioner", Quarter(2019, 4)), ("avon-commissioner", Quarter(2023, 3)),
        ("avon-commissioner", Quarter(2023, 4)),
    ])
    def test_the_demos_figures_agree_everywhere(self, demo_once, db, username, quarter):
        user = User.objects.get(username=username)
        with time_machine.travel(date(2024, 6, 1)):
            truth = check_workbook_and_report_and_dashboard(user, quarter)
            check_project_pages_and_lists(user, quarter, truth)
            check_money_out(user)
            # Both of the demo's partnerships report on their allocations: their quarters agree too.
            assert check_partnership_returns(user, quarter, truth) > 0
