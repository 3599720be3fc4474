"""
Load: concurrent signed-in users going through the main pages for a fixed time, against the
production server (gunicorn, DEBUG off, WhiteNoise) on loopback. Prints requests per second,
the 50th, 95th and 99th percentile response times, and every error.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/grants .venv/bin/python benchmarks/load.py
    .venv/bin/python benchmarks/load.py --users 50 --seconds 60 --workers 3
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000   # a server already running
    .venv/bin/python benchmarks/load.py --users 200 --think 1-3 --seconds 60   # people who read each page
    .venv/bin/python benchmarks/load.py --no-pool        # a new PostgreSQL connection for every request
    .venv/bin/python benchmarks/load.py --users 200 --think 1-3 --changes-every 2   # and a change every 2 s
    .venv/bin/python benchmarks/load.py --users 200 --think 1-3 --changes-every 1 --changes-in one-funder

Without --url it collects the static files and starts gunicorn itself, as `make serve` does, on a
free port with DEBUG off, a throwaway SECRET_KEY and SECURE_PROXY_SSL_HEADER on; the users send
X-Forwarded-Proto: https as the TLS proxy in front of a real server would, so secure cookies,
HTTPS redirects and the CSRF origin check are all as in production. The database must hold the
demo data (`python manage.py load_demo`). Each user signs in through the sign-in form with its CSRF
token, as one of the demo accounts in turn, and then walks its role's pages and the detail pages
linked from them, with no pause between requests unless --think gives a pause (seconds, drawn
evenly between the two bounds) after each page, as people reading it would. The server it starts
pools its PostgreSQL connections as `make serve` does (DB_POOL=True; --no-pool opens one per request)
and shares its kept pages among its workers in a directory of its own, as `make serve` does
(CACHE_DIRECTORY).

The users only read. With --changes-every S, every S seconds the figures' tokens move in the database
(DATABASE_URL), as a committed change moves them: every kept page is worked out again at its next
request, as after an approval or a saved return (grants/kept_pages.py). The change's own work is not
part of it; what is measured is reading while changes come in. --changes-in all (the default, the worst
case) moves every token at each change; --changes-in one-funder moves the tokens one change under one
funder moves (that funder's and the one every change moves), each funder in turn, so that the pages of
the other funders' officers and of the providers they alone fund stay kept.

With DEBUG off two-factor sign-in is required of commissioner and finance officers: the first sign-in
of each such account sets up its authenticator as a person would (the key read from the set-up page,
the code worked out from it), and the users of one account share its session, as one person's tabs
would (a code is good once). An account whose authenticator was set up by an earlier run cannot be
signed in again: run against a database freshly loaded with the demo data.
"""

import argparse
import base64
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "demo-password-only"

# The demo accounts (README) and the main pages of each role.
COMMISSIONER_PAGES = ["/", "/programmes/", "/review/", "/virements/", "/measures/", "/finance/", "/reports/",
                      "/reports/dashboard/", "/reports/performance/", "/reports/returns/", "/reports/allocations/",
                      "/reports/open-data/", "/reports/commissioner-workbook/"]
FINANCE_PAGES = ["/", "/finance/", "/review/", "/programmes/", "/reports/payments/", "/reports/dashboard/",
                 "/reports/returns/"]
VIEWER_PAGES = ["/", "/programmes/", "/review/", "/reports/dashboard/", "/reports/projects/"]
PROVIDER_PAGES = ["/", "/returns/", "/funding/", "/virements/", "/reports/dashboard/", "/reports/returns/"]
ACCOUNTS = {
    "commissioner": COMMISSIONER_PAGES, "avon-commissioner": COMMISSIONER_PAGES,
    "finance": FINANCE_PAGES, "avon-finance": FINANCE_PAGES, "viewer": VIEWER_PAGES,
    "provider": PROVIDER_PAGES, "csp": PROVIDER_PAGES, "police-provider": PROVIDER_PAGES,
    "bristol-provider": PROVIDER_PAGES, "charity-provider": PROVIDER_PAGES, "kbsp": PROVIDER_PAGES,
}
# Detail pages linked from the main pages, visited too (a few of each user's).
DETAIL = re.compile(r'href="(/(?:returns/[\w-]+/\d+/\d/|allocations/\d+/|programmes/\d+/|projects/[\w-]+/|'
                    r'payments/\d+/|virements/\d+/))"')


