"""
The partnership tier, through the services and the pages: under an allocation a community safety partnership
reports on, the partnership reviews its providers' returns first (passes each on or sends it back with a
comment), then submits one partnership return a quarter, which the commissioner approves (approving the
project returns in it, each rated) or sends back. A partnership manager also sets up the services its
allocation funds. A provider delivering one of them sees its own project only.

The world: provider B is a community safety partnership whose allocation (Allocation to B) it reports on;
Ben manages the partnership; B delivers B-1 itself and provider A delivers B-2 for it.
"""

from decimal import Decimal

import pytest

from grants.models import (
    Allocation, Organisation, PartnershipReturn, PartnershipReturnEvent, Project, ProjectQuarter, QuarterlyReturn,
    ReturnEvent, User,
)
from grants.selectors.worklist import work_list
from grants.services import Invalid, NotAllowed, Stale
from grants.services import administration as admin_services
from grants.services import commissioning as commissioning_services
from grants.services import partnership as s
from grants.services import projects as project_services
from grants.services import returns as return_services
from grants.services.returns import ReturnInput, SpendInput
from reporting import quarters as figures_reader
from tests import factories as f
from tests.grants.commissioning.helpers import Q, client_for, line, table_rows

Status = QuarterlyReturn.Status
D = Decimal


@pytest.fixture
def w(actors):
    w = actors
    Allocation.objects.filter(pk=w.allocation_b.pk).update(partnership_reports=True)
    w.allocation_b.refresh_from_db()
    w.manager = f.UserFactory(username="manager-b", organisation=w.provider_b, role=User.Role.PARTNERSHIP)
    w.project_b2 = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference="B-2",
                                    name="Youth outreach")
    w.line_b1 = line(w.project_b, "Coordinator", "40000.00")
    w.line_b2 = line(w.project_b2, "Youth workers", "20000.00")
    return w


def submit(w, project, spend, *, actor, quarter=None):
    quarter = quarter or Q(1)
    existing = QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year,
                                              quarter=quarter.number).first()
    data = ReturnInput(progress="Sessions ran as planned.", self_rag="green",
                       spend={ln.pk: SpendInput(actual=D(v), explanation="Invoices came late.") for ln, v in spend.items()})
    return return_services.return_submit(actor=actor, project=project, quarter=quarter,
                                         version=existing.version if existing else None, data=data)


def both_in(w):
    """B-2 submitted by A and passed on by the partnership; B-1 submitted by the partnership itself."""
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    b2 = s.return_pass_on(actor=w.manager, ret=b2, version=b2.version, comment="Checked against the invoices.")
    b1 = submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.manager)
    return b1, b2


def partnership_submit(w, narrative="Both services delivered; outreach started late in one ward."):
    existing = s.partnership_return_for(w.allocation_b, Q(1))
    return s.partnership_return_save(actor=w.manager, allocation=w.allocation_b, quarter=Q(1),
                                     version=existing.version if existing else None, narrative=narrative, submit=True)


# The flow through the services ---------------------------------------------------------------------------


def test_a_quarter_goes_from_the_provider_through_the_partnership_to_the_commissioner(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    assert b2.passed_on_at is None
    # The commissioner does not decide it on its own: it comes with the partnership's return.
    with pytest.raises(NotAllowed, match="Provider B reports on this project"):
        return_services.return_approve(actor=w.commissioner, ret=b2, version=b2.version, officer_rag="green")

    b2 = s.return_pass_on(actor=w.manager, ret=b2, version=b2.version, comment="Checked against the invoices.")
    assert b2.status == Status.SUBMITTED and b2.passed_on_at is not None
    # A return of the partnership's own is passed on as it submits it.
    b1 = submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.manager)
    assert b1.passed_on_at is not None

    report = partnership_submit(w)
    assert (report.status, report.narrative) == (Status.SUBMITTED, "Both services delivered; outreach started late in one ward.")
    report = s.partnership_return_approve(actor=w.commissioner, report=report, version=report.version,
                                          ratings={b1.pk: "green", b2.pk: "amber"}, comment="Thank you.")
    assert report.status == Status.APPROVED and report.approved_at is not None
    b1.refresh_from_db()
    b2.refresh_from_db()
    assert (b1.status, b1.officer_rag, b2.status, b2.officer_rag) == (Status.APPROVED, "green", Status.APPROVED, "amber")
    # Every figure counts approved returns: the kept quarter figures moved in the same transaction.
    kept = ProjectQuarter.objects.get(project=w.project_b2, financial_year=2023, quarter=1)
    assert (kept.status, kept.spent, kept.officer_rag) == (Status.APPROVED, D("5000.00"), "amber")
    assert list(b2.events.values_list("kind", flat=True)) == ["created", "submitted", "passed_on", "approved"]
    assert list(report.events.values_list("kind", "actor")) == [
        ("submitted", w.manager.pk), ("approved", w.commissioner.pk)]


