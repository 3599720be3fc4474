"""Work out the funders' dashboards again as soon as their figures move, so that their readers find them
kept (reporting/ahead.py). `make serve` runs it beside the server on each machine.

    manage.py keep_dashboards_ahead              # until stopped, looking every second
    manage.py keep_dashboards_ahead --once       # every funder's dashboard once
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.ahead import keep_ahead, work_out


class Command(BaseCommand):
    help = "Work out the funders' dashboards again once their figures move, before anyone asks for them."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=1.0, metavar="SECONDS",
                            help="how often to look at the figures' tokens (default 1 second)")
        parser.add_argument("--once", action="store_true", help="work out every funder's dashboard once and stop")

    def handle(self, *args, every, once, **options):
        if not getattr(settings, "KEPT_PAGES_SECONDS", 600):
            raise CommandError("Nothing to keep: KEPT_PAGES_SECONDS is 0, so pages are worked out at every request.")
        backend = settings.CACHES["default"]["BACKEND"]
        if not backend.endswith(("KeptPagesCache", "FileBasedCache", "RedisCache", "PyMemcacheCache",
                                 "PyLibMCCache", "DatabaseCache")):
            raise CommandError("The server processes keep their pages in their own memory, where this command "
                               "cannot reach: set CACHE_DIRECTORY to a directory they share (make serve does).")
        if every <= 0:
            raise CommandError("--every must be more than 0 seconds.")
        if once:
            self.stdout.write(f"Worked out {work_out()} dashboards.")
            return
        if hasattr(os, "nice"):
            os.nice(10)  # the readers' requests come first
        try:
            keep_ahead(every)
        except KeyboardInterrupt:
            pass
