"""
Long downloads written in the background (reporting/exports.py): a list over EXPORT_BACKGROUND_ROWS
rows and a report's workbook over EXPORT_BACKGROUND_PROJECTS projects go to a worker and a progress
page, smaller ones are sent at once as before; the file holds what the immediate download holds; only
its owner reaches it; a failure is recorded with its reason; expired files are purged.

Tasks run as they are enqueued here (tests/conftest.py: the ImmediateBackend), except where a test
holds them in Django's DummyBackend to see an export waiting for a worker.
"""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from reporting.exports import PROGRESS_STEPS, export_run, export_start
from reporting.models import Export
from tests.reporting.lists_fixtures import URLS, body, client_for, grow, two_years_and_an_outsider  # noqa: F401
from tests.reporting.report_fixtures import years  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT = "/reports/performance/"
SVF = REPORT + "?end=2019-20+Q2&subject=programme&programme=SVF"
PRIORITIES = REPORT + "?end=2019-20+Q2&subject=priorities"


def export_of(response) -> Export:
    assert response.status_code == 302, response.status_code
    pk = int(re.fullmatch(r"/reports/exports/(\d+)/", response["Location"]).group(1))
    return Export.objects.get(pk=pk)


def cells(data: bytes) -> dict:
    """Every sheet's cells, read back, by sheet name."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def file_of(client, export: Export):
    response = client.get(f"/reports/exports/{export.pk}/file/")
    assert response.status_code == 200
    return response, body(response)


# --- Which downloads go to the background ---------------------------------------------------------


@pytest.mark.parametrize("wanted", ["csv", "xlsx"])
def test_a_list_over_the_threshold_goes_to_the_background_and_one_at_it_does_not(
        two_years_and_an_outsider, settings, wanted):  # noqa: F811
    w = two_years_and_an_outsider
    client = client_for(w.commissioner)
    url = URLS["returns"] + f"?format={wanted}"
    immediate = client.get(url)
    assert immediate.status_code == 200
    rows = len(body(immediate).splitlines()) - 1 if wanted == "csv" else len(cells(body(immediate))["Quarterly returns"]) - 1
    assert rows >= 2

    settings.EXPORT_BACKGROUND_ROWS = rows
    assert client.get(url).status_code == 200
    assert not Export.objects.exists()

    settings.EXPORT_BACKGROUND_ROWS = rows - 1
    export = export_of(client.get(url))
    assert (export.owner, export.kind, export.status, export.progress) == (w.commissioner, "list", "done", 100)
    assert export.parameters["rows"] == rows and export.filename.endswith("." + wanted)


def test_a_reports_workbook_over_the_threshold_goes_to_the_background_but_its_page_does_not(years, settings):  # noqa: F811
    client = client_for(years.commissioner)
    settings.EXPORT_BACKGROUND_PROJECTS = 0
    assert client.get(SVF).status_code == 200
    export = export_of(client.get(SVF + "&format=xlsx"))
    assert (export.kind, export.status, export.filename) == ("report", "done", "programme-SVF-12-months-to-2019-09-30.xlsx")

    settings.EXPORT_BACKGROUND_PROJECTS = 1000
    response = client.get(SVF + "&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert Export.objects.count() == 1


# --- The same file either way ---------------------------------------------------------------------


@pytest.mark.parametrize("slug, query", [
    ("returns", "sort=-spend"), ("projects", "sort=-spent"), ("payments", "status=released&sort=-amount")])
def test_a_background_list_holds_the_same_cells_as_the_immediate_one(two_years_and_an_outsider, settings, slug, query):  # noqa: F811
    client = client_for(two_years_and_an_outsider.commissioner)
    url = URLS[slug] + f"?{query}&format=xlsx"
    immediate = body(client.get(url))
    settings.EXPORT_BACKGROUND_ROWS = 0
    export = export_of(client.get(url))
    response, kept = file_of(client, export)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert cells(kept) == cells(immediate)


def test_a_background_csv_is_byte_for_byte_the_immediate_one(two_years_and_an_outsider, settings):  # noqa: F811
    client = client_for(two_years_and_an_outsider.commissioner)
    url = URLS["returns"] + "?sort=variance&format=csv"
    immediate = body(client.get(url))
    settings.EXPORT_BACKGROUND_ROWS = 0
    _, kept = file_of(client, export_of(client.get(url)))
    assert kept == immediate and kept.startswith("\ufeff".encode())


@pytest.mark.parametrize("url", [SVF, PRIORITIES])
def test_a_background_report_workbook_holds_the_same_cells_as_the_immediate_one(years, settings, url):  # noqa: F811
    client = client_for(years.commissioner)
    # The cover says when the workbook was prepared: the same moment for both.
    with time_machine.travel(timezone.now(), tick=False):
        immediate = body(client.get(url + "&format=xlsx"))
        settings.EXPORT_BACKGROUND_PROJECTS = 0
        _, kept = file_of(client, export_of(client.get(url + "&format=xlsx")))
    assert cells(kept) == cells(immediate)
    assert len(cells(kept)) >= 4


# --- Only its owner -------------------------------------------------------------------------------


def test_only_the_owner_reaches_an_export(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.EXPORT_BACKGROUND_ROWS = 0
    export = export_of(client_for(w.commissioner).get(URLS["projects"] + "?format=csv"))
    owner = client_for(w.commissioner)
    assert owner.get(f"/reports/exports/{export.pk}/").status_code == 200
    assert owner.get(f"/reports/exports/{export.pk}/file/").status_code == 200
    assert export.title in owner.get("/reports/exports/").content.decode()
    # A colleague in the same organisation, a provider, another commissioner: none of them.
    for other in (w.finance, w.viewer, w.user_a, w.outsider):
        client = client_for(other)
        for path in (f"/reports/exports/{export.pk}/", f"/reports/exports/{export.pk}/file/"):
            assert client.get(path).status_code == 404, (other.username, path)
        assert export.title not in client.get("/reports/exports/").content.decode()
    assert client_for(None).get(f"/reports/exports/{export.pk}/file/").status_code == 302


def test_a_providers_background_list_is_of_its_own_reach(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    client = client_for(w.user_a)
    url = URLS["projects"] + "?format=csv"
    immediate = body(client.get(url))
    settings.EXPORT_BACKGROUND_ROWS = 0
    export = export_of(client.get(url))
    assert export.owner == w.user_a
    _, kept = file_of(client, export)
    assert kept == immediate and b"B-1" not in kept


# --- Progress, failure and expiry -------------------------------------------------------------------


def test_an_export_waits_for_a_worker_with_a_page_that_refreshes_itself(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EXPORT_BACKGROUND_ROWS = 0
    client = client_for(w.commissioner)
    export = export_of(client.get(URLS["returns"] + "?format=xlsx"))
    page = client.get(f"/reports/exports/{export.pk}/").content.decode()
    assert export.status == "queued"
    assert '<meta http-equiv="refresh" content="3">' in page and "0% written" in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1]
    assert client.get(f"/reports/exports/{export.pk}/file/").status_code == 409

    assert export_run(export.pk) == "done"
    assert export_run(export.pk) == "done"  # a second worker finds nothing to do
    page = client.get(f"/reports/exports/{export.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page and "Your file is ready" in page
    assert f"/reports/exports/{export.pk}/file/" in page


def test_a_failure_is_recorded_with_its_reason(actors):
    export = export_start(owner=actors.commissioner, kind=Export.Kind.REPORT, title="Report", filename="r.xlsx",
                          parameters={"query": "end=2019-20+Q2&subject=programme&programme=NOPE", "today": "2019-10-15"})
    export.refresh_from_db()
    assert export.status == "failed" and not export.file
    assert "no longer valid" in export.error
    page = client_for(actors.commissioner).get(f"/reports/exports/{export.pk}/").content.decode()
    assert "The file could not be written" in page and "no longer valid" in page


def test_an_unexpected_error_is_recorded_too(actors):
    export = export_start(owner=actors.commissioner, kind=Export.Kind.LIST, title="List", filename="l.csv",
                          parameters={"list": "no-such-list", "query": "", "format": "csv", "rows": 1})
    export.refresh_from_db()
    assert export.status == "failed" and "KeyError" in export.error and export.finished is not None


def test_an_expired_export_says_so_and_is_purged(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.EXPORT_BACKGROUND_ROWS = 0
    settings.EXPORT_RETENTION_HOURS = 24
    client = client_for(w.commissioner)
    old = export_of(client.get(URLS["projects"] + "?format=csv"))
    assert old.expires_at - old.created == timedelta(hours=24)
    name = old.file.name
    assert default_storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        fresh = export_of(client_for(w.commissioner).get(URLS["returns"] + "?format=csv"))
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        client = client_for(w.commissioner)  # signed in again: a session lasts eight hours
        page = client.get(f"/reports/exports/{old.pk}/")
        assert "This download has expired" in page.content.decode()
        assert client.get(f"/reports/exports/{old.pk}/file/").status_code == 410
        call_command("purge_exports", stdout=io.StringIO())
        assert not default_storage.exists(name)
        assert list(Export.objects.all()) == [fresh]
        assert default_storage.exists(fresh.file.name)
        assert client.get(f"/reports/exports/{old.pk}/").status_code == 404


@pytest.mark.parametrize("more", [0, 30])
def test_the_workers_queries_do_not_grow_with_the_rows(two_years_and_an_outsider, settings, more,  # noqa: F811
                                                      django_assert_max_num_queries):
    """Progress is saved at most PROGRESS_STEPS times, whatever the length of the list."""
    w = two_years_and_an_outsider
    grow(w, more)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EXPORT_BACKGROUND_ROWS = 0
    export = export_of(client_for(w.commissioner).get(URLS["returns"] + "?format=xlsx"))
    with django_assert_max_num_queries(8 + PROGRESS_STEPS):
        assert export_run(export.pk) == "done"
    export.refresh_from_db()
    assert export.progress == 100 and export.parameters["rows"] >= more


# --- A worker that stops ----------------------------------------------------------------------------


def running_export(w, settings, minutes_ago: int, progress: int = 40) -> Export:
    """An export a worker claimed and last saved progress on `minutes_ago` minutes ago, then went silent."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EXPORT_BACKGROUND_ROWS = 0
    export = export_of(client_for(w.commissioner).get(URLS["returns"] + "?format=xlsx"))
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=progress,
                                               touched=timezone.now() - timedelta(minutes=minutes_ago))
    return export