def test_the_partnership_return_waits_for_every_project_and_names_what_is_missing(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    with pytest.raises(Invalid) as refused:
        partnership_submit(w, narrative="")
    errors = refused.value.errors
    assert errors["narrative"] == "Write the partnership's report for the quarter before submitting it."
    assert errors["__all__"] == (
        "Every project's return must be passed on first: Provider B has not submitted the return for Project of B; "
        "the return for Youth outreach is waiting for your review: pass it on or send it back.")
    assert not PartnershipReturn.objects.exists()
    s.return_pass_on(actor=w.manager, ret=b2, version=b2.version)
    submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.manager)
    assert partnership_submit(w).status == Status.SUBMITTED


def test_a_draft_is_saved_without_the_projects_and_kept_for_later(w):
    report = s.partnership_return_save(actor=w.manager, allocation=w.allocation_b, quarter=Q(1), version=None,
                                       narrative="First thoughts.", submit=False)
    assert (report.status, report.narrative) == (Status.DRAFT, "First thoughts.")
    # A second draft started from the same empty page is refused, not saved twice.
    with pytest.raises(Stale):
        s.partnership_return_save(actor=w.manager, allocation=w.allocation_b, quarter=Q(1), version=None,
                                  narrative="Someone else's thoughts.", submit=False)
    assert PartnershipReturn.objects.get().narrative == "First thoughts."


