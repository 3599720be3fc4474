"""Importing figures: preview then confirm through the pages, a forged or tampered payload refused,
re-importing updates rather than duplicates, the command for a cron, who may import and who sees what,
and the queries of an import and of the list page at two sizes."""

from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from grants import permissions
from grants.models import Area, Indicator, IndicatorImport, IndicatorValue, User
from grants.selectors.places import indicator_values_for, indicators_for
from grants.services import NotAllowed
from grants.services.places import indicator_save, indicator_values_import
from reporting.places.preview import PAYLOAD_SALT, read_indicator_file
from tests import factories as f
from tests.worlds import client_for

from .helpers import CRIME_HEADINGS, CSP, WARD, areas, crime_rows, csv_bytes

pytestmark = pytest.mark.django_db
IMPORT = "/reports/places/indicators/import/"
CONFIRM = "/reports/places/indicators/import/confirm/"
LIST = "/reports/places/indicators/"


@pytest.fixture
def world(actors):
    actors.csp, actors.ward = areas()
    return actors


def upload(client, content, layout="crime", name="crime.csv", **extra):
    return client.post(IMPORT, {"layout": layout, "file": SimpleUploadedFile(name, content), **extra})


def test_the_urls_are_named():
    assert reverse("reporting:indicator-list") == LIST
    assert reverse("reporting:indicator-import") == IMPORT
    assert reverse("reporting:indicator-import-confirm") == CONFIRM


