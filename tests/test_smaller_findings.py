"""
The smaller findings of the outside probes, each reproduced through the real path:

- an id too large for any column in a form's choice (SQLite raised OverflowError: a 500);
- numbers in other scripts, full-width digits, misplaced thousands separators and "100%" taken as money,
  typed on the return page or in a workbook cell;
- free text longer than the cap: refused with a message naming the field (the page) or the cell (the
  workbook), a text longer than any spreadsheet cell refused before it is read, and a preview of
  the longest text allowed confirmed (it used to preview and then fail with a bare 400).
"""

import re
from decimal import Decimal

import pytest

from grants.models import Project, QuarterlyReturn, SpendLine
from grants.models.common import TEXT_MAX
from grants.services import returns as s
from reporting.spreadsheets import template as t
from tests.grants.commissioning.helpers import client_for
from tests.grants.commissioning.views_world import project_data
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    draft,
    fill_in,
    narrative_cell,
    open_workbook,
    payload_on,
    return_of,
    return_page,
    spend_cell,
    template_for,
    upload_file,
    url,
    workbook_bytes,
    equipped_twins,
)
from tests.reporting.template_helpers import client_for as provider_client
from tests.reporting.template_helpers import refused as refused_file
from tests.test_hostile_input import Unchanged

BIG = "99999999999999999999"


# --- An id no column can hold -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["priorities", "provider", "area"])
def test_an_id_too_large_for_any_column_is_a_wrong_choice_not_a_server_error(actors, field):
    client = client_for(actors.commissioner)
    client.raise_request_exception = False

    response = client.post("/projects/A-1/edit/", project_data(actors, reference="A-1", name="Renamed",
                                                               version="0", **{field: BIG}))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "Choose" in response.content.decode()
    assert Project.objects.get(reference="A-1").name == "Project of A"


# --- Money is ASCII digits --------------------------------------------------------------------


NOT_MONEY = ["١٢٣", "１２３", "12,50", "1,2,3", "1,0000", "100%", "£100%", "1.000,50", "12.5.1"]
MONEY = [("1,250.50", Decimal("1250.50")), ("£31,234.56", Decimal("31234.56")), ("0", Decimal("0.00")),
         ("1250", Decimal("1250.00")), ("£ 5", Decimal("5.00")), (".5", Decimal("0.50"))]


def spend_form(draft, typed) -> dict:
    page = provider_client(draft.user_a).get(return_page())
    version = re.search(r'name="version" value="(\d*)"', page.content.decode()).group(1)
    return {"version": version, "action": "save", s.spend_key(draft.lines["staff"].pk): typed, "progress": "x"}


@pytest.mark.parametrize("typed", NOT_MONEY)
def test_money_typed_on_the_return_page_in_other_digits_or_with_a_per_cent_sign_is_refused(draft, typed):
    with Unchanged():
        response = provider_client(draft.user_a).post(return_page(), spend_form(draft, typed))

    assert response.status_code == 400
    assert "Enter the spend on Youth workers as a number, like 1250.50" in response.content.decode()


@pytest.mark.parametrize("typed, saved", MONEY)
def test_money_as_people_type_it_is_still_read(draft, typed, saved):
    response = provider_client(draft.user_a).post(return_page(), spend_form(draft, typed))

    assert response.status_code == 302
    assert SpendLine.objects.get(quarterly_return=return_of(draft.project_a),
                                 budget_line=draft.lines["staff"]).actual == saved


@pytest.mark.parametrize("typed", NOT_MONEY)
def test_money_typed_as_text_in_a_workbook_cell_in_other_digits_or_with_a_per_cent_sign_is_refused(draft, tmp_path,
                                                                                                  typed):
    content, layout = template_for(draft.project_a)
    book = fill_in(open_workbook(content), layout, draft.lines, draft.measures)
    cell = spend_cell(book, layout, draft.lines["staff"], t.SPEND_ACTUAL_COL)
    cell.value = typed

    [problem] = refused_file(workbook_bytes(book), draft.user_a, tmp_path, command=False)

    assert (problem.sheet, problem.cell) == (t.SPEND_SHEET, cell.coordinate)
    assert "is not a number" in problem.message


