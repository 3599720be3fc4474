"""
Settings read from the environment.

Each test imports the settings module afresh in a subprocess, with an
environment made from scratch for the variables under test, so that neither
this process's settings nor CI's own DATABASE_URL leak in.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Every variable config/settings.py reads, removed from the inherited environment.
SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_NAME", "DATABASE_URL",
    "DB_CONN_MAX_AGE", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "AXES_ENABLED", "AXES_VERBOSE",
    "TIME_ZONE", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL", "UPLOAD_MAX_BYTES", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE", "LOG_LEVEL", "SITE_URL", "REMINDER_OVERDUE_WINDOW_DAYS", "FORWARDED_ALLOW_IPS",
    "REQUIRE_2FA", "DB_POOL", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE", "DB_POOL_TIMEOUT", "DB_CONN_HEALTH_CHECKS",
    "DB_PREPARED_STATEMENTS", "CACHE_DIRECTORY", "CACHE_MAX_ENTRIES", "KEPT_PAGES_SECONDS",
}

READ_SETTINGS = """
import json, sys
from django.conf import settings
try:
    values = {name: getattr(settings, name) for name in sys.argv[1:]}
except Exception as exc:
    print(json.dumps({"error": type(exc).__module__ + "." + type(exc).__name__, "message": str(exc)}))
else:
    print(json.dumps({"values": values}, default=str))
"""

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "a-real-secret-key-for-the-test-only-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "grants.example.org",
}


def load_settings(*names, **environ):
    """The named settings as the settings module makes them from `environ`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(environ)
    completed = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS, *names],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def values(*names, **environ):
    result = load_settings(*names, **environ)
    assert "error" not in result, result
    return result["values"]


def refusal(*names, **environ):
    result = load_settings(*names, **environ)
    assert "error" in result, f"expected the settings to be refused, got {result}"
    return result


