"""
Production mode: `check --deploy` is clean with the settings the README documents, every response
carries the Content-Security-Policy, and no template holds the inline script, inline style or event
handler attribute that the policy would block.

(Secure cookies, HSTS, Argon2 and the settings refused with DEBUG off are in tests/grants/test_settings.py;
the sign-in lockout in tests/grants/test_home.py.)
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.grants.test_settings import SETTINGS_VARIABLES as KNOWN

SETTINGS_VARIABLES = KNOWN | {"SECURE_HSTS_PRELOAD", "CONTENT_SECURITY_POLICY", "WEB_CONCURRENCY"}

PROJECT_DIR = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT_DIR / "templates"

POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

# The production settings of the README: DEBUG off, a long random key, the host name.
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k3Jw9-production-like-secret-for-the-deploy-check-0123456789-abcdefghijklmn",
    "ALLOWED_HOSTS": "grants.example.org",
}


def manage(*args, **environ) -> subprocess.CompletedProcess:
    """manage.py in a fresh process, with only `environ` of the settings variables set."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    env.update(environ)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_deploy_check_is_clean_with_the_documented_production_settings():
    completed = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout
    assert "WARNINGS" not in completed.stderr + completed.stdout


def test_the_deploy_check_is_not_clean_while_developing():
    """The control for the test above: the same check finds the development settings wanting."""
    completed = manage("check", "--deploy", "--fail-level", "WARNING")

    assert completed.returncode != 0
    assert "security.W018" in completed.stderr + completed.stdout  # DEBUG on


def test_every_response_carries_the_content_security_policy(client, actors):
    assert client.get("/sign-in/")["Content-Security-Policy"] == POLICY
    client.force_login(actors.commissioner)
    assert client.get("/")["Content-Security-Policy"] == POLICY
    assert client.get("/no-such-page/")["Content-Security-Policy"] == POLICY


def templates():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_holds_what_the_policy_blocks(path):
    html = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script in {path.name}: {tag} (use a static file, or json_script for data)"
    assert not re.search(r"<style\b", html), f"a <style> block in {path.name}: move it to static/scss"
    assert not re.search(r"\sstyle=", html), f"a style attribute in {path.name}: use a class"
    assert not re.search(r"\son[a-z]+=", html), f"an event handler attribute in {path.name}: use static/js"
    assert "javascript:" not in html, f"a javascript: URL in {path.name}"


def test_the_scan_above_finds_what_it_looks_for(tmp_path):
    for bad in ['<script>alert(1)</script>', '<p style="color: red">', '<a onclick="x()">', "<style>p{}</style>"]:
        found = (any("src=" not in tag for tag in re.findall(r"<script\b[^>]*>", bad))
                 or re.search(r"<style\b", bad) or re.search(r"\sstyle=", bad) or re.search(r"\son[a-z]+=", bad))
        assert found, bad


def test_make_serve_refuses_a_short_key_and_a_star_for_hosts_before_it_starts_anything(tmp_path):
    """make serve (setup taken as done) with the settings the probe started it with: it stops at the
    check, with the reason, and never reaches gunicorn."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    for secret_key, hosts, reason in [
        ("short-key1", "grants.example.org", "SECRET_KEY is too short or too simple"),
        (PRODUCTION["SECRET_KEY"], "*", "ALLOWED_HOSTS cannot be '*'"),
    ]:
        completed = subprocess.run(
            ["make", "-o", "setup", "-o", "venv", "-o", "assets", "serve", "PORT=0"], cwd=PROJECT_DIR,
            env={**env, "SECRET_KEY": secret_key, "ALLOWED_HOSTS": hosts,
                 "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
            capture_output=True, text=True, timeout=120)

        assert completed.returncode != 0
        assert reason in completed.stderr + completed.stdout
        assert "gunicorn" not in completed.stdout.split("check --deploy")[-1].split("\n", 1)[-1]


DOWNLOADS = [
    "/reports/payments/?format=csv", "/reports/payments/?format=xlsx", "/reports/returns/?format=csv",
    "/reports/commissioner-workbook/?year=2023&quarter=1&programme=",
]


def test_signed_in_pages_and_financial_downloads_are_never_stored(client, actors):
    client.force_login(actors.finance)
    for path in ["/", "/finance/", "/reports/payments/", *DOWNLOADS]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_the_control_a_response_to_someone_signed_out_is_not_marked_by_it(client, db):
    response = client.get("/reports/")  # the redirect to sign in
    assert response.status_code == 302
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_server_process_freezes_what_it_loaded_at_start_up():
    """A gunicorn worker imports config.wsgi after it starts: everything loaded then is frozen, out of the
    garbage collector's full passes (benchmarks/gc_pauses.py measures what that saves)."""
    script = "import gc; assert gc.get_freeze_count() == 0; import config.wsgi; print(gc.get_freeze_count())"
    env = {k: v for k, v in os.environ.items() if k not in KNOWN and not k.startswith("DJANGO_")}
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000  # Django, the project and their libraries
