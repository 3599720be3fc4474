"""
The commissioner's workbook from the command line and from the web: who gets it, who is
refused and with what message, the form's errors, the download's name and content, the
navigation item, and the number of queries the download makes as projects grow.

The page has no object in its URL, so there is no 404 case: reach is what the workbook
contains (another commissioner gets only their own programmes), and the wrong role is 403.
"""

import html
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reporting.test_commissioner_workbook import grow
from tests.reporting.workbook_fixtures import read, two_programmes  # noqa: F401
from tests.worlds import client_for
from tests import worlds

URL = "/reports/commissioner-workbook/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAV = "Quarter workbook"


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_programmes_once = worlds.built_once_per_module(
    lambda: worlds.two_programmes_with_returns_in_every_status(worlds.two_providers_one_programme()))


@pytest.fixture
def two_programmes(two_programmes_once, db):
    return worlds.fresh(two_programmes_once)


def download(response) -> bytes:
    return b"".join(response.streaming_content)


# --- The command -------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_commissioner_return", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_workbook_and_says_so(two_programmes, tmp_path):
    path = tmp_path / "q2.xlsx"
    output = run("--year", "2023-24", "--quarter", "2", "--user", "commissioner", "-o", str(path))
    assert re.fullmatch(rf"Wrote {re.escape(str(path))}: 2023-24 Q2, 3 projects in \d+\.\d\d s\.\n", output)
    book = read(path.read_bytes())
    assert [r["Reference"] for r in book.rows("Summary")] == ["A-1", "B-1", "C-1"]


def test_the_command_takes_one_programme(two_programmes, tmp_path):
    path = tmp_path / "csf.xlsx"
    output = run("--year", "2023-24", "--quarter", "1", "--programme", "CSF", "--user", "finance", "-o", str(path))
    assert ": 2023-24 Q1, 2 projects in " in output
    assert [r["Reference"] for r in read(path.read_bytes()).rows("Summary")] == ["A-1", "B-1"]


def test_the_user_decides_the_scope(two_programmes, tmp_path):
    path = tmp_path / "other.xlsx"
    output = run("--year", "2023-24", "--quarter", "2", "--programme", "CSF", "--user", "outsider", "-o", str(path))
    assert ", 1 project in " in output
    assert [r["Reference"] for r in read(path.read_bytes()).rows("Summary")] == ["X-1"]


@pytest.mark.parametrize("args, message", [
    (["--year", "2023-25", "--quarter", "2", "--user", "commissioner"],
     "--year must be a financial year written like 2023-24, not '2023-25'."),
    (["--year", "last year", "--quarter", "2", "--user", "commissioner"],
     "--year must be a financial year written like 2023-24, not 'last year'."),
    (["--year", "2023-24", "--quarter", "5", "--user", "commissioner"], "--quarter must be 1, 2, 3 or 4, not '5'."),
    (["--year", "2023-24", "--quarter", "Q2", "--user", "commissioner"], "--quarter must be 1, 2, 3 or 4, not 'Q2'."),
    (["--year", "2023-24", "--quarter", "2", "--user", "nobody"], "There is no active user 'nobody'."),
    (["--year", "2023-24", "--quarter", "2", "--programme", "NOPE", "--user", "commissioner"],
     "There is no programme with the code “NOPE” in 2023-24 among the programmes you can see."),
    (["--year", "2024-25", "--quarter", "2", "--programme", "CSF", "--user", "commissioner"],
     "There is no programme with the code “CSF” in 2024-25 among the programmes you can see."),
    (["--year", "2023-24", "--quarter", "2", "--user", "provider-a"],
     "provider-a may not export the commissioner's workbook: "
     "The commissioner's workbook is for the funder's commissioner and finance officers."),
    (["--year", "2023-24", "--quarter", "2", "--user", "viewer"],
     "viewer may not export the commissioner's workbook: "
     "The commissioner's workbook is for the funder's commissioner and finance officers."),
])
def test_the_command_refuses_with_a_clear_message(two_programmes, tmp_path, args, message):
    path = tmp_path / "refused.xlsx"
    with pytest.raises(CommandError) as error:
        run(*args, "-o", str(path))
    assert str(error.value) == message
    assert not path.exists()


def test_the_command_refuses_an_inactive_user(two_programmes, tmp_path):
    two_programmes.commissioner.is_active = False
    two_programmes.commissioner.save()
    with pytest.raises(CommandError, match="There is no active user 'commissioner'."):
        run("--year", "2023-24", "--quarter", "2", "--user", "commissioner", "-o", str(tmp_path / "x.xlsx"))


def test_the_command_refuses_a_folder_that_does_not_exist(two_programmes, tmp_path):
    path = tmp_path / "missing" / "q2.xlsx"
    with pytest.raises(CommandError, match="Could not write .*: there is no folder"):
        run("--year", "2023-24", "--quarter", "2", "--user", "commissioner", "-o", str(path))


# --- The page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("user_a", 403), ("user_b", 403), ("viewer", 403),
    ("commissioner", 200), ("finance", 200), ("outsider", 200),
])
def test_who_gets_the_page(two_programmes, who, status):
    user = None if who == "anonymous" else getattr(two_programmes, who)
    response = client_for(user).get(URL)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("user_a", 403), ("user_b", 403), ("viewer", 403), ("commissioner", 200), ("finance", 200),
])
def test_who_gets_the_download(two_programmes, who, status):
    user = None if who == "anonymous" else getattr(two_programmes, who)
    response = client_for(user).get(URL, {"year": "2023", "quarter": "2", "programme": ""})
    assert response.status_code == status
    if status == 403:
        assert "for the funder's commissioner and finance officers" in html.unescape(response.content.decode())
    if status == 200:
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == 'attachment; filename="commissioner-return-2023-24-Q2.xlsx"'
        assert [r["Reference"] for r in read(download(response)).rows("Summary")] == ["A-1", "B-1", "C-1"]


