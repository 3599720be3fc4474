"""
Each list page and each download runs the same number of queries however many rows it has.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reporting.lists_fixtures import URLS, body, client_for, grow, two_years_and_an_outsider  # noqa: F401
from tests import worlds


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_years_once = worlds.built_once_per_module(
    lambda: worlds.two_years_with_priorities_and_an_outsider(worlds.two_providers_one_programme()))


@pytest.fixture
def two_years_and_an_outsider(two_years_once, db):
    return worlds.fresh(two_years_once)


def queries(client, url, params) -> tuple[int, int]:
    """How many queries the request (with its whole download read) runs, and how many rows it shows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        content = body(response)
    assert response.status_code == 200
    if "format" in params:
        rows = content.count(b"\n") - 1 if params["format"] == "csv" else len(content)
    else:
        rows = len(response.context["table"].page.object_list)
    return len(captured), rows


@pytest.mark.parametrize("params", [{}, {"format": "xlsx"}, {"format": "csv"},
                                    {"financial_year": "2023", "priority": "violence", "sort": "-spent"}])
@pytest.mark.parametrize("slug", list(URLS))
@pytest.mark.parametrize("who", ["commissioner", "user_a"])
def test_a_list_runs_as_many_queries_for_many_rows_as_for_few(two_years_and_an_outsider, slug, who, params):
    if "priority" in params:
        params = {**params, "priority": two_years_and_an_outsider.violence.pk}
        if slug == "payments":
            params.pop("priority")
    client = client_for(getattr(two_years_and_an_outsider, who))
    grow(two_years_and_an_outsider, 2)
    few, few_rows = queries(client, URLS[slug], params)
    grow(two_years_and_an_outsider, 12)
    many, many_rows = queries(client, URLS[slug], params)
    assert many_rows > few_rows or slug == "programmes"  # there are more rows to show
    assert many == few
    assert many <= 12
