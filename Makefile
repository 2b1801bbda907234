# Two commands for a fresh machine (see README):
#   make app    install everything, build the index of corpus/ if needed, start the app on 127.0.0.1
#   make test   install everything the tests need, lint, then run all tests (what CI runs)
# While working:
#   make check  the fast tier: unit and AppTest tests with fakes, no model, no browser, on every core
#   make lint   ruff: lint and import order
#   make test-distributed  the tests that start a local Dask cluster and a PostgreSQL server (a minute or two)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= 127.0.0.1
FAST := not integration and not e2e and not slow and not distributed

.PHONY: app test check lint setup browser test-distributed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build of torch lies on disk; a looser pin would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,distributed]'
	touch $@

setup: $(VENV)/.installed

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

app: setup
	$(VENV)/bin/beleidsbron ingest --add corpus
	$(VENV)/bin/beleidsbron app --address $(ADDRESS) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .

check: setup
	$(PY) -m pytest -q -n auto -m "$(FAST)"

test: setup browser lint
	$(PY) -m pytest

# a two-worker Dask cluster and a PostgreSQL + pgvector server, started by the tests and stopped again
test-distributed: setup
	$(PY) -m pytest -m distributed tests/distributed
