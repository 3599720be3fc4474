import os
import time

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from xlsxwriter.exceptions import FileCreateError

from grants.models import User
from reporting.spreadsheets.commissioner import commissioner_workbook
from reporting.spreadsheets.commissioner_data import UnknownProgramme

from ._periods import quarter_from_options


class Command(BaseCommand):
    help = (
        "Write the commissioner's workbook for a quarter (Cover, Summary, Spend, Outcomes, Narrative, Payments), "
        "with what the user can see: a commissioner or finance officer of the funder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The financial year, e.g. 2023-24.")
        parser.add_argument("--quarter", required=True, help="1, 2, 3 or 4 (Q1 is April to June).")
        parser.add_argument("--programme", help="Only the programme with this code (e.g. CSF); all of them without.")
        parser.add_argument("--user", required=True, help="Whose reach decides what is in it (a username).")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args, year, quarter, programme, user, output, **options):
        period = quarter_from_options(year, quarter)
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):
            raise CommandError(f"Could not write {output}: there is no folder {folder}.")
        try:
            person = User.objects.select_related("organisation").get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user {user!r}.")
        started = time.perf_counter()
        try:
            projects = commissioner_workbook(output, user=person, quarter=period, programme_code=programme)
        except PermissionDenied as error:
            raise CommandError(f"{user} may not export the commissioner's workbook: {error}")
        except UnknownProgramme as error:
            raise CommandError(str(error))
        except (OSError, FileCreateError) as error:
            cause = error.args[0] if isinstance(error, FileCreateError) and error.args else error
            raise CommandError(f"Could not write {output}: {getattr(cause, 'strerror', None) or cause}")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Wrote {output}: {period.label}, {projects} project{'s' if projects != 1 else ''} in {seconds:.2f} s."
        )
