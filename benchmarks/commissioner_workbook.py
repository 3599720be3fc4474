"""
How fast the commissioner's workbook is, against writing the same cells with bare XlsxWriter.

    .venv/bin/python benchmarks/commissioner_workbook.py            # 200 and 2,000 projects
    .venv/bin/python benchmarks/commissioner_workbook.py --projects 200 2000 5000

Builds a data set in a throwaway SQLite database (a temporary file, deleted at the end: the
developer's database is never touched): one commissioner, 4 programmes, 10 projects per
allocation, each project with 6 budget lines, 8 outcome measures and 4 quarters of returns
in a mix of statuses (mostly approved), payments per allocation and quarter. Rows are added
with bulk_create, so the audit history is not written.

For each size it prints, for the workbook of Q4 (the whole year to date):
- seconds: our export, reading the database and writing the file (best of --repeat runs, by the
  clock and in CPU time: on a busy machine the CPU time is the steadier figure);
- bare seconds: the same cells (same sheets, rows, values and formats) written with bare
  XlsxWriter in constant-memory mode from Python lists prepared beforehand (best of --repeat):
  every worksheet call our writer makes (the page set-up of every sheet included: orientation,
  paper, fit to width, print titles and area, header and footer; the Excel tables; the charts,
  every call made to each, and where they are inserted) is recorded in a separate run, and
  replayed; the script checks that both files' sheets, tables, charts and drawings are the same;
- ratio: ours / bare; the aim is under 1.3;
- peak memory: the most Python allocated at once during one export, by tracemalloc (a separate
  run, since tracing slows everything down), and the peak resident memory (VmHWM on Linux) of a
  fresh process that starts Django and exports once (Django itself takes about 60 MB);
- queries: the number of SQL queries one export makes (the same at every size).
"""

import argparse
import copy
import gc
import os
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUARTERS = (1, 2, 3, 4)
YEAR = 2023
LINES = [  # category, description, quarterly profile
    ("staff", "Practitioners", "12500.25"),
    ("staff", "Co-ordinator", "4250.00"),
    ("non_staff", "Venues and travel", "1375.50"),
    ("non_staff", "Interpreting", "600.00"),
    ("capital", "Equipment", "2000.00"),
    ("management", "Management fee", "500.00"),
]
MEASURES = [  # name, unit, direction, adds up over quarters (events; else a level or milestone), annual target
    ("People engaged", "count", "higher", True, "400"),
    ("Sessions delivered", "count", "higher", True, "120"),
    ("Referrals received", "count", "higher", True, "300"),
    ("Incidents reported", "count", "lower", True, "80"),
    ("Funds leveraged", "money", "higher", True, "10000.00"),
    ("Voluntary engagement rate", "percentage", "higher", False, "90"),
    ("Feel safer at home", "percentage", "higher", False, "85"),
    ("Information-sharing agreement in place", "yes_no", "higher", False, "1"),
]
PROGRESS = ("Sessions ran every week in three community centres; referrals came from schools, the youth "
            "offending service and the exploitation hub. Two new volunteers were trained this quarter. ")
CASE_STUDY = ("Young person A was referred after going missing twice. After ten weeks of voluntary sessions A is "
              "back in school, has not gone missing again and is now helping run a peer group on Thursdays. ")


def setup_django(database_path: str, migrate=True):
    os.environ["DATABASE_URL"] = f"sqlite:///{database_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "True")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def export_once(database_path: str):
    """In a process of its own: one export, then the process's peak resident memory in MB."""
    setup_django(database_path, migrate=False)
    from grants.models import User
    from grants.periods import Quarter
    from reporting.spreadsheets.commissioner import commissioner_workbook

    user = User.objects.select_related("organisation").get(username="bench-commissioner")
    with tempfile.TemporaryFile() as target:
        commissioner_workbook(target, user=user, quarter=Quarter(YEAR, 4))
    print(_peak_resident_mb())


