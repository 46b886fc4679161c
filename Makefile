# The two commands of the README: `make book` and `make test`. Each sets up .venv from
# the pinned requirements on first use (and again when they change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD_FLAGS := -W -n --keep-going
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test lint typecheck unit test-js build test-browser test-kernels student lab bench figures clean \
	notebooks test-notebooks assignments test-assignments grade pdf binder-check

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

test: lint typecheck unit test-js build test-browser test-kernels student test-notebooks \
      test-assignments  ## everything CI runs
	@echo "make test: all checks passed"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check code tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# tests/built/ checks what the build made (the assignments): pyproject.toml keeps it out of
# this run, test-assignments runs it after `make assignments`
unit: $(STAMP)
	$(BIN)/python -m pytest -q

# The live figures' JavaScript (web/live/) against the Python library: gdbook writes reference
# runs and values as JSON, Node's own test runner (no npm install) checks them to 1e-9
NODE ?= node
test-js: $(STAMP)  ## the live figures' JavaScript against gdbook's fixtures
	@command -v $(NODE) >/dev/null || { echo "test-js needs Node.js 18+ (apt-get install -y nodejs)"; exit 1; }
	$(BIN)/python -m gdbook.live export _build/live
	GDLIVE_FIXTURES=_build/live/fixtures.json $(NODE) --test tests/js/

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

# the student build reuses the executed notebooks of _build/.jupyter_cache; the leak check
# runs on it, then tests/built/test_student_edition.py plants leaks in a copy (all caught)
student: $(STAMP)  ## the student edition (no solutions) into _build/student/_build/html
	$(BIN)/python tools/student_edition.py
	GDBOOK_BUILD_DIR=_build $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/built/test_student_edition.py

# JupyterLab and jupyterlab-myst are installed once (again when requirements-lab.txt changes);
# LAB_ARGS go to jupyter lab, e.g. make lab LAB_ARGS="--allow-root --no-browser --port 8899"
LAB_STAMP := $(VENV)/.lab-installed
LAB_ARGS ?=
$(LAB_STAMP): $(STAMP) requirements-lab.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-lab.txt
	touch $@

lab: $(LAB_STAMP)  ## JupyterLab with the chapters opening as notebooks (LAB_ARGS=...)
	$(BIN)/python tools/lab_settings.py $(VENV)
	cd chapters && ../$(BIN)/jupyter lab $(LAB_ARGS)

# ---- Learners and instructors: notebooks, assignments, the PDF (all from the built book) ----
# Each builds the book first when _build/html is missing (make book), and reuses it otherwise.
HTML := _build/html
BOOK_BUILT := $(HTML)/index.html
$(BOOK_BUILT):
	$(MAKE) --no-print-directory book

# One plain .ipynb per page (prose from the built HTML, code from the chapter) and a zip:
# _build/notebooks/instructor/, copied into _build/html/_notebooks/ for the page buttons
notebooks: $(STAMP) $(BOOK_BUILT)  ## learner notebooks and their zip into _build/notebooks
	$(BIN)/python tools/learner_notebooks.py --html $(HTML) --out _build/notebooks

# every learner notebook run top to bottom in a fresh kernel, MPLBACKEND unset (inline):
# the instructor edition's and, once `make student` wrote them, the student edition's
# (whose notebooks leave out the cells that use the solutions); then tests/built on them
STUDENT_NOTEBOOKS := _build/notebooks/student/notebooks
test-notebooks: notebooks  ## execute every learner notebook under the inline backend
	env -u MPLBACKEND $(BIN)/python tools/check_notebooks.py --jobs 2 \
	  _build/notebooks/instructor/notebooks $(wildcard $(STUDENT_NOTEBOOKS))
	GDBOOK_BUILD_DIR=_build $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/built/test_learner_notebooks.py

# per chapter with coding exercises: the student notebook (stubs, self-checks) and otter's
# autograder zip, into _build/assignments/<chapter>/{student,autograder}
assignments: $(STAMP) $(BOOK_BUILT)  ## assignments and their autograders into _build/assignments
	$(BIN)/python tools/assignments.py build --html $(HTML) --out _build/assignments

# the autograder on the reference solutions (full marks) and on wrong ones (fewer)
test-assignments: assignments  ## grade reference and deliberately wrong solutions
	GDBOOK_BUILD_DIR=_build $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/built/test_assignments.py
	@echo "the grades of the test submissions:"; cat _build/assignments-test-grades.csv

SUBMISSIONS ?=
GRADES ?= grades.csv
grade: $(STAMP)  ## grade the notebooks under SUBMISSIONS=dir into GRADES (grades.csv)
	@[ -n "$(SUBMISSIONS)" ] || { echo "usage: make grade SUBMISSIONS=dir [GRADES=grades.csv]"; exit 1; }
	@[ -d _build/assignments ] || $(MAKE) --no-print-directory assignments
	$(BIN)/python tools/assignments.py grade $(SUBMISSIONS) --assignments _build/assignments \
	  --out $(GRADES)

# the whole book as one PDF: Sphinx's singlehtml builder, printed by Debian's Chromium
# (through Playwright, offline, MathJax typeset first) (tools/book_pdf.py)
pdf: $(STAMP) $(CHROMIUM)  ## the whole book as one PDF: _build/pdf/book.pdf
	$(BIN)/python tools/book_pdf.py --out _build/pdf

# Binder's environment (binder/) built from the repository files in a clean venv, as
# repo2docker does, and one chapter run in it as Binder opens it (tools/binder_check.py)
binder-check:  ## build binder/'s environment in a fresh venv and run a chapter there
	$(PYTHON) tools/binder_check.py

bench: $(STAMP)  ## measured budgets: build times, widget latency, sweep speed-up
	$(BIN)/python benchmarks/run.py

figures: $(STAMP)  ## regenerate figures/ from code
	$(BIN)/python -m gdbook.figures

clean:
	rm -rf _build
