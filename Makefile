# Two commands do everything on a fresh machine:
#   make book   build the website into _build/html (installs into .venv first)
#   make test   ruff + unit tests of helpers + nbval on every notebook + book build
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test lint execute benchmark clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $@

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest

lint: $(STAMP)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check helpers tests scripts

# Re-run notebooks and store their outputs (after changing a chapter or a pin).
execute: $(STAMP)
	$(PYTHON) scripts/execute_notebooks.py $(or $(NOTEBOOKS),chapters/*.ipynb)

benchmark: $(STAMP)
	$(PYTHON) scripts/benchmark.py

clean:
	rm -rf _build
