"""
What the database refuses of a document (named CHECK constraints in grants/models/documents.py): one
attached to more than one thing, and one removed without saying by whom.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import Clawback, Document
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


def document(allocation, user, **fields) -> Document:
    values = {"allocation": allocation, "kind": Document.Kind.OTHER, "title": "Evidence",
              "file": "documents/1/0123456789abcdef0123456789abcdef.pdf", "original_name": "evidence.pdf",
              "content_type": "application/pdf", "extension": ".pdf", "size": 10, "sha256": "0" * 64,
              "added_by": user, **fields}
    return Document.objects.create(**values)


@pytest.fixture
def payment(allocation):
    return f.PaymentFactory(allocation=allocation)


@pytest.fixture
def clawback(allocation, user):
    return Clawback.objects.create(allocation=allocation, amount=Decimal("10.00"), reason="Underspend.",
                                   requested_on=date(2024, 5, 1), recorded_by=user)


@pytest.mark.parametrize("two", [("quarterly_return", "payment"), ("quarterly_return", "clawback"),
                                 ("payment", "clawback"), ("quarterly_return", "payment", "clawback")])
def test_it_refuses_a_document_attached_to_more_than_one_thing(allocation, user, quarterly_return, payment, clawback,
                                                               two):
    things = {"quarterly_return": quarterly_return, "payment": payment, "clawback": clawback}
    assert_refused_by("document_attached_to_one_thing",
                      lambda: document(allocation, user, **{name: things[name] for name in two}))


@pytest.mark.parametrize("one", ["quarterly_return", "payment", "clawback", None])
def test_it_takes_a_document_attached_to_the_allocation_or_one_thing_under_it(allocation, user, quarterly_return,
                                                                              payment, clawback, one):
    things = {"quarterly_return": quarterly_return, "payment": payment, "clawback": clawback}
    assert document(allocation, user, **({one: things[one]} if one else {})).pk


def test_it_refuses_a_document_removed_without_saying_by_whom(allocation, user):
    assert_refused_by("removed_document_says_by_whom",
                      lambda: document(allocation, user, removed_at=timezone.now()))


def test_it_takes_a_removed_document_that_says_by_whom(allocation, user):
    assert document(allocation, user, removed_at=timezone.now(), removed_by=user).pk
