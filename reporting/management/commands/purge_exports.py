"""Delete background exports past their time (EXPORT_RETENTION_HOURS), files and records.

Run it from cron, for example hourly: `manage.py purge_exports`."""

from django.core.management.base import BaseCommand

from reporting.exports import exports_purge


class Command(BaseCommand):
    help = "Delete background exports whose time has passed, with their files."

    def handle(self, *args, **options):
        purged = exports_purge()
        self.stdout.write(f"Deleted {purged} expired export{'' if purged == 1 else 's'}.")
