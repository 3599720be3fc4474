"""
How fast a filled-in provider template is imported: read_template and return_save_draft.

    .venv/bin/python benchmarks/import_templates.py                 # 200 projects, 25 single imports
    .venv/bin/python benchmarks/import_templates.py --projects 500 --single 51
    .venv/bin/python benchmarks/import_templates.py --profile       # and where the time of one import goes

Builds a data set in a throwaway SQLite database (a temporary file, deleted at the end: the
developer's database is never touched): one commissioner, provider organisations with a user
each, and --projects projects, each with 6 budget lines, 8 outcome measures (every unit) and an
approved Q1 return. Rows are added with bulk_create, so the audit history is not written.

Then it writes every project's Q2 template with write_template and fills each in with openpyxl
(normal mode, as a spreadsheet program would: every yellow cell typed), and prints:
- the time to write a template, and to fill one in (not part of the import);
- one import: read_template + return_save_draft of one template, the median of --single imports
  of different projects (each starts the project's Q2 return, the way most spreadsheet users
  will: before they have opened the return on the web), with the two halves apart; aim: under 0.3 s;
- the same import over an existing draft (the file uploaded again);
- all templates: every Q2 return deleted, then every template imported one after another, as
  templates per second;
- the number of queries per import (reading, saving), the same for every project.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2023
PROVIDERS = 20
LINES = [  # category, description, quarterly profile
    ("staff", "Practitioners", "12500.25"),
    ("staff", "Co-ordinator", "4250.00"),
    ("non_staff", "Venues and travel", "1375.50"),
    ("non_staff", "Interpreting", "600.00"),
    ("capital", "Equipment", "2000.00"),
    ("management", "Management fee", "500.00"),
]
MEASURES = [  # name, unit, direction, adds up over quarters (events; else a level or milestone), annual target, what the provider types for Q2
    ("People engaged", "count", "higher", True, "400", 104),
    ("Sessions delivered", "count", "higher", True, "120", 31),
    ("Referrals received", "count", "higher", True, "300", 77),
    ("Incidents reported", "count", "lower", True, "80", 18),
    ("Funds leveraged", "money", "higher", True, "10000.00", 2400.55),
    ("Voluntary engagement rate", "percentage", "higher", False, "90", 96.5),
    ("Feel safer at home", "percentage", "higher", False, "85", 81),
    ("Information-sharing agreement in place", "yes_no", "higher", False, "1", "Yes"),
]
NARRATIVE = {
    "progress": "Sessions ran every week in three community centres; referrals came from schools, the youth "
                "offending service and the exploitation hub.\nTwo new volunteers were trained this quarter.",
    "challenges": "Recruitment to one vacant post took longer than planned.",
    "case_study": "A young person referred after going missing twice is back in school after ten weeks of "
                  "voluntary sessions, and now helps run a peer group on Thursdays.",
    "risks": "Funding ends in March: continuation needs a decision by December.",
    "self_rag": "Amber",
}


def setup_django(database_path: str):
    os.environ["DATABASE_URL"] = f"sqlite:///{database_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "True")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(projects: int):
    """The data set; the providers' users by organisation id, and the projects in reference order."""
    from django.db import transaction

    from grants.models import (
        Allocation, BudgetLine, MeasureValue, Organisation, OutcomeMeasure, Programme, Project, ProjectMeasure,
        QuarterlyReturn, SpendLine, User,
    )

    with transaction.atomic():
        commissioner = Organisation.objects.create(name="Office of the Benchmark Commissioner", kind="commissioner")
        providers = Organisation.objects.bulk_create(
            [Organisation(name=f"Provider {n:03d}", kind="charity") for n in range(PROVIDERS)])
        users = {org.pk: User.objects.create(username=f"provider-{n:03d}", organisation=org, role="provider")
                 for n, org in enumerate(providers)}
        programme = Programme.objects.create(commissioner=commissioner, name="Community Safety Fund", code="CSF",
                                             financial_year=YEAR, funding_source="Benchmark",
                                             total_budget=Decimal("90000000.00"))
        library = OutcomeMeasure.objects.bulk_create([
            OutcomeMeasure(name=name, definition=name, unit=unit, direction=direction,
                           aggregation="events" if cumulative else {"yes_no": "milestone"}.get(unit, "level"))
            for name, unit, direction, cumulative, _target, _typed in MEASURES
        ])
        start, end = date(YEAR, 4, 1), date(YEAR + 1, 3, 31)
        allocations = Allocation.objects.bulk_create([
            Allocation(programme=programme, recipient=providers[n % PROVIDERS], title=f"Allocation {n:05d}",
                       amount=Decimal("200000.00"), status="active", decision_reference=f"DEC-{n}",
                       decision_date=date(YEAR, 3, 1), agreement_signed_on=date(YEAR, 3, 15), start_date=start,
                       end_date=end)
            for n in range(projects)
        ])
        made = Project.objects.bulk_create([
            Project(allocation=allocation, provider=allocation.recipient, reference=f"P-{n:05d}",
                    name=f"Project {n:05d} for young people at risk", start_date=start, end_date=end)
            for n, allocation in enumerate(allocations)
        ])
        lines = BudgetLine.objects.bulk_create([
            BudgetLine(project=p, financial_year=YEAR, category=category, description=description,
                       amount=Decimal(quarter) * 4, profile_q1=Decimal(quarter), profile_q2=Decimal(quarter),
                       profile_q3=Decimal(quarter), profile_q4=Decimal(quarter))
            for p in made for category, description, quarter in LINES
        ])
        pms = ProjectMeasure.objects.bulk_create([
            ProjectMeasure(project=p, measure=m, financial_year=YEAR, unit=m.unit, annual_target=Decimal(target))
            for p in made for m, (_n, _u, _d, _c, target, _t) in zip(library, MEASURES)
        ])
        q1 = QuarterlyReturn.objects.bulk_create([
            QuarterlyReturn(project=p, financial_year=YEAR, quarter=1, status="approved", spend_status="verified",
                            officer_rag="green", self_rag="green", progress="Set up and recruited.")
            for p in made
        ])
        q1_of = {r.project_id: r for r in q1}
        SpendLine.objects.bulk_create([
            SpendLine(quarterly_return=q1_of[line.project_id], budget_line=line,
                      actual=(line.profile_q1 * Decimal("0.95")).quantize(Decimal("0.01")))
            for line in lines
        ], batch_size=2000)
        MeasureValue.objects.bulk_create([
            MeasureValue(quarterly_return=q1_of[pm.project_id], project_measure=pm, unit=pm.unit,
                         value=Decimal(1) if pm.unit == "yes_no" else Decimal(20))
            for pm in pms
        ], batch_size=2000)
    return users, list(Project.objects.select_related("allocation__programme__commissioner", "provider")
                       .order_by("reference"))


