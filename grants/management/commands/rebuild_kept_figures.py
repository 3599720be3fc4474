"""Work out every kept quarter figure (grants.models.ProjectQuarter) again from the source tables.

The services keep the figures as they change them; this is for after a restore, a bulk load
that went round the services, or to check: `--check` says how many rows differ and changes nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from grants.models import ProjectQuarter
from grants.services import kept


class Command(BaseCommand):
    help = "Rebuild the kept quarter figures of every project from returns, spend and budget lines."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only say whether the kept figures are right.")

    def handle(self, *args, check=False, **options):
        started = time.perf_counter()
        if check:
            wanted = {kept.key(row): kept.values(row) for row in kept.rows_for()}
            have = {kept.key(row): kept.values(row) for row in ProjectQuarter.objects.iterator(chunk_size=kept.CHUNK)}
            wrong = sum(1 for k in wanted.keys() | have.keys() if wanted.get(k) != have.get(k))
            if wrong:
                raise CommandError(f"{wrong} kept quarter figures differ from the returns and budgets: "
                                   "run rebuild_kept_figures.")
            self.stdout.write(f"All {len(wanted)} kept quarter figures agree.")
            return
        written = kept.rebuild()
        self.stdout.write(f"Rebuilt {written} kept quarter figures in {time.perf_counter() - started:.1f} s.")