def test_the_download_of_one_programme_is_named_after_it(two_programmes):
    response = client_for(two_programmes.commissioner).get(URL, {"year": "2023", "quarter": "1", "programme": "SVD"})
    assert response["Content-Disposition"] == 'attachment; filename="commissioner-return-2023-24-Q1-SVD.xlsx"'
    book = read(download(response))
    assert [r["Reference"] for r in book.rows("Summary")] == ["C-1"]
    assert book.values["Cover"]["A1"].value == "Commissioner's quarterly return: 2023-24 Q1"


def test_the_form_offers_only_the_users_years_and_programmes(two_programmes):
    page = client_for(two_programmes.commissioner).get(URL).content.decode()
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)', page) == [
        ("2023", "2023-24"),
        ("1", "Q1 (Apr–Jun)"), ("2", "Q2 (Jul–Sep)"), ("3", "Q3 (Oct–Dec)"), ("4", "Q4 (Jan–Mar)"),
        ("", "All programmes"), ("CSF", "Community Safety Fund (CSF)"), ("SVD", "Serious Violence Duty (SVD)"),
    ]
    assert "Elsewhere" not in page
    assert '<label class="govuk-label govuk-label--s" for="id_programme">Programme</label>' in page


def test_the_other_commissioner_cannot_ask_for_our_programme(two_programmes):
    response = client_for(two_programmes.outsider).get(URL, {"year": "2023", "quarter": "2", "programme": "SVD"})
    assert response.status_code == 400
    assert "Choose one of your programmes, or all programmes." in response.content.decode()


def test_the_other_commissioner_downloads_only_their_own(two_programmes):
    response = client_for(two_programmes.outsider).get(URL, {"year": "2023", "quarter": "2", "programme": "CSF"})
    assert [r["Reference"] for r in read(download(response)).rows("Summary")] == ["X-1"]


def error_summary_links(page) -> list[str]:
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary.group(0))


@pytest.mark.parametrize("params, errors", [
    ({"year": "2019", "quarter": "2"}, [("id_year", "Choose one of the financial years of your programmes.")]),
    ({"year": "x", "quarter": "9"}, [("id_year", "Choose one of the financial years of your programmes."),
                                     ("id_quarter", "Choose a quarter from Q1 to Q4.")]),
    ({"year": "", "quarter": ""}, [("id_year", "Choose a financial year."), ("id_quarter", "Choose a quarter.")]),
    ({"year": "2023", "quarter": "2", "programme": "NOPE"},
     [("id_programme", "Choose one of your programmes, or all programmes.")]),
])
def test_a_bad_request_shows_every_error_in_a_summary_linked_to_its_field(two_programmes, params, errors):
    response = client_for(two_programmes.commissioner).get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert error_summary_links(page) == errors
    assert "<title>Error: Quarter workbook" in page
    for field, _message in errors:
        assert f'<p id="{field}-error" class="govuk-error-message">' in page


def test_a_programme_not_run_in_the_chosen_year_is_an_error_on_the_programme(two_programmes):
    from tests import factories as f

    f.ProgrammeFactory(commissioner=two_programmes.commissioner_org, name="Safer Streets", code="SSF", financial_year=2024)
    response = client_for(two_programmes.commissioner).get(URL, {"year": "2023", "quarter": "2", "programme": "SSF"})
    assert response.status_code == 400
    assert error_summary_links(response.content.decode()) == [
        ("id_programme", "There is no SSF programme in 2023-24: choose another year or programme, or all programmes.")
    ]


def test_a_funder_without_programmes_is_told_so(two_programmes):
    from grants.models import User
    from tests import factories as f

    new_org = f.CommissionerFactory(name="A new commissioner")
    user = f.UserFactory(username="new-commissioner", organisation=new_org, role=User.Role.COMMISSIONER)
    page = client_for(user).get(URL).content.decode()
    assert 'data-testid="no-programmes"' in page
    assert 'data-testid="workbook-form"' not in page


@pytest.mark.parametrize("who, shown", [
    ("commissioner", True), ("finance", True), ("viewer", False), ("user_a", False), ("outsider", True),
])
def test_the_navigation_offers_the_quarter_workbook_to_commissioner_and_finance_officers(two_programmes, who, shown):
    page = client_for(getattr(two_programmes, who)).get("/").content.decode()
    assert (f'href="{URL}"' in page and NAV in page) == shown


def test_the_download_makes_the_same_number_of_queries_as_projects_grow(two_programmes):
    client = client_for(two_programmes.commissioner)
    params = {"year": "2023", "quarter": "2"}

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params)
            download(response)
        assert response.status_code == 200
        return len(queries.captured_queries)

    grow(two_programmes, 2)
    small = count()
    grow(two_programmes, 10)
    assert count() == small


def test_the_page_is_the_real_workbook(two_programmes, tmp_path):
    """The web download and the command write the same cells."""
    path = Path(tmp_path / "command.xlsx")
    run("--year", "2023-24", "--quarter", "2", "--user", "commissioner", "-o", str(path))
    web = read(download(client_for(two_programmes.commissioner).get(URL, {"year": "2023", "quarter": "2"})))
    command = read(path.read_bytes())
    for sheet in ("Summary", "Spend", "Outcomes", "Narrative", "Payments"):
        assert web.cells(sheet, formulas=True) == command.cells(sheet, formulas=True)
    assert openpyxl.load_workbook(path).sheetnames == web.values.sheetnames