def test_a_percentage_typed_into_a_money_cell_of_a_workbook_is_refused(draft, tmp_path):
    """Excel turns "100%" typed into a cell into the number 1 formatted as a percentage."""
    content, layout = template_for(draft.project_a)
    book = fill_in(open_workbook(content), layout, draft.lines, draft.measures)
    cell = spend_cell(book, layout, draft.lines["staff"], t.SPEND_ACTUAL_COL)
    cell.value, cell.number_format = 1, "0%"

    [problem] = refused_file(workbook_bytes(book), draft.user_a, tmp_path, command=False)

    assert (problem.sheet, problem.cell) == (t.SPEND_SHEET, cell.coordinate)
    assert "holds a percentage (100%)" in problem.message


# --- Free text is capped -------------------------------------------------------------------------


def test_a_narrative_over_the_cap_on_the_return_page_is_refused_with_its_length(draft):
    data = {**spend_form(draft, "10"), "progress": "x" * (TEXT_MAX + 1)}

    with Unchanged():
        response = provider_client(draft.user_a).post(return_page(), data)

    assert response.status_code == 400
    assert f"Progress this quarter must be 10,000 characters or fewer (it has {TEXT_MAX + 1})" in \
        response.content.decode()


def test_a_narrative_over_the_cap_in_a_workbook_is_refused_naming_its_cell(draft, tmp_path):
    content, layout = template_for(draft.project_a)
    book = fill_in(open_workbook(content), layout, draft.lines, draft.measures)
    narrative_cell(book, "progress").value = "y" * 20_000

    [problem] = refused_file(workbook_bytes(book), draft.user_a, tmp_path)

    assert (problem.sheet, problem.cell) == (t.NARRATIVE_SHEET, narrative_cell(book, "progress").coordinate)
    assert "Progress this quarter is 20,000 characters long: it can be at most 10,000." in problem.message


def test_a_narrative_of_three_million_characters_is_refused_before_it_is_read(draft, tmp_path):
    """More than any spreadsheet cell holds: the file cannot have come from Excel."""
    import random
    import zipfile
    from io import BytesIO

    from tests.reporting.hostile_files import rewrite, sheet_parts
    from tests.reporting.template_helpers import TYPED_NARRATIVE

    content, layout = template_for(draft.project_a)
    filled = workbook_bytes(fill_in(open_workbook(content), layout, draft.lines, draft.measures))
    part = sheet_parts(filled)[t.NARRATIVE_SHEET]
    xml = zipfile.ZipFile(BytesIO(filled)).read(part)
    words = random.Random(13).choices(["youth", "work", "sessions", "ran", "well", "the", "and"], k=500_000)
    text = " ".join(words)[:3_000_000].encode()
    assert TYPED_NARRATIVE["challenges"].encode() in xml  # written as the cell's own text
    hostile = rewrite(filled, {part: xml.replace(TYPED_NARRATIVE["challenges"].encode(), text)})

    [problem] = refused_file(hostile, draft.user_a, tmp_path, command=False)

    assert problem.sheet == t.NARRATIVE_SHEET
    assert "a text of more than 32,767 characters" in problem.message


def test_the_longest_narrative_allowed_previews_and_confirms(draft):
    """It used to preview, then fail on confirming with a bare 400: the signed preview was over the limit."""
    content, layout = template_for(draft.project_a)
    book = fill_in(open_workbook(content), layout, draft.lines, draft.measures)
    longest = {key: ("Ä" + "é" * (TEXT_MAX - 2) + "z") for key in s.NARRATIVE_FIELDS}
    for key, text in longest.items():
        narrative_cell(book, key).value = text
    client = provider_client(draft.user_a)

    preview = client.post(url("return-upload"), {"file": upload_file(workbook_bytes(book))})
    assert preview.status_code == 200
    confirm = client.post(url("return-upload-confirm"), {"payload": payload_on(preview)})

    assert confirm.status_code == 302
    ret = QuarterlyReturn.objects.get(pk=draft.q2.pk)
    assert {key: getattr(ret, key) for key in s.NARRATIVE_FIELDS} == longest


def test_a_preview_too_large_to_post_back_is_refused_at_the_upload_with_a_message(draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 + 100
    content, layout = template_for(draft.project_a)
    book = fill_in(open_workbook(content), layout, draft.lines, draft.measures)

    response = provider_client(draft.user_a).post(url("return-upload"), {"file": upload_file(workbook_bytes(book))})

    assert response.status_code == 400
    assert "too much to confirm in one go" in response.content.decode()
    assert 'name="payload"' not in response.content.decode()
