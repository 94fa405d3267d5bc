# painsite: `make run` sets everything up and serves http://127.0.0.1:8000/; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Browser tests (tests/browser): Debian's Chromium, plus axe-core and vnu-jar from npm.
CHROMIUM ?= /usr/bin/chromium
NODE_STAMP := node_modules/.package-lock.json

.PHONY: staff-guide-screenshots run test install setup lint format check-migrations clean serve check-deploy browser-deps bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_content

# `make run PORT=8001` serves on another port; links, sitemap and printed addresses follow.
PORT ?= 8000
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates editorial/templates
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates editorial/templates

check-migrations: install
	DJANGO_SETTINGS_MODULE=painsite.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=painsite.settings.test $(PY) manage.py makemigrations --check --dry-run

# Django's deployment check under production settings, with throwaway values for the secrets.
check-deploy: install
	@DJANGO_SETTINGS_MODULE=painsite.settings.production PAINSITE_ENV_FILE= \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=example.org SITE_URL=https://example.org \
	DATABASE_URL="sqlite:///$(CURDIR)/check-deploy.sqlite3" \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

# The site as it runs in production: gunicorn, production settings, hashed compressed static files.
# Reads .env; writes a local one (new SECRET_KEY, plain http) the first time.
serve: setup
	@test -f .env || $(PY) -m painsite.envfile .env
	DJANGO_SETTINGS_MODULE=painsite.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=painsite.settings.production $(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving with gunicorn and production settings on http://$${GUNICORN_BIND:-127.0.0.1:8000}/ (Ctrl+C to stop)"
	DJANGO_SETTINGS_MODULE=painsite.settings.production $(BIN)/gunicorn --config gunicorn.conf.py

# Public pages' requests/s next to a same-size static file (gunicorn, production settings),
# p50/p99, queries, bytes, and the ×100 figures; throwaway databases (editorial/bench.py).
bench: install
	$(PY) manage.py bench

# axe-core and vnu-jar, exactly as package-lock.json pins them (no install scripts: vnu
# runs with the machine's java, nothing else is downloaded).
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

browser-deps: $(NODE_STAMP)

define BROWSER_SKIPPED
	@echo "######################################################################"
	@echo "##  BROWSER TESTS SKIPPED: chromium not installed ($(CHROMIUM))"
	@echo "##  Install it with: apt-get update && apt-get install -y chromium"
	@echo "##  (.ci/run installs it and always runs the browser tests.)"
	@echo "######################################################################"
endef

test: lint check-migrations check-deploy
	@if [ -x "$(CHROMIUM)" ]; then $(MAKE) --no-print-directory browser-deps; fi
	$(if $(wildcard $(CHROMIUM)),,$(BROWSER_SKIPPED))
	PAINSITE_CHROMIUM="$(CHROMIUM)" $(BIN)/pytest
	$(if $(wildcard $(CHROMIUM)),,$(BROWSER_SKIPPED))

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles media-test

# The staff guide's pictures (docs/images/staff/), made by the browser tests: run it after
# changing the admin, review the pictures, commit them.
STAFF_SHOTS := staff-two-step-set-up staff-recovery-codes editor-toolbar-and-preview \
	editor-image-picker editor-rule-flagged workflow-sent-back-desktop \
	workflow-review-desktop workflow-history-desktop
staff-guide-screenshots: install browser-deps
	PAINSITE_CHROMIUM="$(CHROMIUM)" $(BIN)/pytest tests/browser/test_staff_admin_browser.py \
		tests/browser/test_editor_browser.py tests/browser/test_workflow_browser.py
	mkdir -p docs/images/staff
	for shot in $(STAFF_SHOTS); do cp artifacts/screenshots/$$shot.png docs/images/staff/; done
