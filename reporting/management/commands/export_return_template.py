from django.core.management.base import BaseCommand, CommandError
from xlsxwriter.exceptions import FileCreateError

from grants.models import Project, User
from reporting.spreadsheets.template import write_template

from ._periods import quarter_from_options


class Command(BaseCommand):
    help = "Write a project's quarterly return template, pre-filled with what is saved, for a provider to fill in."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="The project's reference, e.g. BTC.")
        parser.add_argument("--year", required=True, help="The financial year, e.g. 2023-24.")
        parser.add_argument("--quarter", required=True, help="1, 2, 3 or 4 (Q1 is April to June).")
        parser.add_argument("--user", help="Only a project this user can see (by username).")
        parser.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args, project, year, quarter, user, output, **options):
        period = quarter_from_options(year, quarter)
        projects = Project.objects.select_related("allocation__programme__commissioner", "provider")
        if user:
            try:
                projects = projects.for_user(User.objects.get(username=user, is_active=True))
            except User.DoesNotExist:
                raise CommandError(f"There is no active user {user!r}.")
        found = projects.filter(reference=project).first()
        if found is None:
            raise CommandError(f"There is no project {project!r}" + (f" that {user} can see." if user else "."))
        if not found.first_quarter <= period <= found.last_quarter:
            raise CommandError(f"{found.reference} does not run in {period.label} "
                               f"(it runs {found.first_quarter.label} to {found.last_quarter.label}).")
        try:
            write_template(found, period, output)
        except (OSError, FileCreateError) as error:
            raise CommandError(f"Could not write {output}: {getattr(error, 'strerror', None) or error}")
        self.stdout.write(f"Wrote the {period.label} return template for {found.reference} to {output}.")
