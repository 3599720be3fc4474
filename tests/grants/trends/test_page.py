"""The trends page /places/<ONS code>/<theme>/ and its CSV: who sees what, the figures as worked out by
hand in tests/grants/trends/helpers.py, small counts never shown, and as many queries at two sizes."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.worlds import built_once, client_for, fresh

from .helpers import a_force_area_with_two_partnerships, more_wards

once = built_once(a_force_area_with_two_partnerships)
NORTHTOWN = "/places/E22000001/hate-crime/"
TESTSHIRE = "/places/E23000099/hate-crime/"
SOUTHTOWN = "/places/E22000002/hate-crime/"
CASTLE = "/places/E05000003/hate-crime/"
CSV = "/reports/places/E22000001/hate-crime.csv"


@pytest.fixture
def w(once, db):
    return fresh(once)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


class TestWhoSeesWhat:
    @pytest.mark.parametrize("who, path, expected", [
        ("commissioner", TESTSHIRE, 200), ("finance", TESTSHIRE, 200), ("viewer", TESTSHIRE, 200),
        ("commissioner", NORTHTOWN, 200), ("commissioner", SOUTHTOWN, 200), ("commissioner", CASTLE, 200),
        ("manager", NORTHTOWN, 200), ("manager", CASTLE, 200), ("user_b", NORTHTOWN, 200),
        ("manager", TESTSHIRE, 404), ("manager", SOUTHTOWN, 404),
        ("user_a", SOUTHTOWN, 200), ("user_a", NORTHTOWN, 404), ("user_a", CASTLE, 404), ("user_a", TESTSHIRE, 404),
        ("outsider", NORTHTOWN, 404), ("outsider", TESTSHIRE, 404),
        ("commissioner", "/places/E22000001/knife-crime/", 404), ("commissioner", "/places/E99999999/hate-crime/", 404),
    ])
    def test_the_page_answers(self, w, who, path, expected):
        assert client_for(getattr(w, who)).get(path).status_code == expected

    def test_the_csv_answers_as_the_page(self, w):
        assert client_for(w.manager).get(CSV).status_code == 200
        assert client_for(w.user_a).get(CSV).status_code == 404
        assert client_for(w.outsider).get(CSV).status_code == 404

    def test_anyone_signed_out_is_sent_to_sign_in(self, w):
        for path in ("/places/", NORTHTOWN, CSV):
            response = client_for(None).get(path)
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    def test_the_list_links_each_area_and_theme_one_may_see(self, w):
        commissioner = text(client_for(w.commissioner).get("/places/"))
        for name in ("Testshire", "Northtown", "Southtown", "Abbey", "Castle"):
            assert f"Hate crime in {name}" in commissioner
        manager = client_for(w.manager).get("/places/").content.decode()
        assert NORTHTOWN in manager and CASTLE in manager
        assert TESTSHIRE not in manager and SOUTHTOWN not in manager
        assert "There are no figures" in text(client_for(w.outsider).get("/places/"))


class TestTheFigures:
    def test_the_series_summary_in_words(self, w):
        page = text(client_for(w.manager).get(NORTHTOWN))
        assert ("Hate crime in Northtown rose from 266 to 303 crimes in the 12 months to March 2024, 13.9% more than "
                "the year before; an average of 25.3 crimes a month.") in page
        assert ("Hate crime in Northtown rose from 360 to 480 crimes in the 12 months to March 2024, 33.3% more "
                "than the year before; an average of 40.0 crimes a month.") in page

    def test_the_table_has_the_rolling_average_and_the_change_on_last_year(self, w):
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        section = html.split(f'data-testid="series-{w.ward_series.pk}"')[1]
        row = re.search(r'data-period="January 2024">(.*?)</tr>', section, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', row) == ["28", "24.8", "+6 (+27.3%)"]
        row = re.search(r'data-period="December 2023">(.*?)</tr>', section, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', row) == ["25", "24.3", "+3 (+13.6%)"]
        row = re.search(r'data-period="March 2023">(.*?)</tr>', section, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', row) == ["22", "22.2", "none"]

    def test_the_caveats_source_and_definition_stand_beside_the_chart(self, w):
        page = text(client_for(w.manager).get(NORTHTOWN))
        assert "Rises can reflect more victims coming forward" in page
        assert "Testshire Police recorded crime" in page and "motivated by hostility or prejudice" in page

    def test_the_wards_are_ranked_with_the_hotspots_first(self, w):
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        table = html.split('data-testid="sub-area-table"')[1].split("</table>")[0]
        names = re.findall(r'data-area="(E\d+)"', table)
        assert names == ["E05000001", "E05000005", "E05000002", "E05000003", "E05000004"]
        assert "the largest rises on the year before: Abbey (+24 (+40.0%)); Elm (+12 (+10.0%))." in text(
            client_for(w.manager).get(NORTHTOWN))

    def test_the_force_area_ranks_its_partnerships(self, w):
        page = text(client_for(w.commissioner).get(TESTSHIRE))
        assert "rose from 1,200 to 1,320 crimes" in page and "10.0% more" in page
        assert "the largest rises on the year before: Northtown (+120 (+33.3%))." in page

    def test_the_survey_results_with_their_intervals(self, w):
        page = text(client_for(w.manager).get(NORTHTOWN))
        assert ("Feel safe outside after dark in Northtown: 65.0% (95% confidence interval 62.0% to 68.0%) in 2023-24, "
                "against 70.0% (95% confidence interval 67.0% to 73.0%) in 2022-23: no clear change") in page
        assert ("Confident to report hate crime in Northtown: 58.0% (95% confidence interval 55.0% to 61.0%) in "
                "2023-24, against 50.0% (95% confidence interval 47.0% to 53.0%) in 2022-23: it rose") in page

    def test_a_period_can_be_chosen(self, w):
        page = text(client_for(w.manager).get(NORTHTOWN + "?to=2023-12"))
        # January to March 2023 at 22, April to December 2023 at 25: 291; the 12 months before start in
        # January 2022, before the series does, so there is nothing to compare with.
        assert ("Hate crime in Northtown: 291 crimes in the 12 months to December 2023; an average of 24.3 crimes a "
                "month. No complete figures for the year before.") in page
        assert "12 months to March 2024" in text(client_for(w.manager).get(NORTHTOWN + "?to=nonsense"))


class TestSmallCountsAreNeverShown:
    def test_the_ward_with_3_crimes_reads_fewer_than_5(self, w):
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        castle = re.search(r'data-area="E05000003">(.*?)</tr>', html, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', castle) == ["fewer than 5", "fewer than 5", "hidden"]
        dale = re.search(r'data-area="E05000004">(.*?)</tr>', html, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', dale) == ["hidden", "hidden", "hidden"]

    def test_the_chart_data_leaves_them_out(self, w):
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        data = re.search(rf'id="series-{w.ward_series.pk}-areas-data" type="application/json">(.*?)</script>', html, re.S).group(1)
        assert '"Castle"' in data and '"3"' not in data and '"2"' not in data and '"24"' not in data

    def test_its_own_page_shows_no_count_of_it(self, w):
        html = client_for(w.manager).get(CASTLE).content.decode()
        cells = re.findall(r'data-series="(?:count|mean|change)">([^<]*)<', html)
        # Only zeros (and figures from zeros alone) are shown: never the 2 or the 3, nor anything worked from them.
        assert cells and not [c for c in cells if re.search(r"[1-9]", c.replace("fewer than 5", ""))]
        assert "fewer than 5" in cells and "hidden" in cells
        data = re.search(rf'id="series-{w.ward_series.pk}-data" type="application/json">(.*?)</script>', html, re.S).group(1)
        assert '"3"' not in data and '"2"' not in data

    def test_the_total_less_the_others_leaves_two_counts_not_one(self, w):
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        table = html.split('data-testid="sub-area-table"')[1].split("</table>")[0]
        current = [c for c in re.findall(r'data-series="current">([^<]*)<', table)]
        shown = [int(c.replace(",", "")) for c in current if c.isdigit()]
        assert sum(shown) == 84 + 60 + 132 and len(current) - len(shown) == 2  # 303 - 276 = 27 = Castle + Dale

    def test_nor_in_the_csv(self, w):
        found = rows_of(client_for(w.manager).get(CSV))
        assert found[0] == ["Indicator", "Area", "ONS code", "Period", "Figure", "Value", "Note", "Source"]
        castle = [r for r in found if r[1] == "Castle"]
        assert castle and all(r[5] == "" for r in castle) and {r[6] for r in castle} == {"fewer than 5"}
        dale = [r for r in found if r[1] == "Dale"]
        assert dale and all(r[5] == "" and r[6] == "hidden" for r in dale)
        abbey = [r[5] for r in found if r[1] == "Abbey"]
        assert abbey == ["84", "60"]
        january = [r for r in found if r[1] == "Northtown" and r[3] == "January 2024" and r[0] == "Hate crime"]
        assert ["28", "24.8", "6"] in [[r[5] for r in january[i:i + 3]] for i in range(0, len(january), 3)]

    def test_the_threshold_is_a_setting(self, w, settings):
        settings.PLACE_SUPPRESS_BELOW = 13
        html = client_for(w.manager).get(NORTHTOWN).content.decode()
        dale = re.search(r'data-area="E05000004">(.*?)</tr>', html, re.S).group(1)
        assert re.findall(r'data-series="\w+">([^<]*)<', dale)[1] == "fewer than 13"


class TestQueries:
    def test_the_page_reads_as_many_queries_for_many_more_wards_and_months(self, w):
        def queries():
            client = client_for(w.manager)
            client.get(NORTHTOWN)  # the session and the user, read once
            with CaptureQueriesContext(connection) as captured:
                assert client.get(NORTHTOWN).status_code == 200
            return len(captured)

        small = queries()
        more_wards(w, 40)
        assert queries() == small
        assert small <= 12

    def test_the_list_reads_as_many_queries_for_more_areas(self, w):
        def queries():
            client = client_for(w.commissioner)
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/places/").status_code == 200
            return len(captured)

        small = queries()
        more_wards(w, 40)
        assert queries() == small
