"""
The benchmarks build their data sets with bulk_create, round the services and the models' own
checks: each builder is run here at a small size, so that a new rule of the data (a named
constraint, a required field) that they break shows up in the tests, not on the day someone
measures. The figures they print are not checked here: a timing is never asserted in a test.
"""

import importlib.util
from pathlib import Path

import pytest

from grants.models import Allocation, Project, QuarterlyReturn

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def benchmark(name):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built(projects: int):
    assert Project.objects.count() == projects
    assert QuarterlyReturn.objects.exists()
    for allocation in Allocation.objects.all():
        allocation.full_clean()  # the model's own checks, beyond the database's constraints


@pytest.mark.django_db(transaction=True)
def test_the_dashboards_benchmark_builds_its_data_and_the_kept_figures():
    from grants.services import kept

    benchmark("dashboards").build(20)
    built(20)
    assert kept.rebuild() > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["commissioner_workbook", "lists"])
def test_the_growing_benchmarks_build_their_data(name):
    benchmark(name).Builder().grow_to(20)
    built(20)


@pytest.mark.django_db(transaction=True)
def test_the_import_benchmark_builds_its_data():
    benchmark("import_templates").build(5)
    built(5)
