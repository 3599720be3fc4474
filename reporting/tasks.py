"""The background tasks (Django's task API, run by `manage.py db_worker`)."""

from django_tasks import task

from reporting.exports import export_run


@task()
def run_export(export_id: int) -> str:
    """Write export `export_id`'s file (reporting/exports.py)."""
    return export_run(export_id)
