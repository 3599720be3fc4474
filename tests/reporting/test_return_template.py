"""
The provider's return template, round trip: written by write_template, filled
in with openpyxl as a provider fills it in a spreadsheet program, read back by
read_template and saved by return_save_draft (or the import_return command).
What is saved equals what was typed, to the penny, and equals what the web form
saves for the same figures. Also the template's shape (only the yellow cells
unlocked, every sheet protected, validation on the inputs, a very hidden signed
identity) and its formula safety.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import selectors
from grants.forms import ReturnForm
from grants.models import MeasureValue, ReturnEvent, SpendLine, User
from grants.services import returns as s
from grants.services.returns import ReturnInput
from reporting.spreadsheets import template as t
from reporting.spreadsheets.importer import read_template
from tests import factories as f
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    QUARTER,
    SAVED_MEASURES,
    SAVED_NARRATIVE,
    SAVED_SPEND,
    TYPED_NARRATIVE,
    TYPED_SPEND,
    Unit,
    client_for,
    draft,
    filled_template,
    fill_in,
    identity_rows,
    import_command,
    narrative_cell,
    open_workbook,
    outcome_cell,
    return_of,
    return_page,
    saved,
    spend_cell,
    template_for,
    web_form,
    where,
    workbook_bytes,
    equipped_twins,
)
from tests.worlds import FORMULA_NAME



def expected_saved(w) -> dict:
    return {
        "status": "draft",
        "narrative": SAVED_NARRATIVE,
        "spend": {w.lines[key].description: (amount, TYPED_SPEND[key][1]) for key, amount in SAVED_SPEND.items()},
        "measures": {w.measures[key].measure.name: value for key, value in SAVED_MEASURES.items()},
    }


# --- The round trip ----------------------------------------------------------------------------


def test_a_filled_in_template_is_saved_as_exactly_what_was_typed(equipped_twins):
    w = equipped_twins
    reading = read_template(filled_template(w), w.user_a)

    ret = s.return_save_draft(actor=w.user_a, project=reading.project, quarter=reading.quarter,
                              version=reading.version, data=reading.data)

    assert (reading.project, reading.quarter) == (w.project_a, QUARTER)
    assert saved(ret) == expected_saved(w)
    # To the penny, as stored, not merely equal as numbers.
    actuals = dict(SpendLine.objects.filter(quarterly_return=ret).values_list("budget_line_id", "actual"))
    assert [str(actuals[w.lines[key].pk]) for key in ("staff", "venue", "minibus")] == ["10250.50", "0.00", "31234.56"]
    values = dict(MeasureValue.objects.filter(quarterly_return=ret).values_list("project_measure_id", "value"))
    assert str(values[w.measures["raised"].pk]) == "1250.75"
    assert str(values[w.measures["rate"].pk]) == "96.50"


def test_the_import_command_saves_the_same_draft_as_typing_the_figures_into_the_return_page(equipped_twins, tmp_path):
    w = equipped_twins
    import_command(filled_template(w), w.user_a, tmp_path)

    typed = client_for(w.user_a).post(return_page("A-2"), web_form(w, w.twin_lines, w.twin_measures))

    assert typed.status_code == 302, typed.content.decode()
    imported, by_hand = return_of(w.project_a), return_of(w.twin)
    assert saved(imported) == saved(by_hand) == expected_saved(w)
    for ret in (imported, by_hand):
        events = list(ret.events.values_list("kind", "actor"))
        assert events == [(ReturnEvent.Kind.CREATED, w.user_a.pk), (ReturnEvent.Kind.SAVED, w.user_a.pk)]


def test_the_reading_is_the_same_input_the_web_form_gives_for_the_same_figures(equipped_twins):
    w = equipped_twins
    lines, measures = selectors.lines_and_measures(w.project_a, QUARTER)
    form = ReturnForm(web_form(w, w.lines, w.measures), lines=lines, measures=measures)
    assert form.is_valid(), form.errors

    reading = read_template(filled_template(w), w.user_a)

    assert reading.data == form.to_input()


def test_the_template_is_pre_filled_with_what_is_saved(equipped_twins):
    w = equipped_twins
    reading = read_template(filled_template(w), w.user_a)
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None, data=reading.data)

    content, layout = template_for(w.project_a)
    book = open_workbook(content)

    assert [spend_cell(book, layout, w.lines[key], t.SPEND_ACTUAL_COL).value for key in ("staff", "venue", "minibus")] \
        == [10250.5, 0, 31234.56]
    assert spend_cell(book, layout, w.lines["minibus"], t.SPEND_EXPLANATION_COL).value.startswith("The minibus cost")
    values = {key: [outcome_cell(book, layout, pm, col).value
                    for col in (t.OUTCOME_VALUE_COL, t.OUTCOME_NOT_COLLECTED_COL, t.OUTCOME_REASON_COL)]
              for key, pm in w.measures.items()}
    assert values == {
        "engaged": [35, "No", None], "rate": [96.5, "No", None], "raised": [1250.75, "No", None],
        "met": ["Yes", "No", None], "repeat": [None, "Yes", "The partner agency's case system was down all quarter."],
    }
    assert {key: narrative_cell(book, key).value for key in TYPED_NARRATIVE} == TYPED_NARRATIVE


@pytest.mark.parametrize("resaved", [False, True], ids=["as downloaded", "opened and saved again"])
def test_an_untouched_template_changes_nothing(equipped_twins, resaved):
    w = equipped_twins
    reading = read_template(filled_template(w), w.user_a)
    ret = s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None, data=reading.data)
    before = saved(ret)
    history = (SpendLine.history.count(), MeasureValue.history.count())
    content, _layout = template_for(w.project_a)
    if resaved:
        content = workbook_bytes(open_workbook(content))

    again = read_template(content, w.user_a)

    assert again.changes == []
    assert not again.changed_since_download
    assert again.data == s.input_from_return(ret)
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=again.version, data=again.data)
    assert saved(ret) == before
    assert (SpendLine.history.count(), MeasureValue.history.count()) == history


def test_the_template_of_a_return_not_started_is_blank_and_changes_nothing(equipped_twins):
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)

    reading = read_template(content, w.user_a)

    assert all(spend_cell(book, layout, line, col).value is None
               for line in w.lines.values() for col in (t.SPEND_ACTUAL_COL, t.SPEND_EXPLANATION_COL))
    assert all(outcome_cell(book, layout, pm, t.OUTCOME_VALUE_COL).value is None for pm in w.measures.values())
    assert reading.ret is None and reading.changes == []
    assert all(entry.actual is None for entry in reading.data.spend.values())
    assert all(entry.value is None and not entry.not_collected for entry in reading.data.measures.values())


def test_the_reading_lists_each_change_with_its_cell_and_old_and_new_value(draft):
    w = draft
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)

    reading = read_template(workbook_bytes(book), w.user_a)

    changes = {change.what: change for change in reading.changes}
    staff = changes["Spend: Youth workers"]
    sheet, cell = where(spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL))
    assert staff.where == f"{sheet}!{cell}" == "Spend!G7"  # lines in order of category: capital, non-staff, staff
    assert (staff.old, staff.new) == ("£5,000.00", "£10,250.50")
    engaged = changes["Young people engaged"]
    assert (Decimal(engaged.old), Decimal(engaged.new)) == (12, 35)
    assert changes["Progress this quarter"].old == "Half way through the quarter."
    assert changes["Repeat victims: not collected"].new == "Yes"
    # The draft's RAG was amber already: what is unchanged is not listed.
    assert "Your RAG rating for the project this quarter" not in changes
    # Nothing was saved by reading.
    assert saved(w.q2)["spend"]["Youth workers"] == (Decimal("5000.00"), "")


def test_a_zero_typed_into_a_blank_cell_is_a_change(draft):
    w = draft
    content, layout = template_for(w.project_a)
    book = open_workbook(content)
    spend_cell(book, layout, w.lines["venue"], t.SPEND_ACTUAL_COL).value = 0
    outcome_cell(book, layout, w.measures["met"], t.OUTCOME_VALUE_COL).value = "No"

    reading = read_template(workbook_bytes(book), w.user_a)

    assert reading.data.spend[w.lines["venue"].pk].actual == 0
    assert {change.what for change in reading.changes} == {"Spend: Venue hire", "Steering group met"}


# --- The template's shape ----------------------------------------------------------------------


def input_cells(w, layout) -> dict[str, set[str]]:
    """The yellow cells, by sheet, from the template's own constants."""
    def name(row, col):
        return f"{chr(ord('A') + col)}{row + 1}"

    return {
        t.SPEND_SHEET: {name(row, col) for row in layout.spend_rows.values()
                        for col in (t.SPEND_ACTUAL_COL, t.SPEND_EXPLANATION_COL)},
        t.OUTCOMES_SHEET: {name(row, col) for row in layout.measure_rows.values()
                           for col in (t.OUTCOME_VALUE_COL, t.OUTCOME_NOT_COLLECTED_COL, t.OUTCOME_REASON_COL)},
        t.NARRATIVE_SHEET: {name(t.FIRST_DATA_ROW + i, t.NARRATIVE_INPUT_COL) for i in range(len(t.NARRATIVE_FIELDS))},
        "Return": set(),
        t.IDENTITY_SHEET: set(),
    }