def test_debug_off_without_allowed_hosts_is_refused():
    result = refusal("ALLOWED_HOSTS", DEBUG="False", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "ALLOWED_HOSTS" in result["message"]


def test_an_empty_database_url_means_the_default_sqlite_database():
    database = values("DATABASES", DATABASE_URL="")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"


def test_debug_off_without_a_secret_key_is_refused():
    result = refusal("SECRET_KEY", DEBUG="False")
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "SECRET_KEY" in result["message"]


def test_debug_off_with_the_published_development_key_is_refused():
    result = refusal("SECRET_KEY", DEBUG="False", SECRET_KEY="dev-only-insecure-key-do-not-use-in-production")
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "SECRET_KEY" in result["message"]


@pytest.mark.parametrize("key", ["short-key1", "x" * 60, "django-insecure-" + "k3Jw9-abcdefghijklmnopqrstuvwxyz0123456789"])
def test_debug_off_with_a_short_or_simple_key_is_refused(key):
    """make serve used to start with SECRET_KEY=short-key1."""
    result = refusal("SECRET_KEY", DEBUG="False", SECRET_KEY=key, ALLOWED_HOSTS="grants.example.org")
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "at least 50 random characters" in result["message"]


@pytest.mark.parametrize("hosts", ["*", "grants.example.org,*"])
def test_debug_off_with_allowed_hosts_star_is_refused(hosts):
    result = refusal("ALLOWED_HOSTS", **{**PRODUCTION, "ALLOWED_HOSTS": hosts})
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "ALLOWED_HOSTS cannot be '*'" in result["message"]


def test_a_star_in_allowed_hosts_is_still_allowed_while_developing():
    assert values("ALLOWED_HOSTS", ALLOWED_HOSTS="*")["ALLOWED_HOSTS"] == ["*"]


def test_debug_is_on_by_default_and_runs_with_the_development_key():
    got = values("DEBUG", "SECRET_KEY")
    assert got["DEBUG"] is True
    assert got["SECRET_KEY"]


def test_debug_off_with_a_secret_key_sets_secure_cookies_ssl_redirect_hsts_and_manifest_static_files():
    got = values(
        "DEBUG", "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "STORAGES", **PRODUCTION,
    )
    assert got["DEBUG"] is False
    assert got["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert got["SESSION_COOKIE_SECURE"] is True
    assert got["CSRF_COOKIE_SECURE"] is True
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_HSTS_SECONDS"] >= 31536000  # a year at least
    assert got["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_while_developing_cookies_are_not_secure_and_static_files_are_not_hashed():
    got = values("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "STORAGES")
    assert got["SESSION_COOKIE_SECURE"] is False
    assert got["CSRF_COOKIE_SECURE"] is False
    assert got["SECURE_SSL_REDIRECT"] is False
    assert got["SECURE_HSTS_SECONDS"] == 0
    assert "Manifest" not in got["STORAGES"]["staticfiles"]["BACKEND"]


def test_database_url_is_parsed_into_the_default_database():
    database = values("DATABASES", DATABASE_URL="postgres://u:p@h:5433/n")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "h"
    assert int(database["PORT"]) == 5433
    assert database["NAME"] == "n"
    assert database["USER"] == "u"
    assert database["PASSWORD"] == "p"


def test_the_default_database_is_sqlite_in_the_project_directory():
    database = values("DATABASES")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == PROJECT_DIR / "db.sqlite3"


def test_the_time_zone_is_london_by_default():
    assert values("TIME_ZONE")["TIME_ZONE"] == "Europe/London"


def test_the_time_zone_can_be_overridden():
    assert values("TIME_ZONE", TIME_ZONE="UTC")["TIME_ZONE"] == "UTC"


def test_allowed_hosts_are_read_from_a_comma_separated_list():
    got = values("ALLOWED_HOSTS", **{**PRODUCTION, "ALLOWED_HOSTS": " grants.example.org, www.grants.example.org ,,"})
    assert got["ALLOWED_HOSTS"] == ["grants.example.org", "www.grants.example.org"]


def test_allowed_hosts_default_to_the_local_machine_while_developing():
    assert values("ALLOWED_HOSTS")["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_email_host_and_port_are_read():
    got = values("EMAIL_HOST", "EMAIL_PORT", EMAIL_HOST="smtp.example.org", EMAIL_PORT="2525")
    assert got["EMAIL_HOST"] == "smtp.example.org"
    assert got["EMAIL_PORT"] == 2525


@pytest.mark.parametrize("port", ["twenty-five", "25.5"])
def test_an_email_port_that_is_not_a_whole_number_is_refused_by_name(port):
    result = refusal("EMAIL_PORT", EMAIL_PORT=port)
    assert result["error"] == "django.core.exceptions.ImproperlyConfigured"
    assert "EMAIL_PORT" in result["message"]


def test_argon2_is_the_first_password_hasher():
    hashers = values("PASSWORD_HASHERS")["PASSWORD_HASHERS"]
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_new_passwords_are_hashed_with_argon2():
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n"
         "from django.contrib.auth.hashers import make_password\nprint(make_password('a long passphrase'))"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().startswith("argon2$")


def test_a_postgresql_database_is_pooled_when_asked():
    values = load_settings("DATABASES", DATABASE_URL="postgres://grants@db.example.org:5432/grants", DB_POOL="True",
                           DB_POOL_MAX_SIZE="3")["values"]
    database = values["DATABASES"]["default"]
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 3, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0  # a pool replaces persistent connections


def test_connections_are_checked_before_reuse_and_sqlite_is_never_pooled():
    database = load_settings("DATABASES", DB_POOL="True", DB_CONN_MAX_AGE="60")["values"]["DATABASES"]["default"]
    assert "pool" not in database.get("OPTIONS", {})
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)


def test_postgresql_statements_are_bound_on_the_server_and_prepared_unless_turned_off():
    url = "postgres://grants@db.example.org:5432/grants"
    options = values("DATABASES", DATABASE_URL=url)["DATABASES"]["default"]["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 2)

    off = values("DATABASES", DATABASE_URL=url, DB_PREPARED_STATEMENTS="False")["DATABASES"]["default"]
    assert "server_side_binding" not in off.get("OPTIONS", {}) and "prepare_threshold" not in off.get("OPTIONS", {})
    sqlite = values("DATABASES")["DATABASES"]["default"]
    assert "server_side_binding" not in sqlite.get("OPTIONS", {})


def test_make_serve_pools_connections():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "serve: export DB_POOL ?= True" in makefile


def test_kept_pages_are_in_each_process_unless_a_directory_is_shared(tmp_path):
    alone = values("CACHES")["CACHES"]["default"]
    assert alone.get("BACKEND", "django.core.cache.backends.locmem.LocMemCache").endswith("LocMemCache")

    shared = values("CACHES", CACHE_DIRECTORY=str(tmp_path))["CACHES"]["default"]
    assert shared["BACKEND"] == "config.cache.KeptPagesCache"
    assert shared["LOCATION"] == str(tmp_path)
    assert shared["OPTIONS"]["MAX_ENTRIES"] == 5000
    assert "serve: export CACHE_DIRECTORY ?=" in (PROJECT_DIR / "Makefile").read_text()


POOLED_QUERIES = """
import json
import django
django.setup()
from django.db import connection
for _ in range(3):  # three requests, each handing its connection back
    connection.cursor().execute("select 1")
    connection.close()
print(json.dumps({"pooled": connection.pool is not None, "stats": connection.pool.get_stats()}))
"""


PREPARED_QUERIES = """
import json
import django
django.setup()
from django.db import connection
from grants.models import Programme
for _ in range(3):  # the same query, with different values, on one pooled connection
    list(Programme.objects.filter(code__in=["CSF", "SVD"], financial_year__gte=2023).values_list("pk"))
with connection.cursor() as cursor:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    prepared = [row[0] for row in cursor.fetchall()]
print(json.dumps({"prepared": prepared}))
"""


def _run_against_the_test_database(settings, script, **environ):
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url, DB_POOL="True", DJANGO_SETTINGS_MODULE="config.settings", **environ)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_run_again_on_a_pooled_connection_is_prepared(settings):
    """Against the PostgreSQL the tests use: the programmes' query, run three times, is prepared once
    with its values as parameters; with DB_PREPARED_STATEMENTS=False nothing is."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    prepared = _run_against_the_test_database(settings, PREPARED_QUERIES)["prepared"]
    assert [p for p in prepared if 'FROM "grants_programme"' in p and "$1" in p], prepared
    assert _run_against_the_test_database(settings, PREPARED_QUERIES, DB_PREPARED_STATEMENTS="False")["prepared"] == []


@pytest.mark.postgres
def test_a_pooled_connection_answers_and_goes_back_to_the_pool(settings):
    """Against the PostgreSQL the tests use: a process with DB_POOL=True runs its queries through the pool."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    script = POOLED_QUERIES
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url, DB_POOL="True", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["pooled"]
    # Three connections asked for and handed back: the pool opened at most its two.
    assert result["stats"]["pool_size"] <= 2 and result["stats"]["requests_num"] == 3
