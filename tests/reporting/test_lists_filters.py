"""
Filters, sorting and pages: each filter keeps the rows it should, each column sorts, the
figures are the ones the rows add up to, and a page of 25 is a GOV.UK page with links that
keep the filters and the order.
"""

import re
from decimal import Decimal

import pytest

from grants.models import Allocation
from tests import factories as f
from tests.reporting.lists_fixtures import URLS, client_for, grow, two_years_and_an_outsider  # noqa: F401
from tests import worlds


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_years_once = worlds.built_once_per_module(
    lambda: worlds.two_years_with_priorities_and_an_outsider(worlds.two_providers_one_programme()))


@pytest.fixture
def two_years_and_an_outsider(two_years_once, db):
    return worlds.fresh(two_years_once)


def records(user, slug, **params):
    response = client_for(user).get(URLS[slug], params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return [row.record for row in response.context["table"].paginated_rows]


def names(user, slug, **params) -> list[str]:
    key = {
        "programmes": lambda r: f"{r.name} {r.financial_year}",
        "allocations": lambda r: r.title,
        "projects": lambda r: r.reference,
        "returns": lambda r: f"{r.project.reference} {r.period.label}",
        "payments": lambda r: f"{r.allocation.title} Q{r.quarter}",
    }[slug]
    return [key(r) for r in records(user, slug, **params)]


# --- Programmes ---------------------------------------------------------------------------------


def test_programmes_show_what_is_allocated_spent_and_paid(two_years_and_an_outsider):
    rows = {p.code: p for p in records(two_years_and_an_outsider.commissioner, "programmes")}
    csf, ssf = rows["CSF"], rows["SSF"]
    assert (csf.allocated, csf.spent, csf.paid) == (Decimal("200000.00"), Decimal("17500.35"), Decimal("45000.50"))
    assert (csf.allocation_count, csf.project_count) == (2, 2)
    assert (ssf.allocated, ssf.spent, ssf.paid) == (Decimal("50000.00"), Decimal("0.00"), Decimal("0.00"))


def test_a_providers_programme_figures_count_only_what_reaches_it(two_years_and_an_outsider):
    csf = {p.code: p for p in records(two_years_and_an_outsider.user_a, "programmes")}["CSF"]
    assert (csf.allocated, csf.spent, csf.paid) == (Decimal("100000.00"), Decimal("9500.25"), Decimal("25000.00"))
    assert (csf.allocation_count, csf.project_count) == (1, 1)


def test_allocated_counts_committed_allocations_only(two_years_and_an_outsider):
    f.AllocationFactory(programme=two_years_and_an_outsider.programme, recipient=two_years_and_an_outsider.provider_a, title="Draft", amount=Decimal("7"),
                        status=Allocation.Status.DRAFT)
    csf = {p.code: p for p in records(two_years_and_an_outsider.commissioner, "programmes")}["CSF"]
    assert csf.allocated == Decimal("200000.00")
    assert csf.allocation_count == 3


def test_programmes_filter_by_year_organisation_and_priority(two_years_and_an_outsider):
    user = two_years_and_an_outsider.commissioner
    assert names(user, "programmes") == ["Safer Streets 2024", "Community Safety Fund 2023"]
    assert names(user, "programmes", financial_year="2024") == ["Safer Streets 2024"]
    assert names(user, "programmes", organisation=two_years_and_an_outsider.provider_b.pk) == ["Community Safety Fund 2023"]
    assert names(user, "programmes", priority=two_years_and_an_outsider.violence.pk) == ["Community Safety Fund 2023"]
    assert names(user, "programmes", priority=two_years_and_an_outsider.asb.pk) == ["Safer Streets 2024", "Community Safety Fund 2023"]


def test_a_providers_priority_filter_looks_only_at_the_projects_it_reaches(two_years_and_an_outsider):
    # Anti-social behaviour is on B-1 (CSF) and A-2 (SSF); provider A reaches only A-2.
    assert names(two_years_and_an_outsider.user_a, "programmes", priority=two_years_and_an_outsider.asb.pk) == ["Safer Streets 2024"]


# --- Allocations --------------------------------------------------------------------------------


def test_allocations_filter_by_year_programme_recipient_priority_and_status(two_years_and_an_outsider):
    user = two_years_and_an_outsider.finance
    f.AllocationFactory(programme=two_years_and_an_outsider.programme, recipient=two_years_and_an_outsider.provider_b, title="Withdrawn one",
                        status=Allocation.Status.WITHDRAWN, withdrawn_reason="Not needed.")
    everything = ["Allocation to A", "Allocation to B", "Withdrawn one", "Safer streets for A"]
    assert sorted(names(user, "allocations")) == sorted(everything)
    assert names(user, "allocations", financial_year="2024") == ["Safer streets for A"]
    assert names(user, "allocations", programme=two_years_and_an_outsider.programme.pk) == ["Allocation to A", "Allocation to B",
                                                                         "Withdrawn one"]
    assert sorted(names(user, "allocations", organisation=two_years_and_an_outsider.provider_a.pk)) == ["Allocation to A",
                                                                                   "Safer streets for A"]
    assert sorted(names(user, "allocations", priority=two_years_and_an_outsider.asb.pk)) == ["Allocation to B", "Safer streets for A"]
    assert names(user, "allocations", status="withdrawn") == ["Withdrawn one"]


def test_allocations_show_approved_spend_and_released_payments(two_years_and_an_outsider):
    rows = {a.title: a for a in records(two_years_and_an_outsider.commissioner, "allocations")}
    assert (rows["Allocation to A"].spent, rows["Allocation to A"].paid) == (Decimal("9500.25"), Decimal("25000.00"))
    assert (rows["Allocation to B"].spent, rows["Allocation to B"].paid) == (Decimal("8000.10"), Decimal("20000.50"))
    assert rows["Safer streets for A"].spent == Decimal("0.00")  # its only return is a draft


# --- Projects -----------------------------------------------------------------------------------


def test_projects_show_budget_spend_latest_return_and_rag(two_years_and_an_outsider):
    rows = {p.reference: p for p in records(two_years_and_an_outsider.commissioner, "projects")}
    a1, b1, a2 = rows["A-1"], rows["B-1"], rows["A-2"]
    assert (a1.budget, a1.spent) == (Decimal("40000.00"), Decimal("9500.25"))
    assert (a1.latest_year, a1.latest_quarter, a1.latest_status) == (2023, 2, "submitted")
    assert a1.rag == "amber"  # the provider's, on the submitted Q2: no officer has rated it yet
    assert b1.rag == "red"  # the officer's
    assert (a2.latest_status, a2.rag) == ("draft", None)  # a draft's rating does not count yet


@pytest.mark.parametrize("params, expected", [
    ({}, ["A-1", "B-1", "A-2"]),
    ({"financial_year": "2024"}, ["A-2"]),
    ({"programme": "csf"}, ["A-1", "B-1"]),
    ({"organisation": "b"}, ["B-1"]),
    ({"priority": "asb"}, ["B-1", "A-2"]),
    ({"priority": "violence", "organisation": "a"}, ["A-1"]),
    ({"rag": "red"}, ["B-1"]),
    ({"rag": "amber"}, ["A-1"]),
    ({"rag": "green"}, []),
    ({"rag": "none"}, ["A-2"]),
])
def test_projects_filter(two_years_and_an_outsider, params, expected):
    values = {"csf": two_years_and_an_outsider.programme.pk, "a": two_years_and_an_outsider.provider_a.pk, "b": two_years_and_an_outsider.provider_b.pk,
              "asb": two_years_and_an_outsider.asb.pk, "violence": two_years_and_an_outsider.violence.pk}
    params = {k: values.get(v, v) for k, v in params.items()}
    assert names(two_years_and_an_outsider.viewer, "projects", **params) == sorted(expected, key=lambda r: {
        "A-1": "Project of A", "B-1": "Project of B", "A-2": "Street lighting"}[r])


def test_the_organisation_filter_finds_a_project_by_the_recipient_of_its_allocation(two_years_and_an_outsider):
    shared = f.ProjectFactory(allocation=two_years_and_an_outsider.allocation_b, provider=two_years_and_an_outsider.provider_a, reference="B-2",
                              name="Delivered by A for B")
    found = names(two_years_and_an_outsider.commissioner, "projects", organisation=two_years_and_an_outsider.provider_b.pk)
    assert found == ["B-2", "B-1"]  # "Delivered by A for B" sorts before "Project of B"
    assert shared.reference in names(two_years_and_an_outsider.commissioner, "projects", organisation=two_years_and_an_outsider.provider_a.pk)


# --- Returns ------------------------------------------------------------------------------------


def test_returns_show_spend_against_the_quarters_profile(two_years_and_an_outsider):
    rows = {f"{r.project.reference} {r.period.label}": r for r in records(two_years_and_an_outsider.commissioner, "returns")}
    b1 = rows["B-1 2023-24 Q1"]
    assert (b1.spend, b1.profile) == (Decimal("8000.10"), Decimal("10000.00"))
    a2 = rows["A-1 2023-24 Q2"]
    assert (a2.spend, a2.profile) == (Decimal("10000.00"), Decimal("10000.00"))
    page = client_for(two_years_and_an_outsider.commissioner).get(URLS["returns"], {"rag": "red"}).content.decode()
    assert "<td class=\"app-money govuk-table__cell govuk-table__cell--numeric\">-£1,999.90</td>" in page


@pytest.mark.parametrize("params, expected", [
    ({}, ["A-2 2024-25 Q1", "A-1 2023-24 Q2", "A-1 2023-24 Q1", "B-1 2023-24 Q1"]),
    ({"financial_year": "2023", "quarter": "1"}, ["A-1 2023-24 Q1", "B-1 2023-24 Q1"]),
    ({"quarter": "2"}, ["A-1 2023-24 Q2"]),
    ({"status": "approved"}, ["A-1 2023-24 Q1", "B-1 2023-24 Q1"]),
    ({"status": "draft"}, ["A-2 2024-25 Q1"]),
    ({"spend_status": "verified"}, ["A-1 2023-24 Q1"]),
    ({"rag": "red"}, ["B-1 2023-24 Q1"]),
    ({"rag": "amber"}, ["A-1 2023-24 Q2"]),
    ({"rag": "none"}, ["A-2 2024-25 Q1"]),  # a draft is not rated yet, whatever the provider chose
    ({"priority": "asb"}, ["A-2 2024-25 Q1", "B-1 2023-24 Q1"]),
    ({"organisation": "b"}, ["B-1 2023-24 Q1"]),
    ({"programme": "ssf"}, ["A-2 2024-25 Q1"]),
])
def test_returns_filter(two_years_and_an_outsider, params, expected):
    values = {"ssf": two_years_and_an_outsider.streets.pk, "b": two_years_and_an_outsider.provider_b.pk, "asb": two_years_and_an_outsider.asb.pk}
    params = {k: values.get(v, v) for k, v in params.items()}
    assert names(two_years_and_an_outsider.commissioner, "returns", **params) == expected


# --- Payments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("params, expected", [
    ({}, ["Allocation to A Q2", "Allocation to B Q2", "Allocation to A Q1", "Allocation to B Q1"]),
    ({"quarter": "1"}, ["Allocation to A Q1", "Allocation to B Q1"]),
    ({"status": "withheld"}, ["Allocation to B Q2"]),
    ({"status": "released", "organisation": "b"}, ["Allocation to B Q1"]),
    ({"programme": "ssf"}, []),
    ({"financial_year": "2023"}, ["Allocation to A Q2", "Allocation to B Q2", "Allocation to A Q1",
                                  "Allocation to B Q1"]),
])
def test_payments_filter(two_years_and_an_outsider, params, expected):
    values = {"ssf": two_years_and_an_outsider.streets.pk, "b": two_years_and_an_outsider.provider_b.pk}
    params = {k: values.get(v, v) for k, v in params.items()}
    assert names(two_years_and_an_outsider.finance, "payments", **params) == expected


