"""
The home page as a work list: what needs each person now, with its count, its oldest date and a link
to where it is done; then what they look after, every name a link to its page where they may open it.
"""

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import selectors
from grants.models import Allocation, Clawback, QuarterlyReturn
from tests import factories as f

pytestmark = pytest.mark.django_db

# Q1 2023-24 was due on 30 July 2023 and Q2 on 30 October; Q3 has not ended.
TODAY = date(2023, 11, 20)


def work(response) -> dict[str, tuple[int, str, str]]:
    """The work list on a page: key -> (count, its link, the oldest-date line)."""
    page = unescape(response.content.decode())
    rows = {}
    for key, body in re.findall(r'<div class="govuk-summary-list__row" data-work="([\w-]+)">(.*?)</div>', page,
                                re.DOTALL):
        link = re.search(r'href="([^"]+)"', body).group(1)
        count = int(re.search(r"data-count>(\d+)<", body).group(1))
        oldest = " ".join(re.sub(r"<[^>]+>", " ", body.split("data-count>", 1)[1]).split()[1:])
        rows[key] = (count, link, oldest)
    return rows


@pytest.fixture
def world(actors):
    w = actors
    f.QuarterlyReturnFactory(project=w.project_a, quarter=1, status=QuarterlyReturn.Status.SUBMITTED,
                             submitted_at=datetime(2023, 8, 1, 9, tzinfo=timezone.utc))
    f.QuarterlyReturnFactory(project=w.project_a, quarter=2, status=QuarterlyReturn.Status.RETURNED,
                             submitted_at=datetime(2023, 10, 20, 9, tzinfo=timezone.utc))
    w.draft = f.AllocationFactory(programme=w.programme, recipient=w.provider_b, title="Draft for B",
                                  status=Allocation.Status.DRAFT, decision_reference="", decision_date=None)
    w.payment = f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("25000.00"))
    return w


def home(client, user):
    client.force_login(user)
    with time_machine.travel(datetime(2023, 11, 20, 12, tzinfo=timezone.utc)):
        return client.get("/")


def test_the_commissioner_sees_returns_to_review_allocations_to_approve_and_returns_overdue(client, world):
    rows = work(home(client, world.commissioner))

    assert rows["review"] == (1, "/review/", "Oldest submitted 1 August 2023")
    assert rows["allocations-draft"][:2] == (1, "/reports/allocations/?status=draft")
    # A's Q2 (sent back, now past its date) and B's Q1 and Q2 (never started).
    assert rows["returns-overdue"] == (3, "/reports/dashboard/#overdue", "Due since 30 July 2023")
    assert "virements" not in rows  # none asked: listed under "none waiting" instead


def test_kinds_with_nothing_waiting_are_named_with_their_links(client, world):
    page = unescape(home(client, world.commissioner).content.decode())

    none = re.search(r'data-testid="work-list-none">(.*?)</p>', page, re.DOTALL).group(1)
    assert '<a class="govuk-link" href="/virements/?status=requested">virements to decide</a>' in none


def test_the_commissioners_overdue_count_is_the_dashboards(client, world):
    """The work list and the dashboard's overdue table count the same returns."""
    rows = work(home(client, world.commissioner))
    with time_machine.travel(datetime(2023, 11, 20, 12, tzinfo=timezone.utc)):
        page = unescape(client.get("/reports/dashboard/").content.decode())

    caption = re.search(r'data-testid="overdue">\s*<caption[^>]*>\s*(\d+) return', page).group(1)
    assert rows["returns-overdue"][0] == int(caption) == 3


def test_a_provider_sees_only_its_own_returns_sent_back_and_overdue(client, world):
    rows_a = work(home(client, world.user_a))
    rows_b = work(home(client, world.user_b))

    assert rows_a["returns-returned"][:2] == (1, "/returns/")
    assert rows_a["returns-overdue"] == (1, "/returns/", "Due since 30 October 2023")
    assert rows_b["returns-overdue"] == (2, "/returns/", "Due since 30 July 2023")
    assert "returns-returned" not in rows_b


