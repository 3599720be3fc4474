"""
What the commissioning and finance pages show and how their forms behave: money typed as
people type it and saved to the penny, every problem in a GOV.UK error summary that links to
its field, a form posted over something that changed meanwhile, what is left to allocate,
the funding-ending flag, read-only pages for providers, and the audit history with who did
what, before and after.
"""

from datetime import date
from decimal import Decimal

from grants.models import Allocation, BudgetLine, Payment, Programme, Project, Virement
from grants.services import virements
from tests import factories as f
from tests.dates import date_boxes
from tests.grants.commissioning.helpers import (
    blocked,
    client_for,
    error_summary,
    summary_list,
    table_rows,
    version_in,
)
from tests.grants.commissioning.views_world import (
    allocation_data,
    line_data,
    programme_data,
)


# --- Forms and their errors -------------------------------------------------------------------


def test_a_programme_typed_as_people_type_it_is_saved_to_the_penny(pages):
    response = client_for(pages.commissioner).post("/programmes/new/", programme_data(
        pages, total_budget="£1,234,567.89", over_allocation_percent="7.5%", financial_year="2024/25"))
    programme = Programme.objects.get(code="SVD-2024")
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert (programme.total_budget, programme.over_allocation_percent, programme.financial_year) == (
        Decimal("1234567.89"), Decimal("7.50"), 2024)
    assert programme.commissioner == pages.commissioner_org


def test_every_problem_with_a_programme_is_in_the_error_summary_linked_to_its_field(pages):
    response = client_for(pages.commissioner).post("/programmes/new/", programme_data(
        pages, name="", total_budget="12.345", financial_year="2024-26", payment_terms="", return_due_days="200"))
    assert response.status_code == 400
    assert error_summary(response) == [
        ("id_name", "Enter the programme&#x27;s name."),
        ("id_financial_year", "Enter the financial year like 2024-25."),
        ("id_total_budget", "Enter the total budget to the penny: at most 2 decimal places."),
        ("id_payment_terms", "Choose how the programme pays: in arrears or in advance."),
        ("id_return_due_days", "The days after quarter end must be 120 or fewer."),
    ]
    html = response.content.decode()
    assert "<title>Error: Set up a programme" in html
    assert 'id="id_payment_terms"' in html  # the radios' fieldset, where the summary links
    assert not Programme.objects.filter(code="SVD-2024").exists()


def test_the_services_refusal_comes_back_onto_the_field_it_names(pages):
    response = client_for(pages.commissioner).post(f"/programmes/{pages.programme.pk}/allocate/",
                                                   allocation_data(pages, start_date="31/3/2023"))
    assert response.status_code == 400
    assert error_summary(response) == [
        ("id_start_date_day", "The allocation cannot start before the programme&#x27;s financial year (1 April 2023).")]


def test_only_organisations_that_are_not_commissioners_are_offered(pages):
    response = client_for(pages.commissioner).post(f"/programmes/{pages.programme.pk}/allocate/",
                                                   allocation_data(pages, recipient=str(pages.commissioner_org.pk)))
    assert error_summary(response) == [("id_recipient", "Choose an organisation from the list.")]


def test_approving_past_the_ceiling_is_not_offered_and_is_refused_on_the_page_with_what_is_left(pages):
    big = f.AllocationFactory(programme=pages.programme, recipient=pages.provider_b, amount=Decimal("800000.01"),
                              status="draft", decision_reference="", decision_date=None)
    client = client_for(pages.commissioner)
    page = client.get(f"/allocations/{big.pk}/")
    text = " ".join(page.content.decode().split())
    assert "The programme has £800,000.00 left to allocate" in text
    reason = ("Approving £800,000.01 would take the programme past its budget plus 0% allowance (£1,000,000.00): "
              "only £800,000.00 is left to allocate.")
    assert f'action="/allocations/{big.pk}/approve/"' not in text
    assert blocked(page) == {"approve": reason}

    response = client.post(f"/allocations/{big.pk}/approve/", {
        "version": big.version, "decision_reference": "DEC-1", **date_boxes(decision_date="1/3/2023")})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [reason]
    big.refresh_from_db()
    assert big.status == "draft"


