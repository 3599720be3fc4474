"""
The report chooser and the reports on the web: every actor, the GOV.UK error summary for each
mistake, the printable page, the workbook (figures, SUM totals, formula-safe text) and the
number of queries as the data grows.
"""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from grants.models import QuarterlyReturn
from tests import factories as f
from tests.reporting.dashboard_fixtures import client_for, count_queries, line, ret, tables, text
from tests.reporting.report_fixtures import FORMULA_NAME, years  # noqa: F401
from tests.worlds import penny

URL = "/reports/performance/"
SVF = URL + "?end=2019-20+Q2&subject=programme&programme=SVF"
PRIORITIES = URL + "?end=2019-20+Q2&subject=priorities"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
D = Decimal
Status = QuarterlyReturn.Status


def workbook(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(book, name) -> list[list]:
    return [list(row) for row in book[name].iter_rows(values_only=True)]


# --- Who may take which report ------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    ("commissioner", 200), ("finance", 200), ("viewer", 200), ("outsider", 200), ("user_a", 200), ("user_b", 200),
])
def test_everyone_with_a_role_gets_the_chooser(years, who, status):
    assert client_for(getattr(years, who)).get(URL).status_code == status


def test_anonymous_people_are_sent_to_sign_in(years):
    for url in (URL, SVF, PRIORITIES):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/")


def test_someone_without_a_role_is_refused(years):
    response = client_for(f.UserFactory(organisation=None, role="")).get(URL)
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer"])
def test_the_funders_people_get_every_report(years, who):
    client = client_for(getattr(years, who))
    for url, figure in ((SVF, "£17,000.70"), (PRIORITIES, "£17,000.70"),
                        (URL + f"?end=2019-20+Q2&subject=organisation&organisation={years.provider_a.pk}", "£7,000.70"),
                        (URL + f"?end=2019-20+Q2&subject=priority&priority={years.youth.pk}", "£12,000.70")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert figure in text(response), url


def test_a_provider_gets_its_own_organisations_report_only(years):
    response = client_for(years.user_a).get(URL + "?end=2019-20+Q2")
    assert response.status_code == 200
    page = text(response)
    assert "Provider A: 12 months to 30 September 2019" in page
    assert "Youth outreach 2018-19" in page  # A delivers it under B's allocation
    for theirs in ("Mentoring across two years", "HYPERLINK", "Their project"):
        assert theirs not in page


@pytest.mark.parametrize("query", [
    "&subject=priorities", "&subject=programme&programme=SVF", "&subject=priority&priority=1",
    "&subject=organisation&organisation={b}",
])
def test_a_provider_asking_for_more_is_refused_with_the_reason(years, query):
    response = client_for(years.user_a).get(URL + "?end=2019-20+Q2" + query.format(b=years.provider_b.pk))
    assert response.status_code == 403
    assert "Providers can take the performance report of their own organisation only." in response.content.decode()


def test_provider_b_sees_none_of_what_only_a_reaches(years):
    a_only = f.ProjectFactory(allocation=f.AllocationFactory(programme=years.svf19, recipient=years.provider_a),
                              reference="A19", name="Only A's project")
    ret(a_only, 1, Status.APPROVED, year=2019, progress="Only A's progress.")
    response = client_for(years.user_b).get(URL + "?end=2019-20+Q2")
    assert response.status_code == 200
    assert "Only A's" not in response.content.decode()
    assert "Only A's project" in text(client_for(years.user_a).get(URL + "?end=2019-20+Q2"))


def test_another_commissioners_programme_of_the_same_code_is_theirs_alone(years):
    page = text(client_for(years.outsider).get(SVF))
    assert "Their project" in page and "£777.77" in page
    for ours in ("Youth outreach", "Mentoring", "HYPERLINK", "£11,600.74"):
        assert ours not in page


def test_the_chooser_offers_only_what_the_user_reaches(years):
    content = client_for(years.outsider).get(URL).content.decode()
    assert "Their violence fund (SVF)" in content and "Their own priority" in content
    for ours in ("Serious Violence Fund", "Youth violence", "Provider A"):
        assert ours not in content
    content = client_for(years.commissioner).get(URL).content.decode()
    assert "Their own priority" not in content and "Their violence fund" not in content


# --- The form's errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("query, field, message", [
    ("?end=2019-20+Q2&programme=&organisation=&priority=", "id_subject", "Choose what the report is about."),
    ("?end=2019-20+Q2&subject=programme", "id_programme", "Choose a programme."),
    ("?end=2019-20+Q2&subject=organisation", "id_organisation", "Choose an organisation."),
    ("?end=2019-20+Q2&subject=priority", "id_priority", "Choose a priority."),
    ("?end=2019-20+Q2&subject=programme&programme=NOPE", "id_programme",
     "Choose one of your programmes from the list."),
    ("?end=2999-00+Q1&subject=priorities", "id_end",
     "Choose a period from the list: it must end with a quarter that has ended."),
    ("?end=&subject=priorities", "id_end", "Choose the quarter the 12 months end with."),
    ("?end=2019-20+Q2&subject=everything", "id_subject", "Choose what the report is about."),
])
def test_each_mistake_is_in_an_error_summary_linking_to_its_field(years, query, field, message):
    response = client_for(years.commissioner).get(URL + query)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="govuk-error-summary"' in content
    assert f'<a href="#{field}">{message}</a>' in content
    assert f'id="{field}"' in content
    assert content.count("govuk-error-summary__list") == 1
    assert "<title>Error: " in content


