"""
The base set of actors every view test uses.

One commissioner organisation with a commissioner officer, a finance officer
and a viewer; two provider organisations (A and B) with a user each, each
funded by its own allocation with one project. "The other provider gets
nothing" is then one line in any test.
"""

from types import SimpleNamespace

import pytest

from grants.models import Organisation, User
from tests import factories as f


@pytest.fixture
def actors(db):
    commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Testshire")
    other_commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Elsewhere")
    provider_a = f.OrganisationFactory(name="Provider A", kind=Organisation.Kind.CHARITY)
    provider_b = f.OrganisationFactory(name="Provider B", kind=Organisation.Kind.CSP)

    programme = f.ProgrammeFactory(commissioner=commissioner_org, name="Community Safety Fund", code="CSF")
    allocation_a = f.AllocationFactory(programme=programme, recipient=provider_a, title="Allocation to A")
    allocation_b = f.AllocationFactory(programme=programme, recipient=provider_b, title="Allocation to B")
    project_a = f.ProjectFactory(allocation=allocation_a, reference="A-1", name="Project of A")
    project_b = f.ProjectFactory(allocation=allocation_b, reference="B-1", name="Project of B")

    return SimpleNamespace(
        commissioner_org=commissioner_org,
        other_commissioner_org=other_commissioner_org,
        provider_a=provider_a,
        provider_b=provider_b,
        programme=programme,
        allocation_a=allocation_a,
        allocation_b=allocation_b,
        project_a=project_a,
        project_b=project_b,
        commissioner=f.UserFactory(username="commissioner", organisation=commissioner_org, role=User.Role.COMMISSIONER),
        finance=f.UserFactory(username="finance", organisation=commissioner_org, role=User.Role.FINANCE),
        viewer=f.UserFactory(username="viewer", organisation=commissioner_org, role=User.Role.VIEWER),
        user_a=f.UserFactory(username="provider-a", organisation=provider_a, role=User.Role.PROVIDER),
        user_b=f.UserFactory(username="provider-b", organisation=provider_b, role=User.Role.PROVIDER),
        outsider=f.UserFactory(
            username="outsider", organisation=other_commissioner_org, role=User.Role.COMMISSIONER
        ),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests only need a hash that checks."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