def _peak_resident_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM: ru_maxrss can carry the size of the
    parent that started this process."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_memory_of_one_export(database_path: str) -> float:
    """Peak resident memory (MB) of a fresh Python process that starts Django and exports once."""
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--export-once", database_path],
                          check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


class Builder:
    """Adds projects, with everything under them, in batches, keeping count of what is there."""

    def __init__(self):
        from grants.models import OutcomeMeasure, Organisation, Priority, Programme, User

        self.commissioner_org = Organisation.objects.create(name="Office of the Benchmark Commissioner", kind="commissioner")
        self.user = User.objects.create(username="bench-commissioner", first_name="Bench", last_name="Mark",
                                        organisation=self.commissioner_org, role="commissioner")
        self.providers = Organisation.objects.bulk_create(
            [Organisation(name=f"Provider {n:03d}", kind="charity") for n in range(100)]
        )
        self.programmes = Programme.objects.bulk_create([
            Programme(commissioner=self.commissioner_org, name=name, code=code, financial_year=YEAR,
                      funding_source="Benchmark", total_budget=Decimal("90000000.00"))
            for name, code in [("Community Safety Fund", "CSF"), ("Serious Violence Duty", "SVD"),
                               ("Victims Services", "VS"), ("Safer Streets", "SSF")]
        ])
        self.priorities = Priority.objects.bulk_create([
            Priority(commissioner=self.commissioner_org, code=f"p{n}", name=f"Priority {n}") for n in range(5)
        ])
        self.measures = OutcomeMeasure.objects.bulk_create([
            OutcomeMeasure(name=name, definition=name, unit=unit, direction=direction,
                           aggregation="events" if cumulative else {"yes_no": "milestone"}.get(unit, "level"))
            for name, unit, direction, cumulative, _ in MEASURES
        ])
        self.count = 0

    def grow_to(self, total: int):
        from django.db import reset_queries, transaction

        with transaction.atomic():
            while self.count < total:
                batch = min(500, total - self.count)
                self._add(self.count, batch)
                self.count += batch
                reset_queries()  # DEBUG keeps every query's SQL, and bulk inserts are long

    def _add(self, first: int, count: int):
        from grants.models import (
            Allocation, BudgetLine, MeasureValue, Payment, Project, ProjectMeasure, QuarterlyReturn, SpendLine,
        )

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
            for p in projects for category, description, quarter in LINES
        ])
        pms = ProjectMeasure.objects.bulk_create([
            ProjectMeasure(project=p, measure=m, financial_year=YEAR, unit=m.unit, annual_target=Decimal(target),
                           baseline=Decimal(target) / 2 if m.unit != "yes_no" else None)
            for p in projects for m, (_, _, _, _, target) in zip(self.measures, MEASURES)
        ])
        returns = []
        for n, p in enumerate(projects, start=first):
            for q in QUARTERS:
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
                    spend_status="verified" if status == "approved" else "not_checked",
                    officer_rag="green" if status == "approved" else "", self_rag="amber",
                    progress=PROGRESS + f"Quarter {q}.", challenges="Recruitment to one vacant post.",
                    case_study=CASE_STUDY, risks="Funding ends in March: continuation needs a decision.",
                ))
        returns = QuarterlyReturn.objects.bulk_create(returns)
        lines_of, pms_of = defaultdict(list), defaultdict(list)
        for line in lines:
            lines_of[line.project_id].append(line)
        for pm in pms:
            pms_of[pm.project_id].append(pm)
        SpendLine.objects.bulk_create([
            SpendLine(quarterly_return=r, budget_line=line, actual=(line.profile_q1 * Decimal("0.97")).quantize(Decimal("0.01")))
            for r in returns for line in lines_of[r.project_id]
        ], batch_size=2000)
        MeasureValue.objects.bulk_create([
            MeasureValue(quarterly_return=r, project_measure=pm, unit=pm.unit,
                         value=_value(pm, r.quarter))
            for r in returns for pm in pms_of[r.project_id]
        ], batch_size=2000)
        Payment.objects.bulk_create([
            Payment(allocation=a, financial_year=YEAR, quarter=q, amount=Decimal("375000.00"),
                    **({"status": "released", "reference": f"PAY-{a.pk}-{q}", "paid_on": date(YEAR, 3 * q + 1, 20)}
                       if q <= 2 else {}))
            for a in allocations for q in QUARTERS
        ])


