"""Reading a file of figures against each layout: good files (CSV and xlsx), and every problem listed with
its row and column (and sheet), with nothing saved."""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Indicator, IndicatorValue
from reporting.places.layouts import Options
from reporting.places.preview import FileRefused, read_indicator_file

from .helpers import CRIME_HEADINGS, CSP, OTHER_HEADINGS, SURVEY_HEADINGS, WARD, areas, crime_rows, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(actors):
    areas()
    return actors.commissioner_org


def read(content, layout, owner, **options):
    return read_indicator_file(content, layout=layout, owner=owner, file_name="figures.csv", options=Options(**options))


def problems(content, layout, owner):
    with pytest.raises(FileRefused) as refused:
        read(content, layout, owner)
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_crime_file_is_read_row_by_row(owner, make):
    preview = read(make(CRIME_HEADINGS, crime_rows()), "crime", owner, theme="hate-crime")
    assert len(preview.rows) == 6 and preview.created_count == 6
    row = preview.rows[0]
    assert (row.series.name, row.series.theme, row.series.unit) == ("Hate crime", "hate-crime", "crimes")
    assert "Crime Data Integrity" in row.series.caveats
    assert (row.period_type, row.period_start, row.value) == ("month", date(2019, 7, 1), Decimal("10.00"))
    assert preview.new_series == ["Hate crime"]
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_survey_file_works_out_a_missing_interval_and_keeps_a_given_one(owner, make):
    rows = [("2019-20 Q2", CSP, "Feel safe after dark", "", "50", "100", "15", "", ""),
            ("2019-20 Q2", CSP, "Feel safe after dark", "Most deprived fifth", "45", "300", "9", "39", "51")]
    preview = read(make(SURVEY_HEADINGS, rows), "survey", owner)
    everyone, deprived = preview.rows
    assert (everyone.ci_low, everyone.ci_high, everyone.sample_size) == (Decimal("40.38"), Decimal("59.62"), 100)
    assert (everyone.period_type, everyone.period_start) == ("quarter", date(2019, 7, 1))
    assert (deprived.breakdown, deprived.ci_low, deprived.ci_high) == ("Most deprived fifth", Decimal("39"), Decimal("51"))
    assert deprived.response_rate == Decimal("9.00")


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_an_other_file_takes_its_unit(owner, make):
    rows = [("2019-20", CSP, "Referrals to MARAC", "412", "referrals")]
    preview = read(make(OTHER_HEADINGS, rows), "other", owner)
    assert preview.rows[0].series.unit == "referrals" and preview.rows[0].period_type == "year"


def test_headings_are_matched_without_case_and_extra_columns_are_ignored(owner):
    content = csv_bytes(["  MONTH", "area code", "Area name", "crime TYPE", "count"],
                        [("2019-09", CSP, "Testshire", "Burglary", "3")])
    preview = read(content, "crime", owner)
    assert preview.ignored == ["Area name"] and preview.rows[0].value == 3


def test_the_wrong_layout_names_the_missing_headings(owner):
    found = problems(csv_bytes(OTHER_HEADINGS, [("2019-09", CSP, "x", "1", "y")]), "crime", owner)
    assert len(found) == 1 and "missing: Month, Crime type, Count" in found[0]


def test_every_problem_is_listed_with_its_row_and_column(owner):
    rows = [
        ("2019-13", CSP, "Burglary", "3"),  # row 2: bad month
        ("2019-09", "E22999999", "Burglary", "3"),  # row 3: unknown area
        ("2019-09", CSP, "Burglary", "-4"),  # row 4: negative
        ("2019-09", CSP, "Robbery", "many"),  # row 5: not a number
        ("2019-09", CSP, "Robbery", "2.5"),  # row 6: not whole
        ("2019-09", WARD, "Burglary", "1"),  # row 7: fine
        ("2019-09", WARD, "Burglary", "1"),  # row 8: repeats row 7
    ]
    found = problems(csv_bytes(CRIME_HEADINGS, rows), "crime", owner)
    assert found == [
        "Row 2, column A (Month): “2019-13” is not a month: the month is 01 to 12",
        "Row 3, column B (Area code): No area has the ONS code “E22999999”. Ask an administrator to add it, or "
        "correct the code.",
        "Row 4, column D (Count): The count cannot be negative.",
        "Row 5, column D (Count): “many” is not a number. Enter the count.",
        "Row 6, column D (Count): The count is a whole number.",
        "Row 8: This row repeats row 7: the same series, area, period.",
    ]
    assert not IndicatorValue.objects.exists()


