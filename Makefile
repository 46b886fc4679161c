# The two commands of the README: `make book` and `make test`. Each sets up .venv from
# the pinned requirements on first use (and again when they change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD_FLAGS := -W -n --keep-going
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test lint typecheck unit build test-browser test-kernels student lab bench figures clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# jupyter-cache keys a chapter on its own text only: before a build, drop the cached runs
# (and doctrees) of the chapters whose imported modules under code/ or named data files
# changed since they ran, and only theirs (tools/invalidate_cache.py)
INVALIDATE := $(BIN)/python tools/invalidate_cache.py --build-dir _build

book: $(STAMP)  ## build the HTML book into _build/html
	$(INVALIDATE)
	$(BIN)/jupyter-book build . $(BUILD_FLAGS) || { $(MAKE) --no-print-directory reports; exit 1; }
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: lint typecheck unit build test-browser test-kernels  ## everything CI runs
	@echo "make test: all checks passed"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check code tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

build: $(STAMP)  ## the strict build: zero warnings, every chapter executed
	$(INVALIDATE)
	rm -rf _build/html
	$(BIN)/jupyter-book build . $(BUILD_FLAGS) || { $(MAKE) --no-print-directory reports; exit 1; }
	$(BIN)/python tools/check_build.py _build/html

# Nothing a reader sees may depend on the BLAS kernel: `unit` ran the figure check under
# the kernel this machine gets; here it runs again under each of KERNELS that this CPU runs
# and that rounds differently (tools/blas_kernels.py), then every chapter is executed under
# one of them and its glued values are compared with the build's
KERNELS := Haswell SkylakeX
test-kernels: $(STAMP)  ## figures and glued numbers under other OpenBLAS kernels (after build)
	@$(BIN)/python tools/blas_kernels.py --table $(KERNELS)
	@set -e; for k in $$($(BIN)/python tools/blas_kernels.py --other $(KERNELS)); do \
	  echo "figure check under OPENBLAS_CORETYPE=$$k"; \
	  OPENBLAS_CORETYPE=$$k $(BIN)/python -m pytest -q -p no:cacheprovider tests -k matches_committed; \
	done
	$(BIN)/python tools/check_glue_kernels.py $(KERNELS) --build-dir _build

# The browser test of the built book (tools/browser_test.py): Debian's Chromium driven by
# Playwright (from requirements.txt), offline, at 1280 and 390 px; screenshots go to
# _build/screenshots/. It fails (never skips) when _build/html has not been built.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

test-browser: $(STAMP) $(CHROMIUM)  ## the browser test on the built book in _build/html
	$(BIN)/python tools/browser_test.py _build/html

reports:
	@for f in _build/html/reports/*.err.log _build/html/reports/*/*.err.log; do \
	  [ -f "$$f" ] && { echo "=== $$f"; cat "$$f"; }; done; true

student: $(STAMP)  ## the student edition (no solutions) into _build/student/_build/html
	$(BIN)/python tools/student_edition.py

lab: $(STAMP)  ## JupyterLab with the chapters opening as notebooks
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-lab.txt
	$(BIN)/python tools/lab_settings.py $(VENV)
	cd chapters && ../$(BIN)/jupyter lab

bench: $(STAMP)  ## measured budgets: build times, widget latency, sweep speed-up
	$(BIN)/python benchmarks/run.py

figures: $(STAMP)  ## regenerate figures/ from code
	$(BIN)/python -m gdbook.figures

clean:
	rm -rf _build