def _value(pm, quarter: int) -> Decimal:
    if pm.unit == "yes_no":
        return Decimal(1)
    if pm.unit == "percentage":
        return Decimal("88.5") + quarter
    if pm.unit == "money":
        return Decimal("2400.55")
    return Decimal(23 + quarter * 2 + pm.pk % 5)


# --- Recording the cells our writer writes, and writing them again with bare XlsxWriter ---------

CALLS = {"write_string", "write_number", "write_datetime", "write_formula", "write_blank", "merge_range",
         "set_column", "set_row", "freeze_panes", "autofilter", "insert_chart",
         # the page set-up every sheet gets on closing, and the Excel tables over the data
         "set_landscape", "set_paper", "fit_to_pages", "repeat_rows", "print_area", "set_header", "set_footer",
         "add_table", "conditional_format"}


class ChartMark:
    """A chart in a recorded call's arguments: the number of the recorded add_chart()."""

    def __init__(self, number):
        self.number = number


class ChartRecording:
    """Stands in for an XlsxWriter chart and notes every call made to it."""

    def __init__(self, chart, number, log):
        self._chart, self._number, self._log = chart, number, log

    def __getattr__(self, name):
        method = getattr(self._chart, name)
        if not callable(method):
            return method

        def call(*args):
            self._log.append((self._number, name, _marked(args)))
            return method(*_real(args))

        return call


class BookRecording:
    """Stands in for the XlsxWriter workbook and notes each add_chart() and the calls to the chart."""

    def __init__(self, book, charts):
        self._book, self._charts = book, charts  # charts: [(options, [(chart number, method, args)])]

    def __getattr__(self, name):
        return getattr(self._book, name)

    def add_chart(self, options):
        self._charts.append((copy.deepcopy(options), []))
        return ChartRecording(self._book.add_chart(options), len(self._charts) - 1, self._charts[-1][1])


def _marked(args):
    return copy.deepcopy(tuple(ChartMark(a._number) if isinstance(a, ChartRecording) else a for a in args))


def _real(args):
    return tuple(a._chart if isinstance(a, ChartRecording) else a for a in args)


class Recording:
    """Stands in for an XlsxWriter worksheet and notes every call that puts something in the file."""

    def __init__(self, worksheet, log, format_names):
        self._ws, self._log, self._names = worksheet, log, format_names

    def __getattr__(self, name):
        method = getattr(self._ws, name)
        if name not in CALLS:
            return method

        def call(*args):
            noted = tuple(self._names.get(id(a), a) if _is_format(a) else a for a in args)
            if name in ("insert_chart", "add_table"):
                noted = _marked(noted)
            self._log.append((name, noted))
            return method(*_real(args))

        return call


def _is_format(value) -> bool:
    from xlsxwriter.format import Format

    return isinstance(value, Format)


def record_cells(user, quarter):
    """Export once with every worksheet and chart call noted: the sheets [(sheet name, [(method, args with
    format names)])], the formats' properties, and the charts [(options, [(chart, method, args)])]."""
    from reporting.spreadsheets import writer
    from reporting.spreadsheets.commissioner import commissioner_workbook
    from reporting.spreadsheets.excel_tables import Worksheet

    sheets, charts = [], []
    original = writer.SafeWorkbook.sheet
    properties = {}

    def sheet(self, name):
        log = []
        sheets.append((name, log))
        names = {id(fmt): key for key, fmt in self.formats.items()}
        properties.update(self.format_properties)
        if not isinstance(self.book, BookRecording):
            self.book = BookRecording(self.book, charts)
        return writer.SafeSheet(self, Recording(self.book.add_worksheet(name, worksheet_class=Worksheet),
                                                log, names))

    writer.SafeWorkbook.sheet = sheet
    try:
        commissioner_workbook(tempfile.TemporaryFile(), user=user, quarter=quarter)
    finally:
        writer.SafeWorkbook.sheet = original
    return sheets, properties, charts


