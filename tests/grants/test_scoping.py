"""
Who may see what: the `for_user` rule on every scoped QuerySet, and the
selectors built on it (their figures and the number of queries they make).
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import selectors
from grants.models import scoping
from grants.models import Allocation, Payment, Programme, Project, QuarterlyReturn, User
from tests import factories as f
from tests import worlds
from tests.worlds import released_payment

SCOPED_MODELS = [Project, QuarterlyReturn, Payment, Allocation, Programme]
FUNDER_ROLES = ["commissioner", "finance", "viewer"]


def pks(queryset):
    """The primary keys a QuerySet gives, sorted, duplicates kept so that they show."""
    return sorted(obj.pk for obj in queryset)


@pytest.fixture(autouse=True, params=["joined", "ids kept for a request", "too many ids to list"])
def reach_worked_out(request, monkeypatch):
    """Every rule holds three ways: outside a request (the rules join), inside one with the user's
    reach read once and its ids listed, and inside one where the lists would be too long to list."""
    if request.param == "joined":
        yield
        return
    if request.param == "too many ids to list":
        monkeypatch.setattr(scoping, "INLINE_IDS", 0)
    with scoping.reach_kept():
        yield


@pytest.fixture
def two_funders(actors):
    return worlds.a_return_and_a_payment_each_and_a_second_funder(actors)


# --- Providers ------------------------------------------------------------------------------


def test_a_provider_sees_only_its_own_projects(two_funders):
    assert pks(Project.objects.for_user(two_funders.user_a)) == [two_funders.project_a.pk]
    assert pks(Project.objects.for_user(two_funders.user_b)) == [two_funders.project_b.pk]


def test_a_provider_sees_only_the_returns_of_its_own_projects(two_funders):
    assert pks(QuarterlyReturn.objects.for_user(two_funders.user_a)) == [two_funders.return_a.pk]
    assert pks(QuarterlyReturn.objects.for_user(two_funders.user_b)) == [two_funders.return_b.pk]


def test_a_provider_sees_only_the_payments_made_on_its_own_allocation(two_funders):
    assert pks(Payment.objects.for_user(two_funders.user_a)) == [two_funders.payment_a.pk]
    assert pks(Payment.objects.for_user(two_funders.user_b)) == [two_funders.payment_b.pk]


def test_a_provider_sees_only_its_own_allocation(two_funders):
    assert pks(Allocation.objects.for_user(two_funders.user_a)) == [two_funders.allocation_a.pk]
    assert pks(Allocation.objects.for_user(two_funders.user_b)) == [two_funders.allocation_b.pk]


def test_a_provider_sees_the_programme_that_funds_it_and_no_other(two_funders):
    assert pks(Programme.objects.for_user(two_funders.user_a)) == [two_funders.programme.pk]
    assert two_funders.elsewhere_programme.pk not in pks(Programme.objects.for_user(two_funders.user_a))


def test_a_provider_with_no_funding_sees_nothing(two_funders):
    unfunded = f.UserFactory(organisation=f.OrganisationFactory(), role=User.Role.PROVIDER)
    for model in SCOPED_MODELS:
        assert pks(model.objects.for_user(unfunded)) == [], model.__name__


def test_a_recipient_of_an_allocation_sees_projects_under_it_delivered_by_another_organisation(two_funders):
    # B is a community safety partnership passing part of its allocation on to A.
    passed_on = f.ProjectFactory(allocation=two_funders.allocation_b, provider=two_funders.provider_a, name="Passed on")
    passed_on_return = f.QuarterlyReturnFactory(project=passed_on)

    assert pks(Project.objects.for_user(two_funders.user_b)) == sorted([two_funders.project_b.pk, passed_on.pk])
    assert pks(QuarterlyReturn.objects.for_user(two_funders.user_b)) == sorted([two_funders.return_b.pk, passed_on_return.pk])


def test_a_provider_delivering_under_another_organisations_allocation_sees_only_the_project_it_delivers(two_funders):
    passed_on = f.ProjectFactory(allocation=two_funders.allocation_b, provider=two_funders.provider_a)
    passed_on_return = f.QuarterlyReturnFactory(project=passed_on)

    assert pks(Project.objects.for_user(two_funders.user_a)) == sorted([two_funders.project_a.pk, passed_on.pk])
    assert pks(QuarterlyReturn.objects.for_user(two_funders.user_a)) == sorted([two_funders.return_a.pk, passed_on_return.pk])
    # B's own project under the same allocation stays out of A's reach.
    assert two_funders.project_b.pk not in pks(Project.objects.for_user(two_funders.user_a))
    assert two_funders.return_b.pk not in pks(QuarterlyReturn.objects.for_user(two_funders.user_a))


def test_a_provider_delivering_under_a_csps_allocation_does_not_see_the_payments_made_to_the_csp(two_funders):
    f.ProjectFactory(allocation=two_funders.allocation_b, provider=two_funders.provider_a)

    assert two_funders.payment_b.pk not in pks(Payment.objects.for_user(two_funders.user_a))


def test_a_provider_delivering_under_another_commissioners_allocation_reaches_that_allocation_and_programme(two_funders):
    # scoping.py: an allocation is reached "if any of its projects is delivered by" the organisation.
    f.ProjectFactory(allocation=two_funders.elsewhere_allocation, provider=two_funders.provider_a)

    assert pks(Allocation.objects.for_user(two_funders.user_a)) == sorted([two_funders.allocation_a.pk, two_funders.elsewhere_allocation.pk])
    assert pks(Programme.objects.for_user(two_funders.user_a)) == sorted([two_funders.programme.pk, two_funders.elsewhere_programme.pk])
    # ... while B, which delivers nothing there, still does not.
    assert two_funders.elsewhere_allocation.pk not in pks(Allocation.objects.for_user(two_funders.user_b))


def test_a_providers_funders_are_those_of_the_allocations_it_reaches_by_either_way(two_funders):
    # The funders whose tokens a provider's kept pages go under (grants.kept_pages.scopes) follow the
    # same rule as its reach: made to it, or with a project it delivers.
    own = two_funders.programme.commissioner_id
    assert scoping.funders_of_provider(two_funders.provider_a.pk) == [own]

    f.ProjectFactory(allocation=two_funders.elsewhere_allocation, provider=two_funders.provider_a)

    assert scoping.funders_of_provider(two_funders.provider_a.pk) == sorted(
        [own, two_funders.elsewhere_programme.commissioner_id])
    assert scoping.funders_of_provider(two_funders.provider_b.pk) == [own]
    assert scoping.funders_of_provider(f.OrganisationFactory().pk) == []


def test_a_recipient_that_also_delivers_several_projects_under_its_allocation_sees_each_row_once(two_funders):
    extra = [f.ProjectFactory(allocation=two_funders.allocation_b, provider=two_funders.provider_b) for _ in range(3)]
    extra_returns = [f.QuarterlyReturnFactory(project=project) for project in extra]
    extra_payments = [f.PaymentFactory(allocation=two_funders.allocation_b, quarter=q) for q in (2, 3, 4)]
    user = two_funders.user_b

    assert pks(Project.objects.for_user(user)) == sorted([two_funders.project_b.pk] + [p.pk for p in extra])
    assert pks(QuarterlyReturn.objects.for_user(user)) == sorted([two_funders.return_b.pk] + [r.pk for r in extra_returns])
    assert pks(Payment.objects.for_user(user)) == sorted([two_funders.payment_b.pk] + [p.pk for p in extra_payments])
    assert pks(Allocation.objects.for_user(user)) == [two_funders.allocation_b.pk]
    assert pks(Programme.objects.for_user(user)) == [two_funders.programme.pk]
    assert Project.objects.for_user(user).count() == 4
    assert Allocation.objects.for_user(user).count() == 1


def test_a_provider_delivering_several_projects_under_someone_elses_allocation_sees_that_allocation_once(two_funders):
    for _ in range(3):
        f.ProjectFactory(allocation=two_funders.allocation_b, provider=two_funders.provider_a)

    assert pks(Allocation.objects.for_user(two_funders.user_a)) == sorted([two_funders.allocation_a.pk, two_funders.allocation_b.pk])
    assert pks(Programme.objects.for_user(two_funders.user_a)) == [two_funders.programme.pk]
    assert Project.objects.for_user(two_funders.user_a).count() == 4


# --- Funder side ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", FUNDER_ROLES)
def test_funder_side_users_see_everything_their_commissioner_funds_and_nothing_of_another(two_funders, role):
    user = getattr(two_funders, role)
    assert pks(Project.objects.for_user(user)) == sorted([two_funders.project_a.pk, two_funders.project_b.pk])
    assert pks(QuarterlyReturn.objects.for_user(user)) == sorted([two_funders.return_a.pk, two_funders.return_b.pk])
    assert pks(Payment.objects.for_user(user)) == sorted([two_funders.payment_a.pk, two_funders.payment_b.pk])
    assert pks(Allocation.objects.for_user(user)) == sorted([two_funders.allocation_a.pk, two_funders.allocation_b.pk])
    assert pks(Programme.objects.for_user(user)) == [two_funders.programme.pk]


@pytest.mark.parametrize("role", FUNDER_ROLES)
def test_funder_side_users_see_projects_their_commissioner_funds_whoever_delivers_them(two_funders, role):
    # A project delivered by an organisation with no allocation of its own.
    delivered_by_stranger = f.ProjectFactory(allocation=two_funders.allocation_b, provider=f.OrganisationFactory())
    assert delivered_by_stranger.pk in pks(Project.objects.for_user(getattr(two_funders, role)))


def test_another_commissioners_officer_sees_only_its_own_commissioners_funding(two_funders):
    user = two_funders.outsider
    assert pks(Project.objects.for_user(user)) == [two_funders.elsewhere_project.pk]
    assert pks(QuarterlyReturn.objects.for_user(user)) == [two_funders.elsewhere_return.pk]
    assert pks(Payment.objects.for_user(user)) == [two_funders.elsewhere_payment.pk]
    assert pks(Allocation.objects.for_user(user)) == [two_funders.elsewhere_allocation.pk]
    assert pks(Programme.objects.for_user(user)) == [two_funders.elsewhere_programme.pk]


def test_a_commissioner_does_not_see_another_commissioners_grant_to_a_provider_it_also_funds(two_funders):
    other_grant = f.AllocationFactory(programme=two_funders.elsewhere_programme, recipient=two_funders.provider_a)
    other_project = f.ProjectFactory(allocation=other_grant)

    assert other_grant.pk not in pks(Allocation.objects.for_user(two_funders.commissioner))
    assert other_project.pk not in pks(Project.objects.for_user(two_funders.commissioner))
    # The provider itself sees both of its grants.
    assert other_project.pk in pks(Project.objects.for_user(two_funders.user_a))


def test_funder_side_users_see_every_programme_of_their_commissioner_even_without_allocations(two_funders):
    empty = f.ProgrammeFactory(commissioner=two_funders.commissioner_org, name="Empty programme")
    assert empty.pk in pks(Programme.objects.for_user(two_funders.viewer))
    assert empty.pk not in pks(Programme.objects.for_user(two_funders.user_a))


# --- No one -------------------------------------------------------------------------------


@pytest.fixture(params=["anonymous", "no organisation", "no role"])
def nobody(request, two_funders):
    if request.param == "anonymous":
        return AnonymousUser()
    if request.param == "no organisation":
        return f.UserFactory(organisation=None, role="")
    return f.UserFactory(organisation=two_funders.commissioner_org, role="")


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_an_anonymous_user_or_one_without_organisation_or_role_sees_nothing(two_funders, nobody, model):
    assert model.objects.exists()
    assert pks(model.objects.for_user(nobody)) == []


def test_selectors_give_nothing_to_a_user_without_a_role(two_funders, nobody):
    assert list(selectors.projects_with_latest_return(nobody)) == []
    assert list(selectors.programme_list(nobody)) == []
    assert list(selectors.allocations_for_user(nobody)) == []


# --- Selectors: figures --------------------------------------------------------------------


def test_allocated_sums_only_approved_signed_active_and_closed_allocations(actors):
    programme = f.ProgrammeFactory(commissioner=actors.commissioner_org, total_budget=Decimal("100000.00"))
    for status, amount in [
        (Allocation.Status.APPROVED, "12345.67"),
        (Allocation.Status.AGREEMENT_SIGNED, "0.01"),
        (Allocation.Status.ACTIVE, "33333.33"),
        (Allocation.Status.CLOSED, "0.99"),
    ]:
        f.AllocationFactory(programme=programme, status=status, amount=Decimal(amount))
    f.AllocationFactory(programme=programme, status=Allocation.Status.DRAFT, amount=Decimal("9999.99"))
    f.AllocationFactory(
        programme=programme, status=Allocation.Status.WITHDRAWN, amount=Decimal("8888.88"), withdrawn_reason="Folded."
    )

    row = _row(selectors.programme_list(actors.commissioner), programme.pk)

    assert row.approved == Decimal("45680.00")
    assert row.left_to_allocate == Decimal("54320.00")


def test_left_to_allocate_is_right_to_the_penny(actors):
    programme = f.ProgrammeFactory(commissioner=actors.commissioner_org, total_budget=Decimal("1000.00"))
    for _ in range(3):
        f.AllocationFactory(programme=programme, amount=Decimal("0.10"))
    f.AllocationFactory(programme=programme, amount=Decimal("333.33"))

    row = _row(selectors.programme_list(actors.commissioner), programme.pk)

    assert row.approved == Decimal("333.63")
    assert row.left_to_allocate == Decimal("666.37")


def test_a_programme_counts_only_its_own_allocations(actors):
    # The actors' programme has two active allocations of £100,000 each.
    f.ProgrammeFactory(commissioner=actors.commissioner_org)  # another programme, no allocations
    f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.commissioner_org), amount=Decimal("5.00"))

    rows = {p.pk: p for p in selectors.programme_list(actors.commissioner)}

    assert rows[actors.programme.pk].approved == Decimal("200000.00")
    assert rows[actors.programme.pk].left_to_allocate == Decimal("800000.00")


def test_a_programme_with_no_committed_allocations_has_nothing_allocated_and_its_whole_budget_left(actors):
    programme = f.ProgrammeFactory(commissioner=actors.commissioner_org, total_budget=Decimal("5000.50"))
    f.AllocationFactory(programme=programme, status=Allocation.Status.DRAFT, amount=Decimal("100.00"))

    row = _row(selectors.programme_list(actors.commissioner), programme.pk)

    assert row.approved == Decimal("0.00")
    assert row.left_to_allocate == Decimal("5000.50")


def _row(rows, pk):
    return next(row for row in rows if row.pk == pk)


def test_left_to_allocate_counts_the_over_allocation_allowance_on_every_page(client, actors):
    """One definition: the budget plus the allowance, less what is approved; the home page and the
    programmes page say the same."""
    programme = f.ProgrammeFactory(commissioner=actors.commissioner_org, total_budget=Decimal("2400000.00"),
                                   over_allocation_percent=Decimal("10.00"), name="Community Safety Fund 2")
    f.AllocationFactory(programme=programme, amount=Decimal("225000.00"))
    f.AllocationFactory(programme=programme, status=Allocation.Status.DRAFT, amount=Decimal("310000.00"))
    f.AllocationFactory(programme=programme, status=Allocation.Status.WITHDRAWN, amount=Decimal("290000.00"),
                        withdrawn_reason="Replaced.")

    row = _row(selectors.programme_list(actors.commissioner), programme.pk)

    assert row.left_to_allocate == Decimal("2415000.00")
    client.force_login(actors.commissioner)
    for url in ("/", "/programmes/"):
        assert "£2,415,000.00" in client.get(url).content.decode(), url


def test_left_to_pay_is_blank_for_drafts_and_closed_and_withdrawn_allocations(actors):
    for status in (Allocation.Status.DRAFT, Allocation.Status.CLOSED, Allocation.Status.WITHDRAWN):
        f.AllocationFactory(programme=actors.programme, status=status, amount=Decimal("290000.00"), title=status,
                            withdrawn_reason="Replaced." if status == Allocation.Status.WITHDRAWN else "")
    rows = {a.title: a for a in selectors.allocations_for_user(actors.finance)}
    assert [rows[s].left_to_pay for s in ("draft", "closed", "withdrawn")] == [None, None, None]
    assert rows["Allocation to A"].left_to_pay == Decimal("100000.00")


def test_released_sums_only_released_payments(actors):
    allocation = f.AllocationFactory(programme=actors.programme, amount=Decimal("100000.00"))
    released_payment(allocation, 1, "25000.10")
    released_payment(allocation, 2, "24999.95")
    f.PaymentFactory(allocation=allocation, quarter=3, amount=Decimal("30000.00"), status=Payment.Status.SCHEDULED)
    f.PaymentFactory(
        allocation=allocation, quarter=4, amount=Decimal("10000.00"), status=Payment.Status.WITHHELD,
        withheld_reason="Return overdue.",
    )
    # Released on another allocation: not this one's.
    released_payment(actors.allocation_a, 1, "777.77")

    row = selectors.allocations_for_user(actors.finance).get(pk=allocation.pk)

    assert row.released == Decimal("50000.05")
    assert row.left_to_pay == Decimal("49999.95")


def test_left_to_pay_is_right_to_the_penny(actors):
    allocation = f.AllocationFactory(programme=actors.programme, amount=Decimal("1000.00"))
    for quarter in (1, 2, 3):
        released_payment(allocation, quarter, "0.10")

    row = selectors.allocations_for_user(actors.finance).get(pk=allocation.pk)

    assert row.released == Decimal("0.30")
    assert row.left_to_pay == Decimal("999.70")


def test_an_allocation_with_no_payments_released_has_nothing_released_and_its_whole_amount_left(actors):
    f.PaymentFactory(allocation=actors.allocation_b, status=Payment.Status.SCHEDULED)

    row = selectors.allocations_for_user(actors.finance).get(pk=actors.allocation_b.pk)

    assert row.released == Decimal("0.00")
    assert row.left_to_pay == Decimal("100000.00")


def test_the_latest_return_is_the_most_recent_quarter_whatever_the_order_of_entry(actors):
    f.QuarterlyReturnFactory(project=actors.project_a, financial_year=2024, quarter=1, status=QuarterlyReturn.Status.DRAFT)
    f.QuarterlyReturnFactory(project=actors.project_a, financial_year=2023, quarter=4, status=QuarterlyReturn.Status.APPROVED)
    f.QuarterlyReturnFactory(project=actors.project_a, financial_year=2023, quarter=2, status=QuarterlyReturn.Status.APPROVED)
    f.QuarterlyReturnFactory(project=actors.project_b, financial_year=2023, quarter=3, status=QuarterlyReturn.Status.RETURNED)
    f.QuarterlyReturnFactory(project=actors.project_b, financial_year=2023, quarter=1, status=QuarterlyReturn.Status.APPROVED)

    rows = {p.pk: p for p in selectors.projects_with_latest_return(actors.commissioner)}

    a, b = rows[actors.project_a.pk], rows[actors.project_b.pk]
    assert (a.latest_year, a.latest_quarter, a.latest_status) == (2024, 1, "draft")
    assert (b.latest_year, b.latest_quarter, b.latest_status) == (2023, 3, "returned")


def test_a_project_without_returns_has_no_latest_return(actors):
    row = selectors.projects_with_latest_return(actors.user_a).get()

    assert row.pk == actors.project_a.pk
    assert (row.latest_year, row.latest_quarter, row.latest_status) == (None, None, None)


def test_selectors_are_scoped_to_the_user(two_funders):
    assert [p.pk for p in selectors.projects_with_latest_return(two_funders.user_a)] == [two_funders.project_a.pk]
    assert [a.pk for a in selectors.allocations_for_user(two_funders.user_a)] == [two_funders.allocation_a.pk]
    assert [p.pk for p in selectors.programme_list(two_funders.user_a)] == [two_funders.programme.pk]
    assert [a.pk for a in selectors.allocations_for_user(two_funders.outsider)] == [two_funders.elsewhere_allocation.pk]
    assert [p.pk for p in selectors.programme_list(two_funders.outsider)] == [two_funders.elsewhere_programme.pk]
    assert [p.pk for p in selectors.projects_with_latest_return(two_funders.outsider)] == [two_funders.elsewhere_project.pk]


# --- Selectors: number of queries ---------------------------------------------------------


def grow(actors, count):
    """`count` more programmes of the actors' commissioner, each with an allocation to
    provider A, a project A delivers with two returns, and two payments."""
    for _ in range(count):
        programme = f.ProgrammeFactory(commissioner=actors.commissioner_org)
        allocation = f.AllocationFactory(programme=programme, recipient=actors.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        f.QuarterlyReturnFactory(project=project, quarter=1, status=QuarterlyReturn.Status.APPROVED)
        f.QuarterlyReturnFactory(project=project, quarter=2, status=QuarterlyReturn.Status.SUBMITTED)
        released_payment(allocation, 1, "25000.00")
        f.PaymentFactory(allocation=allocation, quarter=2)


def read_projects(user):
    return [
        (p.name, p.reference, p.allocation.programme.name, str(p.allocation.programme), p.provider.name,
         p.allocation.recipient.name, p.latest_year, p.latest_quarter, p.latest_status)
        for p in selectors.projects_with_latest_return(user)
    ]


def read_programmes(user):
    return [
        (p.name, str(p), p.commissioner.name, p.total_budget, p.approved, p.left_to_allocate)
        for p in selectors.programme_list(user)
    ]


def read_allocations(user):
    return [
        (a.title, str(a), a.recipient.name, a.programme.name, str(a.programme), a.amount, a.released, a.left_to_pay)
        for a in selectors.allocations_for_user(user)
    ]


@pytest.mark.parametrize(
    "read, role",
    [
        (read_projects, "user_a"),
        (read_projects, "commissioner"),
        (read_programmes, "commissioner"),
        (read_programmes, "user_a"),
        (read_allocations, "finance"),
        (read_allocations, "user_a"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_selector_makes_the_same_number_of_queries_for_2_rows_as_for_20(actors, django_assert_num_queries, read, role):
    user = getattr(actors, role)
    grow(actors, 1)  # with the actors' own rows: 2 for the provider's projects and allocations
    with CaptureQueriesContext(connection) as few:
        small = read(user)
    grow(actors, 18)
    with django_assert_num_queries(len(few)):
        large = read(user)

    assert len(small) >= 2
    assert len(large) == len(small) + 18
    # In a request, at most one more: the reach, read once for the request.
    assert len(few) <= (1 if scoping._cache.get() is None else 2)


# --- Reach worked out once per request --------------------------------------------------------


def test_a_request_reads_the_reach_once_and_filters_on_its_ids(two_funders):
    user = two_funders.user_a
    Project.objects.for_user(user).count()  # in a request, the reach is read here
    Allocation.objects.for_user(user).count()
    with CaptureQueriesContext(connection) as queries:
        list(Project.objects.for_user(user).order_by())  # (their usual order would join)
        list(Allocation.objects.for_user(user).order_by())
    if scoping._cache.get() is None:
        assert len(queries) == 2
        return
    assert len(queries) == 2  # nothing more is read to know the reach
    if scoping.INLINE_IDS:
        assert all("JOIN" not in q["sql"] and "EXISTS" not in q["sql"] for q in queries), [q["sql"] for q in queries]


def test_a_project_added_during_a_request_is_reached_at_once(two_funders):
    user = two_funders.user_a
    assert pks(Project.objects.for_user(user)) == [two_funders.project_a.pk]
    added = f.ProjectFactory(allocation=two_funders.project_a.allocation, provider=two_funders.project_a.provider)
    assert pks(Project.objects.for_user(user)) == sorted([two_funders.project_a.pk, added.pk])
    assert pks(QuarterlyReturn.objects.for_user(user)) == [two_funders.return_a.pk]


def test_the_same_user_object_sees_new_rows_after_its_first_question(actors):
    funder = actors.outsider
    assert pks(Project.objects.for_user(funder)) == []
    project = f.ProjectFactory(allocation__programme__commissioner=funder.organisation)
    assert pks(Project.objects.for_user(funder)) == [project.pk]
    assert pks(Allocation.objects.for_user(funder)) == [project.allocation_id]


def test_the_reach_kept_for_a_request_is_let_go_when_it_ends(client, actors):
    before = scoping._cache.get()
    client.force_login(actors.user_a)
    assert client.get("/").status_code == 200
    assert scoping._cache.get() is before
