from django.core.management.base import BaseCommand, CommandError

from grants.services import Invalid
from grants.services.administration import administrator_bootstrap


class Command(BaseCommand):
    help = (
        "Set up the very first administrator of a funder: the funder's organisation (created if there is none "
        "by that name) and the person, and print the one-time link that sets their password. Everything after "
        "that is done on the administration pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The funder's name, e.g. \"Office of the Police and Crime "
                                                 "Commissioner for West Yorkshire\".")
        parser.add_argument("username", help="The administrator's username.")
        parser.add_argument("email", help="The administrator's e-mail address.")

    def handle(self, *args, organisation, username, email, **options):
        try:
            user, link = administrator_bootstrap(organisation_name=organisation, username=username, email=email)
        except Invalid as error:
            raise CommandError(" ".join(error.errors.values()))
        self.stdout.write(f"{user.username} is an administrator of {user.organisation}.")
        self.stdout.write("Open this link to set the password (it works once, for a few days):")
        self.stdout.write(link)
