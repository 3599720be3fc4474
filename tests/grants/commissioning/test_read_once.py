"""
What a page has already read is not read again: the signed-in user comes with their organisation
(every page names it), a return's page reuses the project it found (with its allocation and
programme), and the allocation and project pages read the recipient's accountable body and the
project's area with the record itself.
"""

import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Area, Organisation
from grants.models import BudgetLine, ProjectMeasure
from tests.grants.commissioning.helpers import client_for
from tests.worlds.reporting import submit_a_complete_return


def _submitted_return(w):
    """Project A's Q1 return, submitted with every line and measure filled in."""
    project = w.project_a
    return submit_a_complete_return(
        w.user_a, project, 1, {line: "100.00" for line in BudgetLine.objects.filter(project=project, financial_year=2023)},
        {pm: "1" for pm in ProjectMeasure.objects.filter(project=project, financial_year=2023)})


def _tables(client, url) -> Counter:
    """How many queries the page's request reads each table in (the first table after FROM)."""
    client.get(url)  # the first request of a client may set up its session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return Counter(re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries
                   if re.search(r'FROM "(\w+)"', q["sql"]))


def test_the_signed_in_user_is_read_with_their_organisation(pages):
    client = client_for(pages.commissioner)
    client.get("/reports/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/reports/").content.decode()

    assert pages.commissioner.organisation.name in html  # "Signed in as …, <organisation>"
    user_query = next(q["sql"] for q in queries.captured_queries if 'FROM "grants_user"' in q["sql"])
    assert 'JOIN "grants_organisation"' in user_query
    assert not any(q["sql"].startswith('SELECT "grants_organisation"') for q in queries.captured_queries)


def test_a_user_without_an_organisation_still_signs_in(pages, django_user_model):
    user = django_user_model.objects.create_user(username="no-organisation", password="x" * 12)
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert "no-organisation" in response.content.decode()


def test_the_return_page_reads_its_project_allocation_and_programme_once(pages):
    _submitted_return(pages)
    url = f"/returns/{pages.project_a.reference}/2023/1/"
    for who in (pages.commissioner, pages.user_a):
        tables = _tables(client_for(who), url)
        assert tables["grants_spendline"] == 1, (who, tables)  # the page shows a return
        assert tables["grants_project"] == 1, (who, tables)
        assert tables["grants_allocation"] <= 1, (who, tables)  # the reach (a provider's), never the return's own
        assert tables["grants_programme"] == 0, (who, tables)


def test_a_partnership_allocation_s_return_page_reads_its_project_once(pages):
    _submitted_return(pages)
    allocation = pages.project_a.allocation
    allocation.partnership_reports = True
    allocation.save(update_fields=["partnership_reports"])

    tables = _tables(client_for(pages.commissioner), f"/returns/{pages.project_a.reference}/2023/1/")
    assert tables["grants_project"] == 1, tables
    assert tables["grants_partnershipreturn"] == 1, tables


def test_the_allocation_page_reads_the_accountable_body_with_the_recipient(pages):
    council = Organisation.objects.create(name="Avon County Council", kind=Organisation.Kind.LOCAL_AUTHORITY,
                                          supplier_number="SUP-COUNCIL")
    recipient = pages.allocation_a.recipient
    recipient.accountable_body = council
    recipient.supplier_number = ""
    recipient.save(update_fields=["accountable_body", "supplier_number"])

    client = client_for(pages.finance)
    html = client.get(f"/allocations/{pages.allocation_a.pk}/").content.decode()
    assert "SUP-COUNCIL" in html  # the supplier number is the accountable body's
    tables = _tables(client, f"/allocations/{pages.allocation_a.pk}/")
    assert tables["grants_organisation"] <= 1, tables  # the history's names of recipients, no more


def test_the_project_page_reads_its_area_with_the_project(pages):
    area = Area.objects.create(name="Bristol South")
    project = pages.project_a
    project.area = area
    project.save(update_fields=["area"])

    client = client_for(pages.commissioner)
    assert "Bristol South" in client.get(f"/projects/{project.reference}/").content.decode()
    assert _tables(client, f"/projects/{project.reference}/")["grants_area"] == 0
