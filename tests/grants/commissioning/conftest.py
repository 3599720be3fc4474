"""
The world the commissioning and finance tests share: the base actors (tests/conftest.py)
with a second commissioner officer and finance officer, so that "two people at once"
is two real users, and a provider colleague.
"""

import pytest

from grants.models import User
from tests import factories as f


@pytest.fixture
def world(actors):
    w = actors
    w.commissioner_2 = f.UserFactory(username="commissioner-2", organisation=w.commissioner_org,
                                     role=User.Role.COMMISSIONER)
    w.finance_2 = f.UserFactory(username="finance-2", organisation=w.commissioner_org, role=User.Role.FINANCE)
    w.outsider_finance = f.UserFactory(username="outsider-finance", organisation=w.other_commissioner_org,
                                       role=User.Role.FINANCE)
    return w