def test_an_export_whose_worker_stopped_is_shown_failed_with_what_to_do(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.EXPORT_STALLED_MINUTES = 15
    export = running_export(w, settings, minutes_ago=16)

    page = client_for(w.commissioner).get(f"/reports/exports/{export.pk}/").content.decode()

    export.refresh_from_db()
    assert export.status == "failed" and export.finished is not None
    assert "stopped before it finished (at 40%)" in export.error and "Ask for the download again" in page
    assert 'http-equiv="refresh"' not in page


def test_an_export_still_being_written_is_left_alone(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.EXPORT_STALLED_MINUTES = 15
    export = running_export(w, settings, minutes_ago=14)

    page = client_for(w.commissioner).get(f"/reports/exports/{export.pk}/").content.decode()
    call_command("purge_exports", stdout=io.StringIO())

    export.refresh_from_db()
    assert export.status == "running" and 'http-equiv="refresh"' in page


def test_the_purge_command_marks_stalled_exports_failed(two_years_and_an_outsider, settings):  # noqa: F811
    w = two_years_and_an_outsider
    settings.EXPORT_STALLED_MINUTES = 15
    export = running_export(w, settings, minutes_ago=60)
    out = io.StringIO()

    call_command("purge_exports", stdout=out)

    export.refresh_from_db()
    assert export.status == "failed" and "Marked 1 stalled export failed." in out.getvalue()


def test_a_worker_that_finishes_after_its_export_was_found_stalled_keeps_no_file(two_years_and_an_outsider,  # noqa: F811
                                                                                  settings, monkeypatch):
    """A worker paused long enough to be taken for dead (found stalled while it wrote), then finishing,
    neither revives the export nor leaves its file behind."""
    from reporting import exports

    w = two_years_and_an_outsider
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EXPORT_BACKGROUND_ROWS = 0
    settings.EXPORT_STALLED_MINUTES = 15
    export = export_of(client_for(w.commissioner).get(URLS["returns"] + "?format=xlsx"))
    written = exports._write

    def written_then_found_stalled(claimed, target):
        written(claimed, target)
        assert exports.exports_fail_stalled(now=timezone.now() + timedelta(minutes=16)) == 1

    monkeypatch.setattr(exports, "_write", written_then_found_stalled)
    folder = timezone.now().strftime("exports/%Y/%m")
    before = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()

    assert export_run(export.pk) == "failed"

    export.refresh_from_db()
    assert export.status == "failed" and not export.file and "stopped before it finished" in export.error
    after = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    assert after == before