def test_only_the_yellow_input_cells_are_unlocked_and_every_sheet_is_protected(equipped_twins):
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)
    expected = input_cells(w, layout)

    assert expected[t.SPEND_SHEET] == {"G5", "H5", "G6", "H6", "G7", "H7"}
    assert expected[t.NARRATIVE_SHEET] == {"B5", "B6", "B7", "B8", "B9"}
    for sheet in book.worksheets:
        unlocked = {cell.coordinate for row in sheet.iter_rows() for cell in row if not cell.protection.locked}
        assert unlocked == expected[sheet.title], sheet.title
        assert sheet.protection.sheet, f"{sheet.title} is not protected"
        # Rows cannot be inserted or deleted, so figures cannot move off their lines.
        assert sheet.protection.insertRows and sheet.protection.deleteRows, sheet.title
    assert book.sheetnames == ["Return", t.SPEND_SHEET, t.OUTCOMES_SHEET, t.NARRATIVE_SHEET, t.IDENTITY_SHEET]


def test_the_identity_sheet_is_very_hidden_and_signed_with_the_secret_key(equipped_twins, settings):
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)

    states = {sheet.title: sheet.sheet_state for sheet in book.worksheets}
    assert states == {"Return": "visible", t.SPEND_SHEET: "visible", t.OUTCOMES_SHEET: "visible",
                      t.NARRATIVE_SHEET: "visible", t.IDENTITY_SHEET: "veryHidden"}
    rows = identity_rows(book)
    values = dict(rows)
    assert values["template_version"] == t.TEMPLATE_VERSION
    assert (values["project_id"], values["project"]) == (str(w.project_a.pk), "A-1")
    assert (values["financial_year"], values["quarter"]) == ("2023", "2")
    assert values[f"spend:{w.lines['staff'].pk}"] == str(layout.spend_rows[w.lines["staff"].pk])
    assert rows[-1] == (t.SIGNATURE_KEY, t.sign(rows[:-1]))
    settings.SECRET_KEY = "another-secret-key-entirely"
    assert t.sign(rows[:-1]) != rows[-1][1]


