"""The trends rules (grants/figures/trends.py) against figures worked out by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from grants.figures import trends as t
from grants.figures.places import survey_interval


def counts(*values, below=5):
    return [t.suppress(v, below) for v in values]


class TestSuppression:
    @pytest.mark.parametrize("value, shown", [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"),
                                              (1204, "1,204"), (None, "none")])
    def test_counts_from_1_to_4_read_fewer_than_5(self, value, shown):
        assert t.shown_as(t.suppress(value), 5) == shown

    def test_a_hidden_count_never_carries_its_value(self):
        assert t.suppress(3) == t.Count(None, t.SMALL)

    def test_the_threshold_is_the_callers(self):
        assert t.shown_as(t.suppress(9, 10), 10) == "fewer than 10"
        assert t.suppress(10, 10).value == D(10)


class TestRollingFigures:
    def test_a_12_month_mean_needs_12_months(self):
        found = t.rolling(counts(*range(10, 23)), 12)  # 10 .. 22
        assert [r.mean for r in found[:11]] == [t.NONE] * 11
        assert found[11].total.value == D(186) and found[11].mean.value == D("15.5")  # 10..21
        assert found[12].total.value == D(198) and found[12].mean.value == D("16.5")  # 11..22

    def test_the_mean_is_rounded_half_up_to_one_place(self):
        # 303 / 12 = 25.25 -> 25.3
        found = t.rolling(counts(*([25] * 9 + [28, 25, 25])), 12)
        assert found[-1].total.value == D(303) and found[-1].mean.value == D("25.3")

    def test_a_4_quarter_mean_for_quarters(self):
        found = t.rolling(counts(10, 20, 30, 41), 4)
        assert found[-1].mean.value == D("25.3")  # 101 / 4 = 25.25

    def test_a_yearly_series_has_none(self):
        assert t.rolling(counts(10, 20), None) == [t.Rolling(t.NONE, t.NONE)] * 2

    def test_a_missing_month_leaves_the_window_without_a_figure(self):
        found = t.rolling([*counts(*[10] * 5), t.NONE, *counts(*[10] * 6)], 12)
        assert found[-1] == t.Rolling(t.NONE, t.NONE)

    def test_a_hidden_month_hides_the_window(self):
        # Else the total less the other eleven months would give the hidden month away.
        found = t.rolling(counts(*[10] * 11, 3), 12)
        assert found[-1].total == t.Count(None, t.DERIVED) and found[-1].mean.hidden


class TestChangeOnLastYear:
    def test_count_and_percentage(self):
        # 1,204 -> 1,391: +187, 15.531...% -> 15.5%
        assert t.change(t.Count(D(1391)), t.Count(D(1204))) == t.Change(D(187), D("15.5"))
        assert t.change_text(t.change(t.Count(D(1391)), t.Count(D(1204)))) == "+187 (+15.5%)"

    def test_a_fall(self):
        assert t.change(t.Count(D(60)), t.Count(D(72))) == t.Change(D(-12), D("-16.7"))
        assert t.change_text(t.Change(D(-12), D("-16.7"))) == "−12 (−16.7%)"

    def test_none_last_year_or_zero_last_year_gives_no_percentage_and_no_division(self):
        assert t.change(t.Count(D(12)), t.NONE) == t.Change()
        assert t.change(t.Count(D(12)), t.Count(D(0))) == t.Change(D(12), None)
        assert t.change_text(t.Change(D(12), None)) == "+12 (no percentage: none a year before)"

    def test_a_change_from_or_to_a_hidden_count_is_hidden(self):
        assert t.change(t.Count(D(12)), t.suppress(3)).hidden
        assert t.change(t.suppress(3), t.Count(D(12))).hidden


class TestSubAreas:
    ROWS = [("Abbey", "E05000001", 84, 60), ("Brook", "E05000002", 60, 72), ("Castle", "E05000003", 3, 2),
            ("Dale", "E05000004", 24, 12), ("Elm", "E05000005", 132, 120)]

    def test_ranked_by_rise_with_the_small_and_the_protecting_last(self):
        found = t.sub_areas(self.ROWS, 5)
        assert [(s.name, s.rank, s.hotspot, s.change_text) for s in found] == [
            ("Abbey", 1, True, "+24 (+40.0%)"), ("Elm", 2, True, "+12 (+10.0%)"), ("Brook", 3, False, "−12 (−16.7%)"),
            ("Castle", None, False, "hidden"), ("Dale", None, False, "hidden")]
        castle, dale = found[3], found[4]
        assert (castle.current_text, castle.previous_text) == ("fewer than 5", "fewer than 5")
        assert (dale.current, dale.previous) == (t.Count(None, t.PROTECTS), t.Count(None, t.PROTECTS))

    def test_one_small_count_cannot_be_worked_back_from_the_total(self):
        """The area's total (303) less every count shown leaves two hidden counts, never one."""
        found = t.sub_areas(self.ROWS, 5)
        shown = sum(s.current.value for s in found if s.current.value is not None)
        assert 303 - shown == 27 and sum(1 for s in found if s.current.value is None) == 2

    def test_two_small_counts_protect_each_other(self):
        found = t.sub_areas([("A", "", 3, 10), ("B", "", 2, 10), ("C", "", 20, 10)], 5)
        assert {s.name: s.current.hidden for s in found} == {"A": t.SMALL, "B": t.SMALL, "C": ""}

    def test_ties_are_broken_by_name(self):
        found = t.sub_areas([("Zed", "", 20, 10), ("Ash", "", 30, 20), ("Mid", "", 15, 10)], 5)
        assert [s.name for s in found] == ["Ash", "Zed", "Mid"]

    def test_an_incomplete_year_has_no_change_and_is_no_hotspot(self):
        found = t.sub_areas([("New", "", 50, None), ("Old", "", 20, 10)], 5)
        assert [(s.name, s.rank, s.hotspot) for s in found] == [("Old", 1, True), ("New", None, False)]

    def test_only_rises_are_hotspots_and_at_most_five(self):
        rows = [(f"Area {i}", "", 20 + i, 20) for i in range(7)]
        found = t.sub_areas(rows, 5)
        assert [s.name for s in found if s.hotspot] == ["Area 6", "Area 5", "Area 4", "Area 3", "Area 2"]
        assert not found[-1].hotspot and found[-1].change.count == 0