def fill_in(content: bytes, layout) -> bytes:
    """Type a Q2 return into every yellow cell, as a provider would in a spreadsheet program."""
    from openpyxl import load_workbook

    from grants.models import BudgetLine, ProjectMeasure
    from reporting.spreadsheets import template as t

    book = load_workbook(io.BytesIO(content))
    spend, outcomes, narrative = book[t.SPEND_SHEET], book[t.OUTCOMES_SHEET], book[t.NARRATIVE_SHEET]
    profiles = dict(BudgetLine.objects.filter(pk__in=layout.spend_rows).values_list("pk", "profile_q2"))
    for line_id, row in layout.spend_rows.items():
        spend.cell(row=row + 1, column=t.SPEND_ACTUAL_COL + 1).value = float((profiles[line_id] * Decimal("1.02")).quantize(Decimal("0.01")))
    typed = {name: value for name, _u, _d, _c, _t, value in MEASURES}
    names = dict(ProjectMeasure.objects.filter(pk__in=layout.measure_rows).values_list("pk", "measure__name"))
    for pm_id, row in layout.measure_rows.items():
        outcomes.cell(row=row + 1, column=t.OUTCOME_VALUE_COL + 1).value = typed[names[pm_id]]
        outcomes.cell(row=row + 1, column=t.OUTCOME_NOT_COLLECTED_COL + 1).value = "No"
    for i, (key, _label, _hint) in enumerate(t.NARRATIVE_FIELDS):
        narrative.cell(row=t.FIRST_DATA_ROW + i + 1, column=t.NARRATIVE_INPUT_COL + 1).value = NARRATIVE[key]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_one(content: bytes, user):
    """One import as the web confirmation or import_return does it: (read seconds, save seconds, reading)."""
    from grants.services.returns import return_save_draft
    from reporting.spreadsheets.importer import read_template

    started = time.perf_counter()
    reading = read_template(content, user)
    read = time.perf_counter() - started
    started = time.perf_counter()
    return_save_draft(actor=user, project=reading.project, quarter=reading.quarter, version=reading.version,
                      data=reading.data)
    return read, time.perf_counter() - started, reading


def fresh_user(users, project):
    from grants.models import User

    return User.objects.select_related("organisation").get(pk=users[project.provider_id].pk)


