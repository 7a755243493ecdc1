# One command to see the tour, one to check everything. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: tour test check bench dot clean

tour: $(VENV)/.installed-demos dot
	$(PY) -m demos

test: $(VENV)/.installed-test dot
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

bench: $(VENV)/.installed-bench
	$(PY) -m benchmarks

# Graphviz's dot program comes from the system package manager, not from pip.
dot:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq graphviz; }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-%: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[$*]"
	touch $@

clean:
	rm -rf $(VENV) demos-out
