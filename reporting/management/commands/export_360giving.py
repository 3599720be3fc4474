import os

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from xlsxwriter.exceptions import FileCreateError

from grants.models import Allocation, Organisation, User
from reporting import opendata


class Command(BaseCommand):
    help = (
        "Write the grants as 360Giving open data: a JSON data package (grants and package metadata) or the "
        "standard's spreadsheet. Publishes approved, signed, active and closed allocations, never drafts, "
        "withdrawn ones or those marked do not publish, and lists what it withheld."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="The file to write (.json or .xlsx).")
        parser.add_argument(
            "--format", choices=["json", "xlsx"],
            help="json (the default) or xlsx; without it, a file name ending .xlsx means xlsx.",
        )
        parser.add_argument(
            "--user", help="Publish what this commissioner officer's organisation funds (a username). "
            "Without it, every funder's grants.",
        )
        parser.add_argument(
            "--commissioner", help="Only the grants of this funding organisation (its name or its identifier).",
        )

    def handle(self, *args, output, format, user, commissioner, **options):
        kind = format or ("xlsx" if output.lower().endswith(".xlsx") else "json")
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):
            raise CommandError(f"Could not write {output}: there is no folder {folder}.")
        try:
            prefix = opendata.publisher_prefix()
        except ImproperlyConfigured as error:
            raise CommandError(str(error))

        publisher = None
        allocations = Allocation.objects.all()
        if user:
            try:
                person = User.objects.select_related("organisation").get(username=user, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"There is no active user {user!r}.")
            try:
                allocations = opendata.allocations_for(person)
            except PermissionDenied as error:
                raise CommandError(f"{user} may not publish open data: {error}")
            publisher = person.organisation
        if commissioner:
            funder = self.funder(commissioner)
            if publisher is not None and funder != publisher:
                raise CommandError(f"{user} works for {publisher.name}, so cannot publish the grants of {funder.name}.")
            allocations, publisher = allocations.filter(programme__commissioner=funder), funder

        try:
            data = opendata.package(allocations, publisher=publisher, prefix=prefix)
        except opendata.NothingToPublish as error:
            raise CommandError(str(error))
        try:
            if kind == "xlsx":
                opendata.write_xlsx(data, output)
            else:
                with open(output, "w", encoding="utf-8") as target:
                    opendata.write_json(data, target)
        except (OSError, FileCreateError) as error:
            cause = error.args[0] if isinstance(error, FileCreateError) and error.args else error
            raise CommandError(f"Could not write {output}: {getattr(cause, 'strerror', None) or cause}")

        count = len(data["grants"])
        self.stdout.write(f"Wrote {output}: {count} grant{'s' if count != 1 else ''} as 360Giving {kind.upper()}.")
        withheld = opendata.review(allocations).withheld
        for item in withheld:
            self.stdout.write(f"Not published: {item.title} ({item.recipient}, {item.programme}). {item.reason}")

    def funder(self, name_or_identifier: str) -> Organisation:
        funders = Organisation.objects.filter(programmes__isnull=False).distinct()
        matches = list(funders.filter(Q(name=name_or_identifier) | Q(org_identifier=name_or_identifier))[:2])
        if not matches:
            raise CommandError(f"There is no funding organisation named or identified {name_or_identifier!r}.")
        if len(matches) > 1:
            raise CommandError(f"{name_or_identifier!r} is one organisation's name and another's identifier: use the other.")
        return matches[0]
