"""
Pages kept in the cache until a figure moves (grants/kept_pages.py): the funder's dashboard is
worked out once and shown again from the cache, and any committed change to what it shows (a return
approved, a payment released, a provider renamed, a project's dates) makes it worked out again. The
changes here are committed, as in production, so these tests use real transactions.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from grants.models import FiguresVersion, Organisation, Payment, Project, QuarterlyReturn, ReturnEvent, User
from grants.services import kept
from grants.services import payments as payment_services
from grants.services import returns as return_services
from grants import kept_pages
from tests import factories as f
from tests.reporting.dashboard_fixtures import board, client_for, tables, text  # noqa: F401

URL = "/reports/dashboard/?quarter=2023-24+Q2"
pytestmark = pytest.mark.django_db(transaction=True)


def token(scope="all"):
    return FiguresVersion.objects.get(scope=scope).token


def funder_token(organisation):
    return token(FiguresVersion.funder_scope(organisation.pk))


def get(user, url=URL):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(user).get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def reads_returns(sql) -> bool:
    return any('FROM "grants_quarterlyreturn"' in q or 'FROM "grants_projectquarter"' in q for q in sql)


def fresh(user, url=URL) -> str:
    """The page worked out from scratch, nothing kept."""
    with override_settings(KEPT_PAGES_SECONDS=0):
        response, sql = get(user, url)
    assert reads_returns(sql)
    return text(response)


@pytest.fixture
def world(request):
    w = request.getfixturevalue("board")
    for user in (w.commissioner, w.outsider, w.user_a, w.user_b):  # the tokens of their pages, as a first page would write
        kept_pages.tokens(user)
    kept.figures_moved()  # outside any transaction: committed at once, as after the fixture's changes
    return w


def test_the_dashboard_is_worked_out_once_and_then_shown_from_the_cache(world):
    first, first_sql = get(world.commissioner)
    again, again_sql = get(world.commissioner)

    assert reads_returns(first_sql)
    assert not reads_returns(again_sql)
    assert len(again_sql) < len(first_sql)
    assert text(again) == text(first)
    assert text(again) == fresh(world.commissioner)


def test_an_approval_shows_at_once(world):
    assert "B-1" in str(tables(get(world.commissioner)[0])["attention"])  # kept: its provider rated it red
    before = token()
    ret = QuarterlyReturn.objects.get(pk=world.b_q2.pk)

    return_services.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="green",
                                   comment="")

    assert token() != before
    response, sql = get(world.commissioner)
    assert reads_returns(sql)
    assert text(response) == fresh(world.commissioner)
    assert "B-1" not in str(tables(response)["attention"])  # its red self-rating gave way to a green


def test_a_payment_released_shows_at_once(world):
    ret = QuarterlyReturn.objects.get(pk=world.b_q2.pk)
    ret = return_services.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="green")
    finance = User.objects.get(pk=world.finance.pk)
    return_services.return_verify_spend(actor=finance, ret=ret, version=ret.version)
    payment_services.payment_schedule_update(actor=finance, allocation=world.allocation_b)
    before = text(get(world.commissioner)[0])
    payment = Payment.objects.get(allocation=world.allocation_b, quarter=2)
    assert payment.amount == Decimal("7600.00")

    payment_services.payment_release(actor=finance, payment=payment, version=payment.version, reference="PAY-B-2",
                                     paid_on=date(2023, 8, 1))

    response, sql = get(world.commissioner)
    assert reads_returns(sql)
    assert text(response) == fresh(world.commissioner) != before


def test_a_provider_renamed_and_a_project_moved_show_at_once(world):
    get(world.commissioner)

    provider = Organisation.objects.get(pk=world.provider_a.pk)
    provider.name = "Renamed Youth Trust"
    provider.save()
    assert "Renamed Youth Trust" in text(get(world.commissioner)[0])

    project = Project.objects.get(pk=world.project_e.pk)
    project.start_date = date(2023, 10, 1)  # no longer owes Q2
    project.save()
    assert text(get(world.commissioner)[0]) == fresh(world.commissioner)


def test_each_organisation_and_role_has_its_own_kept_page(world):
    commissioner_page = text(get(world.commissioner)[0])
    other = world.outsider  # a commissioner officer of another funder
    viewer = User.objects.create(username="viewer-of-a", organisation=world.commissioner_org, role="viewer")

    other_page = text(get(other)[0])
    viewer_page, viewer_sql = get(viewer)

    assert "Elsewhere Fund" in other_page and "Elsewhere Fund" not in commissioner_page
    assert reads_returns(viewer_sql)  # not the commissioner's page: a viewer's links differ
    assert text(viewer_page) == fresh(viewer)


def test_a_quarter_or_a_programme_chosen_is_kept_apart(world):
    q2 = text(get(world.commissioner)[0])
    q1_url = "/reports/dashboard/?quarter=2023-24+Q1"
    q1, sql = get(world.commissioner, q1_url)
    assert reads_returns(sql)
    assert text(q1) != q2
    assert text(q1) == fresh(world.commissioner, q1_url)


def test_the_token_moves_once_per_transaction_and_not_at_all_when_it_rolls_back(world):
    before = token()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            for name in ("One", "Two", "Three"):
                provider = Organisation.objects.get(pk=world.provider_a.pk)
                provider.name = name
                provider.save()
            assert kept.moved_in_this_transaction()
    bumps = [q for q in queries.captured_queries if 'UPDATE "grants_figuresversion"' in q["sql"]]
    assert len(bumps) == 1
    moved = token()
    assert moved != before and not kept.moved_in_this_transaction()

    with pytest.raises(RuntimeError), transaction.atomic():
        provider.name = "Rolled back"
        provider.save()
        raise RuntimeError
    assert token() == moved

    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint that rolls back takes its change of token with it
                provider.name = "Rolled back too"
                provider.save()
                raise RuntimeError
        except RuntimeError:
            pass
        assert not kept.moved_in_this_transaction()
        provider.name = "Kept"
        provider.save()
    assert token() not in (moved, before)


def test_a_page_read_inside_a_transaction_that_moved_a_figure_is_neither_kept_nor_taken(world):
    get(world.commissioner)  # kept
    with transaction.atomic():
        provider = Organisation.objects.get(pk=world.provider_a.pk)
        provider.name = "Not yet committed"
        provider.save()
        response, sql = get(world.commissioner)
        assert reads_returns(sql)
        assert "Not yet committed" in text(response)
        transaction.set_rollback(True)
    after, sql = get(world.commissioner)
    assert "Not yet committed" not in text(after)


def test_with_the_tokens_gone_they_are_written_anew_and_pages_kept_under_them(world):
    FiguresVersion.objects.all().delete()  # a database emptied and filled round the services
    assert reads_returns(get(world.commissioner)[1])
    assert not reads_returns(get(world.commissioner)[1])
    assert FiguresVersion.objects.filter(commissioner=world.commissioner_org).exists()


def test_another_funders_change_leaves_this_funders_pages_kept(world):
    own_report = "/reports/performance/?end=2023-24+Q2"  # a provider's own report
    readers = ((world.commissioner, URL), (world.outsider, URL), (world.user_a, own_report), (world.user_b, own_report))
    for user, url in readers:
        get(user, url)
        assert not reads_returns(get(user, url)[1])
    elsewhere = Project.objects.get(pk=world.project_x.pk)
    elsewhere.name = "Renamed elsewhere"
    elsewhere.save()

    assert not reads_returns(get(world.commissioner)[1])
    assert reads_returns(get(world.outsider)[1])
    assert not reads_returns(get(world.user_a, own_report)[1])  # funded by the first funder only
    assert reads_returns(get(world.user_b, own_report)[1])  # funded by both: its pages span funders


@pytest.mark.parametrize("name, row_of", [
    ("Programme", lambda w: w.programme),
    ("Priority", lambda w: f.PriorityFactory(commissioner=w.commissioner_org)),
    ("Allocation", lambda w: w.allocation_a),
    ("Project", lambda w: w.project_a),
    ("Payment", lambda w: Payment.objects.filter(allocation=w.allocation_a).first()),
    ("BudgetLine", lambda w: w.a_staff),
    ("ProjectMeasure", lambda w: w.a_people),
    ("QuarterlyReturn", lambda w: w.a_q2),
    ("SpendLine", lambda w: w.a_q2.spend_lines.first()),
    ("MeasureValue", lambda w: w.a_q2.measure_values.first()),
    ("ReturnEvent", lambda w: ReturnEvent.objects.filter(quarterly_return=w.c_q2).first()),
])
def test_every_kind_of_row_moves_its_own_funders_token_and_no_other(world, name, row_of):
    row = row_of(world)
    assert type(row).__name__ == name and name in kept.REACHES_FUNDER
    mine, theirs, every = funder_token(world.commissioner_org), funder_token(world.other_commissioner_org), token()

    kept.figures_moved(row=row)

    assert funder_token(world.commissioner_org) != mine
    assert funder_token(world.other_commissioner_org) == theirs
    assert token() != every


def test_a_row_every_funder_may_show_moves_the_shared_token(world):
    shared, mine = token("shared"), funder_token(world.commissioner_org)
    kept.figures_moved(row=Organisation.objects.get(pk=world.provider_a.pk))
    assert token("shared") != shared and funder_token(world.commissioner_org) == mine



REPORT = "/reports/performance/?end=2023-24+Q2&subject=programme&programme=CSF"


def test_a_report_is_kept_with_each_readers_own_byline_and_a_change_shows_at_once(world):
    first, first_sql = get(world.commissioner, REPORT)
    colleague = User.objects.create(username="colleague", first_name="Kit", last_name="Jones",
                                    organisation=world.commissioner_org, role="commissioner")
    again, again_sql = get(colleague, REPORT)

    assert reads_returns(first_sql) and not reads_returns(again_sql)
    assert "Prepared by Kit Jones" in text(again) and "Prepared by Kit Jones" not in text(first)
    body = text(first).split("prints without its navigation.")[1]
    assert body == text(again).split("prints without its navigation.")[1]

    ret = QuarterlyReturn.objects.get(pk=world.b_q2.pk)
    return_services.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="green")
    after, sql = get(colleague, REPORT)
    assert reads_returns(sql)
    assert text(after).split("prints without its navigation.")[1] != body


def charts(response) -> str:
    """The project page's charts section, as HTML."""
    content = response.content.decode()
    start = content.index('data-testid="project-charts"')
    return content[start:content.index("</section>", start)]


