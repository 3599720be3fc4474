"""Work out every kept figure again from the source tables: the quarter figures (grants.models.ProjectQuarter)
and the measures' figures to date (grants.models.MeasureToDate).

The services keep the figures as they change them; this is for after a restore, a bulk load
that went round the services, or to check: `--check` says how many rows differ and changes nothing."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants.models import MeasureToDate, ProjectQuarter
from grants.services import kept

# What is kept: its name, the rows the source tables give, the rows kept, and how a row is named and compared.
KEPT = (
    ("quarter figures", kept.rows_for, ProjectQuarter, kept.key, kept.values),
    ("measures' figures to date", kept.measure_rows_for, MeasureToDate, kept.measure_key, kept.measure_values),
)


class Command(BaseCommand):
    help = "Rebuild the kept figures of every project from returns, spend, budget lines and measure values."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only say whether the kept figures are right.")

    def handle(self, *args, check=False, **options):
        started = time.perf_counter()
        if check:
            wrong = []
            for name, builder, model, key, values in KEPT:
                wanted = {key(row): values(row) for row in builder()}
                have = {key(row): values(row) for row in model.objects.iterator(chunk_size=kept.CHUNK)}
                differ = sum(1 for k in wanted.keys() | have.keys() if wanted.get(k) != have.get(k))
                if differ:
                    wrong.append(f"{differ} kept {name}")
                else:
                    self.stdout.write(f"All {len(wanted)} kept {name} agree.")
            if wrong:
                raise CommandError(f"{' and '.join(wrong)} differ from the returns, budgets and measures: "
                                   "run rebuild_kept_figures.")
            return
        with transaction.atomic():  # both or neither
            quarters, measures = kept.rebuild_quarters(), kept.rebuild_measures()
        self.stdout.write(f"Rebuilt {quarters} kept quarter figures and {measures} measures' figures to date "
                          f"in {time.perf_counter() - started:.1f} s.")
