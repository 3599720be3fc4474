"""
Import a file of indicator figures from the command line, for a monthly cron:

    manage.py import_indicators crime-2024-03.csv --layout crime --owner "Keeping Bristol Safe Partnership" \
        --theme hate-crime

The file is read exactly as the upload page reads it (reporting/places/): every problem is printed with its
row and column and then nothing is saved, and the command exits non-zero. `--dry-run` prints what would be
done and saves nothing. The same file imported again changes nothing; figures it changes are updated, never
added twice.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grants.models import Organisation
from grants.services import Invalid
from grants.services.places import indicator_values_import
from reporting.places.layouts import LAYOUTS, Options
from reporting.places.preview import FileRefused, read_indicator_file


class Command(BaseCommand):
    help = ("Import indicator figures (recorded crime, survey results, other figures) from a CSV or xlsx file in "
            "a documented layout. Every problem is listed with its row and column, and then nothing is saved.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8) or .xlsx file.")
        parser.add_argument("--layout", required=True, choices=sorted(LAYOUTS), help="The file's layout.")
        parser.add_argument("--owner", required=True, help="The name of the organisation that keeps the series.")
        parser.add_argument("--theme", default="", help="The theme of the series the file adds, e.g. hate-crime.")
        parser.add_argument("--source", default="", help="Where the figures come from, for the series the file adds.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be imported; save nothing.")

    def handle(self, *args, file, layout, owner, theme, source, dry_run, **options):
        try:
            organisation = Organisation.objects.get(name=owner)
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation named {owner!r}.")
        except Organisation.MultipleObjectsReturned:
            raise CommandError(f"More than one organisation is named {owner!r}.")
        try:
            with Path(file).open("rb") as handle:
                content = handle.read(settings.UPLOAD_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Could not read {file}: {error.strerror or error}")
        try:
            preview = read_indicator_file(content, layout=layout, owner=organisation, file_name=Path(file).name,
                                          options=Options(theme=theme, source=source))
        except FileRefused as refused:
            lines = "\n".join(f"  {problem}" for problem in refused.problems)
            raise CommandError(f"{file} was not imported; nothing was saved:\n{lines}")
        summary = (f"{len(preview.rows):,} rows: {preview.created_count:,} to add, {preview.changed_count:,} to "
                   f"change, {preview.unchanged_count:,} already held")
        if preview.new_series:
            summary += f"; new series: {', '.join(preview.new_series)}"
        if preview.ignored:
            self.stdout.write(f"Columns not in the {layout} layout, ignored: {', '.join(preview.ignored)}")
        if dry_run:
            self.stdout.write(f"Dry run of {file}, nothing saved: {summary}.")
            return
        try:
            result = indicator_values_import(actor=None, owner=organisation, rows=preview.rows, layout=layout,
                                             file_name=preview.file_name, sha256=preview.sha256)
        except Invalid as error:
            raise CommandError(f"{file} was not imported: " + " ".join(error.errors.values()))
        self.stdout.write(f"Imported {file} for {organisation.name}: {result.created:,} added, "
                          f"{result.updated:,} changed, {result.unchanged:,} already held"
                          f" ({result.series_created} new series).")