def test_the_partnership_sends_a_return_back_to_its_provider_with_a_comment(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    with pytest.raises(Invalid) as refused:
        s.return_partnership_send_back(actor=w.manager, ret=b2, version=b2.version, comment=" ")
    assert refused.value.errors == {"comment": "Say what the provider needs to change: they will see this comment."}
    b2 = s.return_partnership_send_back(actor=w.manager, ret=b2, version=b2.version, comment="Add the ward names.")
    assert (b2.status, b2.passed_on_at) == (Status.RETURNED, None)
    event = b2.events.latest("at")
    assert (event.kind, event.actor, event.comment) == (ReturnEvent.Kind.RETURNED, w.manager, "Add the ward names.")
    # The provider amends and submits again: back to the partnership, not yet passed on.
    b2 = submit(w, w.project_b2, {w.line_b2: "5200.00"}, actor=w.user_a)
    assert (b2.status, b2.passed_on_at) == (Status.SUBMITTED, None)


def test_the_commissioner_sends_the_partnership_return_back_and_the_partnership_can_then_reopen_a_project(w):
    b1, b2 = both_in(w)
    report = partnership_submit(w)
    # While it is with the commissioner the partnership cannot change the returns in it.
    with pytest.raises(NotAllowed, match="is with the commissioner"):
        s.return_partnership_send_back(actor=w.manager, ret=b2, version=b2.version, comment="Wrong figure.")
    with pytest.raises(Invalid) as refused:
        s.partnership_return_send_back(actor=w.commissioner, report=report, version=report.version, comment="")
    assert refused.value.errors == {"comment": "Say what the partnership needs to change: they will see this comment."}
    report = s.partnership_return_send_back(actor=w.commissioner, report=report, version=report.version,
                                            comment="Youth outreach's spend looks low: check it with the provider.")
    assert report.status == Status.RETURNED
    b2.refresh_from_db()
    assert b2.status == Status.SUBMITTED  # the projects' returns stay as they were
    b2 = s.return_partnership_send_back(actor=w.manager, ret=b2, version=b2.version, comment="Check the Q1 invoices.")
    b2 = submit(w, w.project_b2, {w.line_b2: "6000.00"}, actor=w.user_a)
    s.return_pass_on(actor=w.manager, ret=b2, version=b2.version)
    report = partnership_submit(w, narrative="Outreach spend corrected.")
    assert report.status == Status.SUBMITTED
    assert report.events.latest("at").comment == "Resubmitted after amendment."


def test_approval_needs_a_rating_for_each_project_return_and_saves_nothing_without(w):
    b1, b2 = both_in(w)
    report = partnership_submit(w)
    with pytest.raises(Invalid) as refused:
        s.partnership_return_approve(actor=w.commissioner, report=report, version=report.version,
                                     ratings={b1.pk: "green"})
    assert refused.value.errors == {f"rag_{b2.pk}": "Choose the officer's RAG rating for Youth outreach."}
    assert set(QuarterlyReturn.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    assert PartnershipReturn.objects.get().status == Status.SUBMITTED


def test_two_decisions_at_once_give_one_approval_and_one_changed_message(w):
    b1, b2 = both_in(w)
    report = partnership_submit(w)
    seen = report.version
    s.partnership_return_send_back(actor=w.commissioner, report=report, version=seen, comment="Add the wards.")
    with pytest.raises(Stale):
        s.partnership_return_approve(actor=w.commissioner, report=report, version=seen,
                                     ratings={b1.pk: "green", b2.pk: "green"})
    assert set(QuarterlyReturn.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_reopening_an_approved_project_return_reopens_the_partnership_return(w):
    b1, b2 = both_in(w)
    report = partnership_submit(w)
    s.partnership_return_approve(actor=w.commissioner, report=report, version=report.version,
                                 ratings={b1.pk: "green", b2.pk: "green"})
    b2.refresh_from_db()
    b2 = return_services.return_reopen(actor=w.commissioner, ret=b2, version=b2.version, reason="Spend double counted.")
    assert (b2.status, b2.passed_on_at) == (Status.RETURNED, None)
    report.refresh_from_db()
    assert (report.status, report.approved_at) == (Status.RETURNED, None)
    event = report.events.latest("at")
    assert (event.kind, event.comment) == (PartnershipReturnEvent.Kind.REOPENED,
                                           "The return for Youth outreach was reopened: Spend double counted.")


# Who may do what -------------------------------------------------------------------------------------------


def test_only_the_partnership_manager_reviews_and_reports(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    for actor in (w.user_a, w.user_b, w.commissioner, w.viewer, w.finance, w.outsider):
        with pytest.raises(NotAllowed):
            s.return_pass_on(actor=actor, ret=b2, version=b2.version)
        with pytest.raises(NotAllowed):
            s.partnership_return_save(actor=actor, allocation=w.allocation_b, quarter=Q(1), version=None,
                                      narrative="Not mine to write.", submit=False)
    # A partnership manager of another partnership is nobody here.
    other = f.OrganisationFactory(name="Another partnership", kind=Organisation.Kind.CSP)
    stranger = f.UserFactory(username="manager-elsewhere", organisation=other, role=User.Role.PARTNERSHIP)
    with pytest.raises(NotAllowed):
        s.return_pass_on(actor=stranger, ret=b2, version=b2.version)
    assert QuarterlyReturn.objects.get(pk=b2.pk).passed_on_at is None
    assert not PartnershipReturn.objects.exists()


def test_an_allocation_without_partnership_reporting_has_no_partnership_return(w):
    manager_a = f.UserFactory(username="manager-a", organisation=w.provider_a, role=User.Role.PROVIDER)
    with pytest.raises(NotAllowed, match="report to the commissioner one by one"):
        s.partnership_return_save(actor=manager_a, allocation=w.allocation_a, quarter=Q(1), version=None,
                                  narrative="", submit=False)


def test_only_a_partnership_reports_and_the_switch_waits_for_a_decision(w):
    with pytest.raises(Invalid) as refused:
        commissioning_services.allocation_update(actor=w.commissioner, allocation=w.allocation_a,
                                                 version=w.allocation_a.version, values={"partnership_reports": True})
    assert refused.value.errors["partnership_reports"] == (
        "Provider A is not a community safety partnership: only a partnership reports for its providers.")
    both_in(w)
    partnership_submit(w)
    allocation = Allocation.objects.get(pk=w.allocation_b.pk)
    with pytest.raises(Invalid) as refused:
        commissioning_services.allocation_update(actor=w.commissioner, allocation=allocation,
                                                 version=allocation.version, values={"partnership_reports": False})
    assert refused.value.errors["partnership_reports"] == (
        "The partnership's return for 2023-24 Q1 is with you: approve or return it before its projects report to "
        "you one by one.")


def test_a_partnership_manager_is_a_role_of_a_partnership_only(w):
    admin = f.UserFactory(username="admin", organisation=w.commissioner_org, role=User.Role.ADMINISTRATOR)
    w.commissioner_org.works_with.add(w.provider_a, w.provider_b)
    values = dict(first_name="Pat", last_name="Lee", email="pat@example.org", organisation=w.provider_a,
                  role=User.Role.PARTNERSHIP)
    with pytest.raises(Invalid) as refused:
        admin_services.user_invite(actor=admin, values=values)
    assert refused.value.errors == {
        "role": "Provider A is not a community safety partnership: it has no partnership managers."}
    assert not User.objects.filter(email="pat@example.org").exists()
    person = admin_services.user_invite(actor=admin, values={**values, "organisation": w.provider_b})
    assert (person.role, person.organisation) == (User.Role.PARTNERSHIP, w.provider_b)


def test_the_partnership_manager_sets_up_the_services_its_allocation_funds(w):
    w.commissioner_org.works_with.add(w.provider_a)
    values = dict(reference="B-3", name="Street pastors", provider=w.provider_a, start_date=w.allocation_b.start_date,
                  end_date=w.allocation_b.end_date, description="", area=None)
    project = project_services.project_create(actor=w.manager, allocation=w.allocation_b, values=values, priorities=[])
    assert (project.allocation, project.provider) == (w.allocation_b, w.provider_a)
    # Not under another recipient's allocation, and a provider never.
    with pytest.raises(NotAllowed):
        project_services.project_create(actor=w.manager, allocation=w.allocation_a,
                                        values={**values, "reference": "A-9"}, priorities=[])
    with pytest.raises(NotAllowed):
        project_services.project_create(actor=w.user_a, allocation=w.allocation_b,
                                        values={**values, "reference": "B-9"}, priorities=[])
    assert not Project.objects.filter(reference__in=["A-9", "B-9"]).exists()


# The pages -------------------------------------------------------------------------------------------------


def url(w, quarter=1):
    return f"/allocations/{w.allocation_b.pk}/quarters/2023/{quarter}/"


def test_the_partnership_return_page_for_each_actor(w):
    both_in(w)
    answers = {actor: client_for(getattr(w, actor)).get(url(w)).status_code
               for actor in ("manager", "user_b", "user_a", "viewer", "commissioner", "finance", "outsider")}
    # A provider delivering one project (A) sees its own project, not the partnership's quarter.
    assert answers == {"manager": 200, "user_b": 200, "user_a": 404, "viewer": 200, "commissioner": 200,
                       "finance": 200, "outsider": 404}
    assert client_for(None).get(url(w)).status_code == 302
    # Outside the allocation's dates, and for an allocation its partnership does not report on: nothing there.
    assert client_for(w.manager).get(url(w).replace("/2023/1/", "/2025/1/")).status_code == 404
    assert client_for(w.commissioner).get(
        f"/allocations/{w.allocation_a.pk}/quarters/2023/1/").status_code == 404


def test_the_page_adds_up_as_the_reports_do(w):
    b1, b2 = both_in(w)
    report = partnership_submit(w)
    page = client_for(w.commissioner).get(url(w))
    rows = table_rows(page, "partnership-projects")
    # Before approval the spend is awaiting approval, never compared with the plan.
    assert rows[-1] == ["Total", "£15,000.00", "–", "–", "£14,000.00"]
    s.partnership_return_approve(actor=w.commissioner, report=report, version=report.version,
                                 ratings={b1.pk: "green", b2.pk: "amber"})
    rows = table_rows(client_for(w.commissioner).get(url(w)), "partnership-projects")
    assert rows[0][:3] == ["Project of B", "Provider B", "Approved"]
    # The figures reader every report and workbook uses, over the same projects and quarter.
    read = figures_reader.read(w.commissioner, [Q(1)], projects=Project.objects.filter(allocation=w.allocation_b))
    spend = [row.spend() for row in read]
    plan, spent = sum(x.plan for x in spend), sum(x.spent for x in spend)
    variance = sum(x.variance for x in spend)
    assert rows[-1] == ["Total", f"£{plan:,.2f}", f"£{spent:,.2f}", f"-£{-variance:,.2f}", "–"]
    assert (plan, spent) == (D("15000.00"), D("14000.00"))


def test_the_manager_passes_on_and_submits_on_the_pages(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    manager = client_for(w.manager)
    path = "/returns/B-2/2023/1/"
    assert "Pass on to the commissioner" in manager.get(path).content.decode()
    # The commissioner has no decision form on a return the partnership reports on.
    assert "Approve" not in client_for(w.commissioner).get(path).content.decode().split("What happened")[0]
    response = manager.post(path + "partnership/", {"action": "pass_on", "version": b2.version,
                                                    "partnership_comment": "Fine."})
    assert response.status_code == 302
    assert QuarterlyReturn.objects.get(pk=b2.pk).passed_on_at is not None
    # A provider posting the same form is refused, and nothing changes.
    b1 = submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.user_b)
    assert client_for(w.user_a).post("/returns/B-1/2023/1/partnership/",
                                     {"action": "pass_on", "version": b1.version}).status_code == 404
    assert client_for(w.user_b).post("/returns/B-1/2023/1/partnership/",
                                     {"action": "pass_on", "version": b1.version}).status_code == 403

    # B-1 is the partnership's own project: submitted by its own people, it is passed on as it is submitted.
    assert QuarterlyReturn.objects.get(pk=b1.pk).passed_on_at is not None
    response = manager.post(url(w), {"action": "submit", "narrative": ""})
    assert response.status_code == 400
    assert "Write the partnership&#x27;s report for the quarter before submitting it." in response.content.decode()
    response = manager.post(url(w), {"action": "submit", "narrative": "All delivered."})
    assert response.status_code == 302
    report = PartnershipReturn.objects.get()
    assert report.status == Status.SUBMITTED

    commissioner = client_for(w.commissioner)
    decide = url(w) + "decide/"
    response = commissioner.post(decide, {"action": "approve", "version": report.version})
    assert response.status_code == 400
    assert "Choose the officer&#x27;s RAG rating for Youth outreach." in response.content.decode()
    assert client_for(w.manager).post(decide, {"action": "approve", "version": report.version}).status_code == 403
    response = commissioner.post(decide, {"action": "approve", "version": report.version,
                                          f"rag_{b1.pk}": "green", f"rag_{b2.pk}": "green"})
    assert response.status_code == 302
    assert set(QuarterlyReturn.objects.filter(project__allocation=w.allocation_b).values_list("status", flat=True)) == {
        Status.APPROVED}


def test_work_lists_and_the_review_queue_follow_the_partnership(w):
    submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    submit(w, w.project_a, {line(w.project_a): "10000.00"}, actor=w.user_a)
    today = Q(2).end

    def count(user, key):
        return next(item.count for item in work_list(user, today) if item.key == key)

    assert count(w.manager, "partnership-review") == 1
    assert count(w.commissioner, "review") == 1  # A-1 only: B-2 is the partnership's to review
    assert count(w.commissioner, "partnership-returns") == 0
    queue = client_for(w.commissioner).get("/review/").content.decode()
    assert "Project of A" in queue and "Youth outreach" not in queue
    b2 = QuarterlyReturn.objects.get(project=w.project_b2)
    s.return_pass_on(actor=w.manager, ret=b2, version=b2.version)
    submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.manager)
    partnership_submit(w)
    assert count(w.manager, "partnership-review") == 0
    assert count(w.commissioner, "partnership-returns") == 1
    rows = table_rows(client_for(w.commissioner).get("/partnership-returns/?status=submitted"), "partnership-returns")
    assert rows == [["2023-24 Q1: Provider B", "Provider B (Allocation to B)", "2 of 2", "0", "Submitted"]]


def test_the_list_of_partnership_returns_reads_the_same_number_of_queries_for_more_partnerships(w, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client_for(w.commissioner).get("/partnership-returns/").status_code == 200
        return len(captured)

    both_in(w)
    small = queries()
    for n in range(3):
        partnership = f.OrganisationFactory(name=f"Partnership {n}", kind=Organisation.Kind.CSP)
        allocation = f.AllocationFactory(programme=w.programme, recipient=partnership, partnership_reports=True)
        for m in range(3):
            project = f.ProjectFactory(allocation=allocation, reference=f"P-{n}-{m}")
            f.QuarterlyReturnFactory(project=project, financial_year=2023, quarter=1)
    assert queries() == small


def test_each_partnership_action_for_each_actor_and_nothing_changes_when_refused(w):
    b2 = submit(w, w.project_b2, {w.line_b2: "5000.00"}, actor=w.user_a)
    actors = ("user_a", "user_b", "viewer", "commissioner", "finance", "outsider")

    def answers(path, data):
        found = {actor: client_for(getattr(w, actor)).post(path, data).status_code for actor in actors}
        found["anonymous"] = client_for(None).post(path, data).status_code
        return found

    refused_pass_on = answers("/returns/B-2/2023/1/partnership/", {"action": "pass_on", "version": b2.version})
    assert refused_pass_on == {"user_a": 403, "user_b": 403, "viewer": 403, "commissioner": 403, "finance": 403,
                               "outsider": 404, "anonymous": 302}
    assert QuarterlyReturn.objects.get(pk=b2.pk).passed_on_at is None

    refused_submit = answers(url(w), {"action": "save", "narrative": "Not theirs to write."})
    assert refused_submit == {"user_a": 404, "user_b": 403, "viewer": 403, "commissioner": 403, "finance": 403,
                              "outsider": 404, "anonymous": 302}
    assert not PartnershipReturn.objects.exists()

    s.return_pass_on(actor=w.manager, ret=b2, version=b2.version)
    b1 = submit(w, w.project_b, {w.line_b1: "9000.00"}, actor=w.manager)
    report = partnership_submit(w)
    decision = {"action": "approve", "version": report.version, f"rag_{b1.pk}": "green", f"rag_{b2.pk}": "green"}
    refused_decision = answers(url(w) + "decide/", decision)
    assert refused_decision == {"user_a": 404, "user_b": 403, "viewer": 403, "commissioner": 302, "finance": 403,
                                "outsider": 404, "anonymous": 302}
    assert client_for(w.manager).post(url(w) + "decide/", decision).status_code == 403
    assert PartnershipReturn.objects.get().status == Status.APPROVED  # the commissioner's, the one allowed


def test_a_partnership_manager_has_the_partnership_returns_in_the_navigation(w):
    from tests.test_page_frame import labels

    assert labels(client_for(w.manager).get("/")) == [
        "Home", "Dashboard", "My returns", "Partnership returns", "Funding", "Virements", "Reports", "Places"]
    assert labels(client_for(w.user_b).get("/")) == ["Home", "Dashboard", "My returns", "Funding", "Virements",
                                                      "Reports", "Places"]


def test_the_partnership_return_page_reads_the_same_number_of_queries_for_more_projects(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(actor):
        with CaptureQueriesContext(connection) as captured:
            assert client_for(actor).get(url(w)).status_code == 200
        return len(captured)

    both_in(w)
    partnership_submit(w)
    small = {actor: queries(getattr(w, actor)) for actor in ("manager", "commissioner")}
    for n in range(4):
        project = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference=f"B-X{n}")
        f.QuarterlyReturnFactory(project=project, financial_year=2023, quarter=1, status=Status.SUBMITTED)
    assert {actor: queries(getattr(w, actor)) for actor in ("manager", "commissioner")} == small


def test_the_partnership_takes_its_performance_report_over_every_service_it_funds(w):
    """What the partnership takes to its council's scrutiny: its organisation's performance report covers the
    services its allocation funds, whoever delivers them; a provider's covers its own projects only."""
    both_in(w)
    report = client_for(w.manager).get(
        f"/reports/performance/?end=2023-24+Q1&subject=organisation&organisation={w.provider_b.pk}")
    assert report.status_code == 200
    content = report.content.decode()
    assert "Youth outreach" in content and "Project of B" in content
    own = client_for(w.user_a).get(
        f"/reports/performance/?end=2023-24+Q1&subject=organisation&organisation={w.provider_a.pk}").content.decode()
    assert "Youth outreach" in own and "Project of B" not in own
