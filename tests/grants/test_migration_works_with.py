"""
When the list of organisations a funder works with began, each funder was given the recipients of its
allocations and the providers of the projects under them, and no organisation another funder funds.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("grants", "0006_virement_quarter_required")]
AFTER = [("grants", "0007_administrator")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_in_whom_each_funder_works_with_from_its_funding():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organisation = old.get_model("grants", "Organisation")
    Programme, Allocation, Project = (old.get_model("grants", name) for name in ("Programme", "Allocation", "Project"))
    funder, other = (Organisation.objects.create(name=name, kind="commissioner") for name in ("Funder", "Other funder"))
    csp, provider, council, unrelated = (Organisation.objects.create(name=name, kind="csp")
                                         for name in ("CSP", "Provider", "Council", "Unrelated"))

    def allocation(commissioner, recipient, code):
        programme = Programme.objects.create(commissioner=commissioner, name=code, code=code, financial_year=2023,
                                             funding_source="Home Office", total_budget=100000)
        return Allocation.objects.create(programme=programme, recipient=recipient, title=code, amount=1000,
                                         start_date="2023-04-01", end_date="2024-03-31")

    funded = allocation(funder, csp, "F1")
    Project.objects.create(allocation=funded, provider=provider, reference="P-1", name="P", start_date="2023-04-01",
                           end_date="2024-03-31")
    allocation(other, council, "O1")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("grants", "Organisation")
    assert set(new.objects.get(name="Funder").works_with.values_list("name", flat=True)) == {"CSP", "Provider"}
    assert set(new.objects.get(name="Other funder").works_with.values_list("name", flat=True)) == {"Council"}
    assert not new.objects.get(name="Unrelated").funders.exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
