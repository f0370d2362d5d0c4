# Two commands do everything on a fresh machine:
#   make book   build the website into _build/html (installs only the book toolchain)
#   make test   ruff + unit tests of helpers + nbval on every notebook + book build
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
# --no-compile: modules compile on first import; most of torch is never imported.
PIP    := $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile
BOOK_STAMP := $(VENV)/.book-installed
STAMP      := $(VENV)/.installed

MATHJAX_VERSION := 3.2.2
MATHJAX := _vendor/mathjax/tex-mml-chtml.js

.PHONY: book test lint lab execute benchmark clean

# The website shows outputs stored in the notebooks, so building it needs no
# torch, transformers or models: only the book toolchain.
$(BOOK_STAMP): requirements-book.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PIP) -r requirements-book.txt
	touch $@

$(STAMP): $(BOOK_STAMP) requirements.txt requirements-nodeps.txt pyproject.toml
	$(PIP) -r requirements.txt -e .
	$(PIP) --no-deps -r requirements-nodeps.txt
	# Fetch chapter 7's movie sentences now (pinned, hash-checked), so the book then runs offline.
	$(PYTHON) -c "import helpers; helpers.load_movie_sentences()"
	touch $@

# MathJax is served with the site, so the built HTML reads offline (no CDN).
$(MATHJAX):
	rm -rf _vendor/mathjax _vendor/package && mkdir -p _vendor/mathjax/output/chtml/fonts
	cd _vendor && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz
	cp _vendor/package/es5/tex-mml-chtml.js _vendor/mathjax/
	cp -r _vendor/package/es5/output/chtml/fonts/woff-v2 _vendor/mathjax/output/chtml/fonts/
	rm -rf _vendor/package _vendor/mathjax-$(MATHJAX_VERSION).tgz

book: $(BOOK_STAMP) $(MATHJAX)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# Tests run in JOBS workers of one thread each, a notebook per worker: on two cores this keeps
# both busy through a kernel's single-threaded stretches. Chapter 6 times generation against the
# machine's limit, so it runs afterwards, alone, with every core.
JOBS  ?= 2
TIMED := chapters/06_fast_generation.ipynb

test: $(STAMP) $(MATHJAX)
	$(PYTHON) -m ruff check .
	OMP_NUM_THREADS=1 $(PYTHON) -m pytest -n $(JOBS) --dist loadfile --no-loadscope-reorder --ignore=$(TIMED)
	$(PYTHON) -m pytest $(TIMED)

lint: $(STAMP)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check helpers tests scripts

# JupyterLab on the chapters, in the same venv as the tests (Ctrl+C stops it).
# tests/test_jupyterlab.py runs a chapter in it through headless Chromium.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

# Re-run notebooks and store their outputs (after changing a chapter or a pin).
execute: $(STAMP)
	$(PYTHON) scripts/execute_notebooks.py $(or $(NOTEBOOKS),chapters/*.ipynb)

benchmark: $(STAMP)
	$(PYTHON) scripts/benchmark.py

clean:
	rm -rf _build _vendor
