# One command to see the tour, one to check everything. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: tour test check bench dot browser clean

tour: $(VENV)/.installed-demos
	$(PY) -m demos

test: $(VENV)/.installed-test dot browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

bench: $(VENV)/.installed-bench
	$(PY) -m benchmarks

# Graphviz's dot program comes from the system package manager, not from pip.
dot:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq graphviz; }

# The tests drive pages and notebooks in a real browser (Debian's chromium, through playwright)
# and look at printed pages (pdftoppm); fonts-dejavu has the glyphs the German tour needs.
BROWSER_PACKAGES := chromium poppler-utils fonts-dejavu-core
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && [ -e /usr/share/fonts/truetype/dejavu ] || \
	{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(BROWSER_PACKAGES); }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-%: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[$*]"
	touch $@

clean:
	rm -rf $(VENV) demos-out