def test_someone_elses_organisation_or_priority_is_not_a_choice(years):
    client = client_for(years.outsider)
    response = client.get(URL + f"?end=2019-20+Q2&subject=organisation&organisation={years.provider_a.pk}")
    assert response.status_code == 400
    assert "Choose one of the organisations from the list." in response.content.decode()
    response = client.get(URL + f"?end=2019-20+Q2&subject=priority&priority={years.youth.pk}")
    assert response.status_code == 400
    assert "Choose one of your plan&#x27;s priorities from the list." in response.content.decode()


def test_a_link_that_gives_only_the_period_fills_it_in(years):
    response = client_for(years.commissioner).get(URL + "?end=2019-20+Q2")
    assert response.status_code == 200
    assert '<option value="2019-20 Q2" selected>' in response.content.decode()


# --- The page ---------------------------------------------------------------------------------


def test_the_printable_page_has_every_section_and_figure(years):
    response = client_for(years.commissioner).get(SVF)
    assert response.status_code == 200
    page = text(response)
    assert "Serious Violence Fund (SVF): 12 months to 30 September 2019" in page
    assert "2018-19 Q3 to 2019-20 Q2" in page
    assert "6 of the 8 returns due in the period are approved" in page
    found = tables(response)
    assert found["spend-by-quarter"][-1] == ["12 months", "6 of 8", "£17,000.70", "£11,500.30", "£11,600.74",
                                             "£100.44 0.9%", "£5,500.00"]
    # 2018-19 Q4: P18's return is submitted, not approved: awaiting, never a shortfall.
    assert found["spend-by-quarter"][1] == ["2018-19 Q4 (Jan–Mar)", "1 of 2", "£5,000.40", "£1,000.00", "£1,100.00",
                                            "£100.00 10.0%", "£4,100.00 1 return"]
    assert [r[0] for r in found["spend-by-project"]] == [f"{FORMULA_NAME} P19 · Provider B",
                                                          "Mentoring across two years SPAN · Provider B",
                                                          "Youth outreach 2018-19 P18 · Provider A"]
    assert ["Youth outreach 2018-19 P18",
            "Young people engaged Added up over the approved quarters; 1 of 2 quarters approved", "28", "30",
            "93.3%", "Amber"] in found["outcomes"]
    assert found["key-outcomes"][0][:3] == ["Voluntary engagement rate Higher is better", "2",
                                            "2 of 2 projects on target"]
    for section in ("Spend against plan", "Outcomes against target", "Narrative highlights", "Risks"):
        assert section in page
    assert "Case study A." in page and "The venue's lease ends in March." in page
    for unapproved in ("not approved", "before the period", "after the period", "Q1 progress, sent back",
                       "Their progress"):
        assert unapproved not in page
    assert 'class="app-report"' in response.content.decode()


def test_the_page_links_to_its_workbook(years):
    content = client_for(years.commissioner).get(SVF).content.decode()
    link = re.search(r'href="\?([^"]+)" data-testid="xlsx-link"', content).group(1)
    assert "format=xlsx" in link and "programme=SVF" in link


