"""
Measures recorded before measures said how they add up keep their meaning: what added up over the
quarters is events, a yes or no is a milestone, and any other point-in-time figure is a level.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("grants", "0002_commissioning_and_finance")]
AFTER = [("grants", "0003_figures_one_truth")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_measure_how_it_adds_up():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("grants", "OutcomeMeasure")
    rows = [("Sessions", "count", True), ("Money raised", "money", True), ("Rate", "percentage", False),
            ("Caseload", "count", False), ("Agreement", "yes_no", False)]
    for name, unit, cumulative in rows:
        old.objects.create(name=name, definition="d", unit=unit, direction="higher", cumulative=cumulative)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("grants", "OutcomeMeasure")
    assert dict(new.objects.values_list("name", "aggregation")) == {
        "Sessions": "events", "Money raised": "events", "Rate": "level", "Caseload": "level", "Agreement": "milestone",
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