def delete_q2():
    from grants.models import MeasureValue, QuarterlyReturn, ReturnEvent, SpendLine

    # A return's lines and timeline are PROTECTed: they go first.
    returns = QuarterlyReturn.objects.filter(financial_year=YEAR, quarter=2)
    for model in (ReturnEvent, SpendLine, MeasureValue):
        model.objects.filter(quarterly_return__in=returns).delete()
    returns.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=200, help="Projects, and so templates (default 200).")
    parser.add_argument("--single", type=int, default=25, help="Single imports timed for the median (default 25).")
    parser.add_argument("--profile", action="store_true", help="Profile single imports with cProfile and print "
                        "where the time goes.")
    args = parser.parse_args()
    args.single = min(args.single, args.projects)

    folder = tempfile.mkdtemp(prefix="grants-bench-")
    database = os.path.join(folder, "bench.sqlite3")
    try:
        print(f"Throwaway database: {database}")
        started = time.perf_counter()
        setup_django(database)
        users, projects = build(args.projects)
        print(f"Migrated and built {len(projects):,} projects (6 budget lines, 8 measures, an approved Q1) "
              f"in {time.perf_counter() - started:.1f} s.")

        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from grants.periods import Quarter
        from reporting.spreadsheets.template import write_template

        quarter = Quarter(YEAR, 2)
        templates, write_times, fill_times = [], [], []
        for project in projects:
            buffer = io.BytesIO()
            started = time.perf_counter()
            layout = write_template(project, quarter, buffer)
            write_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            templates.append(fill_in(buffer.getvalue(), layout))
            fill_times.append(time.perf_counter() - started)
            reset_queries()
        size = statistics.median(len(content) for content in templates)
        print(f"\nWrote {len(templates):,} templates: median {statistics.median(write_times) * 1000:.0f} ms each "
              f"({len(templates) / sum(write_times):.0f} per second), {size / 1024:.0f} KB filled in.")
        print(f"Filled each in with openpyxl: median {statistics.median(fill_times) * 1000:.0f} ms (not part of "
              "the import).")

        # One import, each of a different project's template, starting its Q2 return.
        reads, saves, totals, queries = [], [], [], set()
        for project, content in zip(projects[: args.single], templates):
            user = fresh_user(users, project)
            gc.collect()
            with CaptureQueriesContext(connection) as captured:
                read, save, reading = import_one(content, user)
            assert reading.changes, "the filled-in template changes the return"
            reads.append(read)
            saves.append(save)
            totals.append(read + save)
            queries.add(len(captured.captured_queries))
            reset_queries()
        with CaptureQueriesContext(connection) as read_queries:
            from reporting.spreadsheets.importer import read_template

            reading = read_template(templates[args.single], fresh_user(users, projects[args.single]))
        median = statistics.median(totals)
        print(f"\nOne import (read_template + return_save_draft), median of {len(totals)} different templates:")
        print(f"  read_template        {statistics.median(reads) * 1000:6.0f} ms")
        print(f"  return_save_draft    {statistics.median(saves) * 1000:6.0f} ms")
        print(f"  one import           {median * 1000:6.0f} ms (fastest {min(totals) * 1000:.0f}, slowest "
              f"{max(totals) * 1000:.0f}); aim: under 300 ms: {'yes' if median < 0.3 else 'NO'}")
        print(f"  queries per import   {', '.join(str(q) for q in sorted(queries))} "
              f"({len(read_queries.captured_queries)} to read, the rest to save); the same for every template: "
              f"{'yes' if len(queries) == 1 else 'NO'}")

        # The same files again, over the drafts they made: the upload of a file already imported.
        again, again_queries = [], set()
        for project, content in zip(projects[: args.single], templates):
            user = fresh_user(users, project)
            gc.collect()
            with CaptureQueriesContext(connection) as captured:
                read, save, _reading = import_one(content, user)
            again.append(read + save)
            again_queries.add(len(captured.captured_queries))
            reset_queries()
        print(f"  over an existing draft (nothing changes): median {statistics.median(again) * 1000:.0f} ms, "
              f"{', '.join(str(q) for q in sorted(again_queries))} queries")

        # All templates, one after another, from no Q2 returns at all.
        delete_q2()
        gc.collect()
        started = time.perf_counter()
        for project, content in zip(projects, templates):
            import_one(content, fresh_user(users, project))
            reset_queries()
        elapsed = time.perf_counter() - started
        print(f"\nAll {len(templates):,} templates imported in {elapsed:.1f} s: "
              f"{len(templates) / elapsed:.1f} templates per second.")

        if args.profile:
            delete_q2()
            profiler = cProfile.Profile()
            for project, content in zip(projects[: args.single], templates):
                user = fresh_user(users, project)
                profiler.enable()
                import_one(content, user)
                profiler.disable()
                reset_queries()
            print(f"\nWhere the time of {args.single} imports goes (cProfile, cumulative, top 30):")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(30)
            print("By own time (top 20):")
            stats.sort_stats("tottime").print_stats(20)
    finally:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main()
