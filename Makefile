# attractor-notes: two commands do everything on a fresh machine.
#   make book   -- create .venv if missing, install, build the HTML book into _build/html
#   make test   -- create .venv if missing, install, run pytest, nbval on every notebook,
#                  and the book build with warnings as errors
# Further targets: make refresh [NB=book/path/to/chapter.ipynb], make ledger, make bench, make lab, make clean.

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

.PHONY: all venv book test pytest nbval bookcheck refresh ledger bench lab clean

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

test: pytest nbval bookcheck

pytest: $(STAMP)
	$(BIN)/python -m pytest tests -q

# Notebooks run in parallel, one whole notebook per worker (--dist loadfile keeps a notebook's cells together).
nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with .ci/nbval-sanitize.cfg \
		-p no:cacheprovider -q -n $(JOBS) --dist loadfile book

bookcheck: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

# Re-execute notebooks in place, each from a clean kernel in its own folder.
# NB=path runs one; without NB all run, the ledger appendix last.
refresh: $(STAMP)
	$(BIN)/python tools/refresh.py $(NB)

ledger: $(STAMP)
	$(BIN)/python -m attractors.ledger book/

bench: $(STAMP)
	$(BIN)/python -m attractors.bench

lab: $(STAMP)
	$(BIN)/jupyter lab book

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
