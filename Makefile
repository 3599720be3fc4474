# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv assets serve demo-fixture clean bench

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo
	@echo "Serving at http://$(HOST):$(PORT)/ (Ctrl+C to stop), with a worker for background exports"
	$(BESIDE) $(WITH_WORKER) $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(VENV)/bin/pytest

setup: venv assets

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# GOV.UK Frontend and Chart.js come from the npm registry at the versions in
# package-lock.json; our Sass is compiled against them.
assets: static/build/app.css
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
static/build/app.css: node_modules/.installed static/scss/app.scss
	npm run --silent build:css

# Processes started beside the command that follows (after BESIDE), stopped when that command ends.
BESIDE = pids=; trap 'test -n "$$pids" && kill $$pids 2>/dev/null; wait $$pids' EXIT INT TERM;
# One background worker (Django's task API, database backend: README, "Background exports"). More
# workers, on this machine or others against the same database, are `manage.py db_worker` each.
WITH_WORKER = $(PY) manage.py db_worker --no-reload & pids="$$pids $$!";
# The funders' dashboards worked out again as soon as their figures move, into the kept pages this
# machine's server processes share (README, "Kept pages"): one on each machine.
WITH_AHEAD = $(PY) manage.py keep_dashboards_ahead & pids="$$pids $$!";

# Production: DEBUG off, PostgreSQL, collected static files served by WhiteNoise under gunicorn.
# SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL come from the environment (README, "Production").
# SERVE_MIGRATE=0 skips the migration on all but one of several application servers.
# gunicorn bounds the request line and headers (--limit-request-*) and restarts a worker stuck for
# 30 s; request bodies are bounded by the application before they are read (REQUEST_MAX_BYTES).
SERVE_MIGRATE ?= 1
# SERVE_WORKER=0 starts no background worker here (when workers run on machines of their own).
SERVE_WORKER ?= 1
# SERVE_AHEAD=0 does not work the funders' dashboards out ahead of their readers on this machine.
SERVE_AHEAD ?= 1
serve: export DEBUG = False
# Each worker keeps a pool of open PostgreSQL connections (README, "Several application servers").
serve: export DB_POOL ?= True
# The workers of this machine share the kept pages, on disk (README, "Kept pages").
serve: export CACHE_DIRECTORY ?= $(CURDIR)/.cache/kept-pages
serve: setup
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make serve runs against PostgreSQL: set DATABASE_URL=postgres://user:password@host:5432/name"; exit 2;; esac
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ "$(SERVE_MIGRATE)" = 1 ]; then $(PY) manage.py migrate --noinput; fi
	$(BESIDE) $(if $(filter 1,$(SERVE_WORKER)),$(WITH_WORKER)) $(if $(filter 1,$(SERVE_AHEAD)),$(WITH_AHEAD)) \
	  $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} \
	  --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
	  --timeout 30 --limit-request-line 4094 --limit-request-fields 100 --limit-request-field_size 8190

# Rebuild fixtures/demo.json from grants/demo.py (after a model or demo change).
demo-fixture: setup
	rm -f /tmp/grants-demo-build.sqlite3
	DATABASE_URL=sqlite:////tmp/grants-demo-build.sqlite3 $(PY) manage.py migrate --noinput --verbosity 0
	DATABASE_URL=sqlite:////tmp/grants-demo-build.sqlite3 $(PY) manage.py build_demo_fixture -o fixtures/demo.json
	rm -f /tmp/grants-demo-build.sqlite3

# Figures for the README: the commissioner's workbook at 200 and 2,000 projects, in a throwaway database.
bench: setup
	$(PY) benchmarks/commissioner_workbook.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