def test_a_providers_overdue_count_is_my_returns(client, world):
    rows = work(home(client, world.user_b))
    with time_machine.travel(datetime(2023, 11, 20, 12, tzinfo=timezone.utc)):
        page = client.get("/returns/").content.decode()

    assert rows["returns-overdue"][0] == page.count(">Overdue</strong>") == 2


def test_returns_whose_quarter_has_ended_but_are_not_yet_late_are_due(client, actors):
    client.force_login(actors.user_a)
    with time_machine.travel(datetime(2023, 10, 15, 12, tzinfo=timezone.utc)):
        rows = work(client.get("/"))

    # Q1 was due on 30 July (overdue); Q2 ended on 30 September and is due on 30 October.
    assert rows["returns-overdue"][0] == 1
    assert rows["returns-due"] == (1, "/returns/", "First due 30 October 2023")


def test_finance_sees_spend_to_verify_and_a_payment_waiting_for_its_returns(client, world):
    rows = work(home(client, world.finance))

    assert rows["review"] == (1, "/review/", "Oldest submitted 1 August 2023")
    # Paid in arrears: Q1 can be paid once both projects' Q1 returns are approved and verified.
    assert rows["payments-waiting"] == (1, "/finance/#due", "Due since 30 July 2023")
    assert "payments-ready" not in rows


def test_finance_sees_a_clawback_waiting_for_money_on_the_payments_page(client, world):
    claw = Clawback.objects.create(allocation=world.allocation_a, amount=Decimal("1200.00"), reason="Unspent.",
                                   requested_on=date(2023, 9, 1), recorded_by=world.finance)
    rows = work(home(client, world.finance))
    assert rows["clawbacks"] == (1, "/finance/#clawbacks", "Oldest asked 1 September 2023")

    page = unescape(client.get("/finance/").content.decode())
    table = re.search(r'<table[^>]*id="clawbacks".*?</table>', page, re.DOTALL).group(0)
    assert f'href="/clawbacks/{claw.pk}/"' in table and "£1,200.00" in table


def test_the_viewer_sees_what_waits_but_nothing_to_act_on(client, world):
    rows = work(home(client, world.viewer))

    assert rows["review"][0] == 1
    assert "allocations-draft" not in rows and "virements" not in rows


def test_nothing_waiting_says_so(client, actors):
    client.force_login(actors.user_a)
    with time_machine.travel(datetime(2023, 4, 20, 12, tzinfo=timezone.utc)):
        page = client.get("/").content.decode()

    assert 'data-testid="work-list-empty">Nothing needs you now.' in page


def test_another_funders_work_is_not_counted(client, world):
    rows = work(home(client, world.outsider))

    assert rows == {}


def test_the_work_list_runs_the_same_number_of_queries_however_many_projects(client, world):
    def queries(user):
        client.force_login(user)
        with time_machine.travel(datetime(2023, 11, 20, 12, tzinfo=timezone.utc)), \
                CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    before = {u: queries(getattr(world, u)) for u in ("commissioner", "finance", "user_a")}
    for n in range(4):
        project = f.ProjectFactory(allocation=world.allocation_a, reference=f"A-X{n}", name=f"More {n}",
                                   provider=world.provider_a)
        f.QuarterlyReturnFactory(project=project, quarter=1, status=QuarterlyReturn.Status.SUBMITTED,
                                 submitted_at=datetime(2023, 8, 2, tzinfo=timezone.utc))
        f.PaymentFactory(allocation=f.AllocationFactory(programme=world.programme, recipient=world.provider_a,
                                                        title=f"More {n}"), quarter=1, amount=Decimal("10.00"))
    after = {u: queries(getattr(world, u)) for u in ("commissioner", "finance", "user_a")}
    assert after == before