class TestSurveyChange:
    def test_overlapping_intervals_are_no_clear_change(self):
        assert t.survey_change((D(65), D(62), D(68)), (D(70), D(67), D(73))) == t.NO_CLEAR_CHANGE

    def test_touching_intervals_overlap(self):
        assert t.survey_change((D(65), D(62), D(67)), (D(70), D(67), D(73))) == t.NO_CLEAR_CHANGE

    def test_apart_they_are_a_change(self):
        assert t.survey_change((D(58), D(55), D(61)), (D(50), D(47), D(53))) == t.ROSE
        assert t.survey_change((D(50), D(47), D(53)), (D(58), D(55), D(61))) == t.FELL

    def test_without_an_interval_no_change_is_called(self):
        assert t.survey_change((D(58), None, None), (D(50), D(47), D(53))) == t.NO_INTERVAL
        assert t.survey_change((D(58), D(55), D(61)), None) == t.NO_INTERVAL

    def test_wilson_intervals_of_the_same_result_overlap(self):
        a = survey_interval(50, 100)
        assert (a.low, a.high) == (D("40.38"), D("59.62"))
        assert t.survey_change((D(50), a.low, a.high), (D(50), a.low, a.high)) == t.NO_CLEAR_CHANGE


class TestInWords:
    def test_a_rise(self):
        text = t.series_summary(name="Hate crime", area="Bristol", unit="crimes", period_type="month",
                                month=date(2024, 3, 1), current=t.Count(D(1391)), previous=t.Count(D(1204)))
        assert text == ("Hate crime in Bristol rose from 1,204 to 1,391 crimes in the 12 months to March 2024, "
                        "15.5% more than the year before; an average of 115.9 crimes a month.")

    def test_a_fall_by_quarter(self):
        text = t.series_summary(name="Hate crime", area="Bristol", unit="crimes", period_type="quarter",
                                month=date(2024, 3, 1), current=t.Count(D(90)), previous=t.Count(D(100)))
        assert text == ("Hate crime in Bristol fell from 100 to 90 crimes in the 12 months to March 2024, "
                        "10.0% fewer than the year before; an average of 22.5 crimes a quarter.")

    def test_from_zero(self):
        text = t.series_summary(name="Hate crime", area="Dale", unit="crimes", period_type="month",
                                month=date(2024, 3, 1), current=t.Count(D(12)), previous=t.Count(D(0)))
        assert "rose from 0 to 12 crimes" in text and "no percentage" in text

    def test_hidden_totals_are_not_given_in_words(self):
        text = t.series_summary(name="Hate crime", area="Castle", unit="crimes", period_type="month",
                                month=date(2024, 3, 1), current=t.suppress(3), previous=t.suppress(2))
        assert "3" not in text.replace("March 2024", "") and "fewer than 5" in text

    def test_a_survey(self):
        text = t.survey_summary(name="Feel safe", area="Northtown", latest_label="2023-24",
                                latest=(D("65.0"), D("62.0"), D("68.0")), earlier_label="2022-23",
                                earlier=(D("70.0"), D("67.0"), D("73.0")), verdict=t.NO_CLEAR_CHANGE)
        assert text == ("Feel safe in Northtown: 65.0% (95% confidence interval 62.0% to 68.0%) in 2023-24, against "
                        "70.0% (95% confidence interval 67.0% to 73.0%) in 2022-23: no clear change, because the "
                        "intervals overlap.")


class TestPeriods:
    def test_the_last_quarter_ended_by_a_month(self):
        starts = [date(2023, 10, 1), date(2024, 1, 1)]
        assert t.last_period_to("quarter", starts, date(2024, 3, 1)) == date(2024, 1, 1)
        assert t.last_period_to("quarter", starts, date(2024, 2, 1)) == date(2023, 10, 1)

    def test_months_back_across_a_year(self):
        assert t.add_months(date(2024, 3, 1), -23) == date(2022, 4, 1)
