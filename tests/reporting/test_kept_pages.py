"""
Pages kept in the cache until a figure moves (reporting/kept_pages.py): the funder's dashboard is
worked out once and shown again from the cache, and any committed change to what it shows (a return
approved, a payment released, a provider renamed, a project's dates) makes it worked out again. The
changes here are committed, as in production, so these tests use real transactions.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from grants.models import FiguresVersion, Organisation, Payment, Project, QuarterlyReturn, User
from grants.services import kept
from grants.services import payments as payment_services
from grants.services import returns as return_services
from tests.reporting.dashboard_fixtures import board, client_for, tables, text  # noqa: F401

URL = "/reports/dashboard/?quarter=2023-24+Q2"
pytestmark = pytest.mark.django_db(transaction=True)


def token():
    return FiguresVersion.objects.get(pk=1).token


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


def test_with_the_token_row_gone_pages_are_worked_out_every_time(world):
    FiguresVersion.objects.all().delete()
    assert reads_returns(get(world.commissioner)[1])
    assert reads_returns(get(world.commissioner)[1])
    kept.figures_moved()  # the next change writes it again
    assert FiguresVersion.objects.count() == 1


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
