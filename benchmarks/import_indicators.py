"""
How fast a file of recorded crime is imported: five years of monthly counts for 50 areas.

    .venv/bin/python benchmarks/import_indicators.py                      # 50 areas, 60 months, 14 crime types
    .venv/bin/python benchmarks/import_indicators.py --areas 50 --months 60 --types 14 --xlsx

Builds a throwaway SQLite database (a temporary file, deleted at the end: the developer's database is never
touched) with one commissioner and --areas wards, writes a crime-layout CSV (or xlsx) of
areas × months × types rows, and prints, for the first import and for the same file again (every row
already held) and with every figure changed:
- reading: the bounded file reading and every row checked (reporting.places.files and .layouts);
- preview: comparing with the figures held, and signing the payload the confirmation posts back;
- saving: grants.services.places.indicator_values_import, in one transaction;
with the rows, the queries of each step and the seconds. Set DATABASE_URL yourself to run it against
PostgreSQL instead (the database must be empty).
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
         "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
         "Theft from the person", "Vehicle crime", "Violence and sexual offences"]


def setup_django(database_path: str | None):
    if database_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{database_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def crime_file(codes, months, types, shift=0, xlsx=False) -> bytes:
    rows = []
    for m in range(months):
        month = f"{2019 + m // 12}-{m % 12 + 1:02d}"
        for n, code in enumerate(codes):
            for t, kind in enumerate(types):
                rows.append((month, code, kind, (n * 7 + t * 13 + m * 3) % 97 + shift))
    if xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Crime")
        sheet.append(["Month", "Area code", "Crime type", "Count"])
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    lines = ["Month,Area code,Crime type,Count"] + [f"{a},{b},{c},{d}" for a, b, c, d in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(step):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    return result, len(queries.captured_queries), seconds


def run(args):
    from django.conf import settings

    from grants.models import Area, Organisation
    from grants.services.places import indicator_values_import
    from reporting.places.files import read_table
    from reporting.places.layouts import Options, read_rows
    from reporting.places.preview import read_indicator_file, to_payload

    settings.UPLOAD_MAX_BYTES = max(settings.UPLOAD_MAX_BYTES, 20 * 1024 * 1024)
    owner = Organisation.objects.create(name="Office of the Benchmark Commissioner", kind="commissioner")
    codes = [f"E0599{n:04d}" for n in range(args.areas)]
    Area.objects.bulk_create([Area(name=f"Ward {code}", code=code, code_type="WD") for code in codes])
    types = TYPES[:args.types]

    class Signer:
        pk = 1

    print(f"{args.areas} areas × {args.months} months × {len(types)} crime types = "
          f"{args.areas * args.months * len(types):,} rows, {'xlsx' if args.xlsx else 'CSV'}")
    print(f"{'import':<22} {'file MB':>8} {'reading s':>10} {'preview s':>10} {'q':>4} {'payload MB':>11} "
          f"{'saving s':>9} {'q':>5} {'created':>8} {'changed':>8}")
    for label, shift in (("first", 0), ("the same file again", 0), ("every figure changed", 1)):
        content = crime_file(codes, args.months, types, shift=shift, xlsx=args.xlsx)
        started = time.perf_counter()
        reading = read_rows(read_table(content), "crime", Options(theme="recorded-crime"))
        reading_seconds = time.perf_counter() - started
        assert not reading.problems, reading.problems[:3]
        preview, preview_queries, preview_seconds = timed(lambda: read_indicator_file(
            content, layout="crime", owner=owner, file_name="crime.csv", options=Options(theme="recorded-crime")))
        preview_seconds -= reading_seconds  # read_indicator_file reads the file again: count the comparison only
        payload = to_payload(preview, Signer, owner)
        result, save_queries, save_seconds = timed(lambda: indicator_values_import(
            actor=None, owner=owner, rows=preview.rows, layout="crime", file_name="crime.csv",
            sha256=preview.sha256))
        print(f"{label:<22} {len(content) / 1e6:>8.2f} {reading_seconds:>10.2f} {max(preview_seconds, 0):>10.2f} "
              f"{preview_queries:>4} {len(payload) / 1e6:>11.2f} {save_seconds:>9.2f} {save_queries:>5} "
              f"{result.created:>8,} {result.updated:>8,}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=50)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--types", type=int, default=14)
    parser.add_argument("--xlsx", action="store_true", help="An xlsx file instead of CSV.")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        setup_django(None)
        run(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        setup_django(str(Path(folder) / "bench.sqlite3"))
        run(args)


if __name__ == "__main__":
    main()