def label(path: str) -> str:
    """The page without its object: /returns/<ref>/<year>/<quarter>/, /allocations/<id>/."""
    path = re.sub(r"^/returns/[\w-]+/\d+/\d/$", "/returns/<ref>/<year>/<quarter>/", path)
    path = re.sub(r"^/projects/[\w-]+/$", "/projects/<ref>/", path)
    return re.sub(r"/\d+/", "/<id>/", path)


class User:
    def __init__(self, host, port, username, pages, results, errors):
        self.host, self.port, self.username, self.pages = host, port, username, list(pages)
        self.results, self.errors = results, errors
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method, path, body=None, record=True):
        headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https", "User-Agent": "grants-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://{self.host}:{self.port}",
                            "Referer": f"https://{self.host}:{self.port}{path}"})
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.errors.append(f"{method} {path} as {self.username}: {type(error).__name__}: {error}")
            return None, b""
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if record:
            self.results.append((label(path), elapsed))
        return response, content

    def sign_in(self):
        response, content = self.request("GET", "/sign-in/", record=False)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content or b"")
        if response is None or token is None:
            raise RuntimeError(f"no sign-in form for {self.username}: {response and response.status}")
        body = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": self.username,
                          "password": PASSWORD})
        response, _ = self.request("POST", "/sign-in/", body=body, record=False)
        if response is None or response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not sign in: {response and response.status}")
        response, content = self.request("GET", "/", record=False)
        location = response.getheader("Location", "") if response is not None else ""
        if location.startswith("/sign-in/code/"):
            raise RuntimeError(f"{self.username} set up two-factor sign-in in an earlier run: load the demo data "
                               "into a fresh database")
        if location.startswith("/two-factor/set-up/"):
            self.set_up_two_factor()
        self.find_details()

    def set_up_two_factor(self):
        from django_otp.oath import totp  # the code an authenticator app would show

        _, content = self.request("GET", "/two-factor/set-up/", record=False)
        page = content.decode()
        key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        code = f"{totp(base64.b32decode(key), t0=0, step=30, digits=6):06d}"
        body = urlencode({"csrfmiddlewaretoken": token, "code": code, "next": "/"})
        response, _ = self.request("POST", "/two-factor/set-up/", body=body, record=False)
        if response is None or response.status != 302:
            raise RuntimeError(f"{self.username} could not set up two-factor sign-in")

    def share(self, other: "User"):
        """Sign in as `other` did: its session (one person's tabs)."""
        self.cookies = dict(other.cookies)
        self.find_details()

    def find_details(self):
        details = []
        for page in self.pages[:3]:
            _, content = self.request("GET", page, record=False)
            details += [m for m in DETAIL.findall(content.decode()) if m not in details]
        self.pages += details[:6]

    def run(self, deadline, start_line, think=(0.0, 0.0)):
        start_line.wait()
        # Users with a pause start spread over one pause, not all in the same instant.
        n = random.randrange(len(self.pages))
        time.sleep(random.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            path = self.pages[n % len(self.pages)]
            n += 1
            response, _ = self.request("GET", path)
            if response is not None and response.status != 200:
                self.errors.append(f"GET {path} as {self.username}: {response.status}")
            if think[1]:
                time.sleep(random.uniform(*think))


def move_tokens(deadline, every, changes, where="all"):
    """Every `every` seconds, the tokens of the figures move as a committed change moves them: every one
    (`where` "all"), or those of one funder in turn and the one every change moves ("one-funder")."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    turn = 0
    with psycopg.connect(url, autocommit=True) as connection:
        while time.perf_counter() + every < deadline:
            time.sleep(every)
            if where == "all":
                connection.execute("UPDATE grants_figuresversion SET token = md5(random()::text), moved_at = now()")
            else:
                funders = [scope for scope, in connection.execute(
                    "SELECT scope FROM grants_figuresversion WHERE scope LIKE 'funder:%' ORDER BY scope")]
                scopes = ["all", *([funders[turn % len(funders)]] if funders else [])]
                turn += 1
                connection.execute("UPDATE grants_figuresversion SET token = md5(random()::text), moved_at = now() "
                                   "WHERE scope = ANY(%s)", [scopes])
            changes.append(time.perf_counter())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, pool: bool = True) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
               SECURE_PROXY_SSL_HEADER="True", LOG_LEVEL="WARNING", DB_POOL=str(pool),
               CACHE_DIRECTORY=tempfile.mkdtemp(prefix="grants-load-kept-"))
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=PROJECT_DIR,
                   env=env, check=True)
    gunicorn = str(Path(python).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                               "--log-level", "warning"], cwd=PROJECT_DIR, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def percentile(values, p):
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=int(os.getenv("WEB_CONCURRENCY", "3")),
                        help="gunicorn workers, when the script starts the server")
    parser.add_argument("--url", help="a server already running (otherwise one is started)")
    parser.add_argument("--think", default="0-0", help="seconds each user pauses after a page: MIN-MAX, e.g. 1-3")
    parser.add_argument("--changes-every", type=float, default=0, metavar="S",
                        help="move the figures' tokens every S seconds, as a committed change does (needs DATABASE_URL)")
    parser.add_argument("--changes-in", choices=["all", "one-funder"], default="all",
                        help="which tokens a change moves: every one (the worst case), or one funder's in turn")
    parser.add_argument("--no-pool", dest="pool", action="store_false",
                        help="the started server opens a PostgreSQL connection for every request")
    args = parser.parse_args(argv)
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))

    server = None
    if args.url:
        url = args.url
    else:
        server, url = start_server(args.workers, args.pool)
    parts = urlsplit(url)
    try:
        results, errors, changes = [], [], []
        accounts = list(ACCOUNTS.items())
        users = [User(parts.hostname, parts.port or 80, *accounts[n % len(accounts)], results, errors)
                 for n in range(args.users)]
        first = {}
        for user in users:
            first.setdefault(user.username, user)
        signing_in = [threading.Thread(target=user.sign_in) for user in first.values()]
        for thread in signing_in:
            thread.start()
        for thread in signing_in:
            thread.join()
        if not errors:
            for user in users:
                if first[user.username] is not user:
                    user.share(first[user.username])
        if errors:
            print("\n".join(errors[:20]))
            return 1
        results.clear()
        start_line = threading.Event()
        started = time.perf_counter()
        deadline = started + args.seconds
        threads = [threading.Thread(target=user.run, args=(deadline, start_line, think)) for user in users]
        if args.changes_every:
            threads.append(threading.Thread(target=move_tokens, args=(deadline, args.changes_every, changes, args.changes_in)))
        for thread in threads:
            thread.start()
        start_line.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    times = sorted(t for _, t in results)
    print(f"{args.users} signed-in users for {elapsed:.0f} s against {url}"
          + (f" (gunicorn, {args.workers} workers, DEBUG off, connections "
             f"{'pooled' if args.pool else 'opened per request'})" if server else "")
          + (f", pausing {think[0]:g}-{think[1]:g} s after each page" if think[1] else ", no pause"))
    if hasattr(os, "getloadavg"):
        print("load average at the end (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    if args.changes_every:
        print(f"changes (tokens moved): {len(changes)}, one every {args.changes_every:g} s, moving "
              + ("every token" if args.changes_in == "all" else "one funder's tokens in turn"))
    print(f"requests: {len(times)}  errors: {len(errors)}  requests per second: {len(times) / elapsed:.1f}")
    if times:
        print("response time: p50 {:.0f} ms, p95 {:.0f} ms, p99 {:.0f} ms, max {:.0f} ms".format(
            *(1000 * percentile(times, p) for p in (50, 95, 99)), 1000 * times[-1]))
        by_page = defaultdict(list)
        for page, t in results:
            by_page[page].append(t)
        print("\n  p50 ms  p95 ms  requests  page")
        for page, values in sorted(by_page.items(), key=lambda item: -statistics.median(item[1])):
            print(f"  {1000 * statistics.median(values):6.0f}  {1000 * percentile(sorted(values), 95):6.0f}  "
                  f"{len(values):8d}  {page}")
    for error, count in Counter(errors).most_common(20):
        print(f"error ({count}x): {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
