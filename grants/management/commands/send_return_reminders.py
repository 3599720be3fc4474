from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail providers about quarterly returns due soon, due today or overdue (offsets are set per programme). "
        "Each reminder is sent once; safe to run hourly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; send nothing.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run, today, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date written YYYY-MM-DD, not {today!r}")
        result = reminders_send(today=day, dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for r in result.sent:
            self.stdout.write(f"{verb}: {r.subject} — to {', '.join(r.recipients)}")
        count = len(result.sent)
        self.stdout.write(f"{verb} {count} reminder{'s' if count != 1 else ''} for {day:%-d %B %Y}.")
        for failure in result.failed:
            r = failure.reminder
            self.stderr.write(f"Not sent: {r.subject} — to {', '.join(r.recipients)}: {failure.error}")
        if result.failed:
            # After trying every reminder: cron reports the failure, and the next run tries these again.
            raise CommandError(f"{len(result.failed)} reminder{'s' if len(result.failed) != 1 else ''} could not "
                               "be sent; every other reminder was. They will be tried again on the next run.")