def test_preview_then_confirm_saves_every_row(world):
    client = client_for(world.commissioner)
    preview = upload(client, csv_bytes(CRIME_HEADINGS, crime_rows()), theme="hate-crime")
    assert preview.status_code == 200
    assert b"6 figures to add" in preview.content and not IndicatorValue.objects.exists()
    response = client.post(CONFIRM, {"payload": preview.context["payload"]}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "6 figures added, 0 changed, 0 already held; 1 new series." in response.content.decode()
    indicator = Indicator.objects.get()
    assert (indicator.owner, indicator.theme, indicator.kind) == (world.commissioner_org, "hate-crime", "crime")
    assert IndicatorValue.objects.count() == 6
    record = IndicatorImport.objects.get()
    assert (record.imported_by, record.rows, record.created, record.layout) == (world.commissioner, 6, 6, "crime")
    assert indicator.history.count() == 1 and indicator.history.get().history_user == world.commissioner


def test_a_problem_is_shown_and_nothing_can_be_confirmed(world):
    response = upload(client_for(world.commissioner), csv_bytes(CRIME_HEADINGS, [("2019-09", "E22999999", "X", "1")]))
    assert response.status_code == 400 and "payload" not in response.context
    assert "Row 2, column B (Area code)" in response.content.decode()


def test_a_forged_or_tampered_payload_is_refused(world):
    client = client_for(world.commissioner)
    preview = upload(client, csv_bytes(CRIME_HEADINGS, crime_rows()))
    payload = preview.context["payload"]
    tampered = payload[:-3] + ("aaa" if not payload.endswith("aaa") else "bbb")
    forged = signing.dumps({"user": world.commissioner.pk, "owner": world.commissioner_org.pk}, salt="another")
    for bad in (tampered, forged, "", "not a payload"):
        response = client.post(CONFIRM, {"payload": bad})
        assert response.status_code == 400
    # Another commissioner officer cannot confirm this one's preview, even of their own organisation.
    colleague = f.UserFactory(organisation=world.commissioner_org, role=User.Role.COMMISSIONER)
    assert client_for(colleague).post(CONFIRM, {"payload": payload}).status_code == 400
    # A signed payload naming another organisation is refused.
    other = signing.dumps({"user": world.outsider.pk, "owner": world.commissioner_org.pk, "layout": "crime",
                           "file": "x", "sha256": "", "series": [], "rows": []}, salt=PAYLOAD_SALT, compress=True)
    assert client_for(world.outsider).post(CONFIRM, {"payload": other}).status_code == 400
    assert not IndicatorValue.objects.exists() and not IndicatorImport.objects.exists()


def test_reimporting_updates_rather_than_duplicates(world):
    client = client_for(world.commissioner)
    ids = []
    for count in (10, 10, 12):
        preview = upload(client, csv_bytes(CRIME_HEADINGS, crime_rows(count=count)))
        client.post(CONFIRM, {"payload": preview.context["payload"]})
        ids.append(set(IndicatorValue.objects.values_list("pk", flat=True)))
    assert ids[0] == ids[1] == ids[2]  # changed in place
    assert IndicatorValue.objects.count() == 6 and Indicator.objects.count() == 1
    assert set(IndicatorValue.objects.values_list("value", flat=True)) == {Decimal("12.00")}
    assert list(IndicatorImport.objects.order_by("pk").values_list("created", "updated")) == [(6, 0), (0, 0), (0, 6)]
    latest = IndicatorImport.objects.order_by("-pk").first()
    assert set(IndicatorValue.objects.values_list("imported_in", flat=True)) == {latest.pk}


def test_a_preview_says_what_changes(world):
    client = client_for(world.commissioner)
    client.post(CONFIRM, {"payload": upload(client, csv_bytes(CRIME_HEADINGS, crime_rows())).context["payload"]})
    rows = crime_rows()
    rows[0] = (*rows[0][:3], 99)
    preview = upload(client, csv_bytes(CRIME_HEADINGS, rows)).context["preview"]
    assert (preview.created_count, preview.changed_count, preview.unchanged_count) == (0, 1, 5)
    assert (preview.changed[0].old, preview.changed[0].new, preview.changed[0].row) == (Decimal("10.00"), 99, 2)


@pytest.mark.parametrize("actor, allowed", [
    ("commissioner", True), ("finance", False), ("viewer", False), ("user_a", False), ("user_b", False),
    ("outsider", True),  # for its own organisation's figures only
])
def test_who_may_open_the_import(world, actor, allowed):
    response = client_for(getattr(world, actor)).get(IMPORT)
    assert response.status_code == (200 if allowed else 403)


def test_a_partnership_manager_may_import_its_own_figures_and_an_administrator_reads_only(world):
    admin = f.UserFactory(organisation=world.commissioner_org, role=User.Role.ADMINISTRATOR)
    manager = f.UserFactory(organisation=world.provider_b, role=User.Role.PARTNERSHIP)
    assert permissions.can_manage_indicators(world.commissioner, world.commissioner_org)[0]
    assert not permissions.can_manage_indicators(admin, world.commissioner_org)[0]
    assert permissions.can_manage_indicators(manager, world.provider_b)[0]
    assert not permissions.can_manage_indicators(manager, world.commissioner_org)[0]
    assert not permissions.can_manage_indicators(world.commissioner, world.provider_b)[0]
    preview = upload(client_for(manager), csv_bytes(CRIME_HEADINGS, crime_rows()))
    client_for(manager).post(CONFIRM, {"payload": preview.context["payload"]})
    assert Indicator.objects.get().owner == world.provider_b


def test_the_service_refuses_anyone_else(world):
    preview = read_indicator_file(csv_bytes(CRIME_HEADINGS, crime_rows()), layout="crime",
                                  owner=world.commissioner_org, file_name="x.csv")
    for actor in (world.finance, world.viewer, world.user_a, world.outsider):
        with pytest.raises(NotAllowed):
            indicator_values_import(actor=actor, owner=world.commissioner_org, rows=preview.rows, layout="crime",
                                    file_name="x.csv", sha256=preview.sha256)
    with pytest.raises(NotAllowed):
        indicator_save(actor=world.viewer, owner=world.commissioner_org, values={"name": "X"})


def test_indicator_save_adds_and_changes_a_series(world):
    values = {"kind": "other", "name": "ASB incidents", "theme": "asb", "source": "Council", "unit": "incidents",
              "definition": "Incidents reported to the council.", "caveats": ""}
    indicator = indicator_save(actor=world.commissioner, owner=world.commissioner_org, values=values)
    changed = indicator_save(actor=world.commissioner, owner=world.commissioner_org, values={"unit": "reports"},
                             indicator=indicator, version=indicator.version)
    assert changed.unit == "reports" and changed.version == 1 and changed.history.count() == 2


def _funder_values(world):
    """The funder's hate crime series in the partnership area and a ward; provider A's project in the ward."""
    client = client_for(world.commissioner)
    client.post(CONFIRM, {"payload": upload(client, csv_bytes(CRIME_HEADINGS, crime_rows())).context["payload"]})


def test_who_sees_which_values(world):
    _funder_values(world)
    world.project_a.area = world.ward
    world.project_a.save(update_fields=["area"])
    assert indicator_values_for(world.commissioner).count() == 6
    assert indicator_values_for(world.viewer).count() == 6
    assert set(indicator_values_for(world.user_a).values_list("area__code", flat=True)) == {WARD}
    # Provider B's project serves no area with figures: it sees the series, none of its values.
    assert indicator_values_for(world.user_b).count() == 0 and indicators_for(world.user_b).count() == 1
    assert indicator_values_for(world.outsider).count() == 0 and indicators_for(world.outsider).count() == 0
    page = client_for(world.user_a).get(LIST).content.decode()
    assert "Hate crime" in page and "Central ward" in page and "Testshire CSP" not in page
    assert "Import figures" not in page
    assert "Import figures" in client_for(world.commissioner).get(LIST).content.decode()
    assert "Hate crime" not in client_for(world.outsider).get(LIST).content.decode()


def test_the_command_imports_and_reports_problems_with_their_places(world, tmp_path, capsys):
    good = tmp_path / "crime.csv"
    good.write_bytes(csv_bytes(CRIME_HEADINGS, crime_rows()))
    owner = world.commissioner_org.name
    call_command("import_indicators", str(good), "--layout", "crime", "--owner", owner, "--dry-run")
    assert "nothing saved: 6 rows: 6 to add" in capsys.readouterr().out and not IndicatorValue.objects.exists()
    call_command("import_indicators", str(good), "--layout", "crime", "--owner", owner, "--theme", "hate-crime")
    assert "6 added, 0 changed, 0 already held (1 new series)" in capsys.readouterr().out
    record = IndicatorImport.objects.get()
    assert record.imported_by is None and Indicator.objects.get().theme == "hate-crime"
    call_command("import_indicators", str(good), "--layout", "crime", "--owner", owner)
    assert "0 added, 0 changed, 6 already held" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(CRIME_HEADINGS, [("2019-09", CSP, "Burglary", "-1")]))
    with pytest.raises(CommandError) as error:
        call_command("import_indicators", str(bad), "--layout", "crime", "--owner", owner)
    assert "Row 2, column D (Count): The count cannot be negative." in str(error.value)
    with pytest.raises(CommandError):
        call_command("import_indicators", str(good), "--layout", "crime", "--owner", "Nobody")
    assert IndicatorValue.objects.count() == 6


