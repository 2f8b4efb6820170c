# Deep & Cheap — the two commands of the README are `make book` and `make test`.
# Both create (once) and use a local virtual environment in .venv.
#
# Nothing here pins the CPU's code paths: strict nbval must pass with whatever kernels
# NumPy and OpenBLAS pick on the machine (`make portability` runs it under three other
# settings).  The pytest options of every run, strict nbval's included, are defined once,
# in pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST := $(BIN)/python -m pytest

.PHONY: help setup book test lint unit claims nbval hygiene build browser execute ledger \
	bench clean pdf portability system-tools axe mutants

help:
	@echo "make book         set up .venv and build the HTML book and its PDF into _build/html"
	@echo "make test         set up .venv and run every test"
	@echo "make execute      re-execute every notebook in place (fresh kernel, top to bottom)"
	@echo "make lint         ruff over the package, tests, tools and notebooks; mypy over cheaplib"
	@echo "make ledger       regenerate chapters/claims.yml and claims.md from the notebooks"
	@echo "make claims       check the ledger against the notebooks, and the prose for typed numbers"
	@echo "make browser      widgets in JupyterLab and the built book in headless Chromium"
	@echo "make portability  strict nbval under other numerics (SSE only; AVX2; one BLAS thread)"
	@echo "make bench        time notebooks, tests, widgets and pages; write benchmarks/latest.md"
	@echo "make mutants      perturb each check's library values by 1e-3: does every check notice?"

# --- environment ------------------------------------------------------------------
$(STAMP): requirements.txt requirements-runtime.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium and poppler for the PDF and the browser tests (apt-get, as root); the
# browser tests also need axe-core from npm.
system-tools:
	bash tools/ensure_system_tools.sh

axe:
	bash tools/ensure_system_tools.sh --axe

# --- the book ---------------------------------------------------------------------
# The ledger is generated from the check cells' records in the executed notebooks.
ledger: setup
	$(BIN)/python -m tools.claims --write

claims: setup
	$(BIN)/python -m tools.claims --check
	$(BIN)/python -m tools.prose

build: setup
	$(BIN)/python -m tools.claims --check
	$(BIN)/jupyter-book build . -W -n --keep-going

# The HTML book links to its PDF, so `make book` prints it too (`make build` is HTML only).
book: build pdf
	@echo "The book is at _build/html/index.html (PDF: _build/html/deep-and-cheap.pdf)"

# Single-page HTML printed by headless Chromium (tools/pdf.py); needs the HTML build for the
# copy into _build/html.
pdf: build system-tools
	$(BIN)/python -m tools.pdf

execute: setup
	$(BIN)/python -m tools.execute_notebooks $(NOTEBOOKS)
	$(BIN)/python -m tools.claims --write

# --- tests ------------------------------------------------------------------------
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check cheaplib tests tools chapters
	$(BIN)/mypy cheaplib

unit: setup
	$(PYTEST) tests cheaplib --doctest-modules --ignore=tests/browser -n $(JOBS) -q

nbval: setup
	$(PYTEST) --nbval -n $(JOBS) -q chapters

# Strict nbval under other numerics: (a) SSE only, as on a CPU without AVX2/FMA (NumPy's
# dispatch and OpenBLAS's kernels), (b) AVX2 without AVX-512, (c) one OpenBLAS thread.
# The default run is `make nbval`.  (a) and (b) name x86-64 features, so they run on
# x86-64 only; on a CPU without AVX-512, (b) is the default run again.
ifeq ($(shell uname -m),x86_64)
SSE_ONLY := NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_CORETYPE=Nehalem
AVX2_ONLY := NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_CORETYPE=Haswell
endif
portability: setup
ifdef SSE_ONLY
	$(SSE_ONLY) $(PYTEST) --nbval -n $(JOBS) -q chapters
	$(AVX2_ONLY) $(PYTEST) --nbval -n $(JOBS) -q chapters
endif
	OPENBLAS_NUM_THREADS=1 $(PYTEST) --nbval -n $(JOBS) -q chapters

# Needs the built book and its PDF.  Each worker has its own browser and server; the page
# tests are shared out one by one (--dist loadgroup), while the JupyterLab tests (one
# server) and the PDF tests (one parse) each stay on one worker (their xdist_group).
browser: build pdf axe
	$(PYTEST) tests/browser -q -n $(JOBS) --dist loadgroup

test: lint unit claims nbval build browser
	@echo "All tests passed."

# Mutation tests of the check cells (slow: minutes; not part of make test): each cheaplib
# function a check cell calls returns its value times (1 + 1e-3), and the cell must fail.
mutants: setup
	$(BIN)/python -m tools.mutants

bench: setup system-tools
	$(BIN)/python -m tools.bench

clean:
	rm -rf _build .pytest_cache .hypothesis
