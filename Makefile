# attractor-notes: two commands do everything on a fresh machine.
#   make book   -- create .venv if missing, install, build the HTML book into _build/html
#   make test   -- create .venv if missing, install, run pytest, nbval on every notebook (twice),
#                  the book build with warnings as errors and the browser test: in three lanes at once
#                  (tools/run_phases.py), each phase reported whole with its time, a failed one named at the end
# Further targets: make refresh [NB=book/path/to/chapter.ipynb], make refresh-check, make data, make ledger, make bench,
#                  make lab, make pdf, make browser-deps, make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?=
JOBS   ?= 2

# Inline figures must be stored in the notebooks: never inherit a non-interactive backend.
unexport MPLBACKEND
# One BLAS thread per process: printed digits then do not depend on the machine's core count,
# and the two nbval workers do not oversubscribe the cores.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# The second nbval pass runs the notebooks on other floating-point code paths of this same machine:
# another OpenBLAS kernel, NumPy's SIMD dispatch limited to the x86-64-v2 baseline, and numba compiled
# for a generic x86-64 CPU (with its own cache).  A stored output that only holds on the CPU that
# refreshed it fails here.  On other architectures (arm64, ...) the variables are ignored.
ALT_ENV := OPENBLAS_CORETYPE=Sandybridge NPY_DISABLE_CPU_FEATURES=X86_V3 NUMBA_CPU_NAME=generic \
           NUMBA_CACHE_DIR=$(CURDIR)/.cache/numba-generic
# A notebook kernel gets 120 s to start (nbval's default is 60) and, if it dies before it answers, is started
# again, up to three times, before any cell has run (tools/nbval_kernel_retry.py: no cell is ever run twice).
NBVAL   := $(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with .ci/nbval-sanitize.cfg \
           -p tools.nbval_kernel_retry --nbval-kernel-startup-timeout 120 \
           -p no:cacheprovider -q -n $(JOBS) --dist loadfile

.PHONY: all venv book test pytest nbval nbval-native nbval-alt bookcheck browser refresh refresh-check data ledger bench \
        lab pdf browser-deps clean

all: book

# Re-install only when the project's dependency list changed.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	@touch $@

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# make test runs the phases below (pytest, nbval = nbval-native + nbval-alt, bookcheck, browser) in three lanes at
# once: the phases of a quoted group one after the other, the groups side by side (tools/run_phases.py).  Each phase's
# output is printed whole when it ends, with its wall time; a failed phase fails make test and is named at the end.
# Why these lanes: the two nbval passes write separate numba caches (native and generic CPU), so running them together
# adds no compilation; pytest follows the native pass, whose notebooks have filled the package's cache by then;
# bookcheck and the browser test use at most about one core and overlap the rest; the browser reads bookcheck's HTML.
# A variable given to make test (JOBS=1, ...) reaches every phase.
TEST_LANES := "nbval-alt" "nbval-native pytest" "bookcheck browser"

test: $(STAMP)
	$(BIN)/python tools/run_phases.py --make "$(MAKE)" $(TEST_LANES)

# Unit, property, fuzz and hygiene tests (two workers); the browser test runs after the book is built.
pytest: $(STAMP)
	$(BIN)/python -m pytest tests -q -n $(JOBS) -m "not browser"

# Notebooks run in parallel, one whole notebook per worker (--dist loadfile keeps a notebook's cells together).
# Both passes must be green.
nbval: nbval-native nbval-alt

nbval-native: $(STAMP)
	$(NBVAL) book

nbval-alt: $(STAMP)
	env $(ALT_ENV) $(NBVAL) book

bookcheck: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

# Every page of the built book in headless Chromium (skipped, saying why, where Chromium is not installed).
browser: $(STAMP)
	$(BIN)/python -m pytest tests/test_browser.py -q -m browser -p no:cacheprovider

# Re-execute notebooks in place, each from a clean kernel in its own folder.
# NB=path runs one; without NB all run, the ledger appendix last.
refresh: $(STAMP)
	$(BIN)/python tools/refresh.py $(NB)

# Refresh twice and compare: the stored text outputs (ignore-output cells aside) must be byte-identical.
refresh-check: $(STAMP)
	$(BIN)/python tools/refresh_check.py $(NB)

# Rebuild the stored results the notebooks load (book/*/data/); DATA=name rebuilds one (tools/make_data.py).
DATA ?=
data: $(STAMP)
	$(BIN)/python tools/make_data.py $(DATA)

ledger: $(STAMP)
	$(BIN)/python -m attractors.ledger book/

# The benchmarks at full size (a few minutes; run it on an otherwise idle machine).  BENCH_ARGS adds the side-by-side
# run of the reference FEP code and the Simulation-2 grid timing:
#   make bench BENCH_ARGS="--fep-reference /path/to/clone/of/fep-attractor-network --sim2-grid"
bench: $(STAMP)
	$(BIN)/python -m attractors.bench --full --json book/appendix/bench_results.json $(BENCH_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab book

# A PDF of the whole book through Jupyter Book's LaTeX builder (needs TeX: see README, "PDF").
pdf: $(STAMP)
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "PDF: _build/latex/attractor-notes.pdf (the next make book copies it into _build/html and links it)"

# Headless Chromium for the browser test (Debian/Ubuntu, as root); the test is skipped without it.
browser-deps:
	apt-get update && apt-get install -y --no-install-recommends chromium

clean:
	rm -rf _build .pytest_cache .cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
