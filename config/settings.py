"""
One settings module for every environment.

Every setting is read from the environment with a default that runs out of the
box on a developer's machine (SQLite, DEBUG on, a dev-only secret key). The
README lists each variable. Production sets DEBUG=False, and then a real
SECRET_KEY and ALLOWED_HOSTS are required.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.storage import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")

# The default key is for development only and says so. It is refused when
# DEBUG is off, so that a production server never runs with a published key.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.getenv("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")
# A key that can be guessed signs sessions, password reset links and templates' identities for anyone:
# the same test as Django's deploy check (security.W009), refused rather than warned about.
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or too simple: with DEBUG off use at least 50 random characters, for example "
        "from python3 -c \"import secrets; print(secrets.token_urlsafe(50))\".")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS: with DEBUG off the site answers only the host names listed.")
# "*" would answer any Host header, and password reset e-mails and absolute links would follow it.
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS cannot be '*' with DEBUG off: list the site's host names.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

SITE_NAME = os.getenv("SITE_NAME", "Community Safety Grants")
# The protective marking printed in the header and footer of every workbook we write (the
# Government Security Classifications: "OFFICIAL", "OFFICIAL-SENSITIVE"); empty for none.
PROTECTIVE_MARKING = os.getenv("PROTECTIVE_MARKING", "OFFICIAL").strip()
if len(PROTECTIVE_MARKING) > 40 or any(c in PROTECTIVE_MARKING for c in "\r\n\t"):
    raise ImproperlyConfigured("PROTECTIVE_MARKING must be one line of at most 40 characters "
                               f"(it is printed in every workbook's header and footer), not {PROTECTIVE_MARKING!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    # Second factor at sign-in: TOTP from an authenticator app, and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Django's task API (the backport of Django 6's django.tasks) and its database backend: long
    # exports run in `manage.py db_worker`, which needs nothing but the database (README, "Background exports").
    "django_tasks",
    "django_tasks_db",
    "grants",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Scripts and styles from the site's own files only (config/middleware.py).
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each user's reach (the ids of what they may see) worked out once per request (grants/models/scoping.py).
    "grants.models.scoping.ReachMiddleware",
    # Whether the user has entered a code of their second factor (request.user.is_verified()),
    # and nothing but finishing signing in until they have, where they must (grants/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "grants.middleware.TwoFactorMiddleware",
    # Refuses a request body over REQUEST_MAX_BYTES before anything reads it (config/middleware.py).
    "config.middleware.RequestSizeLimitMiddleware",
    # Cache-Control: no-store on everything a signed-in user is sent.
    "config.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.site",
            ],
        },
    },
]

# SQLite by default so that the application runs with nothing installed;
# DATABASE_URL=postgres://user:password@host:5432/name for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=envbool("DB_CONN_HEALTH_CHECKS", "True"),
    )
}
# Opening a PostgreSQL connection costs more than a simple page's queries, so production reuses
# them: with DB_POOL=True (as `make serve` sets) each server process keeps a pool of open connections
# (Django 5.2's psycopg pool), between DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE, waiting up to
# DB_POOL_TIMEOUT seconds for a free one. A gunicorn sync worker answers one request at a time, so
# one or two connections per worker are enough; the README ("Several application servers") gives the
# sizing rule against PostgreSQL's max_connections. A pool replaces persistent connections.
if envbool("DB_POOL", "False") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DB_POOL_MIN_SIZE", "1"),
        "max_size": envint("DB_POOL_MAX_SIZE", "2"),
        "timeout": envint("DB_POOL_TIMEOUT", "10"),
    }
# PostgreSQL plans each statement once per connection: the values are sent apart from the SQL
# (server-side binding), and a statement run twice on a connection is prepared, so that PostgreSQL
# parses and plans it once and the server process no longer quotes every value into the text. Under
# load this took PostgreSQL's CPU per request from 4.4-5.5 ms to 2.7-3.5 ms (README, "Load").
# DB_PREPARED_STATEMENTS=False turns it off: needed behind a pooler that shares connections between
# transactions (PgBouncer in transaction mode before 1.21).
if envbool("DB_PREPARED_STATEMENTS", "True") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `loaddata demo` finds fixtures/demo.json.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_USER_MODEL = "grants.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 first: new and changed passwords are hashed with it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Refuses sign-in after repeated failures for a username from one address.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user's organisation with them (grants/backends.py).
    "grants.backends.UserWithOrganisationBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
# Locked by username and address together: failures for one user from one client address. The address
# is the client's, through the trusted proxies below (config/proxy.py), not the proxy's own.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "True")

# Two-factor sign-in for commissioner and finance officers and administrators (grants/services/two_factor.py).
# On in production, where it cannot be turned off; off for the demo users while developing unless set.
REQUIRE_2FA = envbool("REQUIRE_2FA", str(not DEBUG))
if not DEBUG and not REQUIRE_2FA:
    raise ImproperlyConfigured("REQUIRE_2FA cannot be off with DEBUG off: the staff who move money sign in with a "
                               "second factor in production.")
OTP_TOTP_ISSUER = SITE_NAME

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party assets come from the npm registry (package.json) and are never
# committed; `make assets` installs them and compiles static/build/app.css.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Files the application keeps (config/storage.py): the file system under MEDIA_ROOT by default, any
# S3-compatible store with DOCUMENT_STORAGE=s3 (or AWS_STORAGE_BUCKET_NAME set). Static files are
# hashed and compressed in production, plain while developing so that nothing needs collecting first.
STORAGES = storages_from_env(os.environ, debug=DEBUG)

# Files the application writes and keeps (background exports, documents), through Django's storage
# API: the file system under MEDIA_ROOT by default. They are served only through the application,
# to those who may see them, never from MEDIA_URL.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))

# Background tasks: the database backend by default, so that nothing but the database is needed.
# Any number of `manage.py db_worker` processes, on any number of machines, take tasks from it.
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A place's counts (recorded crime by area) from 1 to this less one are shown as "fewer than 5", and
# nothing from which they could be worked back is shown (grants/figures/trends.py). At least 2.
PLACE_SUPPRESS_BELOW = max(2, envint("PLACE_SUPPRESS_BELOW", "5"))
# A list download (?format=xlsx or csv) of more rows than this is written by a worker, with a
# progress page; smaller ones are sent at once, as before.
EXPORT_BACKGROUND_ROWS = envint("EXPORT_BACKGROUND_ROWS", "5000")
# A report's workbook (twelve months, performance or by priority) whose reach holds more projects
# than this is written by a worker.
EXPORT_BACKGROUND_PROJECTS = envint("EXPORT_BACKGROUND_PROJECTS", "500")
# A background export's file is kept for its owner this long, then `manage.py purge_exports` deletes it.
EXPORT_RETENTION_HOURS = envint("EXPORT_RETENTION_HOURS", "24")
# A background export whose worker has not been heard of for this long is taken to have stopped (the
# process died, the machine restarted) and is shown as failed; the longest report is written in seconds.
EXPORT_STALLED_MINUTES = envint("EXPORT_STALLED_MINUTES", "15")
# The pages read most, the dashboards and the reports are kept in the cache (grants/kept_pages.py) until a figure
# moves, and for this many seconds at most; 0 works them out on every request.
KEPT_PAGES_SECONDS = envint("KEPT_PAGES_SECONDS", "600")
# Kept pages live in each server process's memory unless CACHE_DIRECTORY names a directory, where every
# process of the machine shares them: a page worked out by one is kept for all (`make serve` sets it). The
# directory is listed at one page kept in 100 and, over CACHE_MAX_ENTRIES, cleared of its oldest pages down to
# about two thirds of it (config/cache.py).
if os.getenv("CACHE_DIRECTORY"):
    CACHES = {"default": {"BACKEND": "config.cache.KeptPagesCache",
                          "LOCATION": os.environ["CACHE_DIRECTORY"],
                          "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "5000"), "CULL_EVERY": 100}}}
# A report's web page lists this many projects one by one, then a page for the next; its totals are
# always of every project and its workbook lists them all.
REPORT_PAGE_PROJECTS = max(1, envint("REPORT_PAGE_PROJECTS", "100"))

EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "grants@localhost")

# The address people use to reach the site, for links in e-mails.
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# Overdue returns are chased for this many days after the overdue reminder, then no more.
REMINDER_OVERDUE_WINDOW_DAYS = envint("REMINDER_OVERDUE_WINDOW_DAYS", "60")

# Projects whose funding ends within this many months are flagged "funding ending".
FUNDING_ENDING_MONTHS = envint("FUNDING_ENDING_MONTHS", "6")

# Uploaded workbooks: Django sets no limit on file size, we do.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
# An uploaded workbook that unpacks to more than this is refused before it is parsed (a zip bomb).
UPLOAD_MAX_UNCOMPRESSED_BYTES = envint("UPLOAD_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
# Rows of figures in one indicator file (CSV or xlsx, reporting/places/): more is refused, unread.
INDICATOR_IMPORT_MAX_ROWS = envint("INDICATOR_IMPORT_MAX_ROWS", "200000")
# Documents attached to allocations, returns, payments and clawbacks (grants/uploads.py): the largest
# file, and what a Word, Excel or OpenDocument file may unpack to (its zip directory is read, nothing more).
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024))
DOCUMENT_MAX_UNPACKED_BYTES = envint("DOCUMENT_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024))
# Form fields other than files: Django's default of 2.5 MB, which the largest return form and an
# import preview's signed payload stay well inside (free text is capped, grants/models/common.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A request body larger than this is refused before any of it is read (config/middleware.py):
# an upload of the largest size allowed (a workbook or a document), or the largest form, with room for
# the multipart wrapping.
REQUEST_MAX_BYTES = max(UPLOAD_MAX_BYTES, DOCUMENT_MAX_BYTES, DATA_UPLOAD_MAX_MEMORY_SIZE) + 64 * 1024
# Uploads are read in memory, never written to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

# Security headers and cookies. Secure cookies and HTTPS redirects follow from
# DEBUG being off unless told otherwise (for example behind a TLS proxy).
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = os.getenv(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
# With DEBUG off, HSTS covers subdomains and may be preloaded; turn these off where another
# host under the same domain still answers plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
# The proxies in front of the application (addresses or networks, comma-separated): gunicorn trusts
# their X-Forwarded-Proto (make serve passes it), and the application their X-Forwarded-For, for the
# client's address (config/proxy.py). "*" would let any client choose the address its sign-in
# failures are counted against, so it is refused.
TRUSTED_PROXIES = envlist("FORWARDED_ALLOW_IPS", "127.0.0.1")
if "*" in TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "FORWARDED_ALLOW_IPS cannot be '*': name the proxy's addresses, or the sign-in lockout counts failures "
        "against whatever address a client writes in X-Forwarded-For.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"FORWARDED_ALLOW_IPS holds {_proxy!r}, which is not an address or a network.")
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60))

# 360Giving open data. Grant identifiers start with the publisher's prefix, which 360Giving
# gives each publisher (360G- and a short name); organisations with no charity, company or
# local authority number get an identifier under it too. The licence is the one the data is
# published under: an open licence, given by its canonical address.
OPEN_DATA_PREFIX = os.getenv("OPEN_DATA_PREFIX", "360G-demo")
OPEN_DATA_LICENSE = os.getenv("OPEN_DATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # Sign-in attempts are recorded in the database; the log only needs lockouts.
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

DJANGO_TABLES2_TEMPLATE = "tables/govuk_table.html"
AXES_VERBOSE = envbool("AXES_VERBOSE", "False")

# The admin shows money and status records read-only (grants/admin.py); reverting a record to an
# old version from its history would change them around the services, so it is switched off.
SIMPLE_HISTORY_REVERT_DISABLED = True