def prepare_bare(target, recorded):
    """A bare XlsxWriter workbook in constant-memory mode with its formats and sheets, and the
    recorded calls as plain lists of (method, arguments) ready to run: the charts' first, then
    the sheets'. Returns the workbook, the lists, and the time (by the clock and in CPU) that
    making the workbook, its formats and its sheets took, which counts as part of writing.

    The sheets are XlsxWriter's worksheets with one method of ours, `add_table()`, which adds
    a table over rows already written in constant-memory mode (XlsxWriter's own refuses there)."""
    import xlsxwriter

    from reporting.spreadsheets.excel_tables import Worksheet

    sheets, properties, charts = recorded
    started, cpu = time.perf_counter(), time.process_time()
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    formats = {name: book.add_format(props) for name, props in properties.items()}
    worksheets = [book.add_worksheet(name, worksheet_class=Worksheet) for name, _ in sheets]
    made = (time.perf_counter() - started, time.process_time() - cpu)
    prepared, drawn = [], []

    def unmark(args):
        return tuple(drawn[a.number] if isinstance(a, ChartMark) else a for a in args)

    for options, calls in charts:
        drawn.append(book.add_chart(copy.deepcopy(options)))
    for options, calls in charts:
        for number, method, args in calls:
            prepared.append((getattr(drawn[number], method), unmark(copy.deepcopy(args))))
    for ws, (_, calls) in zip(worksheets, sheets):
        for method, args in calls:
            where = FORMAT_ARGUMENT.get(method)
            if where is not None and where < len(args) and args[where] is not None:
                args = (*args[:where], formats[args[where]], *args[where + 1:])
            if method in ("insert_chart", "add_table"):
                args = unmark(copy.deepcopy(args))
            prepared.append((getattr(ws, method), args))
    return book, prepared, made


# Where the format is among each call's arguments.
FORMAT_ARGUMENT = {"write_string": 3, "write_number": 3, "write_datetime": 3, "write_formula": 3, "write_blank": 3,
                   "merge_range": 5}


def write_bare(book, prepared):
    for method, args in prepared:
        method(*args)
    book.close()


# --- Measuring ------------------------------------------------------------------------------


def measure(builder, projects: int, repeat: int):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from grants.models import User
    from grants.periods import Quarter
    from reporting.spreadsheets.commissioner import commissioner_workbook

    builder.grow_to(projects)
    quarter = Quarter(YEAR, 4)

    def fresh_user():
        return User.objects.select_related("organisation").get(pk=builder.user.pk)

    def ours(user):
        with tempfile.TemporaryFile() as target:
            started, cpu = time.perf_counter(), time.process_time()
            projects = commissioner_workbook(target, user=user, quarter=quarter)
            seconds = (time.perf_counter() - started, time.process_time() - cpu)
            size = target.tell()
        return seconds, projects, size

    user = fresh_user()
    with CaptureQueriesContext(connection) as queries:
        _, projects, size = ours(user)
    query_count = len(queries.captured_queries)
    reset_queries()

    recorded = record_cells(fresh_user(), quarter)
    sheets = recorded[0]
    cells = sum(1 for _, calls in sheets for method, _ in calls if method.startswith("write_"))

    def bare():
        with tempfile.TemporaryFile() as target:
            book, prepared, made = prepare_bare(target, recorded)
            started, cpu = time.perf_counter(), time.process_time()
            write_bare(book, prepared)
            return made[0] + time.perf_counter() - started, made[1] + time.process_time() - cpu

    our_times, bare_times = [], []
    for _ in range(repeat):
        gc.collect()
        our_times.append(ours(fresh_user())[0])
        gc.collect()
        bare_times.append(bare())

    gc.collect()
    user = fresh_user()
    tracemalloc.start()
    ours(user)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = {name: len({args[0] for method, args in calls if method.startswith("write_")}) for name, calls in sheets}
    return {
        "projects": projects, "cells": cells, "rows": rows, "bytes": size, "queries": query_count,
        "seconds": min(t[0] for t in our_times), "bare": min(t[0] for t in bare_times),
        "cpu": min(t[1] for t in our_times), "bare_cpu": min(t[1] for t in bare_times), "peak": peak,
    }