def reads_kept_figures(sql) -> bool:
    return any('FROM "grants_projectquarter"' in q for q in sql)


def test_a_project_page_s_charts_are_kept_until_a_figure_moves(world):
    url = f"/projects/{world.b_q2.project.reference}/"
    first, first_sql = get(world.commissioner, url)
    again, again_sql = get(world.commissioner, url)

    assert reads_kept_figures(first_sql) and not reads_kept_figures(again_sql)
    assert len(again_sql) < len(first_sql)
    assert charts(again) == charts(first)
    with override_settings(KEPT_PAGES_SECONDS=0):
        assert charts(get(world.commissioner, url)[0]) == charts(first)

    ret = QuarterlyReturn.objects.get(pk=world.b_q2.pk)
    assert ret.status != QuarterlyReturn.Status.APPROVED
    return_services.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="green")

    approved, approved_sql = get(world.commissioner, url)
    assert reads_kept_figures(approved_sql)
    assert charts(approved) != charts(first)  # Q2's spend now counts
    with override_settings(KEPT_PAGES_SECONDS=0):
        assert charts(get(world.commissioner, url)[0]) == charts(approved)


def test_a_project_page_s_charts_are_kept_apart_for_each_organisation(world):
    project = world.b_q2.project
    url = f"/projects/{project.reference}/"
    get(world.commissioner, url)
    provider = User.objects.filter(organisation=project.provider, role="provider").first()
    assert provider is not None

    page, sql = get(provider, url)
    assert reads_kept_figures(sql)  # not the funder's copy
    with override_settings(KEPT_PAGES_SECONDS=0):
        assert charts(get(provider, url)[0]) == charts(page)
    assert client_for(world.outsider).get(url).status_code == 404  # outside another funder's reach
