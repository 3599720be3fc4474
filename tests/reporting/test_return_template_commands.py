"""
The two commands: export_return_template writes a project's template, pre-filled;
import_return saves a filled-in template as the user's draft, or with --dry-run
lists the changes and saves nothing. Every mistake on the command line is a
CommandError that says what was wrong.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grants.models import ReturnEvent, SpendLine
from grants.services import returns as s
from grants.services.returns import ReturnInput
from reporting.spreadsheets import importer
from reporting.spreadsheets import template as t
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    QUARTER,
    database_state,
    draft,
    fill_in,
    filled_template,
    import_command,
    open_workbook,
    return_of,
    saved,
    spend_cell,
    template_for,
    workbook_bytes,
    equipped_twins,
)


def export(*args) -> str:
    out = StringIO()
    call_command("export_return_template", *args, stdout=out)
    return out.getvalue()


# --- export_return_template -------------------------------------------------------------------


def test_export_writes_the_projects_template_pre_filled(draft, tmp_path):
    target = tmp_path / "a-1.xlsx"

    output = export("--project", "A-1", "--year", "2023-24", "--quarter", "2", "-o", str(target))

    assert output.strip() == f"Wrote the 2023-24 Q2 return template for A-1 to {target}."
    content = target.read_bytes()
    assert content.startswith(b"PK\x03\x04")
    reading = importer.read_template(content, draft.user_a)
    assert (reading.project, reading.quarter, reading.changes) == (draft.project_a, QUARTER, [])
    assert reading.data == s.input_from_return(draft.q2)


def test_export_for_a_user_writes_only_a_project_they_can_see(draft, tmp_path):
    target = tmp_path / "a-1.xlsx"

    export("--project", "A-1", "--year", "2023-24", "--quarter", "2", "--user", "commissioner", "-o", str(target))

    assert target.exists()
    with pytest.raises(CommandError, match="There is no project 'A-1' that provider-b can see."):
        export("--project", "A-1", "--year", "2023-24", "--quarter", "2", "--user", "provider-b",
               "-o", str(tmp_path / "b.xlsx"))
    assert not (tmp_path / "b.xlsx").exists()


@pytest.mark.parametrize("args,message", [
    (["--year", "2023", "--quarter", "2"], "--year must be a financial year written like 2023-24, not '2023'."),
    (["--year", "2023-25", "--quarter", "2"], "--year must be a financial year written like 2023-24"),
    (["--year", "2023-24", "--quarter", "5"], "--quarter must be 1, 2, 3 or 4, not '5'."),
    (["--year", "2023-24", "--quarter", "two"], "--quarter must be 1, 2, 3 or 4, not 'two'."),
    (["--year", "2024-25", "--quarter", "1"], "A-1 does not run in 2024-25 Q1 (it runs 2023-24 Q1 to 2023-24 Q4)."),
    (["--year", "2023-24", "--quarter", "2", "--user", "nobody"], "There is no active user 'nobody'."),
], ids=["a year without its end", "a year that is two years", "quarter 5", "a quarter in words",
        "a quarter the project does not run in", "an unknown user"])
def test_export_refuses_what_it_cannot_use(draft, tmp_path, args, message):
    target = tmp_path / "out.xlsx"

    with pytest.raises(CommandError) as error:
        export("--project", "A-1", *args, "-o", str(target))

    assert message in str(error.value)
    assert not target.exists()


def test_export_refuses_a_project_that_does_not_exist(draft, tmp_path):
    with pytest.raises(CommandError, match="There is no project 'NOPE-1'."):
        export("--project", "NOPE-1", "--year", "2023-24", "--quarter", "2", "-o", str(tmp_path / "out.xlsx"))


def test_export_refuses_an_inactive_user(draft, tmp_path):
    draft.user_a.is_active = False
    draft.user_a.save()

    with pytest.raises(CommandError, match="There is no active user 'provider-a'."):
        export("--project", "A-1", "--year", "2023-24", "--quarter", "2", "--user", "provider-a",
               "-o", str(tmp_path / "out.xlsx"))


def test_export_says_so_when_it_cannot_write_the_file(draft, tmp_path):
    with pytest.raises(CommandError, match="Could not write"):
        export("--project", "A-1", "--year", "2023-24", "--quarter", "2", "-o", str(tmp_path / "missing" / "x.xlsx"))


# --- import_return ------------------------------------------------------------------------------


def test_import_saves_the_draft_and_lists_each_change(draft, tmp_path):
    w = draft

    output = import_command(filled_template(w), w.user_a, tmp_path)

    ret = return_of(w.project_a)
    assert saved(ret)["spend"]["Youth workers"] == (Decimal("10250.50"), "")
    assert saved(ret)["narrative"]["challenges"] == "One youth worker was off sick for three weeks."
    lines = output.strip().splitlines()
    count = len(importer.read_template(filled_template(w), w.user_a).changes)
    assert count == 0  # now that it is saved, the same file changes nothing
    assert lines[-1].startswith("Saved ") and lines[-1].endswith(" changes to the A-1 2023-24 Q2 draft.")
    assert any("Spend!G7" in line and "Spend: Youth workers" in line and "£5,000.00 -> £10,250.50" in line
               for line in lines)
    latest = ret.events.order_by("-pk").first()
    assert (latest.kind, latest.actor) == (ReturnEvent.Kind.SAVED, w.user_a)


def test_import_starts_a_return_not_yet_started(equipped_twins, tmp_path):
    w = equipped_twins

    import_command(filled_template(w), w.user_a, tmp_path)

    ret = return_of(w.project_a)
    assert list(ret.events.values_list("kind", flat=True)) == [ReturnEvent.Kind.CREATED, ReturnEvent.Kind.SAVED]


def test_a_dry_run_lists_the_changes_and_saves_nothing(draft, tmp_path):
    w = draft
    content = filled_template(w)
    changes = importer.read_template(content, w.user_a).changes
    before = database_state()

    output = import_command(content, w.user_a, tmp_path, "--dry-run")

    assert database_state() == before
    assert output.strip().splitlines()[-1] == f"Dry run: {len(changes)} changes to A-1 2023-24 Q2 would be saved."
    for change in changes:
        assert f"{change.what}: {change.old} -> {change.new}" in output


def test_importing_an_untouched_template_saves_no_change(draft, tmp_path):
    w = draft
    before = saved(w.q2)

    output = import_command(template_for(w.project_a)[0], w.user_a, tmp_path)

    assert output.strip() == "Saved 0 changes to the A-1 2023-24 Q2 draft."
    assert saved(w.q2) == before


def test_import_notes_a_return_changed_since_the_template_was_downloaded(draft, tmp_path):
    w = draft
    content = filled_template(w)
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                        data=ReturnInput(progress="Typed on the web meanwhile."))

    output = import_command(content, w.user_a, tmp_path, "--dry-run")

    assert output.startswith("Note: the return was changed after this template was downloaded.")


def test_import_refuses_an_unknown_user(draft, tmp_path):
    with pytest.raises(CommandError, match="There is no active user 'nobody'."):
        call_command("import_return", str(tmp_path / "x.xlsx"), "--user", "nobody", stdout=StringIO())


def test_import_refuses_a_file_it_cannot_read(draft, tmp_path):
    before = database_state()

    with pytest.raises(CommandError, match="Could not read .*missing.xlsx: No such file or directory"):
        call_command("import_return", str(tmp_path / "missing.xlsx"), "--user", "provider-a", stdout=StringIO())

    assert database_state() == before


def test_import_lists_every_problem_of_a_refused_file_and_saves_nothing(draft, tmp_path):
    w = draft
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)
    spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL).value = "lots"
    spend_cell(book, layout, w.lines["venue"], t.SPEND_ACTUAL_COL).value = 1.001
    before = database_state()

    with pytest.raises(CommandError) as error:
        import_command(workbook_bytes(book), w.user_a, tmp_path)

    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'filled-in-return.xlsx'} was not imported; nothing was saved:")
    lines = message.splitlines()[1:]
    assert lines == [
        "  Sheet Spend, cell G6: Spend on Venue hire can have at most 2 decimal places (pence).",
        lines[1],
    ]
    assert lines[1].startswith("  Sheet Spend, cell G7: “lots” is not a number.")
    assert database_state() == before


@pytest.mark.parametrize("who", ["provider-b", "commissioner"])
def test_import_refuses_a_user_who_may_not_change_the_return(draft, tmp_path, who):
    before = database_state()

    with pytest.raises(CommandError, match="was not imported; nothing was saved"):
        call_command("import_return", str(_written(filled_template(draft), tmp_path)), "--user", who,
                     stdout=StringIO())

    assert database_state() == before


def _written(content, tmp_path):
    path = tmp_path / "return.xlsx"
    path.write_bytes(content)
    return path


def test_the_history_of_an_imported_return_names_the_user(draft, tmp_path):
    w = draft

    import_command(filled_template(w), w.user_a, tmp_path)

    staff = SpendLine.objects.get(quarterly_return=w.q2, budget_line=w.lines["staff"])
    assert staff.history.order_by("-history_date", "-history_id").first().history_user == w.user_a
