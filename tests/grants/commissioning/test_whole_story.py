"""
The whole story through the pages, as the people would click it: a commissioner sets up a
year's programme from nothing, allocates it within the budget plus allowance, records the
decisions and the signed agreement, sets up a project with its budget profile and measures;
the provider moves money with a virement and sends its returns; finance pays in advance,
withholds a payment while a return is missing, closes the allocation at year end, recovers
the underspend; and every pound is accounted for on the allocation's page and in its history.
"""

import html
import re
from datetime import date
from decimal import Decimal

import time_machine

from grants.models import (
    Allocation, BudgetLine, Clawback, OutcomeMeasure, Payment, Programme, Project, ProjectMeasure, Virement,
)
from grants.services import returns as return_services
from tests.dates import date_boxes
from tests.grants.commissioning.helpers import blocked, client_for, summary_list, table_rows, version_in


def on(day):
    return time_machine.travel(day, tick=False)


def go(client, path, data=None, expect=302):
    response = client.post(path, data or {}) if data is not None else client.get(path)
    assert response.status_code == expect, response.content.decode()[:4000]
    return response


def send_return(provider, reference, quarter, spend: dict, measure, value, officer, finance):
    """The provider submits the quarter's return, the commissioner approves it, finance verifies its spend."""
    page = f"/returns/{reference}/2023/{quarter}/"
    go(provider, page, expect=200)
    data = {"version": "", "action": "submit", "progress": f"Quarter {quarter} went to plan.", "challenges": "",
            "case_study": "", "risks": "", "self_rag": "green",
            return_services.value_key(measure.pk): value, return_services.reason_key(measure.pk): ""}
    for line, amount in spend.items():
        data[return_services.spend_key(line.pk)] = amount
        data[return_services.explanation_key(line.pk)] = "Invoices fell in a different quarter."
    go(provider, page, data)
    seen = go(officer, page, expect=200)
    go(officer, page + "review/", {"version": version_in(seen, page + "review/"), "action": "approve",
                                   "officer_rag": "green", "comment": ""})
    seen = go(finance, page, expect=200)
    go(finance, page + "spend/", {"version": version_in(seen, page + "spend/"), "action": "verify", "note": ""})


