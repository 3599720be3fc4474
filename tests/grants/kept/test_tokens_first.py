"""
Every change moves the figures' tokens before it locks or writes a row (grants.services.kept: the first
lock of every change), checked on the statements each service sends, transaction by transaction: each
kind of call of the property test (saving, submitting, approving, sending back and reopening returns,
verifying and querying spend, changing, adding and removing budget lines, virements, a project's dates
and a measure's targets), a programme's terms, a variation, a payment schedule and an import of crime
figures, each committed as in production. A change that wrote or locked a row first and then waited for
the tokens could deadlock with one holding them (test_locks_in_one_order.py shows three).
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from grants.models import Allocation, Organisation, Programme
from grants.services import ServiceError, commissioning, payments, places, variations
from grants import kept_pages
from reporting.places.preview import read_indicator_file
from tests import worlds
from tests.grants.kept.test_kept_equals_recomputed import run
from tests.grants.places.helpers import CRIME_HEADINGS, areas, crime_rows, csv_bytes

TOKENS = re.compile(r'^UPDATE "grants_figuresversion"')
WRITES = re.compile(r'^(INSERT INTO|UPDATE|DELETE FROM) "grants_')
LOCKS = re.compile(r"^SELECT .* FOR (NO KEY )?UPDATE", re.S)

CALLS = [
    ("draft", "a", 1, Decimal("100"), Decimal("50"), "green", Decimal("35")),
    ("submit", "a", 1, Decimal("100"), Decimal("50"), "green", Decimal("35")),
    ("verify", "a", 1, ""),
    ("query", "a", 1, ""),
    ("send_back", "a", 1, "amber"),
    ("submit", "a", 1, Decimal("100"), Decimal("50"), "amber", Decimal("35")),
    ("approve", "a", 1, "green"),
    ("reopen", "a", 1, ""),
    ("profile", 2, Decimal("250")),
    ("add_line", "b", 2023),
    ("remove_line", "b"),
    ("virement", 3, Decimal("100")),
    ("dates", "a", date(2024, 3, 31)),
    ("targets", Decimal("100"), Decimal("30")),
    ("submit", "b", 2, Decimal("0"), Decimal("0"), "red", Decimal("0")),  # a return started by its submission
    ("programme",),
    ("variation",),
    ("schedule",),
    ("indicators",),
]


def call_on(w, call):
    """The property test's calls, and a programme's and an allocation's own."""
    name = call[0]
    allocation = Allocation.objects.get(pk=w.project_a.allocation_id)
    if name == "programme":
        programme = Programme.objects.get(pk=allocation.programme_id)
        commissioning.programme_update(actor=w.commissioner, programme=programme, version=programme.version,
                                       values={"total_budget": programme.total_budget,
                                               "description": "Youth diversion across the force area."})
    elif name == "variation":
        variations.variation_request(actor=w.commissioner, allocation=allocation, amount=allocation.amount + 100,
                                     end_date=None, conditions="", reason="More sessions in the summer.")
    elif name == "schedule":
        payments.payment_schedule_update(actor=w.finance, allocation=allocation)
    elif name == "indicators":
        preview = read_indicator_file(csv_bytes(CRIME_HEADINGS, crime_rows()), layout="crime",
                                      owner=w.commissioner_org, file_name="crime.csv")
        places.indicator_values_import(actor=w.commissioner, owner=w.commissioner_org, rows=preview.rows,
                                       layout="crime", file_name="crime.csv", sha256=preview.sha256)
    else:
        run(w, call)


def transactions(statements: list[str]) -> list[list[str]]:
    """The statements sent inside each transaction (from BEGIN to COMMIT or ROLLBACK); those sent outside
    one commit at once and hold nothing."""
    found, current = [], None
    for sql in statements:
        if sql == "BEGIN":
            current = []
        elif sql in ("COMMIT", "ROLLBACK"):
            if current is not None:
                found.append(current)
            current = None
        elif current is not None:
            current.append(sql)
    return found


def locked_before_the_tokens(statements: list[str]) -> list[str]:
    """The statements of one transaction that wrote or locked a row before the first that moved the tokens
    (all of them when none did)."""
    before = []
    for sql in statements:
        if TOKENS.match(sql):
            return before
        if WRITES.match(sql) or LOCKS.match(sql):
            before.append(sql)
    return before


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_change_moves_the_tokens_before_it_writes_or_locks_a_row(actors):
    w = worlds.project_a_with_named_people(actors)
    w.b_line = worlds.budget_line(w.project_b)
    for user in (w.user_a, w.commissioner):  # the token rows there, as a day's pages leave them
        kept_pages.tokens(user)
    areas()  # of the crime figures
    first, unchanged = {}, []
    for call in CALLS:
        with CaptureQueriesContext(connection) as sent:
            try:
                call_on(w, call)
            except ServiceError as refused:
                unchanged.append((call[:2], refused.message))
        committed = transactions([q["sql"] for q in sent.captured_queries])
        assert committed, call  # each call is one transaction at least
        for statements in committed:
            locked = locked_before_the_tokens(statements)
            if locked:
                first[call[:2]] = locked[0][:120]

    assert unchanged == []  # every call made its change
    assert first == {}


@pytest.mark.django_db(transaction=True)
def test_a_row_saved_in_a_transaction_moves_the_tokens_first_and_one_saved_on_its_own_after_it(actors):
    """In a transaction the token moves before the row is written (the first lock of the change). A save
    outside any transaction commits at once, and so does its token's move: the token moves after the
    row, or a page read between the two would be kept under the new token with the old row."""
    kept_pages.tokens(actors.user_a)

    def order(save) -> list[str]:
        with CaptureQueriesContext(connection) as sent:
            save()
        kinds = (("row", r'^INSERT INTO "grants_organisation"'), ("tokens", TOKENS.pattern))
        return [kind for q in sent.captured_queries for kind, pattern in kinds if re.match(pattern, q["sql"])]

    def in_a_transaction():
        with transaction.atomic():
            Organisation.objects.create(name="Safer Streets Trust", kind=Organisation.Kind.CHARITY)

    assert order(in_a_transaction) == ["tokens", "row"]
    assert order(lambda: Organisation.objects.create(name="Youth Futures", kind=Organisation.Kind.CHARITY)) == [
        "row", "tokens"]
