"""
Downloads written in the background: a list of more than EXPORT_BACKGROUND_ROWS rows, or a report's
workbook whose reach holds more than EXPORT_BACKGROUND_PROJECTS projects.

The view records what was asked for (`export_start`), a worker (`manage.py db_worker`, Django's task
API with its database backend) writes the file from the same parameters through the same functions as
the immediate path (reporting/downloads.py), and the owner follows it on its progress page and
downloads it from there until `expires_at`, after which `manage.py purge_exports` deletes it.

Only the owner ever reaches an export: everything starts from `exports_for_user`, and any other
export is 404.
"""

import datetime
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone

from reporting.downloads import LISTS, build_report, list_columns_and_rows, list_table, report_form, write_list
from reporting.models import Export

logger = logging.getLogger(__name__)

# Progress is saved at most this many times while a list is written, whatever its length (each save is a
# commit: on SQLite about 15 ms).
PROGRESS_STEPS = 10


class ExportRefused(Exception):
    """The export can no longer be written as asked; the message is for its owner."""


# --- Selectors ----------------------------------------------------------------------------------


def exports_for_user(user):
    """The user's own exports, newest first."""
    return Export.objects.filter(owner=user)


def export_for_user(user, pk) -> Export:
    """The user's export `pk`, or 404: another user's export does not exist for them. One whose worker
    has stopped is found failed (`exports_fail_stalled`)."""
    try:
        export = exports_for_user(user).get(pk=pk)
    except (Export.DoesNotExist, ValueError, TypeError):
        raise Http404("No such download")
    if export.status == Export.Status.RUNNING and exports_fail_stalled(pk=export.pk):
        export.refresh_from_db()
    return export


# --- Services -----------------------------------------------------------------------------------


def export_start(*, owner, kind: str, parameters: dict, title: str, filename: str) -> Export:
    """Record an export for `owner` and hand it to the workers."""
    from reporting.tasks import run_export  # the task module imports this one

    now = timezone.now()
    with transaction.atomic():
        export = Export(owner=owner, kind=kind, parameters=parameters, title=title, filename=filename,
                        created=now, expires_at=now + timedelta(hours=settings.EXPORT_RETENTION_HOURS))
        export.full_clean()
        export.save()
    # Outside the transaction: the database backend commits the task on its own, and an immediate
    # backend (the tests') finds the export committed or, in a test's transaction, visible.
    run_export.enqueue(export.pk)
    return export


def _claim(export_id) -> Export | None:
    """Move the export from queued to running; None if it is not queued (another worker has it)."""
    with transaction.atomic():
        claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
            status=Export.Status.RUNNING, progress=0, touched=timezone.now())
    return Export.objects.select_related("owner").get(pk=export_id) if claimed else None


def _progress(export_id, percent: int):
    Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
        progress=min(max(percent, 0), 99), touched=timezone.now())


def _counted(rows, export_id, total: int):
    """The rows, passing through, with the export's progress saved every 1/PROGRESS_STEPS of `total`."""
    step = max(-(-total // PROGRESS_STEPS), 1)  # rounded up: at most PROGRESS_STEPS saves
    for done, row in enumerate(rows, start=1):
        yield row
        if done % step == 0 and total:
            _progress(export_id, done * 100 // total)


def _write(export: Export, target):
    params, owner = export.parameters, export.owner
    if not owner.is_active:
        raise ExportRefused("Your account is no longer active.")
    query = QueryDict(params.get("query", ""))
    if export.kind == Export.Kind.LIST:
        spec = LISTS[params["list"]]
        _, table, _, valid = list_table(spec, owner, query)
        if not valid:
            raise ExportRefused("The list's filters are no longer valid: choose them again on the list.")
        queryset = table.data.data
        _, rows = list_columns_and_rows(spec, queryset)
        write_list(spec, queryset, params["format"], target,
                   rows=_counted(rows, export.pk, int(params.get("rows") or 0)))
        return
    today = datetime.date.fromisoformat(params["today"])
    submitted, form = report_form(owner, query, today)
    if not submitted or not form.is_valid():
        raise ExportRefused("The report's choices are no longer valid: choose them again on the report page.")
    _progress(export.pk, 5)
    report, _, write = build_report(owner, form)
    _progress(export.pk, 60)
    write(target, report)


def export_run(export_id) -> str:
    """Write the export's file (the worker's side). Returns the export's status."""
    export = _claim(export_id)
    if export is None:
        return _status(export_id)
    try:
        with tempfile.TemporaryFile() as target:
            _write(export, target)
            target.seek(0)
            export.file.save(export.filename, File(target), save=False)
    except ExportRefused as refusal:
        return _fail(export, str(refusal))
    except Exception as error:  # the owner sees that it failed and why, the log has the traceback
        logger.exception("Export %s failed", export.pk)
        return _fail(export, f"The file could not be written ({type(error).__name__}: {error}). "
                             "Try again; if it fails again, tell your administrator.")
    # Still running: not found stalled and failed meanwhile (then its file is not kept).
    if not Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
            file=export.file.name, status=Export.Status.DONE, progress=100, finished=timezone.now()):
        export.file.delete(save=False)
        return _status(export.pk)
    return Export.Status.DONE


def _status(export_id) -> str:
    return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or "missing"


def _fail(export: Export, message: str) -> str:
    if export.file:
        export.file.delete(save=False)
    Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
        file="", status=Export.Status.FAILED, error=message[:2000], finished=timezone.now())
    return _status(export.pk)


STALLED_MESSAGE = ("The worker writing this file stopped before it finished (at {progress}%). Ask for the "
                   "download again; if it stops again, tell your administrator.")


def exports_fail_stalled(*, now: datetime.datetime | None = None, pk: int | None = None) -> int:
    """Mark failed every running export (or only `pk`) whose worker has not been heard of for
    EXPORT_STALLED_MINUTES: its process died or its machine restarted. Returns how many."""
    now = now or timezone.now()
    stalled = Export.objects.filter(status=Export.Status.RUNNING,
                                    touched__lt=now - timedelta(minutes=settings.EXPORT_STALLED_MINUTES))
    if pk is not None:
        stalled = stalled.filter(pk=pk)
    failed = 0
    for export_id, progress in stalled.values_list("pk", "progress"):
        failed += Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
            status=Export.Status.FAILED, error=STALLED_MESSAGE.format(progress=progress), finished=now)
    if failed:
        logger.warning("%s background export(s) found stalled and marked failed", failed)
    return failed


def exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every export past its `expires_at`, file and record. Returns how many."""
    now = now or timezone.now()
    purged = 0
    for export in Export.objects.filter(expires_at__lte=now).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        purged += 1
    return purged
