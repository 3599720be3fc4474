from django.core.management import call_command
from django.core.management.base import BaseCommand

from grants import demo_documents
from grants.demo import DEMO_PASSWORD, DEMO_USERS
from grants.models import Organisation
from grants.services import kept


class Command(BaseCommand):
    help = "Load the demo data (fixtures/demo.json) into an empty database, start its audit history, and print the demo sign-ins."

    def handle(self, *args, **options):
        if Organisation.objects.exists():
            self.stdout.write("The database already holds data: the demo data was not loaded again.")
        else:
            call_command("loaddata", "demo", verbosity=0)
            # Fixtures load without history; give every row its first history entry.
            call_command("populate_history", auto=True, verbosity=0, stdout=_Silent(), stderr=_Silent())
            # Fixtures load round the services: work the kept quarter figures out once, at the end.
            kept.rebuild()
            # The fixture holds rows, not files: the demo's documents are attached as uploads are.
            attached = demo_documents.attach()
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo data, with {len(attached)} documents."))
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}; for demonstration only):")
        self.stdout.write(f"  {'admin':<18} Demo Administrator — Django admin")
        for username, full_name, org_key, role in DEMO_USERS:
            user_org = Organisation.objects.filter(users__username=username).values_list("name", flat=True).first()
            self.stdout.write(f"  {username:<18} {full_name} — {role.label}, {user_org}")


class _Silent:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
