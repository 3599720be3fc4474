"""Delete background exports past their time (EXPORT_RETENTION_HOURS), files and records, and mark
failed those whose worker stopped (EXPORT_STALLED_MINUTES without a sign of it).

Run it from cron, for example hourly: `manage.py purge_exports`."""

from django.core.management.base import BaseCommand

from reporting.exports import exports_fail_stalled, exports_purge


class Command(BaseCommand):
    help = "Delete background exports whose time has passed, with their files."

    def handle(self, *args, **options):
        stalled = exports_fail_stalled()
        if stalled:
            self.stdout.write(f"Marked {stalled} stalled export{'' if stalled == 1 else 's'} failed.")
        purged = exports_purge()
        self.stdout.write(f"Deleted {purged} expired export{'' if purged == 1 else 's'}.")
