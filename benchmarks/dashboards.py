"""
How fast the dashboards and reports answer, against a trivial page of the same stack.

    .venv/bin/python benchmarks/dashboards.py                  # 5,000 projects
    .venv/bin/python benchmarks/dashboards.py --projects 1000 --repeat 5
    .venv/bin/python benchmarks/dashboards.py --pages "funder dashboard"   # those pages only

Builds a data set in a throwaway SQLite database (a temporary file, deleted at the end: the
developer's database is never touched), or in a throwaway PostgreSQL database with
--postgres URL (a server URL; a database named grants_bench_<pid> is created and dropped):
one commissioner, 4 programmes in 2023-24, 100 providers, 10 projects per allocation, each
project with 3 budget lines, 3 outcome measures, 2 of 5 priorities and four quarters of
returns in a mix of statuses (mostly approved), and a payment per allocation and quarter.
Rows are added with bulk_create, so the audit history is not written; on PostgreSQL the tables
are then analysed, as autovacuum would have done.

Every page is asked for through Django's test client, signed in, so each time includes the
middleware, the session, the view, the queries and the template: the server's time without
the network. The trivial page is a view that renders the base template and nothing else,
behind the same sign-in. For each page it prints the number of queries and two medians of --repeat
requests, each as a multiple of the trivial page's: "worked out", each request after a change (as the
first request after any approval, payment or edit is), and "kept", the page's figures as kept in the
cache until the next change (grants/kept_pages.py). An export too large for the request is queued
for a worker: its time is that of answering with the progress page.

With --gunicorn (and --postgres) the same pages are then asked for again through the production
server: gunicorn started as `make serve` starts it (DEBUG off, connections pooled, 3 workers), over
HTTP on loopback, one request at a time, signed in as a viewer of the funder (who, unlike the
officers, signs in without a second factor), against the reports index (/reports/, a signed-in page
with no figures) as the trivial page. This is what the test client cannot show: opening connections,
the WSGI server and DEBUG off.

    .venv/bin/python benchmarks/dashboards.py --projects 20000 --postgres postgres://postgres@127.0.0.1:5432/postgres --gunicorn
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import types
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2023
LINES = [("staff", "Practitioners", "12500.25"), ("non_staff", "Venues and travel", "1375.50"),
         ("management", "Management fee", "500.00")]
MEASURES = [  # name, unit, direction, adds up over quarters (events; else a level or milestone), annual target
    ("People engaged", "count", "higher", True, "400"),
    ("Incidents reported", "count", "lower", True, "80"),
    ("Voluntary engagement rate", "percentage", "higher", False, "90"),
]
PROGRESS = ("Sessions ran every week in three community centres; referrals came from schools, the youth "
            "offending service and the exploitation hub. Two new volunteers were trained this quarter.")
CASE_STUDY = ("Young person A was referred after going missing twice. After ten weeks of voluntary sessions A is "
              "back in school, has not gone missing again and now helps run a peer group.")


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "True")
    os.environ.setdefault("AXES_ENABLED", "False")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def trivial_urls():
    """The project's URLs plus /bench/trivial/: the base template, signed in, nothing else."""
    from django.contrib.auth.decorators import login_required
    from django.shortcuts import render
    from django.urls import clear_url_caches, include, path

    @login_required
    def trivial(request):
        return render(request, "base.html")

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench/trivial/", trivial), path("", include("config.urls"))]
    sys.modules["bench_urls"] = module
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def build(total: int):
    from django.db import transaction

    from grants.models import (
        Allocation, BudgetLine, MeasureValue, OutcomeMeasure, Organisation, Payment, Priority, Programme, Project,
        ProjectMeasure, QuarterlyReturn, SpendLine, User,
    )

    commissioner = Organisation.objects.create(name="Office of the Benchmark Commissioner", kind="commissioner")
    officer = User.objects.create(username="bench-commissioner", organisation=commissioner, role="commissioner")
    providers = Organisation.objects.bulk_create(
        [Organisation(name=f"Provider {n:03d}", kind="charity") for n in range(100)])
    provider_user = User.objects.create(username="bench-provider", organisation=providers[7], role="provider")
    programmes = Programme.objects.bulk_create([
        Programme(commissioner=commissioner, name=name, code=code, financial_year=YEAR, funding_source="Benchmark",
                  total_budget=Decimal("90000000.00"))
        for name, code in [("Community Safety Fund", "CSF"), ("Serious Violence Duty", "SVD"),
                           ("Victims Services", "VS"), ("Safer Streets", "SSF")]])
    priorities = Priority.objects.bulk_create([
        Priority(commissioner=commissioner, code=f"p{n}", name=f"Priority {n}") for n in range(5)])
    measures = OutcomeMeasure.objects.bulk_create([
        OutcomeMeasure(name=name, definition=name, unit=unit, direction=direction,
                           aggregation="events" if cumulative else {"yes_no": "milestone"}.get(unit, "level"))
        for name, unit, direction, cumulative, _ in MEASURES])
    start, end = date(YEAR, 4, 1), date(YEAR + 1, 3, 31)
    with transaction.atomic():
        for first in range(0, total, 500):
            count = min(500, total - first)
            allocations = Allocation.objects.bulk_create([
                Allocation(programme=programmes[n % 4], recipient=providers[n % 100], title=f"Allocation {n:05d}",
                           amount=Decimal("1500000.00"), status="active", decision_reference=f"DEC-{n}",
                           decision_date=date(YEAR, 3, 1), agreement_signed_on=date(YEAR, 3, 15), start_date=start,
                           end_date=end)
                for n in range(first // 10, (first + count + 9) // 10)])
            by_number = {int(a.title.split()[-1]): a for a in allocations}
            projects = Project.objects.bulk_create([
                Project(allocation=by_number[n // 10], provider=providers[(n * 7) % 100], reference=f"P-{n:05d}",
                        name=f"Project {n:05d} for young people at risk", start_date=start, end_date=end)
                for n in range(first, first + count)])
            Project.priorities.through.objects.bulk_create([
                Project.priorities.through(project_id=p.pk, priority_id=priorities[(i + k) % 5].pk)
                for i, p in enumerate(projects) for k in range(2)])
            lines = BudgetLine.objects.bulk_create([
                BudgetLine(project=p, financial_year=YEAR, category=category, description=description,
                           amount=Decimal(q) * 4, profile_q1=Decimal(q), profile_q2=Decimal(q), profile_q3=Decimal(q),
                           profile_q4=Decimal(q))
                for p in projects for category, description, q in LINES])
            pms = ProjectMeasure.objects.bulk_create([
                ProjectMeasure(project=p, measure=m, financial_year=YEAR, unit=m.unit, annual_target=Decimal(target))
                for p in projects for m, (*_, target) in zip(measures, MEASURES)])
            returns = []
            for n, p in enumerate(projects, start=first):
                for q in (1, 2, 3, 4):
                    if q == 4 and n % 29 == 0:
                        continue  # not started
                    status = "approved"
                    if q == 4 and n % 10 == 0:
                        status = "submitted"
                    elif q == 4 and n % 23 == 0:
                        status = "draft"
                    elif q == 3 and n % 17 == 0:
                        status = "returned"
                    returns.append(QuarterlyReturn(
                        project=p, financial_year=YEAR, quarter=q, status=status,
                        officer_rag=("green", "amber", "red")[n % 3] if status == "approved" else "",
                        self_rag=("green", "amber", "red")[(n + q) % 3], progress=PROGRESS, case_study=CASE_STUDY,
                        risks="Funding ends in March: continuation needs a decision."))
            returns = QuarterlyReturn.objects.bulk_create(returns)
            lines_of, pms_of = {}, {}
            for line in lines:
                lines_of.setdefault(line.project_id, []).append(line)
            for pm in pms:
                pms_of.setdefault(pm.project_id, []).append(pm)
            SpendLine.objects.bulk_create([
                SpendLine(quarterly_return=r, budget_line=line,
                          actual=(line.profile_q1 * Decimal("0.97")).quantize(Decimal("0.01")))
                for r in returns for line in lines_of[r.project_id]], batch_size=2000)
            MeasureValue.objects.bulk_create([
                MeasureValue(quarterly_return=r, project_measure=pm, unit=pm.unit,
                             value=Decimal("88.5") if pm.unit == "percentage" else Decimal(20 + r.quarter + pm.pk % 7))
                for r in returns for pm in pms_of[r.project_id]], batch_size=2000)
            Payment.objects.bulk_create([
                Payment(allocation=a, financial_year=YEAR, quarter=q, amount=Decimal("375000.00"),
                        **({"status": "released", "reference": f"PAY-{a.pk}-{q}", "paid_on": date(YEAR, 3 * q + 1, 20)}
                           if q <= 2 else {}))
                for a in allocations for q in (1, 2, 3, 4)])
    return officer, provider_user, providers[7]


def figures_moved():
    """As after any change: the kept pages (grants/kept_pages.py) are worked out again."""
    from grants.services.kept import figures_moved

    figures_moved()


QUEUED = "  (queued for a worker: the time to answer with the progress page)"


def line(label: str, worked_out: float, kept: float, baseline: float, status: int, queries: str = "") -> str:
    """One page's row: its two medians in ms and as multiples of the trivial page's."""
    return (f"{label:<44} {queries}{worked_out * 1000:>8.1f} ms {worked_out / baseline:>9.1f} "
            f"{kept * 1000:>7.1f} ms {kept / baseline:>9.1f}{QUEUED if status == 302 else ''}")


def measure(client, url: str, repeat: int) -> tuple[int, float, float, int]:
    """(queries, median seconds worked out, median seconds kept, status) for `repeat` requests each,
    after one warm-up: worked out after a change each time, then kept from the previous request."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log holds the last 9,000 queries: the build filled it
    figures_moved()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    medians = []
    for change_first in (True, False):
        times = []
        for _ in range(repeat):
            if change_first:
                figures_moved()
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        medians.append(statistics.median(times))
    return len(queries.captured_queries), *medians, response.status_code


def ahead_of_readers(repeat: int):
    """How long after a change the funder's dashboard is kept again when worked out ahead of its readers
    (reporting/ahead.py, `manage.py keep_dashboards_ahead`): the median of `repeat` rounds, each after a
    change, for every kind of reader the data set has."""
    try:
        from reporting import ahead
    except ImportError:  # the code before it
        return
    times = []
    for _ in range(repeat):
        figures_moved()
        started = time.perf_counter()
        done = ahead.work_out()
        times.append(time.perf_counter() - started)
    print(f"\nWorked out ahead of its readers (keep_dashboards_ahead): the funder's dashboard, for each of "
          f"{done} kind{'' if done == 1 else 's'} of reader, {1000 * statistics.median(times):.0f} ms after a change "
          "(looked for every second), then kept for their first request (see above).")


def through_gunicorn(url: str, pages, repeat: int):
    """The pages again, through gunicorn over HTTP, as a viewer of the funder: median of `repeat`."""
    import http.client
    import secrets
    import subprocess

    from django.db import connections
    from django.test import Client

    from grants.models import User

    secret = secrets.token_urlsafe(50)
    os.environ["SECRET_KEY"] = secret  # the session below must check under the server's key
    from django.conf import settings

    settings.SECRET_KEY = secret
    officer = User.objects.filter(role="commissioner").first()
    viewer = User.objects.create(username="bench-viewer", organisation_id=officer.organisation_id, role="viewer")
    client = Client()
    client.force_login(viewer)
    session = client.cookies["sessionid"].value
    connections.close_all()
    port = 8000 + os.getpid() % 1000
    env = dict(os.environ, DATABASE_URL=url, DEBUG="False", DB_POOL="True", ALLOWED_HOSTS="127.0.0.1",
               SECURE_PROXY_SSL_HEADER="True", LOG_LEVEL="WARNING", AXES_ENABLED="True")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env,
                   check=True)
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind",
                               f"127.0.0.1:{port}", "--workers", "3", "--timeout", "120", "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "Cookie": f"sessionid={session}"}

        def get(path) -> tuple[int, float]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status, time.perf_counter() - started

        for _ in range(100):
            try:
                get("/sign-in/")
                break
            except OSError:
                time.sleep(0.2)
        rows = [("trivial page (/reports/, signed in)", "/reports/")]
        # The funder's pages (the provider's are asked for by a provider in the first table only).
        rows += [(label, path) for label, _, path in pages
                 if not path.startswith("/bench/") and not label.startswith("provider")]
        print("\nThrough gunicorn (3 workers, DEBUG off, pooled connections), as a viewer of the funder:")
        print(f"{'page':<44} {'worked out':>11} {'× trivial':>10} {'kept':>10} {'× trivial':>10}")
        baseline = None
        for label, path in rows:
            for _ in range(3):  # every worker warmed
                status, _ = get(path)
            if status not in (200, 302):
                raise SystemExit(f"{label}: {path} answered {status} through gunicorn")
            worked_out = []
            for _ in range(repeat):
                figures_moved()  # committed: every worker works the page out again
                worked_out.append(get(path)[1])
            worked_out = statistics.median(worked_out)
            for _ in range(6):  # each worker keeps its own copy (Django's default cache is per process)
                get(path)
            kept = statistics.median(get(path)[1] for _ in range(repeat))
            baseline = baseline or kept
            print(line(label, worked_out, kept, baseline, status))
        if hasattr(os, "getloadavg"):
            print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=5000, help="Projects to build (default 5,000).")
    parser.add_argument("--repeat", type=int, default=9, help="Requests per page; the median is kept (default 9).")
    parser.add_argument("--gunicorn", action="store_true", help="Also through gunicorn (needs --postgres).")
    parser.add_argument("--pages", metavar="TEXT", default="",
                        help="Only the pages whose label holds TEXT (and the trivial page), e.g. 'funder dashboard'.")
    parser.add_argument("--postgres", metavar="URL", help="Use a throwaway database on this PostgreSQL server, "
                                                          "e.g. postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="grants-bench-")
    database = os.path.join(folder, "bench.sqlite3")
    pg_name = f"grants_bench_{os.getpid()}"
    try:
        if args.postgres:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{pg_name}"')
            url = args.postgres.rsplit("/", 1)[0] + f"/{pg_name}"
            print(f"Throwaway database: {pg_name} on {args.postgres.rsplit('/', 1)[0]}")
        else:
            url = f"sqlite:///{database}"
            print(f"Throwaway database: {database}")
        started = time.perf_counter()
        setup_django(url)
        trivial_urls()
        officer, provider_user, provider_org = build(args.projects)
        from django.db import connection

        if args.postgres:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the statistics autovacuum would have gathered by now
        print(f"Built {args.projects:,} projects with four quarters of returns in {time.perf_counter() - started:.1f} s.")
        try:  # the kept figures: the rows were added round the services
            from grants.services import kept
        except ImportError:
            kept = None
        if kept is not None:
            started = time.perf_counter()
            rows = kept.rebuild()
            if args.postgres:
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # the kept tables just filled
            print(f"Rebuilt {rows:,} kept figures (rebuild_kept_figures) in {time.perf_counter() - started:.1f} s.")

        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        funder, provider = Client(), Client()
        funder.force_login(officer)
        provider.force_login(provider_user)
        from grants.models import Priority, Programme

        csf = Programme.objects.get(code="CSF")
        priority = Priority.objects.order_by("pk").first()
        year = "?end=2023-24+Q4"
        pages = [
            ("trivial page (base template, signed in)", funder, "/bench/trivial/"),
            ("funder dashboard, all programmes", funder, "/reports/dashboard/?quarter=2023-24+Q4"),
            ("funder dashboard, one programme", funder, f"/reports/dashboard/?quarter=2023-24+Q4&programme={csf.pk}"),
            ("provider dashboard", provider, "/reports/dashboard/"),
            ("project page with its charts", funder, "/projects/P-00042/"),
            ("report: a programme (1/4 of projects)", funder, f"/reports/performance/{year}&subject=programme&programme=CSF"),
            ("report: a programme, xlsx", funder, f"/reports/performance/{year}&subject=programme&programme=CSF&format=xlsx"),
            ("report: an organisation", funder,
             f"/reports/performance/{year}&subject=organisation&organisation={provider_org.pk}"),
            ("report: a priority (2/5 of projects)", funder, f"/reports/performance/{year}&subject=priority&priority={priority.pk}"),
            ("report by priority (every project)", funder, f"/reports/performance/{year}&subject=priorities"),
            ("report by priority, xlsx", funder, f"/reports/performance/{year}&subject=priorities&format=xlsx"),
            ("provider's own report", provider, f"/reports/performance/{year}"),
        ]
        print(f"\n{'page':<44} {'queries':>7} {'worked out':>11} {'× trivial':>10} {'kept':>10} {'× trivial':>10}")
        baseline = None
        for label, client, page_url in pages:
            if args.pages and args.pages not in label and page_url != "/bench/trivial/":
                continue
            queries, worked_out, kept_seconds, status = measure(client, page_url, args.repeat)
            if status not in (200, 302):
                raise SystemExit(f"{label}: {page_url} answered {status}")
            baseline = baseline or kept_seconds
            print(line(label, worked_out, kept_seconds, baseline, status, f"{queries:>7} "))
        if not args.pages or "funder dashboard" in args.pages:
            ahead_of_readers(args.repeat)
        if args.gunicorn:
            through_gunicorn(url, [p for p in pages if not args.pages or args.pages in p[0]], args.repeat)
    finally:
        if args.postgres:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main()
