from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grants.models import User
from grants.services import Invalid, NotAllowed, Stale
from grants.services import returns as return_services
from reporting.spreadsheets import importer


class Command(BaseCommand):
    help = (
        "Save a filled-in return template as the user's draft, exactly as if they had typed it in. "
        "Every problem is listed, with its sheet and cell, and then nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The filled-in .xlsx template.")
        parser.add_argument("--user", required=True, help="The provider user the draft is saved as (username).")
        parser.add_argument("--dry-run", action="store_true", help="List the changes; save nothing.")

    def handle(self, *args, file, user, dry_run, **options):
        try:
            actor = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user {user!r}.")
        try:
            with Path(file).open("rb") as handle:
                content = handle.read(settings.UPLOAD_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Could not read {file}: {error.strerror or error}")
        try:
            reading = importer.read_template(content, actor)
        except importer.TemplateRefused as refused:
            lines = "\n".join(f"  {problem}" for problem in refused.problems)
            raise CommandError(f"{file} was not imported; nothing was saved:\n{lines}")

        title = f"{reading.project.reference} {reading.quarter.label}"
        if reading.changed_since_download:
            self.stdout.write("Note: the return was changed after this template was downloaded.")
        for change in reading.changes:
            self.stdout.write(f"  {change.where:<14} {change.what}: {change.old} -> {change.new}")
        count = len(reading.changes)
        if dry_run:
            self.stdout.write(f"Dry run: {count} change{'s' if count != 1 else ''} to {title} would be saved.")
            return
        try:
            return_services.return_save_draft(actor=actor, project=reading.project, quarter=reading.quarter,
                                              version=reading.version, data=reading.data,
                                              lines_and_measures=reading.lines_and_measures)
        except (Stale, NotAllowed) as error:
            raise CommandError(f"{file} was not imported: {error.message}")
        except Invalid as error:
            raise CommandError(f"{file} was not imported: " + " ".join(error.errors.values()))
        self.stdout.write(f"Saved {count} change{'s' if count != 1 else ''} to the {title} draft.")
