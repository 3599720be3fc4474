"""
When a signing date became required of signed, active and closed allocations, those without one were
given the day their history first shows them signed, or failing that their decision date.
"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("grants", "0017_documents_payment_rules_finance_codes")]
AFTER = [("grants", "0018_allocation_signed_has_date")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_records_a_signing_date_for_every_signed_allocation():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organisation, Programme, Allocation, History = (
        old.get_model("grants", name) for name in ("Organisation", "Programme", "Allocation", "HistoricalAllocation"))
    funder = Organisation.objects.create(name="Funder", kind="commissioner")
    csp = Organisation.objects.create(name="CSP", kind="csp")
    programme = Programme.objects.create(commissioner=funder, name="CSF", code="CSF", financial_year=2023,
                                         funding_source="Home Office", total_budget=100000)

    def allocation(title, status, signed_on=None):
        return Allocation.objects.create(
            programme=programme, recipient=csp, title=title, amount=1000, status=status, start_date="2023-04-01",
            end_date="2024-03-31", decision_reference="D-1", decision_date=datetime.date(2023, 3, 1),
            agreement_signed_on=signed_on)

    with_history = allocation("With history", "active")
    fields = {f.attname: getattr(with_history, f.attname) for f in Allocation._meta.concrete_fields}
    for status, when in (("approved", "2023-03-02"), ("agreement_signed", "2023-03-20"), ("active", "2023-04-01")):
        History.objects.create(**{**fields, "status": status}, history_date=f"{when}T10:00:00+00:00",
                               history_type="~")
    without = allocation("Without history", "closed")
    dated = allocation("Dated", "agreement_signed", datetime.date(2023, 3, 9))
    draft = allocation("Draft", "draft")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("grants", "Allocation")
    signed = dict(new.objects.values_list("pk", "agreement_signed_on"))
    assert signed[with_history.pk] == datetime.date(2023, 3, 20)
    assert signed[without.pk] == datetime.date(2023, 3, 1)
    assert signed[dated.pk] == datetime.date(2023, 3, 9)
    assert signed[draft.pk] is None

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