def validation_of(sheet, coordinate):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, f"{sheet.title}!{coordinate} has {len(found)} validation rules"
    dv = found[0]
    return dv.type, dv.operator, dv.formula1, dv.formula2


def test_input_cells_carry_data_validation_for_their_kind_of_value(equipped_twins):
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)
    spend, outcomes, narrative = book[t.SPEND_SHEET], book[t.OUTCOMES_SHEET], book[t.NARRATIVE_SHEET]

    for line in w.lines.values():
        kind, operator, low, high = validation_of(spend, spend_cell(book, layout, line, t.SPEND_ACTUAL_COL).coordinate)
        assert (kind, operator in (None, "between"), low, Decimal(high)) == ("decimal", True, "0", Decimal("9999999999.99"))

    def value_rule(key):
        return validation_of(outcomes, outcome_cell(book, layout, w.measures[key], t.OUTCOME_VALUE_COL).coordinate)

    assert value_rule("engaged") == ("whole", "greaterThanOrEqual", "0", None)
    assert value_rule("rate")[0] == "decimal" and value_rule("rate")[2:] == ("0", "100")
    assert value_rule("raised") == ("decimal", "greaterThanOrEqual", "0", None)
    assert value_rule("met")[0::2] == ("list", '"Yes,No"')
    for pm in w.measures.values():
        rule = validation_of(outcomes, outcome_cell(book, layout, pm, t.OUTCOME_NOT_COLLECTED_COL).coordinate)
        assert rule[0::2] == ("list", '"Yes,No"')
    assert validation_of(narrative, narrative_cell(book, "self_rag").coordinate)[0::2] == ("list", '"Red,Amber,Green"')


