"""
A quarter through the partnership tier, in the browser, as the people who do it: a provider delivering a
service for a community safety partnership submits its return; the partnership's manager reviews it and
passes it on, then writes and submits the partnership's return; the commissioner, who cannot decide the
project's return alone, approves the partnership's return with a rating for the project, and the project's
return is approved with it. A screenshot of every step is saved (tests/e2e/conftest.py).
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, Organisation, PartnershipReturn, QuarterlyReturn, User
from grants.periods import Quarter
from grants.services import returns as s
from tests import factories as f
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partnership(actors):
    w = actors
    w.quarter = q = Quarter.from_date(date.today()).previous()
    programme = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Community Safety Fund", code="CSF-P",
                                   financial_year=q.financial_year)
    w.csp = f.OrganisationFactory(name="Safer Testshire Partnership", kind=Organisation.Kind.CSP)
    w.allocation = f.AllocationFactory(programme=programme, recipient=w.csp, title="Safer Testshire CSF",
                                       amount=Decimal("50000.00"), start_date=q.start, end_date=q.year.end,
                                       partnership_reports=True)
    w.manager = f.UserFactory(username="csp-manager", organisation=w.csp, role=User.Role.PARTNERSHIP)
    w.project = f.ProjectFactory(allocation=w.allocation, provider=w.provider_a, reference="STP-1",
                                 name="Street outreach", start_date=q.start, end_date=q.year.end)
    profile = {f"profile_q{n}": Decimal("0") for n in range(1, 5)}
    w.staff = f.BudgetLineFactory(project=w.project, financial_year=q.financial_year, description="Outreach workers",
                                  amount=Decimal("8000.00"), **{**profile, f"profile_q{q.number}": Decimal("8000.00")})
    w.return_path = f"/returns/STP-1/{q.financial_year}/{q.number}/"
    w.partnership_path = f"/allocations/{w.allocation.pk}/quarters/{q.financial_year}/{q.number}/"
    return w


def test_a_quarter_goes_from_the_provider_through_the_partnership_to_the_commissioner(partnership, new_page, shots):
    w = partnership

    # The provider submits its return.
    page = new_page()
    sign_in(page, w.user_a.username, DEMO_PASSWORD)
    page.goto(w.return_path)
    page.fill(f"#id_{s.spend_key(w.staff.pk)}", "7,600")
    page.fill("#id_progress", "Outreach every Friday and Saturday night in the town centre.")
    page.check("input[name=self_rag][value=green]")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("text=Return submitted.")
    assert "Waiting for the partnership's review" in page.inner_text("main")
    shots(page, "provider-has-submitted")
    sign_out(page)

    # The partnership's manager sees it on the work list, reviews it and passes it on.
    sign_in(page, w.manager.username, DEMO_PASSWORD)
    assert "Providers' returns to review" in page.inner_text("main")
    shots(page, "partnership-work-list")
    page.goto(w.return_path)
    page.fill("#id_partnership_comment", "Checked against the rota.")
    shots(page, "partnership-reviews-the-return")
    page.click("button[name=action][value=pass_on]")
    page.wait_for_selector("text=Return passed on")

    # Then writes the partnership's report and submits it.
    page.goto(w.partnership_path)
    assert "Street outreach" in page.inner_text("[data-testid=partnership-projects]")
    page.fill("#id_narrative", "Outreach delivered to plan; the board noted fewer call-outs on Friday nights.")
    shots(page, "partnership-writes-its-return")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("text=Partnership return submitted to the commissioner.")
    shots(page, "partnership-has-submitted")
    sign_out(page)

    # The commissioner decides the partnership's return, rating the project's return in it.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    assert "Partnership returns to decide" in page.inner_text("main")
    page.goto(w.return_path)
    assert "Passed on by the partnership" in page.inner_text("main")
    assert page.locator("button[name=action][value=approve]").count() == 0
    page.goto(w.partnership_path)
    assert "fewer call-outs on Friday nights" in page.inner_text("main")
    page.check(f"input[name=rag_{QuarterlyReturn.objects.get(project=w.project).pk}][value=amber]")
    shots(page, "commissioner-decides")
    page.click("button[name=action][value=approve]")
    page.wait_for_selector("text=Partnership return approved")
    shots(page, "commissioner-has-approved")

    ret = QuarterlyReturn.objects.get(project=w.project)
    assert (ret.status, ret.officer_rag) == (QuarterlyReturn.Status.APPROVED, "amber")
    assert PartnershipReturn.objects.get(allocation=w.allocation).status == PartnershipReturn.Status.APPROVED
    assert Allocation.objects.get(pk=w.allocation.pk).partnership_reports
