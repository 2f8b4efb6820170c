# Deep & Cheap — the two commands of the README are `make book` and `make test`.
# Both create (once) and use a local virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

# Strict nbval compares every printed digit, and iterative solvers (RBM training, Newton
# steps) amplify a last-bit difference into a visible one.  OpenBLAS and NumPy pick their
# kernels by CPU (AVX-512 where present), so on x86-64 every command runs the AVX2 code
# paths: the committed outputs then reproduce on any x86-64 machine with AVX2, with or
# without AVX-512 (measured: 13 of 200 cells differ on an AVX-512 machine without this).
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
export NPY_DISABLE_CPU_FEATURES ?= X86_V4 AVX512_ICL AVX512_SPR
endif

.PHONY: help setup book test lint unit claims nbval hygiene build browser execute ledger bench clean pdf

help:
	@echo "make book     set up .venv and build the HTML book into _build/html"
	@echo "make pdf      the whole book as one PDF: _build/pdf/deep-and-cheap.pdf (and in _build/html)"
	@echo "make test     set up .venv and run every test (lint, unit, strict nbval, book build)"
	@echo "make execute  re-execute every notebook in place (fresh kernel, top to bottom)"
	@echo "make lint     ruff over the package, tests, tools and notebooks"
	@echo "make ledger   regenerate chapters/claims.yml and claims.md from the executed notebooks"
	@echo "make claims   check the ledger against the notebooks (part of make test)"
	@echo "make browser  widgets in JupyterLab and the built book in headless Chromium"
	@echo "make bench    time notebooks, tests, widgets and kernels; write benchmarks/latest.md"

# --- environment ------------------------------------------------------------------
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

setup: $(STAMP)

# --- the book ---------------------------------------------------------------------
# The ledger is generated from the check cells' records in the executed notebooks.
ledger: setup
	$(BIN)/python -m tools.claims --write

claims: setup
	$(BIN)/python -m tools.claims --check

# The maths is rendered at build time (MathJax in headless Chromium, tools/prerender_math.py),
# so a reader's browser typesets nothing.
build: setup
	$(BIN)/python -m tools.claims --check
	$(BIN)/jupyter-book build . -W -n --keep-going
	bash tools/ensure_chromium.sh
	$(BIN)/python -m tools.prerender_math

# The HTML book links to its PDF, so `make book` prints it too (`make build` is HTML only).
book: build pdf
	@echo "The book is at _build/html/index.html (PDF: _build/html/deep-and-cheap.pdf)"

# Single-page HTML printed by headless Chromium (tools/pdf.py); needs the HTML build for the
# copy into _build/html.
pdf: build
	bash tools/ensure_chromium.sh
	$(BIN)/python -m tools.pdf

execute: setup
	CHEAPLIB_DRAW_AHEAD=0 $(BIN)/python -m tools.execute_notebooks $(NOTEBOOKS)
	$(BIN)/python -m tools.claims --write

# --- tests ------------------------------------------------------------------------
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check cheaplib tests tools chapters
	$(BIN)/mypy cheaplib

unit: setup
	$(BIN)/python -m pytest tests cheaplib --doctest-modules --ignore=tests/browser -n $(JOBS) -q

# CHEAPLIB_DRAW_AHEAD=0: the kernels start no worker to draw widget states ahead.
nbval: setup
	CHEAPLIB_DRAW_AHEAD=0 $(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with chapters/sanitize.cfg \
		-p tools.nbval_figures -n $(JOBS) --dist loadfile -q -p no:cacheprovider chapters

# Needs the built book and its PDF; installs Debian's chromium when missing (as root).
browser: build pdf
	bash tools/ensure_chromium.sh
	$(BIN)/python -m pytest tests/browser -q -p no:cacheprovider

test: lint unit claims nbval build browser
	@echo "All tests passed."

bench: setup
	$(BIN)/python -m tools.bench

clean:
	rm -rf _build .pytest_cache .hypothesis
