"""
Funding over several financial years: a programme runs over consecutive years with a budget for each,
an allocation over several of them is split between the years (by months, then as the commissioner
says while it is a draft), and each year's approved allocations must fit that year's budget plus the
allowance. An allocation cannot run past its programme's last year: a three-year £900,000 allocation
cannot be approved wholly against a one-year programme.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, AllocationYear, Programme, ProgrammeYear, Variation
from grants.services import Invalid, NotAllowed, Stale
from grants.services import commissioning as commissioning_services
from grants.services import variations as variation_services
from grants.services import years as s
from tests import factories as f
from tests.grants.commissioning.helpers import client_for

D = Decimal


def two_years(w, second="1000000.00"):
    """CSF (2023-24, £1,000,000) with 2024-25 added."""
    programme = Programme.objects.get(pk=w.programme.pk)
    return s.programme_year_save(actor=w.commissioner, programme=programme, version=programme.version,
                                 financial_year=2024, budget=D(second))


def draft(w, programme, amount="600000.00", start=date(2023, 4, 1), end=date(2025, 3, 31), recipient=None):
    return commissioning_services.allocation_create(actor=w.commissioner, programme=programme, values={
        "recipient": recipient or w.provider_a, "title": "Youth work over two years", "amount": D(amount),
        "start_date": start, "end_date": end})


def approve(w, allocation):
    allocation = Allocation.objects.get(pk=allocation.pk)
    return commissioning_services.allocation_approve(
        actor=w.commissioner, allocation=allocation, version=allocation.version, decision_reference="DEC-9",
        decision_date=date(2023, 3, 1), today=date(2023, 3, 2))


# A programme's years ---------------------------------------------------------------------------------


def test_a_programme_gains_a_year_and_its_total_is_the_sum_of_its_years(actors):
    w = actors
    programme = two_years(w, "800000.00")
    assert list(ProgrammeYear.objects.filter(programme=programme).values_list("financial_year", "budget")) == [
        (2023, D("1000000.00")), (2024, D("800000.00"))]
    assert programme.total_budget == D("1800000.00")
    assert s.programme_budgets(programme) == {2023: D("1000000.00"), 2024: D("800000.00")}
    assert programme.history.latest().history_change_reason == "Budget for 2024-25 set to £800,000.00"


def test_years_follow_one_another_and_a_budget_cannot_fall_below_what_is_approved(actors):
    w = actors
    programme = Programme.objects.get(pk=w.programme.pk)
    with pytest.raises(Invalid) as refused:
        s.programme_year_save(actor=w.commissioner, programme=programme, version=programme.version,
                              financial_year=2025, budget=D("1.00"))
    assert refused.value.errors == {"__all__": "2025-26 is not the year after the programme's last (2023-24): a "
                                               "programme's years follow one another."}
    # The base actors' two allocations of £100,000 are approved in 2023-24.
    programme = two_years(w)
    with pytest.raises(Invalid) as refused:
        s.programme_year_save(actor=w.commissioner, programme=programme, version=programme.version,
                              financial_year=2023, budget=D("150000.00"))
    assert refused.value.errors == {"budget": "Allocations of £200,000.00 are already approved in 2023-24: its "
                                              "budget plus the allowance (£150,000.00) cannot be less than that."}
    with pytest.raises(Stale):
        s.programme_year_save(actor=w.commissioner, programme=programme, version=programme.version - 1,
                              financial_year=2024, budget=D("1.00"))


def test_only_the_last_year_goes_and_only_when_no_allocation_runs_into_it(actors):
    w = actors
    programme = two_years(w)
    with pytest.raises(Invalid) as refused:
        s.programme_year_remove(actor=w.commissioner, programme=programme, version=programme.version,
                                financial_year=2023)
    assert refused.value.errors == {"__all__": "Only the last of a programme's several years can be removed."}
    allocation = draft(w, programme)
    with pytest.raises(Invalid) as refused:
        s.programme_year_remove(actor=w.commissioner, programme=programme, version=programme.version,
                                financial_year=2024)
    assert refused.value.errors == {"__all__": "Youth work over two years runs into 2024-25: change its dates first."}
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.WITHDRAWN, withdrawn_reason="No.")
    programme = s.programme_year_remove(actor=w.commissioner, programme=Programme.objects.get(pk=programme.pk),
                                        version=programme.version, financial_year=2024)
    assert not ProgrammeYear.objects.exists()
    assert programme.total_budget == D("1000000.00")


def test_a_programme_over_several_years_keeps_its_first_year_and_its_total_in_its_years(actors):
    w = actors
    programme = two_years(w)
    values = {name: getattr(programme, name) for name in commissioning_services.PROGRAMME_FIELDS}
    with pytest.raises(Invalid) as refused:
        commissioning_services.programme_update(actor=w.commissioner, programme=programme, version=programme.version,
                                                values={**values, "total_budget": D("5.00")})
    assert "its total is the sum of its years' budgets" in refused.value.errors["total_budget"]


def test_only_the_funders_commissioner_changes_a_programmes_years(actors):
    w = actors
    programme = Programme.objects.get(pk=w.programme.pk)
    for who in (w.user_a, w.finance, w.viewer, w.outsider):
        with pytest.raises(NotAllowed):
            s.programme_year_save(actor=who, programme=programme, version=programme.version, financial_year=2024,
                                  budget=D("1.00"))


# Allocations over several years ---------------------------------------------------------------------


def test_the_three_year_allocation_is_refused_against_a_one_year_programme(actors):
    w = actors
    with pytest.raises(Invalid) as refused:
        draft(w, w.programme, amount="900000.00", end=date(2026, 3, 31))
    assert refused.value.errors == {"end_date": "The programme runs to 31 March 2024: add 2024-25 to the programme "
                                                "first, or end the allocation by then."}


def test_an_allocation_over_two_years_is_split_by_months_and_each_year_is_checked(actors):
    w = actors
    programme = two_years(w, "300000.00")
    allocation = draft(w, programme, amount="600000.00", start=date(2023, 10, 1))  # 6 months, then 12
    assert s.allocation_amounts(allocation) == {2023: D("200000.00"), 2024: D("400000.00")}
    # 2024-25 has £300,000: £400,000 cannot be approved in it.
    problem = commissioning_services.check_approve_allocation(Allocation.objects.get(pk=allocation.pk))
    assert problem == ("£400,000.00 in 2024-25 would take Community Safety Fund past its 2024-25 budget plus "
                       "allowance (£300,000.00): only £300,000.00 is left to allocate in 2024-25.")
    with pytest.raises(Invalid):
        approve(w, allocation)

    # The commissioner moves the split, to the penny, and it is approved.
    allocation = Allocation.objects.get(pk=allocation.pk)
    allocation = s.allocation_years_save(actor=w.commissioner, allocation=allocation, version=allocation.version,
                                         amounts={2023: D("300000.01"), 2024: D("299999.99")})
    approve(w, allocation)
    totals = {row.year.start_year: row for row in s.year_totals(programme)}
    assert (totals[2023].committed, totals[2024].committed) == (D("500000.01"), D("299999.99"))
    assert (totals[2023].left, totals[2024].left) == (D("499999.99"), D("0.01"))
    assert sum(row.committed for row in totals.values()) == D("800000.00")


def test_the_split_must_add_up_and_name_every_year(actors):
    w = actors
    programme = two_years(w)
    allocation = draft(w, programme)
    for amounts, key, message in [
        ({2023: D("1.00"), 2024: D("2.00")}, "year_2024", "The years add up to £3.00 but the allocation is "
         "£600,000.00: change the amounts, or change the allocation's amount first."),
        ({2023: D("600000.00")}, "__all__", "Give an amount for each financial year the allocation runs in, and no "
         "other."),
        ({2023: D("-1.00"), 2024: D("600001.00")}, "year_2023", "The amount for 2023-24 must be £0 or more."),
    ]:
        with pytest.raises(Invalid) as refused:
            s.allocation_years_save(actor=w.commissioner, allocation=allocation, version=allocation.version,
                                    amounts=amounts)
        assert refused.value.errors == {key: message}
    assert s.allocation_amounts(allocation) == {2023: D("300000.00"), 2024: D("300000.00")}


def test_a_draft_whose_dates_change_to_one_year_keeps_no_split(actors):
    w = actors
    programme = two_years(w)
    allocation = draft(w, programme)
    allocation = commissioning_services.allocation_update(
        actor=w.commissioner, allocation=allocation, version=allocation.version,
        values={"end_date": date(2024, 3, 31)})
    assert not AllocationYear.objects.filter(allocation=allocation).exists()
    assert s.allocation_amounts(allocation) == {2023: D("600000.00")}


def test_a_variation_of_amount_falls_on_the_last_year_and_is_checked_there(actors):
    w = actors
    programme = two_years(w, "400000.00")
    allocation = approve(w, draft(w, programme))  # £300,000 a year
    with pytest.raises(Invalid) as refused:
        variation_services.variation_request(actor=w.commissioner, allocation=allocation,
                                             amount=D("750000.00"), end_date=None, conditions="", reason="More.")
    assert refused.value.errors == {"amount": "£450,000.00 in 2024-25 would take Community Safety Fund past its "
                                              "2024-25 budget plus allowance (£400,000.00): only £400,000.00 is left "
                                              "to allocate in 2024-25."}
    with pytest.raises(Invalid) as refused:
        variation_services.variation_request(actor=w.commissioner, allocation=allocation,
                                             amount=D("250000.00"), end_date=None, conditions="", reason="Less.")
    assert refused.value.errors == {"amount": "The change of amount falls on the allocation's last year, 2024-25, "
                                              "which holds £300,000.00: the new amount cannot be below £300,000.00."}
    variation_services.variation_request(actor=w.commissioner, allocation=allocation, amount=D("650000.00"),
                                         end_date=None, conditions="", reason="Demand rose.")
    allocation = Allocation.objects.get(pk=allocation.pk)
    assert allocation.amount == D("650000.00")
    assert s.allocation_amounts(allocation) == {2023: D("300000.00"), 2024: D("350000.00")}
    with pytest.raises(Invalid) as refused:
        variation_services.variation_request(actor=w.commissioner, allocation=allocation, amount=None,
                                             end_date=date(2024, 3, 31), conditions="", reason="Shorter.")
    assert refused.value.errors == {"end_date": "£350,000.00 of the allocation is in 2024-25: the allocation cannot "
                                                "end before that year."}


def test_a_variation_of_amount_can_fall_on_a_year_chosen_and_is_checked_there(actors):
    w = actors
    programme = two_years(w, "400000.00")
    allocation = approve(w, draft(w, programme))  # £300,000 a year; 2023-24 has £800,000 left besides

    def vary(amount, year, **kwargs):
        return variation_services.variation_request(actor=w.commissioner, allocation=allocation, amount=amount,
                                                    end_date=None, conditions="", reason="Change.",
                                                    financial_year=year, **kwargs)

    with pytest.raises(Invalid) as refused:
        vary(D("250000.00"), 2023)
    assert refused.value.errors == {"amount": "The change of amount falls on 2023-24, which holds £300,000.00: the "
                                              "new amount cannot be below £300,000.00."}
    with pytest.raises(Invalid) as refused:
        vary(D("650000.00"), 2025)
    assert refused.value.errors == {"financial_year": "The allocation does not run in 2025-26: a change of amount "
                                                      "falls on 2023-24 or 2024-25."}
    with pytest.raises(Invalid) as refused:
        variation_services.variation_request(actor=w.commissioner, allocation=allocation, amount=None,
                                             end_date=None, conditions="New terms.", reason="x", financial_year=2023)
    assert refused.value.errors == {"financial_year": "A year is chosen only for a new amount: leave it empty, or "
                                                      "enter the amount."}
    # 2024-25 could not take £450,000; 2023-24 can, and only its part changes.
    variation = vary(D("750000.00"), 2023)
    allocation = Allocation.objects.get(pk=allocation.pk)
    assert (variation.status, variation.financial_year, allocation.amount) == (
        Variation.Status.APPROVED, 2023, D("750000.00"))
    assert s.allocation_amounts(allocation) == {2023: D("450000.00"), 2024: D("300000.00")}
    assert sum(s.allocation_amounts(allocation).values()) == allocation.amount
    assert AllocationYear.objects.get(allocation=allocation, financial_year=2023).history.latest(
    ).history_change_reason == f"Variation {variation.pk} approved"


def test_a_reallocation_moves_money_within_one_year_both_allocations_run_in(actors):
    w = actors
    programme = two_years(w, "400000.00")
    long = approve(w, draft(w, programme))  # £300,000 in each of 2023-24 and 2024-25
    next_year = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=w.commissioner_org, code="VRU",
                                                                 financial_year=2024, total_budget=D("50000.00")),
                                    recipient=w.provider_b, amount=D("40000.00"), title="Next year's",
                                    start_date=date(2024, 4, 1), end_date=date(2025, 3, 31))
    assert variation_services.reallocation_years(long) == [2023, 2024]
    assert set(variation_services.reallocation_targets(long, 2024)) == {next_year}
    assert set(variation_services.reallocation_targets(long, 2023)) == {w.allocation_a, w.allocation_b}
    assert variation_services.default_reallocation_year(long, today=date(2024, 6, 1)) == 2024
    assert variation_services.default_reallocation_year(long, today=date(2026, 6, 1)) == 2024  # ended: its last
    with pytest.raises(Invalid) as refused:
        variation_services.reallocate(actor=w.commissioner, source=long, target=next_year, amount=D("10000.00"),
                                      reason="Underspend.", financial_year=2023)
    assert refused.value.errors == {"target": "Choose one of the funder's other approved, signed or active "
                                              "allocations that run in 2023-24."}
    with pytest.raises(Invalid) as refused:
        variation_services.reallocate(actor=w.commissioner, source=long, target=next_year, amount=D("10000.00"),
                                      reason="Underspend.", financial_year=2022)
    assert refused.value.errors == {"financial_year": "Youth work over two years does not run in 2022-23: choose "
                                                      "2023-24 or 2024-25."}
    down = variation_services.reallocate(actor=w.commissioner, source=long, target=next_year, amount=D("10000.00"),
                                         reason="Underspend.", financial_year=2024)
    assert (down.financial_year, down.moves_to.financial_year) == (2024, 2024)
    assert s.allocation_amounts(Allocation.objects.get(pk=long.pk)) == {2023: D("300000.00"), 2024: D("290000.00")}
    assert Allocation.objects.get(pk=next_year.pk).amount == D("50000.00")
    # The page asks for the year and shows it on the decision.
    commissioner = client_for(w.commissioner)
    form = commissioner.get(f"/allocations/{long.pk}/reallocate/").content.decode()
    assert "Financial year the money moves in" in form and "Next year&#x27;s" in form
    assert "Financial year the money moves in" not in commissioner.get(
        f"/allocations/{w.allocation_a.pk}/reallocate/").content.decode()
    done = commissioner.post(f"/allocations/{long.pk}/reallocate/", {
        "financial_year": "2023", "target": w.allocation_b.pk, "amount": "£5,000", "reason": "Underspend."})
    assert done.status_code == 302
    assert s.allocation_amounts(Allocation.objects.get(pk=long.pk)) == {2023: D("295000.00"), 2024: D("290000.00")}
    page = commissioner.get(done.url).content.decode()
    assert "Falls on" in page and "2023-24: the allocation's part for that year changes" in page


def test_the_variation_page_asks_which_year_a_new_amount_falls_on(actors):
    w = actors
    allocation = approve(w, draft(w, two_years(w)))
    commissioner = client_for(w.commissioner)
    url = f"/allocations/{allocation.pk}/variations/new/"
    assert "Year the change of amount falls on" in commissioner.get(url).content.decode()
    assert "Year the change of amount falls on" not in commissioner.get(
        f"/allocations/{w.allocation_a.pk}/variations/new/").content.decode()
    done = commissioner.post(url, {"amount": "£650,000", "financial_year": "2023", "reason": "Demand rose."})
    assert done.status_code == 302
    assert s.allocation_amounts(allocation) == {2023: D("350000.00"), 2024: D("300000.00")}
    # The year is ignored when the amount does not change.
    done = commissioner.post(url, {"conditions": "Quarterly returns within 21 days.", "financial_year": "2023",
                                   "reason": "Terms."})
    assert done.status_code == 302
    assert Variation.objects.latest("pk").financial_year is None


# The pages ---------------------------------------------------------------------------------------------


def test_the_commissioner_adds_a_year_on_the_programme_page_and_sees_what_is_left_each_year(actors):
    w = actors
    commissioner = client_for(w.commissioner)
    page = commissioner.get(f"/programmes/{w.programme.pk}/").content.decode()
    assert f"/programmes/{w.programme.pk}/years/2024/" in page and "Add 2024-25 to the programme" in page
    response = commissioner.post(f"/programmes/{w.programme.pk}/years/2024/", {
        "budget": "£750,000", "version": Programme.objects.get(pk=w.programme.pk).version})
    assert response.status_code == 302
    page = commissioner.get(f"/programmes/{w.programme.pk}/").content.decode()
    assert 'data-year="2024"' in page and "£750,000.00" in page
    # A year that is neither one of the programme's nor the next is not there.
    assert commissioner.get(f"/programmes/{w.programme.pk}/years/2030/").status_code == 404
    assert commissioner.get(f"/programmes/{w.programme.pk}/years/99999999999/").status_code == 404
    # The last year can be removed from its page.
    form = commissioner.get(f"/programmes/{w.programme.pk}/years/2024/").content.decode()
    assert "Remove 2024-25 from the programme" in form
    response = commissioner.post(f"/programmes/{w.programme.pk}/years/2024/remove/", {
        "version": Programme.objects.get(pk=w.programme.pk).version})
    assert response.status_code == 302 and not ProgrammeYear.objects.exists()


def test_the_allocation_page_shows_and_changes_its_amount_by_year(actors):
    w = actors
    programme = two_years(w)
    allocation = draft(w, programme)
    commissioner = client_for(w.commissioner)
    page = commissioner.get(f"/allocations/{allocation.pk}/").content.decode()
    assert 'data-testid="allocation-years"' in page and "Change the amount by year" in page
    bad = commissioner.post(f"/allocations/{allocation.pk}/years/", {
        "year_2023": "1", "year_2024": "2", "version": allocation.version})
    assert bad.status_code == 400 and "The years add up to £3.00" in bad.content.decode()
    done = commissioner.post(f"/allocations/{allocation.pk}/years/", {
        "year_2023": "100,000", "year_2024": "500,000", "version": allocation.version})
    assert done.status_code == 302
    assert s.allocation_amounts(allocation) == {2023: D("100000.00"), 2024: D("500000.00")}
    # A single-year allocation has no such page; nobody else may change it.
    assert commissioner.get(f"/allocations/{w.allocation_a.pk}/years/").status_code == 404
    assert client_for(w.user_a).get(f"/allocations/{allocation.pk}/years/").status_code == 403
    assert client_for(w.user_b).get(f"/allocations/{allocation.pk}/years/").status_code == 404
    assert client_for(w.outsider).get(f"/programmes/{programme.pk}/years/2024/").status_code == 404


def test_the_split_of_an_approved_allocation_does_not_change_on_its_page(actors):
    w = actors
    programme = two_years(w)
    allocation = approve(w, draft(w, programme))
    response = client_for(w.commissioner).post(f"/allocations/{allocation.pk}/years/", {
        "year_2023": "100,000", "year_2024": "500,000", "version": allocation.version})
    assert response.status_code == 400
    assert "its amount by year changes by a variation" in response.content.decode()
    assert s.allocation_amounts(allocation) == {2023: D("300000.00"), 2024: D("300000.00")}


def test_the_recipient_sees_the_amount_by_year_and_another_provider_does_not(actors):
    w = actors
    programme = two_years(w)
    allocation = approve(w, draft(w, programme))
    assert 'data-testid="allocation-years"' in client_for(w.user_a).get(f"/allocations/{allocation.pk}/").content.decode()
    assert client_for(w.user_b).get(f"/allocations/{allocation.pk}/").status_code == 404
    f.ProjectFactory(allocation=allocation, provider=w.provider_b, reference="B-9", start_date=date(2023, 4, 1),
                     end_date=date(2025, 3, 31))
    delivers = client_for(w.user_b).get(f"/allocations/{allocation.pk}/").content.decode()
    assert 'data-testid="allocation-years"' not in delivers  # delivers a project, does not see the money