def same_cells(builder):
    """Check that the bare write really writes what ours does: the sheets' XML is identical."""
    import zipfile

    from grants.models import User
    from grants.periods import Quarter
    from reporting.spreadsheets.commissioner import commissioner_workbook

    user = User.objects.get(pk=builder.user.pk)
    ours, bare = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    projects = commissioner_workbook(ours, user=user, quarter=Quarter(YEAR, 4))
    write_bare(*prepare_bare(bare, record_cells(user, Quarter(YEAR, 4)))[:2])
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(bare) as b:
        names = [n for n in a.namelist() if n.startswith(("xl/worksheets/", "xl/charts/", "xl/drawings/", "xl/tables/"))]
        # The cover's "generated at" differs by the seconds between the two runs, and the footer's "made at"
        # by the minute if one turns between them; compare the data sheets, without their footers.
        def sheet(archive, name):
            return re.sub(rb"<oddFooter>.*?</oddFooter>", b"", archive.read(name))

        bare_names = set(b.namelist())
        differ = [n for n in names if n not in bare_names
                  or (n != "xl/worksheets/sheet1.xml" and sheet(a, n) != sheet(b, n))]
    return projects, differ


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[200, 2000],
                        help="Sizes to measure, in increasing order (default: 200 2000).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each timing; the best is kept (default 3).")
    parser.add_argument("--export-once", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_once:
        export_once(args.export_once)
        return

    folder = tempfile.mkdtemp(prefix="grants-bench-")
    database = os.path.join(folder, "bench.sqlite3")
    try:
        print(f"Throwaway database: {database}")
        started = time.perf_counter()
        setup_django(database)
        builder = Builder()
        print(f"Migrated in {time.perf_counter() - started:.1f} s.")

        builder.grow_to(min(args.projects))
        _, differ = same_cells(builder)
        print("Bare XlsxWriter writes the same data sheets as ours: " + ("yes" if not differ else f"NO, {differ} differ"))

        results = []
        for size in sorted(args.projects):
            started = time.perf_counter()
            builder.grow_to(size)
            print(f"\n{size:,} projects (built in {time.perf_counter() - started:.1f} s)")
            r = measure(builder, size, args.repeat)
            results.append(r)
            print(f"  rows per sheet     {', '.join(f'{k} {v:,}' for k, v in r['rows'].items())}")
            print(f"  cells written      {r['cells']:,} ({r['bytes'] / 1e6:.1f} MB file)")
            print(f"  queries            {r['queries']}")
            print(f"  our export         {r['seconds']:.2f} s ({r['cpu']:.2f} s of CPU)")
            print(f"  bare XlsxWriter    {r['bare']:.2f} s ({r['bare_cpu']:.2f} s of CPU)")
            print(f"  ratio              {r['seconds'] / r['bare']:.2f} by the clock, {r['cpu'] / r['bare_cpu']:.2f} by CPU time"
                  " (aim: under 1.3)")
            print(f"  peak memory        {r['peak'] / 1e6:.0f} MB (tracemalloc, during one export); "
                  f"{resident_memory_of_one_export(database):.0f} MB resident at most in a process that only "
                  "starts Django and exports")
        print(f"\nThis process at most: {_peak_resident_mb():.0f} MB resident (the data build and the recorded cells too)")
        counts = {r["queries"] for r in results}
        print("Queries the same at every size: " + ("yes" if len(counts) == 1 else f"NO: {sorted(counts)}"))
    finally:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main()