def test_an_approval_without_its_decision_lists_both_missing_fields(pages):
    client = client_for(pages.commissioner)
    response = client.post(f"/allocations/{pages.draft.pk}/approve/", {
        "version": pages.draft.version, "decision_reference": "",
        **date_boxes(decision_date="31/2/2023")})
    assert response.status_code == 400
    assert error_summary(response) == [
        ("id_decision_reference", "Enter the reference of the decision."),
        ("id_decision_date_day", "Decision date must be a real date"),
    ]


def test_a_form_posted_over_an_allocation_that_changed_meanwhile_says_so(pages):
    first, second = client_for(pages.commissioner), client_for(pages.commissioner_2)
    seen = first.get(f"/allocations/{pages.draft.pk}/")
    second.post(f"/allocations/{pages.draft.pk}/approve/", {
        "version": pages.draft.version, "decision_reference": "DEC-7", **date_boxes(decision_date="1/3/2023")})

    response = first.post(f"/allocations/{pages.draft.pk}/withdraw/", {
        "version": version_in(seen, f"/allocations/{pages.draft.pk}/withdraw/"), "reason": "Not needed."})
    assert response.status_code == 400
    assert "This allocation changed since you opened it" in error_summary(response)[0][1]
    pages.draft.refresh_from_db()
    assert (pages.draft.status, pages.draft.withdrawn_reason) == ("approved", "")


def test_a_budget_line_whose_profile_does_not_add_up_says_by_how_much(pages):
    response = client_for(pages.commissioner).post("/projects/A-1/budget/new/", line_data(
        pages, amount="1,000.00", profile_q1="250", profile_q2="250", profile_q3="250", profile_q4="249.99"))
    assert response.status_code == 400
    assert error_summary(response) == [("id_profile_q4", (
        "The quarterly profile adds up to £999.99 but the budget line is £1,000.00: "
        "the quarters must add up to the line."))]


def test_a_refused_removal_says_why_on_the_project_page(pages):
    client = client_for(pages.commissioner)
    response = client.post(f"/projects/A-1/budget/{pages.venue.pk}/remove/", {"version": pages.venue.version},
                           follow=True)
    assert "Virements name this line: it cannot be removed. Set its budget to £0 instead." in \
        response.content.decode()
    assert BudgetLine.objects.filter(pk=pages.venue.pk).exists()


def test_a_release_with_no_reference_or_date_lists_both(pages):
    response = client_for(pages.finance).post(f"/payments/{pages.q1.pk}/release/", {
        "version": pages.q1.version, "reference": "", **date_boxes(paid_on="")})
    assert response.status_code == 400
    assert error_summary(response) == [
        ("id_reference", "Enter the payment reference from the finance system."),
        ("id_paid_on_day", "Enter the date the payment was made."),
    ]


# --- What pages show --------------------------------------------------------------------------


def test_the_programme_page_shows_what_is_approved_and_left_to_allocate(pages):
    Programme.objects.filter(pk=pages.programme.pk).update(over_allocation_percent=Decimal("10"))
    totals = summary_list(client_for(pages.viewer).get(f"/programmes/{pages.programme.pk}/"), "programme-totals")
    assert totals["Total budget"] == "£1,000,000.00"
    assert totals["Approved"] == "£200,000.00"
    assert totals["Left to allocate"] == "£900,000.00 £800,000.00 within the budget itself"
    assert totals["In draft"] == "£5,000.00"


def test_projects_whose_funding_ends_soon_are_flagged(pages, settings):
    soon = f.ProjectFactory(allocation=pages.allocation_a, provider=pages.provider_a, reference="SOON",
                            name="Ends soon", end_date=date(2024, 3, 31))
    Allocation.objects.filter(pk=pages.allocation_a.pk).update(end_date=date(2025, 3, 31))
    Project.objects.filter(pk=soon.pk).update(end_date=date(2024, 11, 14))  # 6 months after 15 May 2024, less a day
    client = client_for(pages.commissioner)

    rows = table_rows(client.get("/programmes/"), "funding-ending")
    assert [row[0] for row in rows] == ["Ends soon Funding ending"]
    assert "Funding ending" in client.get("/projects/SOON/").content.decode()
    assert "Funding ending" in client_for(pages.user_a).get("/funding/").content.decode()

    settings.FUNDING_ENDING_MONTHS = 5
    assert table_rows(client.get("/programmes/"), "funding-ending") == [
        ["No project's funding ends within 5 months."]]
    assert "Funding ending" not in client.get("/projects/SOON/").content.decode()


