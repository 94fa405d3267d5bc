# painsite: `make run` sets everything up and serves http://127.0.0.1:8000/; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test install setup lint format check-migrations clean

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

run: setup
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

check-migrations: install
	DJANGO_SETTINGS_MODULE=painsite.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=painsite.settings.test $(PY) manage.py makemigrations --check --dry-run

test: lint check-migrations
	$(BIN)/pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media-test