def test_a_year_is_set_up_from_nothing_paid_closed_and_every_pound_accounted_for(officers):
    w = officers
    for user, first, last in [(w.commissioner, "Chris", "Okafor"), (w.finance, "Fran", "Lewis"),
                              (w.user_a, "Asha", "Patel")]:
        user.first_name, user.last_name = first, last
        user.save()
    commissioner, finance, provider = client_for(w.commissioner), client_for(w.finance), client_for(w.user_a)

    # --- The commissioner sets up the programme and allocates it --------------------------------
    with on(date(2023, 3, 1)):
        assert "/programmes/new/" in go(commissioner, "/programmes/", expect=200).content.decode()
        response = go(commissioner, "/programmes/new/", {
            "name": "Violence Reduction Fund", "code": "VRF-2023", "financial_year": "2023-24",
            "funding_source": "Home Office Serious Violence Duty", "description": "",
            "total_budget": "£300,000", "payment_terms": "advance", "return_due_days": "21",
            "reminder_days_before": "7", "overdue_reminder_days": "7", "variance_threshold_percent": "10",
            "over_allocation_percent": "10"})
        programme = Programme.objects.get(code="VRF-2023")
        assert response["Location"] == f"/programmes/{programme.pk}/"

        def allocate(recipient, title, amount):
            go(commissioner, f"/programmes/{programme.pk}/allocate/", {
                "recipient": recipient.pk, "title": title, "purpose": "", "amount": amount,
                **date_boxes(start_date="1/4/2023", end_date="31/3/2024"), "conditions": "Quarterly returns."})
            return Allocation.objects.get(title=title)

        to_a = allocate(w.provider_a, "Safer Streets in A", "150,000.00")
        to_b = allocate(w.provider_b, "Youth diversion in B", "180,000.00")
        spare = allocate(w.provider_b, "One penny too many", "0.01")

        def decide(allocation, reference):
            page = go(commissioner, f"/allocations/{allocation.pk}/", expect=200)
            path = f"/allocations/{allocation.pk}/approve/"
            return commissioner.post(path, {"version": version_in(page, path), "decision_reference": reference,
                                            **date_boxes(decision_date="1/3/2023")})

        assert decide(to_a, "VRF-DEC-001").status_code == 302
        assert decide(to_b, "VRF-DEC-002").status_code == 302
        totals = summary_list(go(commissioner, f"/programmes/{programme.pk}/", expect=200), "programme-totals")
        assert (totals["Approved"], totals["Left to allocate"]) == ("£330,000.00", "£0.00 -£30,000.00 within the budget itself")
        # Approving the spare penny is shown disabled with why; approving it anyway is refused with the same reason.
        page = go(commissioner, f"/allocations/{spare.pk}/", expect=200)
        assert blocked(page)["approve"].endswith("only £0.00 is left to allocate.")
        refused = commissioner.post(f"/allocations/{spare.pk}/approve/", {
            "version": spare.version, "decision_reference": "VRF-DEC-003", **date_boxes(decision_date="1/3/2023")})
        assert refused.status_code == 400
        assert blocked(page)["approve"] in " ".join(html.unescape(refused.content.decode()).split())
        go(commissioner, f"/allocations/{spare.pk}/withdraw/", {
            "version": version_in(page, f"/allocations/{spare.pk}/withdraw/"), "reason": "Over the ceiling."})

    # --- The agreement, the project, its budget and its measure --------------------------------
    with on(date(2023, 3, 20)):
        page = go(commissioner, f"/allocations/{to_a.pk}/", expect=200)
        go(commissioner, f"/allocations/{to_a.pk}/sign/", {
            "version": version_in(page, f"/allocations/{to_a.pk}/sign/"), **date_boxes(signed_on="20/3/2023")})
        go(commissioner, f"/allocations/{to_a.pk}/projects/new/", {
            "reference": "SS-A", "name": "Safer Streets", "description": "Target hardening and patrols.",
            "provider": w.provider_a.pk, **date_boxes(start_date="1/4/2023", end_date="31/3/2024"), "area": ""})
        project = Project.objects.get(reference="SS-A")
        for category, description, amount, profile in [
            ("staff", "Patrol officers", "120,000", ["30,000"] * 4),
            ("capital", "Security equipment", "30,000", ["15,000", "5,000", "5,000", "5,000"]),
        ]:
            go(commissioner, "/projects/SS-A/budget/new/", {
                "financial_year": "2023", "category": category, "description": description, "amount": amount,
                "profile_q1": profile[0], "profile_q2": profile[1], "profile_q3": profile[2], "profile_q4": profile[3],
                "version": ""})
        staff = BudgetLine.objects.get(project=project, description="Patrol officers")
        equipment = BudgetLine.objects.get(project=project, description="Security equipment")
        over = commissioner.post("/projects/SS-A/budget/new/", {
            "financial_year": "2023", "category": "other", "description": "One more penny", "amount": "0.01",
            "profile_q1": "0.01", "profile_q2": "0", "profile_q3": "0", "profile_q4": "0", "version": ""})
        assert over.status_code == 400

        go(commissioner, "/measures/new/?project=SS-A", {
            "name": "Households made safer", "definition": "Homes where security measures were fitted.",
            "unit": "count", "direction": "higher", "aggregation": "events"})
        go(commissioner, "/projects/SS-A/measures/new/", {
            "measure": OutcomeMeasure.objects.get(name="Households made safer").pk,
            "financial_year": "2023", "baseline": "0", "annual_target": "200", "target_q1": "50", "target_q2": "50",
            "target_q3": "50", "target_q4": "50"})
        measure = ProjectMeasure.objects.get(project=project)
        page = go(commissioner, f"/allocations/{to_a.pk}/", expect=200)
        go(commissioner, f"/allocations/{to_a.pk}/activate/", {
            "version": version_in(page, f"/allocations/{to_a.pk}/activate/")})

    # --- Finance draws up the schedule and pays Q1 in advance ----------------------------------
    with on(date(2023, 4, 3)):
        go(finance, f"/allocations/{to_a.pk}/schedule/", {})
        schedule = table_rows(go(finance, f"/allocations/{to_a.pk}/", expect=200), "payment-schedule")
        assert [(row[0], row[2], row[4]) for row in schedule] == [
            # Following the profile: the equipment bought in Q1 makes the first advance larger.
            ("2023-24 Q1", "Scheduled", "£45,000.00"), ("2023-24 Q2", "Scheduled", "£35,000.00"),
            ("2023-24 Q3", "Scheduled", "£35,000.00"), ("2023-24 Q4", "Scheduled", "£35,000.00")]

        def pay(quarter, reference, paid_on):
            payment = Payment.objects.get(allocation=to_a, quarter=quarter)
            page = go(finance, f"/payments/{payment.pk}/", expect=200)
            go(finance, f"/payments/{payment.pk}/release/", {
                "version": version_in(page, f"/payments/{payment.pk}/release/"), "reference": reference,
                **date_boxes(paid_on=paid_on)})

        pay(1, "BACS-001", "3/4/2023")

    # --- The provider moves money; the commissioner approves ----------------------------------
    with on(date(2023, 6, 10)):
        go(provider, "/projects/SS-A/virements/new/", {
            "from_line": equipment.pk, "to_line": staff.pk, "amount": "2,000.50", "quarter": "2",
            "reason": "Equipment came in under quote; more patrol hours over the summer."})
        virement = Virement.objects.get()
        page = go(commissioner, f"/virements/{virement.pk}/", expect=200)
        # Equipment is capital and staff costs revenue: the approval says so explicitly.
        assert "moves £2,000.50 from capital to revenue" in page.content.decode()
        go(commissioner, f"/virements/{virement.pk}/decide/", {
            "version": version_in(page, f"/virements/{virement.pk}/decide/"), "action": "approve", "note": "Agreed.",
            "confirm_crossing": "on"})
        assert Virement.objects.get().crossed_capital_revenue
        staff.refresh_from_db()
        equipment.refresh_from_db()
        assert (staff.amount, staff.profile_q2, equipment.amount, equipment.profile_q2) == (
            Decimal("122000.50"), Decimal("32000.50"), Decimal("27999.50"), Decimal("2999.50"))

    # --- Returns come in; a missing one holds a payment back -----------------------------------
    spends = {1: ("29,000.00", "14,000.00"), 2: ("32,000.50", "2,999.50"), 3: ("30,000.00", "4,500.00"),
              4: ("26,000.00", "1,500.50")}
    with on(date(2023, 7, 5)):
        send_return(provider, "SS-A", 1, dict(zip((staff, equipment), spends[1])), measure, "48", commissioner,
                    finance)
        pay(2, "BACS-002", "5/7/2023")
    with on(date(2023, 10, 2)):
        q3 = Payment.objects.get(allocation=to_a, quarter=3)
        page = go(finance, f"/payments/{q3.pk}/", expect=200)
        go(finance, f"/payments/{q3.pk}/withhold/", {
            "version": version_in(page, f"/payments/{q3.pk}/withhold/"), "reason": "The Q2 return is missing."})
        funding = table_rows(go(provider, "/funding/", expect=200), f"funding-payments-{to_a.pk}")
        assert funding[2][:3] == ["2023-24 Q3", "Withheld", "The Q2 return is missing."]
    with on(date(2023, 10, 20)):
        send_return(provider, "SS-A", 2, dict(zip((staff, equipment), spends[2])), measure, "52", commissioner,
                    finance)
        pay(3, "BACS-003", "20/10/2023")
    with on(date(2024, 1, 15)):
        send_return(provider, "SS-A", 3, dict(zip((staff, equipment), spends[3])), measure, "50", commissioner,
                    finance)
        pay(4, "BACS-004", "15/1/2024")
    with on(date(2024, 4, 18)):
        send_return(provider, "SS-A", 4, dict(zip((staff, equipment), spends[4])), measure, "47", commissioner,
                    finance)

    # --- Year end: close, work out the underspend, recover it ----------------------------------
    with on(date(2024, 5, 15)):
        page = go(finance, f"/allocations/{to_a.pk}/", expect=200)
        go(finance, f"/allocations/{to_a.pk}/close/", {"version": version_in(page, f"/allocations/{to_a.pk}/close/")})
        money = summary_list(go(finance, f"/allocations/{to_a.pk}/", expect=200), "money")
        assert money["Released"] == "£150,000.00"
        assert money["Spend verified"] == "£140,000.50"
        assert money["Paid but not verified as spent"] == "£9,999.50"
        assert money["Still to recover"] == "£9,999.50"

        form = go(finance, f"/allocations/{to_a.pk}/clawbacks/new/", expect=200)
        assert 'value="9999.50"' in form.content.decode()
        go(finance, f"/allocations/{to_a.pk}/clawbacks/new/", {
            "amount": "9,999.50", "reason": "Underspend at year end.", **date_boxes(requested_on="15/5/2024")})
    with on(date(2024, 6, 3)):
        clawback = Clawback.objects.get()
        page = go(finance, f"/clawbacks/{clawback.pk}/", expect=200)
        go(finance, f"/clawbacks/{clawback.pk}/received/", {
            "version": version_in(page, f"/clawbacks/{clawback.pk}/received/"), **date_boxes(received_on="3/6/2024")})

        page = go(finance, f"/allocations/{to_a.pk}/", expect=200)
        money = summary_list(page, "money")
        assert money["Still to recover"] == "£0.00"
        assert money["Net paid (released less clawback received)"] == "£140,000.50"
        assert money["Clawback requested / received / waived"] == "£0.00 / £9,999.50 / £0.00"

        # Every pound in the history: each release and the clawback, with who did it.
        history = [row[1:] for row in table_rows(page, "allocation-history")]
        for quarter, reference in [(1, "BACS-001"), (2, "BACS-002"), (3, "BACS-003"), (4, "BACS-004")]:
            assert ["Fran Lewis", f"Payment 2023-24 Q{quarter} Released: {reference}", "Status",
                    "Withheld" if quarter == 3 else "Scheduled", "Released"] in history
            assert ["Fran Lewis", f"Payment 2023-24 Q{quarter} Scheduled in advance", "Amount", "–",
                    "£45,000.00" if quarter == 1 else "£35,000.00"] in history
        assert ["Fran Lewis", "Payment 2023-24 Q3 Withheld", "Withheld reason", "–",
                "The Q2 return is missing."] in history
        assert ["Fran Lewis", f"Clawback {clawback.pk} Received", "Status", "Requested", "Received"] in history
        assert ["Chris Okafor", "Allocation Approved: VRF-DEC-001", "Status", "Draft", "Approved"] in history
        assert ["Fran Lewis", "Allocation Closed", "Status", "Active", "Closed"] in history
        released = sum(Decimal(re.sub(r"[£,]", "", row[4])) for row in history
                       if row[2] == "Amount" and row[1].endswith("Scheduled in advance"))
        assert released == Decimal("150000.00")

        project_history = [row[1:] for row in table_rows(go(commissioner, "/projects/SS-A/", expect=200),
                                                         "project-history")]
        assert ["Chris Okafor", f"Budget line: Security equipment (2023-24) Virement {virement.pk} approved",
                "Profiled spend Q2 (Jul–Sep)", "£5,000.00", "£2,999.50"] in project_history

    to_a.refresh_from_db()
    assert to_a.status == Allocation.Status.CLOSED
    assert sum(Payment.objects.filter(allocation=to_a, status="released").values_list("amount", flat=True)) \
        - Clawback.objects.get().amount == Decimal("140000.50")