def test_the_years_offered_are_those_of_the_lists_rows(two_years_and_an_outsider):
    page = client_for(two_years_and_an_outsider.commissioner).get(URLS["payments"])
    assert list(page.context["filter"].form.fields["financial_year"].choices) == [("", "All years"),
                                                                                   (2023, "2023-24")]
    page = client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"])
    assert list(page.context["filter"].form.fields["financial_year"].choices) == [
        ("", "All years"), (2024, "2024-25"), (2023, "2023-24")]


# --- Sorting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug, sort, expected", [
    ("programmes", "name", ["Community Safety Fund 2023", "Safer Streets 2024"]),
    ("programmes", "-allocated", ["Community Safety Fund 2023", "Safer Streets 2024"]),
    ("programmes", "allocated", ["Safer Streets 2024", "Community Safety Fund 2023"]),
    ("allocations", "-recipient", ["Allocation to B", "Safer streets for A", "Allocation to A"]),
    ("allocations", "spent", ["Safer streets for A", "Allocation to B", "Allocation to A"]),
    ("projects", "spent", ["A-2", "B-1", "A-1"]),
    ("projects", "-spent", ["A-1", "B-1", "A-2"]),
    ("projects", "latest", ["B-1", "A-1", "A-2"]),
    ("projects", "rag", ["B-1", "A-1", "A-2"]),  # by severity: red, amber, green, not rated
    ("projects", "-rag", ["A-2", "A-1", "B-1"]),
    ("returns", "spend", ["A-2 2024-25 Q1", "B-1 2023-24 Q1", "A-1 2023-24 Q1", "A-1 2023-24 Q2"]),
    ("returns", "-variance", ["A-1 2023-24 Q2", "A-1 2023-24 Q1", "B-1 2023-24 Q1", "A-2 2024-25 Q1"]),
    ("returns", "quarter", ["A-1 2023-24 Q1", "B-1 2023-24 Q1", "A-1 2023-24 Q2", "A-2 2024-25 Q1"]),
    ("payments", "-amount", ["Allocation to A Q2", "Allocation to A Q1", "Allocation to B Q2",
                             "Allocation to B Q1"]),
    ("returns", "rag", ["B-1 2023-24 Q1", "A-1 2023-24 Q2", "A-1 2023-24 Q1", "A-2 2024-25 Q1"]),
    ("payments", "paid_on", ["Allocation to A Q2", "Allocation to B Q2", "Allocation to A Q1",
                             "Allocation to B Q1"]),  # not paid first, on every database
    ("payments", "-paid_on", ["Allocation to B Q1", "Allocation to A Q1", "Allocation to B Q2",
                              "Allocation to A Q2"]),
    ("payments", "status", ["Allocation to A Q1", "Allocation to B Q1", "Allocation to A Q2",
                            "Allocation to B Q2"]),
])
def test_a_column_sorts_the_rows(two_years_and_an_outsider, slug, sort, expected):
    assert names(two_years_and_an_outsider.commissioner, slug, sort=sort) == expected