def _rows(world, areas_count, first=0):
    made = [Area.objects.create(name=f"Ward {n}", code=f"E0510{n:04d}", code_type="WD")
            for n in range(first, first + areas_count)]
    preview = read_indicator_file(
        csv_bytes(CRIME_HEADINGS, crime_rows(codes=[a.code for a in made], types=("Burglary", "Robbery"))),
        layout="crime", owner=world.commissioner_org, file_name="x.csv")
    return preview.rows


def test_an_import_takes_the_same_queries_for_more_rows(world, django_assert_num_queries,
                                                       django_assert_max_num_queries):
    """A fixed few, plus one a batch of rows: on SQLite Django writes about 70 values a statement, so these
    sizes stay inside one batch; PostgreSQL takes 2,000 a statement (README, "Importing indicators")."""
    small, large = _rows(world, 1), _rows(world, 5, first=10)  # 6 and 30 rows, the same series
    assert (len(small), len(large)) == (6, 30)
    # Savepoint; the series; a new series and its history; the import record (and the kept pages' figures
    # token it moves); the values held; their insert; the record's counts; release.
    with django_assert_num_queries(10):
        indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=small, layout="crime",
                                file_name="x.csv", sha256="")
    with django_assert_max_num_queries(8):  # five times the rows; the series are held now
        indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=large, layout="crime",
                                file_name="x.csv", sha256="")


def test_the_list_page_takes_the_same_queries_at_two_sizes(world, django_assert_max_num_queries):
    client = client_for(world.commissioner)
    indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=_rows(world, 1),
                            layout="crime", file_name="x.csv", sha256="")
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    more = read_indicator_file(csv_bytes(CRIME_HEADINGS, crime_rows(types=[f"Type {n}" for n in range(20)])),
                               layout="crime", owner=world.commissioner_org, file_name="x.csv").rows
    indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=more, layout="crime",
                            file_name="x.csv", sha256="")
    assert Indicator.objects.count() == 22
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST)


def test_the_list_never_shows_a_small_count_as_its_latest_figure(world):
    # The latest figure of the series is Central ward's (the first area by name in the latest month): 3 crimes.
    rows = [("2019-09", WARD, "Hate crime", 3), ("2019-09", CSP, "Hate crime", 40)]
    preview = read_indicator_file(csv_bytes(CRIME_HEADINGS, rows), layout="crime", owner=world.commissioner_org,
                                  file_name="x.csv")
    indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=preview.rows,
                            layout="crime", file_name="x.csv", sha256=preview.sha256)
    page = client_for(world.commissioner).get(LIST).content.decode()
    assert "Central ward" in page and "fewer than 5 crimes" in page
    assert ">3 crimes" not in page and "3.00" not in page


def test_a_series_says_what_it_is_on_its_own_page(world):
    preview = read_indicator_file(csv_bytes(CRIME_HEADINGS, crime_rows()), layout="crime",
                                  owner=world.commissioner_org, file_name="x.csv")
    indicator_values_import(actor=world.commissioner, owner=world.commissioner_org, rows=preview.rows,
                            layout="crime", file_name="x.csv", sha256=preview.sha256)
    series = Indicator.objects.get()
    url = f"/reports/places/indicators/{series.pk}/edit/"
    officer = client_for(world.commissioner)
    assert url in officer.get(LIST).content.decode()
    assert url not in client_for(world.viewer).get(LIST).content.decode()
    form = {"name": "Hate crime", "theme": "hate-crime", "category": series.category, "source": "police.uk",
            "unit": "crimes", "definition": "Crimes the police recorded as motivated by hostility.",
            "caveats": "Reports rise as more victims come forward.", "version": series.version}
    refused = officer.post(url, {**form, "theme": "Hate Crime!"})
    assert refused.status_code == 400 and "lower-case letters, digits and hyphens" in refused.content.decode()
    assert officer.post(url, form).status_code == 302
    series.refresh_from_db()
    assert (series.source, series.caveats) == ("police.uk", "Reports rise as more victims come forward.")
    assert "Reports rise as more victims come forward." in officer.get(LIST).content.decode()
    stale = officer.post(url, form)  # the version it was opened at is gone
    assert stale.status_code in (400, 409) and "changed since you opened it" in stale.content.decode()
    assert client_for(world.viewer).post(url, form).status_code == 403
