"""
How fast the lists are: each list's first page and its xlsx and CSV downloads, against a trivial
page through the same stack.

    .venv/bin/python benchmarks/lists.py                    # 5,000 projects, SQLite
    .venv/bin/python benchmarks/lists.py --projects 1000 --repeat 5
    .venv/bin/python benchmarks/lists.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Builds a data set in a throwaway database (SQLite in a temporary file, deleted at the end; or,
with --postgres, a database created on that server for the run and dropped after it: the
developer's database is never touched): one commissioner, 4 programmes, 100 provider
organisations, --projects projects (10 per allocation), each with two priorities, 2 budget lines
and four quarters of returns (mostly approved, some submitted, returned or draft) with spend on
each line, and a payment per allocation and quarter. Rows are added with bulk_create, so the
audit history is not written.

Then, in one run, with Django's test Client through the whole middleware stack (sessions,
authentication, CSRF, messages, the navigation's context processor), signed in as the
commissioner (who sees everything) and as one provider, it prints for each list:
- page: the median time of the first page (25 rows, the default order), in milliseconds;
- xlsx, csv: the median time of the whole download of every row, read to the end;
- the rows each holds, and the number of queries each runs (the same at every size);
- the same for a trivial page: base.html with nothing in it, behind login_required, so that the
  cost of the stack itself is visible and each figure can be read as "so many trivial pages".
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2023
QUARTERS = (1, 2, 3, 4)
LISTS = ["programmes", "allocations", "projects", "returns", "payments"]


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "True")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The test Client's host is allowed, and DEBUG is off as in production (so that Django does not
    # keep every query's SQL). Not setup_test_environment(): it instruments every template rendering
    # for the tests' sake, which would slow the pages down more than the trivial one.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    # The downloads below measure the writers, so every one is sent at once whatever its size;
    # `background` measures the other path (reporting/exports.py) apart.
    settings.EXPORT_BACKGROUND_ROWS = 10**9
    global urlpatterns
    urlpatterns = _urlpatterns()
    settings.ROOT_URLCONF = __name__  # the site's URLs and the trivial page


def trivial(request):
    from django.shortcuts import render

    return render(request, "base.html")


def _urlpatterns():
    from django.contrib.auth.decorators import login_required
    from django.urls import include, path

    return [path("bench/trivial/", login_required(trivial)), path("", include("config.urls"))]


class Builder:
    """Adds projects, with everything under them, in batches."""

    def __init__(self):
        from grants.models import Organisation, Priority, Programme, User

        self.commissioner_org = Organisation.objects.create(name="Office of the Benchmark Commissioner",
                                                            kind="commissioner")
        self.commissioner = User.objects.create(username="bench-commissioner", organisation=self.commissioner_org,
                                                role="commissioner")
        self.providers = Organisation.objects.bulk_create(
            [Organisation(name=f"Provider {n:03d}", kind="charity") for n in range(100)])
        self.provider = User.objects.create(username="bench-provider", organisation=self.providers[7],
                                            role="provider")
        self.programmes = Programme.objects.bulk_create([
            Programme(commissioner=self.commissioner_org, name=name, code=code, financial_year=YEAR,
                      funding_source="Benchmark", total_budget=Decimal("90000000.00"))
            for name, code in [("Community Safety Fund", "CSF"), ("Serious Violence Duty", "SVD"),
                               ("Victims Services", "VS"), ("Safer Streets", "SSF")]
        ])
        self.priorities = Priority.objects.bulk_create([
            Priority(commissioner=self.commissioner_org, code=f"p{n}", name=f"Priority {n}") for n in range(5)])
        self.count = 0

    def grow_to(self, total: int):
        from django.db import transaction

        with transaction.atomic():
            while self.count < total:
                batch = min(500, total - self.count)
                self._add(self.count, batch)
                self.count += batch

    def _add(self, first: int, count: int):
        from grants.models import Allocation, BudgetLine, Payment, Project, QuarterlyReturn, SpendLine

        start, end = date(YEAR, 4, 1), date(YEAR + 1, 3, 31)
        allocations = Allocation.objects.bulk_create([
            Allocation(programme=self.programmes[n % 4], recipient=self.providers[n % 100], title=f"Allocation {n:05d}",
                       amount=Decimal("1500000.00"), status="active", decision_reference=f"DEC-{n}",
                       decision_date=date(YEAR, 3, 1), agreement_signed_on=date(YEAR, 3, 15), start_date=start,
                       end_date=end)
            for n in range(first // 10, (first + count + 9) // 10)
        ])
        by_number = {int(a.title.split()[-1]): a for a in allocations}
        projects = Project.objects.bulk_create([
            Project(allocation=by_number[n // 10], provider=self.providers[(n * 7) % 100], reference=f"P-{n:05d}",
                    name=("=" if n % 50 == 0 else "") + f"Project {n:05d} for young people at risk",
                    start_date=start, end_date=end)
            for n in range(first, first + count)
        ])
        Project.priorities.through.objects.bulk_create([
            Project.priorities.through(project_id=p.pk, priority_id=self.priorities[(i + k) % 5].pk)
            for i, p in enumerate(projects) for k in range(2)
        ])
        lines = BudgetLine.objects.bulk_create([
            BudgetLine(project=p, financial_year=YEAR, category=category, description=description,
                       amount=Decimal(quarter) * 4, profile_q1=Decimal(quarter), profile_q2=Decimal(quarter),
                       profile_q3=Decimal(quarter), profile_q4=Decimal(quarter))
            for p in projects for category, description, quarter in [("staff", "Practitioners", "12500.25"),
                                                                     ("non_staff", "Venues", "1375.50")]
        ])
        returns = []
        for n, p in enumerate(projects, start=first):
            for q in QUARTERS:
                status = "approved"
                if q == 4 and n % 10 == 0:
                    status = "submitted"
                elif q == 4 and n % 23 == 0:
                    status = "draft"
                elif q == 3 and n % 17 == 0:
                    status = "returned"
                returns.append(QuarterlyReturn(
                    project=p, financial_year=YEAR, quarter=q, status=status,
                    spend_status="verified" if status == "approved" else "not_checked",
                    officer_rag=("green", "amber", "red")[n % 3] if status == "approved" else "", self_rag="amber",
                    progress="Sessions ran every week.",
                ))
        returns = QuarterlyReturn.objects.bulk_create(returns)
        lines_of = {}
        for line in lines:
            lines_of.setdefault(line.project_id, []).append(line)
        SpendLine.objects.bulk_create([
            SpendLine(quarterly_return=r, budget_line=line,
                      actual=(line.profile_q1 * Decimal("0.97")).quantize(Decimal("0.01")))
            for r in returns for line in lines_of[r.project_id]
        ], batch_size=2000)
        Payment.objects.bulk_create([
            Payment(allocation=a, financial_year=YEAR, quarter=q, amount=Decimal("375000.00"),
                    **({"status": "released", "reference": f"PAY-{a.pk}-{q}", "paid_on": date(YEAR, 3 * q + 1, 20)}
                       if q <= 2 else {}))
            for a in allocations for q in QUARTERS
        ])


def timed(client, url, repeat: int) -> dict:
    """Median and spread of `repeat` requests (read to the end), the queries of one, and the body."""
    from django.db import connection

    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        return content

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # Counted by a wrapper on the connection: it outlives the connection being closed at the end of
    # each request (as it is on a server with the default DB_CONN_MAX_AGE of 0).
    with connection.execute_wrapper(count):
        content = fetch()  # also warms the caches, as a running server would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "queries": queries, "content": content}


def rows_in(kind: str, content: bytes) -> int:
    if kind == "csv":
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1
    if kind == "xlsx":
        import io

        import openpyxl

        return openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.max_row - 1
    return content.count(b'<tr class="govuk-table__row') - 1  # less the heading row


def measure(user, label: str, repeat: int, download_repeat: int, downloads: bool):
    from django.test import Client

    client = Client()
    client.force_login(user)
    base = timed(client, "/bench/trivial/", repeat)
    unit = base["median"]
    print(f"\n{label}")
    print(f"  {'':24} {'median ms':>10} {'× trivial':>10} {'rows':>8} {'queries':>8}")
    print(f"  {'trivial page':24} {unit * 1000:10.1f} {1:10.1f} {'':>8} {base['queries']:8d}")
    results = {"trivial": base}
    for slug in LISTS:
        kinds = [("page", "", repeat)]
        if downloads:
            kinds += [("xlsx", "?format=xlsx", download_repeat), ("csv", "?format=csv", download_repeat)]
        for kind, query, times in kinds:
            r = timed(client, f"/reports/{slug}/{query}", times)
            r["rows"] = rows_in(kind, r["content"])
            results[f"{slug} {kind}"] = r
            print(f"  {slug + ' ' + kind:24} {r['median'] * 1000:10.1f} {r['median'] / unit:10.1f} "
                  f"{r['rows']:8,d} {r['queries']:8d}")
    return results


def background(user, folder: str, repeat: int):
    """The returns list as a background download: how long the request takes (it records the export
    and redirects to its progress page) against a trivial page, and how long the worker then takes
    to write the file."""
    import re

    from django.conf import settings
    from django.test import Client

    from reporting.exports import export_run
    from reporting.models import Export

    # Recorded, not run, by the request; the worker's part is timed on its own below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MEDIA_ROOT = folder
    settings.EXPORT_BACKGROUND_ROWS = 0
    client = Client()
    client.force_login(user)
    unit = timed(client, "/bench/trivial/", repeat)["median"]
    print("\nThe returns list as a background download (commissioner)")
    print(f"  {'':24} {'median ms':>10} {'× trivial':>10} {'rows':>8}")
    for kind in ("xlsx", "csv"):
        requests, work, rows = [], [], 0
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(f"/reports/returns/?format={kind}")
            requests.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
            pk = int(re.search(r"/exports/(\d+)/", response["Location"]).group(1))
            started = time.perf_counter()
            assert export_run(pk) == "done"
            work.append(time.perf_counter() - started)
            export = Export.objects.get(pk=pk)
            with export.file.open("rb") as file:
                rows = rows_in(kind, file.read())
            export.file.delete(save=False)
        request, worker = statistics.median(requests), statistics.median(work)
        print(f"  {'request ' + kind:24} {request * 1000:10.1f} {request / unit:10.1f} {rows:8,d}")
        print(f"  {'worker writes ' + kind:24} {worker * 1000:10.1f} {worker / unit:10.1f} {rows:8,d}")
    settings.EXPORT_BACKGROUND_ROWS = 10**9


def create_postgres_database(url: str) -> tuple[str, callable]:
    """A fresh database on the server at `url` for this run, and a function that drops it."""
    import psycopg
    from urllib.parse import urlsplit, urlunsplit

    name = f"grants_bench_lists_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main():
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=5000, help="Projects to build (default 5000).")
    parser.add_argument("--repeat", type=int, default=15, help="Requests per page; the median is kept (default 15).")
    parser.add_argument("--download-repeat", type=int, default=5,
                        help="Requests per download; the median is kept (default 5).")
    parser.add_argument("--postgres", metavar="URL",
                        help="Run on PostgreSQL: a database is created on this server for the run and dropped after.")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="grants-bench-lists-")
    drop = None
    if args.postgres:
        url, drop = create_postgres_database(args.postgres)
        where = url.rsplit("/", 1)[-1] + " on " + args.postgres.rsplit("/", 1)[0]
    else:
        url = f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
        where = url
    try:
        print(f"Throwaway database: {where}")
        started = time.perf_counter()
        setup_django(url)
        builder = Builder()
        builder.grow_to(args.projects)
        if args.postgres:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"Built {builder.count:,} projects with {builder.count * 4:,} returns in "
              f"{time.perf_counter() - started:.1f} s.")
        measure(builder.commissioner, f"Signed in as the commissioner (sees all {builder.count:,} projects)",
                args.repeat, args.download_repeat, downloads=True)
        measure(builder.provider, "Signed in as a provider (its own projects only)", args.repeat,
                args.download_repeat, downloads=True)
        background(builder.commissioner, folder, args.repeat)
    finally:
        if drop is not None:
            drop()
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