def test_the_template_shows_the_profile_the_targets_and_the_earlier_quarters(equipped_twins):
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)

    minibus = [spend_cell(book, layout, w.lines["minibus"], col).value for col in range(t.SPEND_ACTUAL_COL)]
    # Spent in the earlier quarters sent (Q1, submitted), and the profile of those same quarters.
    assert minibus == ["Minibus", "Capital", 30000, 30000, 0, 0]
    staff = [spend_cell(book, layout, w.lines["staff"], col).value for col in range(t.SPEND_ACTUAL_COL)]
    assert staff == ["Youth workers", "Staff (labour)", 40000, 10000, 9800, 10000]
    rate = [outcome_cell(book, layout, w.measures["rate"], col).value for col in range(t.OUTCOME_VALUE_COL)]
    assert rate[:7] == ["Voluntary engagement rate", "Percentage", "Higher", "Level: the latest value stands", None,
                        "90", "90"]
    assert rate[7] == "Q1: 88.5"
    repeat = [outcome_cell(book, layout, w.measures["repeat"], col).value for col in range(t.OUTCOME_VALUE_COL)]
    assert repeat[2:4] == ["Lower", "Events or contacts: quarters add up"]
    assert outcome_cell(book, layout, w.measures["met"], 7).value == "Q1: Yes"


def test_the_instructions_say_the_programmes_variance_threshold_as_people_write_it(equipped_twins):
    content, _ = template_for(equipped_twins.project_a)
    cells = [cell.value for row in open_workbook(content)["Return"].iter_rows() for cell in row]
    assert any(isinstance(v, str) and "more than 10% away from its profile" in v for v in cells)  # not "1E+1%"


def test_the_template_holds_no_formulas_at_all(equipped_twins):
    w = equipped_twins
    reading = read_template(filled_template(w), w.user_a)
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None, data=reading.data)
    content, _layout = template_for(w.project_a)
    book = open_workbook(content)

    formulas = [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for row in sheet.iter_rows()
                for cell in row if cell.data_type == "f"]

    assert formulas == []


# --- Formula safety ------------------------------------------------------------------------


@pytest.fixture
def formula_names(actors):
    """A project, a budget line and a measure each named like a formula."""
    w = actors
    w.project = f.ProjectFactory(allocation=w.allocation_a, reference="HL-1", name=FORMULA_NAME)
    w.line = f.BudgetLineFactory(project=w.project, description=FORMULA_NAME)
    w.pm = f.ProjectMeasureFactory(project=w.project, measure=f.OutcomeMeasureFactory(name=FORMULA_NAME, unit=Unit.COUNT))
    return w


def test_names_that_look_like_formulas_come_out_as_text(formula_names):
    w = formula_names
    content, layout = template_for(w.project)
    book = open_workbook(content)

    cells = [
        book["Return"]["B3"],
        spend_cell(book, layout, w.line, t.SPEND_LABEL_COL),
        outcome_cell(book, layout, w.pm, t.OUTCOME_LABEL_COL),
    ]
    assert [cell.value for cell in cells] == [f"{FORMULA_NAME} (HL-1)", FORMULA_NAME, FORMULA_NAME]
    assert [cell.data_type for cell in cells] == ["s", "s", "s"]
    assert all(cell.quotePrefix for cell in cells)
    assert book["Return"]["A1"].value == f"Quarterly return: {FORMULA_NAME}"


def test_a_template_whose_names_look_like_formulas_round_trips(formula_names):
    w = formula_names
    content, layout = template_for(w.project)
    book = open_workbook(content)
    spend_cell(book, layout, w.line, t.SPEND_ACTUAL_COL).value = 125.5
    outcome_cell(book, layout, w.pm, t.OUTCOME_VALUE_COL).value = 7

    reading = read_template(workbook_bytes(book), w.user_a)
    ret = s.return_save_draft(actor=w.user_a, project=w.project, quarter=QUARTER, version=None, data=reading.data)

    assert saved(ret)["spend"] == {FORMULA_NAME: (Decimal("125.50"), "")}
    assert saved(ret)["measures"] == {FORMULA_NAME: (Decimal("7"), False, "")}
    assert read_template(workbook_bytes(open_workbook(template_for(w.project)[0])), w.user_a).changes == []


FORMULA_LIKE_NARRATIVE = {
    "progress": "=SUM(A1:A3) sessions ran, see the register",
    "challenges": "+44 more referrals than planned",
    "case_study": "-fewer exclusions this term than last",
    "risks": '@venue =HYPERLINK("http://x","click")',
}


