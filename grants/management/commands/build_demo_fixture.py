from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants import demo
from grants.models import Organisation


class Command(BaseCommand):
    help = (
        "Build the demo data set from grants/demo.py and write it as a fixture. Run it against an empty, "
        "migrated database (for example DATABASE_URL=sqlite:////tmp/demo.sqlite3); nothing is kept in it."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="fixtures/demo.json")

    def handle(self, *args, output, **options):
        if Organisation.objects.exists():
            raise CommandError("The database is not empty: run this against a new, migrated database.")
        with transaction.atomic():
            demo.build()
            objects = [obj for model in demo.FIXTURE_MODELS for obj in model._default_manager.order_by("pk")]
            text = serializers.serialize("json", objects, indent=1)
            transaction.set_rollback(True)
        Path(output).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {len(objects)} objects to {output}")
