"""
The year-end page (/finance/year-end/): the funder's officers read it, providers are refused as on the
finance page; it shows the year that ended most recently unless asked for another, says so when the
year asked for cannot be read, shows every figure of the selector right-aligned, and is linked from
the finance page. `?format=xlsx` sends the reader to its workbook.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from grants.models import User
from grants.periods import FinancialYear
from grants.selectors.year_end import FIGURES, year_end
from tests import factories as f
from tests import worlds
from tests.grants.year_end.helpers import money_cells_right_aligned, page_rows, page_summary
from tests.grants.year_end.world import YEAR_ENDED, a_year_end
from tests.worlds import client_for

D = Decimal
URL = "/finance/year-end/"

scenario = worlds.built_once(lambda: a_year_end(worlds.two_providers_one_programme()))


@pytest.fixture
def w(scenario, db):
    with time_machine.travel(YEAR_ENDED, tick=False):
        yield worlds.fresh(scenario)


def get(user, url=URL, **params):
    return client_for(user).get(url, params)


# --- Who may see it -------------------------------------------------------------------------------


def test_someone_signed_out_is_sent_to_sign_in(w):
    response = get(None)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("actor", ["user_a", "user_b"])
def test_a_provider_is_refused_as_on_the_finance_page(w, actor):
    response = get(getattr(w, actor))

    assert response.status_code == 403
    assert get(getattr(w, actor), "/finance/").status_code == 403
    assert "Year-end figures are for the funder&#x27;s officers." in response.content.decode()


@pytest.mark.parametrize("actor", ["viewer", "commissioner", "finance", "administrator"])
def test_the_funders_officers_see_every_allocation_of_the_funder(w, actor):
    if actor == "administrator":
        w.administrator = f.UserFactory(username="administrator", organisation=w.commissioner_org,
                                        role=User.Role.ADMINISTRATOR)
    response = get(getattr(w, actor))

    assert response.status_code == 200
    rows = page_rows(response.content.decode())
    assert set(rows) == {str(a.pk) for a in (w.allocation_a, w.allocation_b, w.two_years, w.starts_next_year)} | {
        "total"}


def test_another_funders_officer_sees_only_their_own(w):
    response = get(w.outsider)

    assert response.status_code == 200
    assert set(page_rows(response.content.decode())) == {str(w.elsewhere.pk), "total"}
    assert "Allocation to A" not in response.content.decode()


# --- Which year -----------------------------------------------------------------------------------


@pytest.mark.parametrize("today, shown", [
    (date(2024, 3, 30), "2022-23"), (date(2024, 3, 31), "2023-24"), (date(2024, 4, 1), "2023-24"),
])
def test_the_year_shown_is_the_one_that_ended_most_recently(w, today, shown):
    with time_machine.travel(today, tick=False):
        html = get(w.finance).content.decode()

    assert f"<h1 class=\"govuk-heading-l\">Year end {shown}</h1>" in html
    assert f'<option value="{shown}" selected>{shown} (ended most recently)</option>' in html


def test_a_year_can_be_chosen(w):
    html = get(w.finance, year="2024-25").content.decode()

    assert "Year end 2024-25" in html
    assert "2024-25 ends on 31 March 2025: these are its figures so far." in html
    rows = page_rows(html)
    assert rows[str(w.two_years.pk)]["verified"] == D("7000.00")
    assert '<option value="2024-25" selected>2024-25</option>' in html
    # From the funder's first programme's year to this one, latest first.
    assert html.count("<option ") == 2
    assert html.index('value="2024-25"') < html.index('<option value="2023-24">2023-24 (ended most recently)</option>')


def test_a_year_that_cannot_be_read_says_what_is_wrong_and_shows_the_year_just_ended(w):
    response = get(w.finance, year="2023-2025")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<div class="govuk-error-summary"' in html
    assert ("“2023-2025” is not a financial year: 2023 is followed by 2024. This is 2023-24, the year that "
            "ended most recently.") in html
    assert '<a href="#year">' in html and 'id="year-error"' in html
    assert "<title>Error: Year end 2023-24" in html
    assert page_rows(html)[str(w.allocation_a.pk)]["accrual"] == D("9500.50")


def test_a_workbook_of_a_year_that_cannot_be_read_is_not_sent(w):
    response = get(w.finance, year="last year", format="xlsx")

    assert response.status_code == 200
    assert "“last year” is not a financial year: write it like 2023-24" in response.content.decode()


# --- What it shows --------------------------------------------------------------------------------


def test_the_page_shows_every_figure_of_the_selector_to_the_penny(w):
    html = get(w.finance).content.decode()
    shown = page_rows(html)
    result = year_end(w.finance, FinancialYear(2023))

    for row in result.rows:
        assert shown[str(row.allocation.pk)] == {name: getattr(row, name) for name in FIGURES}
    for row in result.starting:
        assert shown[str(row.allocation.pk)] == {"committed_next": row.committed_next}
    assert shown["total"] == {name: getattr(result.ran, name) for name in FIGURES}
    assert page_summary(html) == {"accrual": D("9500.50"), "prepayment": D("35000.00"), "awaiting": D("5000.00"),
                                  "committed_next": D("80000.00")}


def test_every_money_figure_is_right_aligned_and_explained(w):
    html = get(w.finance).content.decode()

    assert money_cells_right_aligned(html)
    for words in ["what you owe recipients at the year end", "money recipients hold ahead of spending it",
                  "Not in the accruals until finance verifies it", "allocations that run on into 2024-25"]:
        assert words in html
    assert html.count('class="govuk-table__header govuk-table__header--numeric"') == 8


def test_names_link_to_their_pages(w):
    html = get(w.commissioner).content.decode()

    assert f'href="/allocations/{w.allocation_a.pk}/"' in html
    assert f'href="/organisations/{w.provider_a.pk}/"' in html
    assert f'href="/programmes/{w.programme.pk}/"' in html


def test_the_finance_page_links_to_the_year_end(w):
    html = get(w.finance, "/finance/").content.decode()
    assert 'href="/finance/year-end/"' in html


def test_asking_for_the_workbook_on_the_page_sends_the_reader_to_it(w):
    response = get(w.viewer, format="xlsx", year="2023-24")

    assert response.status_code == 302
    assert response["Location"] == "/reports/year-end.xlsx?year=2023-24"
    html = get(w.viewer).content.decode()
    assert 'href="/reports/year-end.xlsx?year=2023-24"' in html