def test_survey_problems_name_their_cells_and_the_sheet(owner):
    rows = [
        ("2019-20", CSP, "Q", "", "101", "100", "", "", ""),  # over 100
        ("2019-20", CSP, "Q2", "", "50", "100", "", "40", ""),  # one end only
        ("2019-20", CSP, "Q3", "", "50", "100", "", "55", "60"),  # does not hold the value
        ("2019-20", CSP, "Q4", "", "50", "", "", "", ""),  # no sample and no interval
    ]
    found = problems(xlsx_bytes(SURVEY_HEADINGS, rows, sheet="Survey"), "survey", owner)
    assert found == [
        "Sheet Survey, row 2, column E (Percentage): The percentage is at most 100.",
        "Sheet Survey, row 3, column I (CI upper): Give both ends of the 95% interval, or neither (it is then "
        "worked out from the sample).",
        "Sheet Survey, row 4, column H (CI lower): The interval 55.00–60.00 does not hold the percentage 50.00.",
        "Sheet Survey, row 5, column F (Sample size): Enter the number who answered.",
    ]


def test_one_measure_has_one_unit(owner):
    rows = [("2019-09", CSP, "ASB incidents", "4", "incidents"), ("2019-10", CSP, "ASB incidents", "4", "calls")]
    assert problems(csv_bytes(OTHER_HEADINGS, rows), "other", owner) == [
        "Row 3, column E (Unit): Row 2 gives this measure in “incidents”: one measure has one unit."]


def test_an_empty_file_and_a_file_of_headings_only_are_refused(owner):
    assert problems(b"", "crime", owner) == ["The file is empty."]
    assert problems(b"\xef\xbb\xbf\r\n", "crime", owner) == ["The file is empty."]
    assert problems(csv_bytes(CRIME_HEADINGS, []), "crime", owner) == [
        "The file has its headings but no rows of figures."]


def test_text_that_is_not_utf8_is_refused_with_its_line(owner):
    content = "Month,Area code,Crime type,Count\r\n2019-09,E22000001,Vol\u00e9,1\r\n".encode("latin-1")
    assert problems(content, "crime", owner) == [
        "Row 2: The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."]


def test_text_that_starts_like_a_formula_is_refused(owner):
    rows = [("2019-09", CSP, "=HYPERLINK(\"http://example.com\")", "1")]
    assert problems(csv_bytes(CRIME_HEADINGS, rows), "crime", owner) == [
        "Row 2, column C (Crime type): This text starts like a formula (=, +, -, @). Type it without that character."]


def test_a_formula_cell_is_refused_rather_than_its_cached_value_trusted(owner):
    content = xlsx_bytes(CRIME_HEADINGS, [("2019-09", CSP, "Burglary", "=1+1")])
    assert problems(content, "crime", owner) == [
        "Sheet Figures, row 2, column D (Count): This cell holds a formula. Copy the column and paste it as values."]


def test_too_many_rows_is_refused_before_they_are_read(owner, settings):
    settings.INDICATOR_IMPORT_MAX_ROWS = 5
    for make in (csv_bytes, xlsx_bytes):
        found = problems(make(CRIME_HEADINGS, crime_rows(codes=(CSP, WARD, CSP, WARD))[:6]), "crime", owner)
        assert len(found) == 1 and "more than 5 rows" in found[0]


def test_a_month_typed_as_a_date_in_a_workbook_is_its_month(owner):
    content = xlsx_bytes(CRIME_HEADINGS, [(date(2019, 9, 1), CSP, "Burglary", 3)])
    assert read(content, "crime", owner).rows[0].period_start == date(2019, 9, 1)
