"""Fixtures for the constraint tests: a project, the rows that hang off it, and a user."""

import pytest

from tests import factories as f


@pytest.fixture
def project():
    return f.ProjectFactory()


@pytest.fixture
def allocation(project):
    return project.allocation


@pytest.fixture
def quarterly_return(project):
    return f.QuarterlyReturnFactory(project=project)


@pytest.fixture
def budget_line(project):
    return f.BudgetLineFactory(project=project)


@pytest.fixture
def user():
    return f.UserFactory()