def test_names_on_the_home_pages_link_to_their_pages(client, world):
    client.force_login(world.commissioner)
    page = unescape(client.get("/").content.decode())
    assert f'href="/programmes/{world.programme.pk}/">Community Safety Fund</a>' in page
    assert f'href="/allocations/{world.allocation_a.pk}/">Allocation to A</a>' in page

    client.force_login(world.user_a)
    page = unescape(client.get("/").content.decode())
    assert 'href="/projects/A-1/">Project of A</a>' in page
    assert f'href="/allocations/{world.allocation_a.pk}/">Allocation to A</a>' in page
    assert "/returns/A-1/2023/2/" in page  # the latest return
    # A provider may not open programme pages: the programme is named, not linked.
    assert f'href="/programmes/{world.programme.pk}/"' not in page
    assert "/projects/B-1/" not in page


def test_the_open_data_page_is_linked_for_the_commissioner(client, world):
    client.force_login(world.commissioner)
    assert 'href="/reports/open-data/"' in client.get("/").content.decode()
    assert 'href="/reports/open-data/"' in client.get("/reports/").content.decode()
    client.force_login(world.finance)
    assert 'href="/reports/open-data/"' not in client.get("/reports/").content.decode()


def test_the_work_list_selector_scopes_to_the_user(world):
    items = {item.key: item.count for item in selectors.work_list(world.user_a, TODAY)}
    assert items == {"returns-returned": 1, "returns-overdue": 1, "returns-due": 0, "virements-mine": 0,
                     "variations-mine": 0}


def test_an_arrears_quarter_whose_returns_are_in_is_ready_to_schedule_until_its_payment_is_made(client, actors):
    from grants.services import payments as payment_services

    w = actors
    for project in (w.project_a, f.ProjectFactory(allocation=w.allocation_a, reference="A-2", name="Second of A",
                                                  provider=w.provider_a)):
        ret = f.QuarterlyReturnFactory(project=project, quarter=1, status=QuarterlyReturn.Status.APPROVED,
                                       spend_status=QuarterlyReturn.SpendStatus.VERIFIED,
                                       submitted_at=datetime(2023, 7, 20, tzinfo=timezone.utc))
        f.SpendLineFactory(quarterly_return=ret, budget_line=f.BudgetLineFactory(project=project),
                           actual=Decimal("1500.00"))
    rows = work(home(client, w.finance))
    assert rows["arrears-to-schedule"] == (1, "/finance/#to-schedule", "Due since 30 July 2023")
    page = unescape(client.get("/finance/").content.decode())
    table = re.search(r'<table[^>]*id="to-schedule".*?</table>', page, re.DOTALL).group(0)
    assert f'href="/allocations/{w.allocation_a.pk}/#payments">2023-24 Q1' in table and "£3,000.00" in table

    payment_services.payment_schedule_update(actor=w.finance, allocation=w.allocation_a, today=TODAY)
    rows = work(home(client, w.finance))
    assert "arrears-to-schedule" not in rows
    assert rows["payments-ready"][0] == 1


def test_the_administrator_sees_invitations_not_accepted_and_funded_organisations_with_nobody(client, actors):
    from grants.models import User
    from grants.services import administration as admin_services
    from tests import worlds

    w = worlds.an_administrator_for_each_funder(actors)
    invited = admin_services.user_invite(actor=w.administrator, values={
        "first_name": "Nadia", "last_name": "Rahman", "email": "nadia@example.org",
        "organisation": w.provider_a, "role": User.Role.PROVIDER})
    User.objects.filter(pk=w.user_b.pk).update(is_active=False)  # B now has nobody who can sign in

    rows = work(home(client, w.administrator))

    assert rows["invitations"][:2] == (1, "/administration/people/")
    assert rows["organisations-unstaffed"][:2] == (1, "/administration/organisations/")
    invited.set_password("a long and unusual passphrase 42")
    invited.last_login = invited.date_joined
    invited.save()
    assert "invitations" not in work(home(client, w.administrator))
    # Another funder's administrator counts none of this.
    assert work(home(client, w.other_administrator)) == {}