def test_sorting_marks_the_header_with_aria_sort_and_offers_the_other_direction(two_years_and_an_outsider):
    text = client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"], {"sort": "-spent", "rag": "red"}).content.decode()
    header = re.search(r'<th[^>]*aria-sort="descending"[^>]*>\s*<a[^>]*href="([^"]*)"[^>]*>Spent', text)
    assert header is not None
    assert header.group(1) == "?sort=spent&amp;rag=red"
    assert text.count('aria-sort="descending"') == 1
    assert 'aria-sort="none"' in text
    assert "Priorities</th>" in text  # a column that does not sort has a plain header


def test_an_unknown_sort_is_ignored(two_years_and_an_outsider):
    assert names(two_years_and_an_outsider.commissioner, "projects", sort="password") == ["A-1", "B-1", "A-2"]


def test_filtering_keeps_the_order_and_downloads_keep_both(two_years_and_an_outsider):
    text = client_for(two_years_and_an_outsider.commissioner).get(URLS["returns"], {"sort": "-spend", "status": "approved",
                                                                 "page": "1"}).content.decode()
    assert '<input type="hidden" name="sort" value="-spend">' in text
    assert 'href="?sort=-spend&amp;status=approved&amp;format=xlsx">Download xlsx' in text
    assert 'href="?sort=-spend&amp;status=approved&amp;format=csv">Download CSV' in text