def test_a_provider_sees_its_own_allocations_payments_but_no_way_to_change_them(pages):
    client = client_for(pages.user_a)
    page = client.get(f"/allocations/{pages.allocation_a.pk}/")
    html = page.content.decode()
    assert [row[0] for row in table_rows(page, "payment-schedule")] == [
        "2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]
    for action in ("schedule/", "close/", "clawbacks/new/", "approve/", "withdraw/", "edit/"):
        assert f"/allocations/{pages.allocation_a.pk}/{action}" not in html

    payment = client.get(f"/payments/{pages.q1.pk}/").content.decode()
    assert "/release/" not in payment and "/withhold/" not in payment
    funding = client.get("/funding/")
    assert [row[:2] for row in table_rows(funding, f"funding-payments-{pages.allocation_a.pk}")] == [
        ["2023-24 Q1", "Scheduled"], ["2023-24 Q2", "Released"], ["Clawback, 1 May 2024", "Requested"]]
    assert f"funding-payments-{pages.allocation_b.pk}" not in funding.content.decode()


def test_a_provider_delivering_under_someone_elses_allocation_sees_none_of_its_money(pages):
    page = client_for(pages.user_a).get(f"/allocations/{pages.allocation_b.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for testid in ("payment-schedule", "money", "budgeted", "allocation-history"):
        assert f'data-testid="{testid}"' not in html
    assert [row[0] for row in table_rows(page, "allocation-projects")] == ["Delivered by A for B B-2"]
    assert [row[0] for row in table_rows(client_for(pages.user_b).get(f"/allocations/{pages.allocation_b.pk}/"),
                                         "allocation-projects")] == ["Delivered by A for B B-2", "Project of B B-1"]


def test_the_finance_page_shows_due_withheld_to_verify_variance_and_released_this_year(pages):
    Payment.objects.filter(pk=pages.q2.pk).update(paid_on=date(2024, 4, 20))
    w = pages
    f.PaymentFactory(allocation=w.allocation_b, quarter=2, status="withheld", withheld_reason="Q1 return missing.",
                     amount=Decimal("10.00"))
    page = client_for(w.finance).get("/finance/")
    assert [row[:4] for row in table_rows(page, "payments-due")] == [
        ["Allocation to A Provider A", "2023-24 Q1, Allocation to A", "1 April 2023", "Ready to release"]]
    assert table_rows(page, "payments-withheld") == [
        ["Allocation to B", "2023-24 Q2, Allocation to B", "Q1 return missing.", "£10.00"]]
    assert table_rows(page, "released-this-year") == [["Community Safety Fund 2023-24", "1", "£25,000.00"]]
    assert table_rows(page, "spend-to-verify") == [["No spend is waiting to be verified."]]


def test_the_virement_page_shows_each_line_before_and_after(pages):
    w = pages
    virements.virement_approve(actor=w.commissioner, virement=w.virement, version=w.virement.version)
    rows = table_rows(client_for(w.user_a).get(f"/virements/{w.virement.pk}/"), "virement-changes")
    assert rows == [
        ["Project of A: Youth workers", "£40,000.00", "£39,500.00",
         "£10,000.00, £10,000.00, £10,000.00, £10,000.00", "£10,000.00, £10,000.00, £10,000.00, £9,500.00"],
        ["Project of A: Venue hire", "£4,000.00", "£4,500.00",
         "£1,000.00, £1,000.00, £1,000.00, £1,000.00", "£1,000.00, £1,000.00, £1,000.00, £1,500.00"],
    ]


def test_what_is_done_on_the_web_is_in_the_history_with_who_did_it(pages):
    w = pages
    w.commissioner.first_name, w.commissioner.last_name = "Chris", "Okafor"
    w.commissioner.save()
    w.finance.first_name, w.finance.last_name = "Fran", "Lewis"
    w.finance.save()
    commissioner, finance = client_for(w.commissioner), client_for(w.finance)
    commissioner.post(f"/virements/{w.virement.pk}/decide/", {"version": w.virement.version, "action": "approve"})
    finance.post(f"/payments/{w.q1.pk}/release/", {"version": w.q1.version, "reference": "BACS-77",
                                                   **date_boxes(paid_on="2/5/2024")})

    project_history = table_rows(commissioner.get("/projects/A-1/"), "project-history")
    assert ["Chris Okafor", f"Budget line: Youth workers (2023-24) Virement {w.virement.pk} approved",
            "Budget for the year", "£40,000.00", "£39,500.00"] in [row[1:] for row in project_history]
    assert ["Chris Okafor", f"Virement {w.virement.pk} Approved", "Status", "Requested", "Approved"] in [
        row[1:] for row in project_history]

    allocation_history = table_rows(finance.get(f"/allocations/{w.allocation_a.pk}/"), "allocation-history")
    assert ["Fran Lewis", "Payment 2023-24 Q1 Released: BACS-77", "Status", "Scheduled", "Released"] in [
        row[1:] for row in allocation_history]
    assert ["Fran Lewis", "Payment 2023-24 Q1 Released: BACS-77", "Payment reference", "–", "BACS-77"] in [
        row[1:] for row in allocation_history]


def test_the_measure_library_offers_adding_only_to_commissioners(pages):
    assert "/measures/new/" in client_for(pages.commissioner).get("/measures/").content.decode()
    assert "/measures/new/" not in client_for(pages.finance).get("/measures/").content.decode()


def test_a_new_library_measure_goes_back_to_the_project_it_was_added_for(pages):
    response = client_for(pages.commissioner).post("/measures/new/?project=A-1", {
        "name": "Referrals received", "definition": "Referrals from any agency.", "unit": "count",
        "direction": "higher", "aggregation": "events"})
    assert response["Location"] == "/projects/A-1/measures/new/"


def test_virements_can_be_listed_by_status(pages):
    w = pages
    second = Virement.objects.create(from_line=w.venue, to_line=w.staff, amount=Decimal("1.00"), quarter=1,
                                     reason="Back again.", requested_by=w.user_a)
    virements.virement_refuse(actor=w.commissioner, virement=second, version=second.version, note="No.")
    client = client_for(w.commissioner)
    assert len(table_rows(client.get("/virements/"), "virements")) == 2
    assert [row[4] for row in table_rows(client.get("/virements/?status=refused"), "virements")] == ["Refused"]
    assert len(table_rows(client.get("/virements/?status=nonsense"), "virements")) == 2


def test_the_finance_page_shows_what_was_released_in_another_year_when_asked(pages):
    client = client_for(pages.finance)
    assert table_rows(client.get("/finance/"), "released-this-year") == [["Nothing released in 2024-25 yet."]]
    asked = client.get("/finance/?year=2023-24")
    assert table_rows(asked, "released-this-year") == [["Community Safety Fund 2023-24", "2", "£35,000.00"]]
    assert 'href="?year=2022-23"' in asked.content.decode()
    assert table_rows(client.get("/finance/?year=nonsense"), "released-this-year") == [
        ["Nothing released in 2024-25 yet."]]


def test_a_change_to_the_programmes_budget_is_in_its_history(pages):
    from tests.grants.commissioning.views_world import programme_edit_data

    client = client_for(pages.commissioner)
    client.post(f"/programmes/{pages.programme.pk}/edit/", programme_edit_data(pages, total_budget="1,250,000"))
    rows = [row[1:] for row in table_rows(client.get(f"/programmes/{pages.programme.pk}/"), "programme-history")]
    assert ["commissioner", "Programme", "Total budget", "£1,000,000.00", "£1,250,000.00"] in rows
