# Two commands for a fresh machine (see README):
#   make app    install everything, build the index of corpus/ if needed, start the app
#   make test   install everything the tests need, then run all tests
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: app test setup setup-test browser

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build of torch lies on disk; a looser pin would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

app: setup
	$(VENV)/bin/beleidsbron ingest --add corpus
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true

test: setup browser
	$(PY) -m pytest