def test_the_report_by_priority_page(years):
    response = client_for(years.commissioner).get(PRIORITIES)
    assert response.status_code == 200
    rows = tables(response)["priorities"]
    assert rows == [
        ["Exploitation", "1", "1 of 2", "£7,000.70", "£3,000.30", "£2,999.99", "-£0.31 -0.0%", "£4,100.00"],
        ["Hate crime", "0", "0 of 0", "£0.00", "£0.00", "£0.00", "£0.00 –", "£0.00"],
        ["Youth violence", "2", "3 of 4", "£12,000.70", "£8,000.30", "£8,000.74", "£0.44 0.0%", "£4,100.00"],
        ["No priority", "1", "3 of 4", "£5,000.00", "£3,500.00", "£3,600.00", "£100.00 2.9%", "£1,400.00"],
        ["All projects, each counted once", "3", "6 of 8", "£17,000.70", "£11,500.30", "£11,600.74", "£100.44 0.9%",
         "£5,500.00"],
    ]
    assert "A project with several priorities counts under each" in text(response)


# --- The workbook -----------------------------------------------------------------------------


def test_the_workbook_has_the_pages_figures_with_real_totals(years):
    response = client_for(years.finance).get(SVF + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="programme-SVF-12-months-to-2019-09-30.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Cover", "Spend by quarter", "Capital and revenue", "Funding", "Spend by project", "Outcomes", "Key outcomes",
                               "Context", "Actions due",
                               "Narrative", "Risks", "Charts"]
    projects = sheet_rows(book, "Spend by project")
    header, body, total = projects[0], projects[1:-1], projects[-1]
    assert header[7:11] == ["Plan (profile)", "Plan of approved quarters", "Spent (approved returns)", "Variance £"]
    assert {r[1]: (penny(r[7]), penny(r[8]), penny(r[9]), penny(r[12])) for r in body} == {
        "P18": (D("7000.70"), D("3000.30"), D("2999.99"), D("4100.00")),
        "P19": (D("5000.00"), D("5000.00"), D("5000.75"), D("0")),
        "SPAN": (D("5000.00"), D("3500.00"), D("3600.00"), D("1400.00"))}
    assert total[0] == "Total"
    assert total[7:11] == ["=SUM(H2:H4)", "=SUM(I2:I4)", "=SUM(J2:J4)", "=SUM(K2:K4)"]
    assert total[11] == '=IF(I5=0,"",K5/I5)'
    quarters = sheet_rows(book, "Spend by quarter")
    assert [(r[0], penny(r[3]), penny(r[4]), penny(r[5])) for r in quarters[1:5]] == [
        ("2018-19 Q3", D("4000.30"), D("4000.30"), D("3899.99")),
        ("2018-19 Q4", D("5000.40"), D("1000.00"), D("1100.00")),
        ("2019-20 Q1", D("4000.00"), D("2500.00"), D("2400.50")),
        ("2019-20 Q2", D("4000.00"), D("4000.00"), D("4200.25"))]
    assert quarters[5][3:7] == ["=SUM(D2:D5)", "=SUM(E2:E5)", "=SUM(F2:F5)", "=SUM(G2:G5)"]
    assert book["Spend by quarter"]["D2"].number_format == '"£"#,##0.00;-"£"#,##0.00'


def test_the_workbook_caches_its_totals_for_readers_that_do_not_calculate(years):
    response = client_for(years.commissioner).get(SVF + "&format=xlsx")
    data = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    total = sheet_rows(book, "Spend by project")[-1]
    assert (penny(total[7]), penny(total[8]), penny(total[9])) == (D("17000.70"), D("11500.30"), D("11600.74"))


