# Shelter — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEV_ENV := SHELTER_ENV=development
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run serve test bench seed lint translations messages oidc-provider clean help

help:
	@echo "make run    set up and serve the app on http://$(HOST):$(PORT)/ with demo data (SQLite);"
	@echo "            the scheduled jobs run in the background (manage.py run_due_jobs every 60 s)"
	@echo "make serve  the production stack locally: gunicorn, production settings, HTTPS with a"
	@echo "            throw-away self-signed certificate on https://127.0.0.1:8443/ (demo data)"
	@echo "make test   set up and run ruff, the import contracts, the migrations check and the whole test suite"
	@echo "make seed   add what is missing of the demo data; existing demo users keep passwords, codes and sessions"
	@echo "            (fresh backup codes: SHELTER_ENV=development .venv/bin/python manage.py demo_codes)"
	@echo "make bench  run the benchmarks (ratios against baselines measured in the same run)"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Shelter needs Python 3.11 or newer (set PYTHON=...).")'
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.installed: $(VENV)/.python-ok requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-s3.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The tests' OpenID provider (tests/oidc, oidc-provider in Node): its packages, installed from the
# lock once and again when the lock changes. Without Node the single sign-on tests are skipped
# (and fail where SHELTER_REQUIRE_BROWSER=1).
OIDC := tests/oidc
$(OIDC)/node_modules/.installed: $(OIDC)/package-lock.json
	npm ci --prefix $(OIDC) --no-audit --no-fund --loglevel=error
	@touch $@

oidc-provider:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(OIDC)/node_modules/.installed; \
	else echo "Node.js (node, npm) not found: the single sign-on tests will be skipped"; fi

translations: $(VENV)/.installed
	@$(DEV_ENV) $(PY) manage.py compile_translations

# Regenerate the Dutch catalogue from the source (needs GNU gettext; compiling does not).
messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemessages -l nl --no-location --ignore=.venv --ignore=var

seed: $(VENV)/.installed translations
	$(DEV_ENV) $(PY) manage.py generate_master_key
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo

# The scheduled jobs run in the background as in production (manage.py run_due_jobs), here
# every 60 s; the loop ends with the server (Ctrl+C stops both).
JOBS_EVERY ?= 60

run: seed
	@echo ""
	@echo "  Shelter is running at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@echo "  Scheduled jobs run in the background every $(JOBS_EVERY) s (manage.py run_due_jobs; see /jobs/)"
	@if [ -z "$$SHELTER_EMAIL_BACKEND" ]; then \
	  echo "  Demo mail (invitations, password resets) is printed in this terminal."; \
	else echo "  Mail goes to $$SHELTER_EMAIL_BACKEND (host $${SHELTER_EMAIL_HOST:-localhost})."; fi
	@echo ""
	@# The jobs loop runs in a process group of its own (setsid): on Ctrl+C, hang-up, TERM or
	@# the server's exit the whole group goes, a run_due_jobs in progress and the sleep too.
	@$(DEV_ENV) setsid sh -c 'while :; do $(PY) manage.py run_due_jobs; sleep $(JOBS_EVERY); done' & \
	  jobs=$$!; stop="kill -TERM -$$jobs 2>/dev/null"; trap "$$stop" EXIT; trap "$$stop; exit 130" INT TERM HUP; \
	  $(DEV_ENV) $(PY) manage.py runserver --insecure --noreload $(HOST):$(PORT)

# The production stack on this machine (deploy/serve-local): gunicorn, production settings,
# HTTPS with a self-signed certificate made afresh in memory, the demo database of `make run`.
SERVE_PORT ?= 8443
serve: seed
	@PY=$(PY) PORT=$(SERVE_PORT) sh deploy/serve-local

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: $(VENV)/.installed-dev translations oidc-provider
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev translations
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var $(OIDC)/node_modules .pytest_cache .ruff_cache .hypothesis .import_linter_cache .grimp_cache
