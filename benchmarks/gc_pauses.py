"""
Garbage-collection pauses on requests: how long each full (generation 2) collection takes while
signed-in users go through the main pages, with the objects loaded at start-up frozen (gc.freeze(),
as config/wsgi.py does in every server process) and without. Prints, for each, how many full
collections ran, their median and longest pause, and the total time they took.

    .venv/bin/python benchmarks/gc_pauses.py              # on the demo data (a throwaway SQLite database)
    .venv/bin/python benchmarks/gc_pauses.py --rounds 60

Each variant runs in a fresh process, so that neither sees the other's objects.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Roles that sign in without a second factor, so that DEBUG can be off as on a server.
PAGES = {
    "viewer": ["/", "/programmes/", "/review/", "/reports/dashboard/", "/reports/projects/", "/reports/returns/",
               "/reports/allocations/", "/reports/payments/"],
    "provider": ["/", "/returns/", "/funding/", "/reports/dashboard/", "/reports/returns/"],
    "kbsp": ["/", "/returns/", "/funding/", "/reports/dashboard/"],
}

RUN = """
import gc, json, sys, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from django.conf import settings
setup_test_environment()
settings.ALLOWED_HOSTS = ["testserver"]
call_command("migrate", verbosity=0)
call_command("loaddata", "demo", verbosity=0)
call_command("rebuild_kept_figures", verbosity=0)  # as load_demo does
from grants.models import User
pages, rounds, freeze = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
clients = {}
for username in pages:
    clients[username] = Client()
    clients[username].force_login(User.objects.get(username=username))
for username, paths in pages.items():  # warm: every template and query compiled once
    for path in paths:
        clients[username].get(path, secure=True)
gc.collect()
if freeze:
    gc.freeze()
pauses, started = [], {}
def watch(phase, info):
    if info["generation"] != 2:
        return
    if phase == "start":
        started["at"] = time.perf_counter()
    else:
        pauses.append(time.perf_counter() - started.pop("at"))
gc.callbacks.append(watch)
began = time.perf_counter()
for _ in range(rounds):
    for username, paths in pages.items():
        for path in paths:
            response = clients[username].get(path, secure=True)
            assert response.status_code == 200, (username, path, response.status_code, response.get("Location"))
print(json.dumps({"pauses": pauses, "seconds": time.perf_counter() - began}))
"""


def run(rounds: int, freeze: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL="sqlite:///:memory:", DEBUG="False",
               SECRET_KEY="gc-pauses-benchmark-only-0123456789-abcdefghijklmnopqrstuvwxyz", ALLOWED_HOSTS="testserver",
               LOG_LEVEL="ERROR")
    # DEBUG off serves the collected, hashed static files, as a server does.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=PROJECT_DIR,
                   env=env, check=True)
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(PAGES), str(rounds), "1" if freeze else "0"],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds of every page of every role")
    args = parser.parse_args(argv)
    requests = args.rounds * sum(len(p) for p in PAGES.values())
    print(f"{args.rounds} rounds of {requests // args.rounds} main pages ({requests} requests), demo data, SQLite")
    print("              full collections  median pause  longest pause  total in pauses  total time")
    for label, freeze in (("not frozen", False), ("frozen", True)):
        result = run(args.rounds, freeze)
        pauses = [1000 * p for p in result["pauses"]]
        median = statistics.median(pauses) if pauses else 0
        print(f"  {label:10}  {len(pauses):16d}  {median:10.1f} ms  {max(pauses, default=0):11.1f} ms"
              f"  {sum(pauses):12.0f} ms  {result['seconds']:8.1f} s")


if __name__ == "__main__":
    main()