def test_text_that_looks_like_a_formula_is_quoted_text_in_the_workbook(years):
    book = workbook(client_for(years.commissioner).get(SVF + "&format=xlsx"))
    for name, column in (("Spend by project", "C"), ("Outcomes", "B"), ("Narrative", "B")):
        cells = [c for c in book[name][column] if c.value == FORMULA_NAME]
        assert cells, name
        for cell in cells:
            assert (cell.data_type, cell.quotePrefix) == ("s", True)
    formulas = [c.value for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(re.fullmatch(r'=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|IF\([A-Z]+\d+=0,"",[A-Z]+\d+/[A-Z]+\d+\))', v)
               for v in formulas), formulas


def test_the_workbook_outcomes_and_narrative_are_approved_only(years):
    book = workbook(client_for(years.commissioner).get(SVF + "&format=xlsx"))
    outcomes = sheet_rows(book, "Outcomes")
    assert outcomes[0][6:10] == ["2018-19 Q3 (approved)", "2018-19 Q4 (approved)", "2019-20 Q1 (approved)",
                                 "2019-20 Q2 (approved)"]
    span = [r for r in outcomes if r[0] == "SPAN" and r[2] == "Young people engaged"][0]
    # 2019-20 Q1 was sent back: neither its 100 nor its target counts.
    assert span[6:13] == [9, 12, None, 14, 3, 35, 35]
    assert (round(span[13], 3), span[14]) == (1.0, "Green")
    everything = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)
    for unapproved in ("not approved", "before the period", "after the period", "Q1 progress, sent back",
                       "Their progress"):
        assert unapproved not in everything


def test_the_report_by_priority_as_a_workbook(years):
    response = client_for(years.viewer).get(PRIORITIES + "&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="priorities-12-months-to-2019-09-30.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Cover", "Priorities", "Key outcomes", "Projects", "Charts"]
    rows = sheet_rows(book, "Priorities")
    assert [(r[0], r[1], penny(r[4]), penny(r[6])) for r in rows[1:]] == [
        ("Exploitation", 1, D("7000.70"), D("2999.99")), ("Hate crime", 0, D("0"), D("0")),
        ("Youth violence", 2, D("12000.70"), D("8000.74")), ("No priority", 1, D("5000.00"), D("3600.00")),
        ("All projects, each counted once", 3, D("17000.70"), D("11600.74"))]
    # Not a SUM: the rows above count P18 twice.
    assert not any(isinstance(v, str) and v.startswith("=") for v in rows[-1])


def test_a_providers_workbook_is_its_own(years):
    response = client_for(years.user_a).get(URL + "?end=2019-20+Q2&format=xlsx")
    book = workbook(response)
    assert [r[1] for r in sheet_rows(book, "Spend by project")[1:-1]] == ["P18"]


# --- Queries ----------------------------------------------------------------------------------


def grow(w, count: int):
    for n in range(count):
        allocation = f.AllocationFactory(programme=w.svf19, recipient=w.provider_b)
        project = f.ProjectFactory(allocation=allocation)
        project.priorities.add(w.youth if n % 2 else w.hate)
        budget = line(project, ["100.00", "100.00", "100.00", "100.00"], year=2019)
        pm = f.ProjectMeasureFactory(project=project, measure=w.people, financial_year=2019)
        ret(project, 1, Status.APPROVED, year=2019, spend=[(budget, "90.00")], values=[(pm, 5)],
            progress="Progress.", case_study="A case.", risks="A risk.", officer_rag="amber")
        ret(project, 2, Status.SUBMITTED, year=2019, spend=[(budget, "90.00")], values=[(pm, 5)])


@pytest.mark.parametrize("url", [SVF, PRIORITIES, SVF + "&format=xlsx", PRIORITIES + "&format=xlsx"])
def test_each_report_makes_as_many_queries_with_many_projects_as_with_few(years, url):
    client = client_for(years.commissioner)
    grow(years, 2)
    small, response = count_queries(client, url)
    assert response.status_code == 200
    grow(years, 25)
    large, response = count_queries(client, url)
    assert small == large
    assert large <= 25
    if "xlsx" not in url and "programme" in url:
        assert len(response.context["report"].projects) == 3 + 27


def test_names_and_narrative_are_escaped_in_every_table(years):
    years.span.name = '<b>Mentoring</b> & "more"'
    years.span.save()
    QuarterlyReturn.objects.filter(project=years.span, quarter=2).update(risks="<script>alert(1)</script>\nLine two")
    content = client_for(years.commissioner).get(SVF).content.decode()
    assert "<b>Mentoring</b>" not in content and "<script>alert(1)" not in content
    assert "&lt;b&gt;Mentoring&lt;/b&gt; &amp; &quot;more&quot;" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Line two" in content
