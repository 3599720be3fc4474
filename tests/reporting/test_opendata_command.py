"""export_360giving: the whole site, one commissioner's organisation or one funder, as JSON or
the standard's spreadsheet; what it withheld; and a clear message for everything it refuses."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from grants.models import Allocation, Organisation, User
from reporting import opendata
from tests import factories as f
from tests.reporting.test_opendata import (  # noqa: F401
    demo,
    path_of,
    publisher_settings,
    read_xlsx,
    schema_errors,
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_360giving", *args, stdout=out)
    return out.getvalue()


def titles(path) -> list[str]:
    return [grant["title"] for grant in json.loads(path.read_text(encoding="utf-8"))["grants"]]


def test_the_demo_data_exports_as_a_valid_package_and_says_so(demo, tmp_path):
    path = tmp_path / "grants.json"
    assert run("-o", str(path)) == f"Wrote {path}: 3 grants as 360Giving JSON.\n"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    assert len(data["grants"]) == 3


def test_the_spreadsheet_form_is_written_with_the_standards_column_titles(demo, tmp_path):
    path = tmp_path / "grants.data"
    assert run("-o", str(path), "--format", "xlsx") == f"Wrote {path}: 3 grants as 360Giving XLSX.\n"
    headings, rows, _ = read_xlsx(path.read_bytes())
    for heading in headings:
        path_of(heading)
    assert [row["Title"] for row in rows] == [
        "Bradford District Community Safety Fund 2018-20",
        "Calderdale Community Safety Fund 2018-19",
        "Keeping Bristol Safe Partnership 2023-24",
    ]


def test_a_file_ending_xlsx_is_a_spreadsheet_without_saying_so(demo, tmp_path):
    path = tmp_path / "grants.XLSX"
    assert "as 360Giving XLSX." in run("-o", str(path))
    assert read_xlsx(path.read_bytes())[0][0] == "Identifier"


def test_the_user_decides_the_scope_and_the_publisher(demo, tmp_path):
    path = tmp_path / "avon.json"
    assert run("-o", str(path), "--user", "avon-commissioner") == f"Wrote {path}: 1 grant as 360Giving JSON.\n"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [g["title"] for g in data["grants"]] == ["Keeping Bristol Safe Partnership 2023-24"]
    assert data["publisher"] == {
        "name": "Office of the Police and Crime Commissioner for Avon and Somerset", "identifier": "360G-opccas"
    }
    assert schema_errors(data) == []


@pytest.mark.parametrize("commissioner", ["360G-opccwy", "Office of the Police and Crime Commissioner for West Yorkshire"])
def test_one_funder_by_identifier_or_name(demo, tmp_path, commissioner):
    path = tmp_path / "wy.json"
    assert ": 2 grants as" in run("-o", str(path), "--commissioner", commissioner)
    assert titles(path) == ["Bradford District Community Safety Fund 2018-20", "Calderdale Community Safety Fund 2018-19"]
    assert json.loads(path.read_text())["publisher"]["identifier"] == "360G-opccwy"


def test_the_user_and_their_own_organisation_together(demo, tmp_path):
    path = tmp_path / "wy.json"
    assert ": 2 grants as" in run("-o", str(path), "--user", "commissioner", "--commissioner", "360G-opccwy")


def test_what_is_withheld_is_listed_with_the_reason(actors, tmp_path):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(do_not_publish=True, do_not_publish_reason="A refuge.")
    path = tmp_path / "grants.json"
    assert run("-o", str(path), "--user", "commissioner").splitlines() == [
        f"Wrote {path}: 1 grant as 360Giving JSON.",
        "Not published: Allocation to A (Provider A, Community Safety Fund 2023-24). Marked do not publish: A refuge.",
    ]
    assert titles(path) == ["Allocation to B"]


@pytest.mark.parametrize("args, message", [
    (["--user", "nobody"], "There is no active user 'nobody'."),
    (["--user", "provider"], "provider may not publish open data: Open data is published by the funder's commissioner officers."),
    (["--user", "finance"], "finance may not publish open data: Open data is published by the funder's commissioner officers."),
    (["--commissioner", "360G-nobody"], "There is no funding organisation named or identified '360G-nobody'."),
    (["--commissioner", "Bristol City Council"], "There is no funding organisation named or identified 'Bristol City Council'."),
    (["--user", "commissioner", "--commissioner", "360G-opccas"],
     "commissioner works for Office of the Police and Crime Commissioner for West Yorkshire, so cannot publish "
     "the grants of Office of the Police and Crime Commissioner for Avon and Somerset."),
])
def test_the_command_refuses_with_a_clear_message(demo, tmp_path, args, message):
    path = tmp_path / "grants.json"
    with pytest.raises(CommandError) as refused:
        run("-o", str(path), *args)
    assert str(refused.value) == message
    assert not path.exists()


def test_a_format_other_than_json_or_xlsx_is_refused(demo, tmp_path):
    with pytest.raises(CommandError, match=re.escape("Error: argument --format: invalid choice: 'csv' (choose from ")):
        run("-o", str(tmp_path / "grants.json"), "--format", "csv")


def test_an_inactive_user_is_refused(demo, tmp_path):
    User.objects.filter(username="avon-commissioner").update(is_active=False)
    with pytest.raises(CommandError, match=re.escape("There is no active user 'avon-commissioner'.")):
        run("-o", str(tmp_path / "x.json"), "--user", "avon-commissioner")


def test_nothing_to_publish_is_refused(actors, tmp_path):
    Allocation.objects.update(status=Allocation.Status.DRAFT)
    path = tmp_path / "grants.json"
    with pytest.raises(CommandError, match="^There are no grants to publish: "):
        run("-o", str(path))
    assert not path.exists()


def test_a_folder_that_does_not_exist_is_refused(actors, tmp_path):
    path = tmp_path / "missing" / "grants.json"
    with pytest.raises(CommandError, match=re.escape(f"Could not write {path}: there is no folder {path.parent}.")):
        run("-o", str(path))


def test_a_file_that_cannot_be_written_is_refused(actors, tmp_path):
    folder = tmp_path / "grants.json"
    folder.mkdir()  # a folder where the file should go
    with pytest.raises(CommandError, match=re.escape(f"Could not write {folder}: Is a directory")):
        run("-o", str(folder))


def test_a_prefix_that_is_not_a_360giving_prefix_is_refused(actors, tmp_path, settings):
    settings.OPEN_DATA_PREFIX = "GB-CHC-1234567"
    with pytest.raises(CommandError, match="^OPEN_DATA_PREFIX must be a 360Giving publisher prefix"):
        run("-o", str(tmp_path / "grants.json"))


def test_a_name_that_is_another_funders_identifier_is_ambiguous(actors, tmp_path):
    Organisation.objects.filter(pk=actors.commissioner_org.pk).update(org_identifier="360G-elsewhere")
    Organisation.objects.filter(pk=actors.other_commissioner_org.pk).update(name="360G-elsewhere")
    f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.other_commissioner_org))
    with pytest.raises(CommandError, match="is one organisation's name and another's identifier"):
        run("-o", str(tmp_path / "grants.json"), "--commissioner", "360G-elsewhere")


def test_the_identifiers_use_the_configured_prefix(actors, tmp_path, settings):
    settings.OPEN_DATA_PREFIX = "360G-opccts"
    path = tmp_path / "grants.json"
    run("-o", str(path))
    assert {g["id"] for g in json.loads(path.read_text())["grants"]} == {
        opendata.grant_identifier("360G-opccts", a.pk) for a in (actors.allocation_a, actors.allocation_b)
    }