def test_narrative_that_starts_like_a_formula_comes_out_as_text_and_round_trips(equipped_twins):
    w = equipped_twins
    ret = s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None,
                              data=ReturnInput(**FORMULA_LIKE_NARRATIVE))
    content, _layout = template_for(w.project_a)
    book = open_workbook(content)

    cells = {key: narrative_cell(book, key) for key in FORMULA_LIKE_NARRATIVE}
    assert {key: cell.value for key, cell in cells.items()} == FORMULA_LIKE_NARRATIVE
    assert {cell.data_type for cell in cells.values()} == {"s"}
    assert all(cell.quotePrefix for cell in cells.values())

    reading = read_template(workbook_bytes(book), w.user_a)
    assert reading.changes == []
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=reading.version,
                        data=reading.data)
    assert {key: value for key, value in saved(ret)["narrative"].items() if key in FORMULA_LIKE_NARRATIVE} \
        == FORMULA_LIKE_NARRATIVE


def test_text_a_provider_types_with_a_formula_sign_in_front_is_read_as_that_text(equipped_twins):
    """In a spreadsheet program, '=... (with the quote) or a cell formatted as text holds text, not a formula."""
    w = equipped_twins
    content, layout = template_for(w.project_a)
    book = open_workbook(content)
    for key, text in FORMULA_LIKE_NARRATIVE.items():
        cell = narrative_cell(book, key)
        cell.value = text
        cell.data_type = "s"
        cell.quotePrefix = True
    spend_cell(book, layout, w.lines["staff"], t.SPEND_EXPLANATION_COL).value = "-£200 against the profile"

    reading = read_template(workbook_bytes(book), w.user_a)

    assert {key: getattr(reading.data, key) for key in FORMULA_LIKE_NARRATIVE} == FORMULA_LIKE_NARRATIVE
    assert reading.data.spend[w.lines["staff"].pk].explanation == "-£200 against the profile"


# --- Queries ------------------------------------------------------------------------------


def test_writing_and_reading_a_template_take_the_same_number_of_queries_for_more_lines_and_measures(equipped_twins):
    w = equipped_twins

    def queries(project):
        content = filled_template(w, project)
        with CaptureQueriesContext(connection) as written:
            template_for(project)
        with CaptureQueriesContext(connection) as read:
            read_template(content, w.user_a)
        return len(written), len(read)

    small = queries(w.project_a)
    for n in range(4):
        f.BudgetLineFactory(project=w.project_a, description=f"Extra line {n}")
        f.ProjectMeasureFactory(project=w.project_a, measure=f.OutcomeMeasureFactory(name=f"Extra measure {n}"))
    large = queries(w.project_a)

    assert small == large


@pytest.mark.django_db(transaction=True)
def test_one_import_takes_at_most_15_queries_and_as_many_for_more_lines_and_measures(equipped_twins):
    """Reading a filled-in template and saving it as the quarter's new return, as the import_return
    command does: the same queries for 7 more lines and measures, 15 at most. Committed as in production
    (BEGIN and COMMIT are not counted), so the change of the figures' token is counted."""
    w = equipped_twins

    def queries(quarter):
        content = filled_template(w, w.project_a, quarter)
        user = User.objects.get(pk=w.user_a.pk)  # as a request has it: nothing of it read yet
        with CaptureQueriesContext(connection) as imported:
            reading = read_template(content, user)
            s.return_save_draft(actor=user, project=reading.project, quarter=reading.quarter, version=None,
                                data=reading.data, lines_and_measures=reading.lines_and_measures)
        assert any('UPDATE "grants_figuresversion"' in q["sql"] for q in imported.captured_queries)
        assert SpendLine.objects.filter(quarterly_return__quarter=quarter.number).exists()
        return sum(1 for q in imported.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")))

    small = queries(QUARTER)
    for n in range(7):
        f.BudgetLineFactory(project=w.project_a, description=f"Extra line {n}")
        f.ProjectMeasureFactory(project=w.project_a, measure=f.OutcomeMeasureFactory(name=f"Extra measure {n}"))
    large = queries(QUARTER.next())

    assert small == large
    assert small <= 15


def test_narrative_typed_on_the_web_with_line_breaks_round_trips_unchanged(equipped_twins):
    w = equipped_twins
    form = web_form(w, w.lines, w.measures)
    form["progress"] = "Ran 24 sessions.\r\nTen young people joined the league."  # as a browser sends a textarea
    assert client_for(w.user_a).post(return_page(), form).status_code == 302
    assert return_of(w.project_a).progress == "Ran 24 sessions.\nTen young people joined the league."  # kept as LF

    reading = read_template(template_for(w.project_a)[0], w.user_a)

    assert reading.data.progress.splitlines() == ["Ran 24 sessions.", "Ten young people joined the league."]
    assert reading.changes == []
