"""
The project the return service tests are about: project A of the base actors
(tests/conftest.py) with two budget lines and one outcome measure of each unit
(tests/worlds/: project_a_with_a_measure_of_every_unit).
"""

import pytest

from tests import worlds


@pytest.fixture
def project_with_every_unit(actors):
    return worlds.project_a_with_a_measure_of_every_unit(actors)
