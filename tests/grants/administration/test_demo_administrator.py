"""The demo has an administrator in West Yorkshire's commissioner's office, and each funder works with the
organisations its allocations and projects name (grants/demo.py, written to fixtures/demo.json)."""

import pytest

from grants import demo
from grants.models import Allocation, Organisation, Project, User


@pytest.fixture
def built(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.build()


def test_the_demo_has_an_administrator_with_the_demo_password(built):
    administrator = User.objects.get(username="administrator")
    assert administrator.role == User.Role.ADMINISTRATOR
    assert administrator.organisation.name == "Office of the Police and Crime Commissioner for West Yorkshire"
    assert administrator.check_password(demo.DEMO_PASSWORD)


def test_each_demo_funder_works_with_whom_it_funds(built):
    for funder in Organisation.objects.filter(kind=Organisation.Kind.COMMISSIONER):
        funded = set(Allocation.objects.filter(programme__commissioner=funder).values_list("recipient", flat=True))
        funded |= set(Project.objects.filter(allocation__programme__commissioner=funder).values_list("provider",
                                                                                                      flat=True))
        assert funded and set(funder.works_with.values_list("pk", flat=True)) == funded, funder
