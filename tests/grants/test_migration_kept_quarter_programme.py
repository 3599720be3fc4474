"""
When the kept quarter figures began to hold their project's programme and its allocation's status, the
rows already kept took them from their projects.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("grants", "0022_kept_measure_figures")]
AFTER = [("grants", "0023_kept_quarter_programme")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_kept_row_its_programme_and_its_allocations_status():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organisation, Programme, Allocation, Project, ProjectQuarter = (old.get_model("grants", name) for name in (
        "Organisation", "Programme", "Allocation", "Project", "ProjectQuarter"))
    funder = Organisation.objects.create(name="Funder", kind="commissioner")
    provider = Organisation.objects.create(name="Provider", kind="charity")
    made = {}
    for code, status in (("CSF", "active"), ("SVD", "closed")):
        programme = Programme.objects.create(commissioner=funder, name=code, code=code, financial_year=2023,
                                             funding_source="Home Office", total_budget=100000)
        allocation = Allocation.objects.create(programme=programme, recipient=provider, title=code, amount=1000,
                                               status=status, decision_reference="DEC-1", decision_date="2023-03-01",
                                               agreement_signed_on="2023-03-15", start_date="2023-04-01",
                                               end_date="2024-03-31")
        project = Project.objects.create(allocation=allocation, provider=provider, reference=f"P-{code}", name=code,
                                         start_date="2023-04-01", end_date="2024-03-31")
        for number in (1, 2):
            ProjectQuarter.objects.create(project=project, financial_year=2023, quarter=number, plan=0,
                                          status="not_started", rag="not_rated")
        made[project.pk] = (programme.pk, status)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("grants", "ProjectQuarter")
    rows = list(new.objects.values_list("project_id", "programme_id", "allocation_status"))
    assert len(rows) == 4
    assert all(made[project] == (programme, status) for project, programme, status in rows)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