# --- Pages --------------------------------------------------------------------------------------


def test_a_long_list_comes_in_govuk_pages_of_25_that_keep_the_filters(two_years_and_an_outsider):
    grow(two_years_and_an_outsider, 30)  # 32 projects in 2023-24
    client = client_for(two_years_and_an_outsider.commissioner)
    first = client.get(URLS["projects"], {"financial_year": "2023"})
    assert len(first.context["table"].page.object_list) == 25
    text = first.content.decode()
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in text
    assert 'aria-label="Page 1" aria-current="page"' in text
    assert 'href="?financial_year=2023&amp;page=2" rel="next"' in text
    assert "Showing <strong>1</strong> to <strong>25</strong> of <strong>32</strong>" in text
    assert "32 projects" in text

    second = client.get(URLS["projects"], {"financial_year": "2023", "page": "2"})
    assert len(second.context["table"].page.object_list) == 7
    assert 'rel="prev"' in second.content.decode()
    seen = {r.record.pk for r in first.context["table"].page.object_list} | {
        r.record.pk for r in second.context["table"].page.object_list}
    assert len(seen) == 32


def test_a_page_past_the_end_shows_the_last_and_a_page_that_is_not_a_number_the_first(two_years_and_an_outsider):
    grow(two_years_and_an_outsider, 30)
    client = client_for(two_years_and_an_outsider.commissioner)
    assert client.get(URLS["projects"], {"page": "99"}).context["table"].page.number == 2
    assert client.get(URLS["projects"], {"page": "two"}).context["table"].page.number == 1


