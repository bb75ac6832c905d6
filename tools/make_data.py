"""Rebuild the book's stored results: ``python tools/make_data.py [NAME ...]`` (what ``make data`` runs).

A result that takes more than a few seconds to compute (a parameter grid, a multi-seed sweep) is not
recomputed in every test run: it is stored under ``book/<part>/data/`` and the notebooks load it.  Each
entry below names the file and the command that rebuilds it; the file records that command, the seeds,
the package and library versions, the machine and the date in its ``meta`` entry, and
``tests/test_data.py`` recomputes a randomly chosen part of it at every test run and compares, so a
stored result cannot drift away from the code that made it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name -> (stored file, arguments of ``python -m ...`` that rebuild it, what it costs)
DATASETS = {
    "sim2_grid": (
        "book/part5/data/sim2_grid.npz",
        ["-m", "attractors.insilico", "grid", "--out", "book/part5/data/sim2_grid.npz", "--seeds", "0", "1", "2",
         "--evaluations", "2", "--n-jobs", "2", "--learning-rate", "0.001", "--quiet"],
        "chapter 19, Simulation 2: 20 x 19 grid x 3 training seeds x 2 evaluations; about 5 CPU-minutes",
    ),
}


def main(argv: list[str]) -> int:
    names = argv or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        print(f"unknown data set(s) {unknown}; known: {sorted(DATASETS)}", file=sys.stderr)
        return 2
    for name in names:
        path, args, what = DATASETS[name]
        print(f"{name}: {what}\n  -> {path}", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, check=True)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