def test_a_short_list_has_no_pagination(two_years_and_an_outsider):
    assert "govuk-pagination" not in client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"]).content.decode()


def test_the_page_size_cannot_be_raised_from_the_address(two_years_and_an_outsider):
    grow(two_years_and_an_outsider, 30)
    page = client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"], {"per_page": "1000"})
    assert len(page.context["table"].page.object_list) == 25


# --- Errors -------------------------------------------------------------------------------------


def test_a_filter_value_that_is_not_offered_gets_an_error_summary_linking_to_the_field(two_years_and_an_outsider):
    response = client_for(two_years_and_an_outsider.commissioner).get(URLS["returns"], {"quarter": "5", "rag": "purple"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>Error: Quarterly returns" in text
    assert '<a href="#id_quarter">Choose a quarter from Q1 to Q4.</a>' in text
    assert '<a href="#id_rag">Choose red, amber, green or not rated.</a>' in text
    assert "No returns match these filters." in text
    assert "Download xlsx" not in text


def test_clear_filters_keeps_the_order(two_years_and_an_outsider):
    text = client_for(two_years_and_an_outsider.commissioner).get(URLS["payments"], {"status": "released", "sort": "amount"}).content
    assert b'href="/reports/payments/?sort=amount">Clear filters' in text
    assert b"Clear filters" not in client_for(two_years_and_an_outsider.commissioner).get(URLS["payments"]).content


def test_rag_counts_as_on_the_dashboard_a_sent_back_return_by_the_providers_rating(two_years_and_an_outsider):
    from grants.periods import Quarter
    from grants.services import returns as s
    from tests.reporting.lists_fixtures import report

    line = two_years_and_an_outsider.project_b.budget_lines.get()
    ret = report(two_years_and_an_outsider.user_b, two_years_and_an_outsider.project_b, Quarter(2023, 2), {line: "10000.00"}, self_rag="amber")
    s.return_send_back(actor=two_years_and_an_outsider.commissioner, ret=ret, version=ret.version, comment="Check.", officer_rag="red")
    assert names(two_years_and_an_outsider.commissioner, "returns", rag="amber") == ["A-1 2023-24 Q2", "B-1 2023-24 Q2"]
    assert {p.reference: p.rag for p in records(two_years_and_an_outsider.commissioner, "projects")}["B-1"] == "amber"


def test_each_row_links_to_its_page(two_years_and_an_outsider):
    client = client_for(two_years_and_an_outsider.commissioner)
    assert f'href="/programmes/{two_years_and_an_outsider.programme.pk}/">Community Safety Fund</a>' in client.get(
        URLS["programmes"]).content.decode()
    assert f'href="/allocations/{two_years_and_an_outsider.allocation_a.pk}/">Allocation to A</a>' in client.get(
        URLS["allocations"]).content.decode()
    assert 'href="/projects/A-1/">Project of A</a>' in client.get(URLS["projects"]).content.decode()
    assert 'href="/returns/A-1/2023/1/">Project of A</a>' in client.get(URLS["returns"]).content.decode()
    payment = two_years_and_an_outsider.allocation_b.payments.get(quarter=2)
    assert (f'href="/payments/{payment.pk}/">2023-24 Q2<span class="govuk-visually-hidden">: the payment to '
            f'Provider B</span></a>') in client.get(URLS["payments"]).content.decode()


def test_a_provider_gets_no_link_to_a_programme_page_which_is_the_funders(two_years_and_an_outsider):
    client = client_for(two_years_and_an_outsider.user_a)
    text = client.get(URLS["programmes"]).content.decode()
    assert "Community Safety Fund" in text and "/programmes/" not in text
    project = client.get(URLS["projects"]).content.decode()
    assert 'href="/projects/A-1/"' in project
    assert client.get("/projects/A-1/").status_code == 200  # the link leads somewhere it may go
