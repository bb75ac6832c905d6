"""The regression tests hold on every reader's machine.

Two guards (the rule is stated in README, "How to add a chapter", and in the
numerics primer):

* ``make test`` runs nbval a second time with the numerical libraries on other
  code paths (the Makefile's ``ALT_ENV``).  The first test here proves that
  pass is not vacuous: a matrix product and an elementwise ``tanh`` come out
  bitwise different under those settings on this machine.
* A static check of the stored notebooks: a compared output (a cell without
  the ``nbval-ignore-output`` tag) must not print a round-off-level magnitude
  as digits (e-notation below 1e-9), except as a bound (``< 1e-12``,
  ``tol=1e-10``).  It is tested on a small synthetic notebook that it must
  catch, then run on the book.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

PROBE = r"""
import hashlib, numpy as np
rng = np.random.default_rng(0)
a = rng.standard_normal((256, 256)); b = rng.standard_normal((256, 256))
x = rng.uniform(-3.0, 3.0, 200_000)
print(hashlib.sha256((a @ b).tobytes()).hexdigest(), hashlib.sha256(np.tanh(x).tobytes()).hexdigest())
"""


def alt_env() -> dict[str, str]:
    """The variables of the Makefile's second nbval pass (``ALT_ENV``)."""
    text = (ROOT / "Makefile").read_text()
    m = re.search(r"^ALT_ENV\s*:=\s*((?:.*\\\n)*.*)$", text, re.M)
    assert m, "Makefile defines no ALT_ENV for the second nbval pass"
    words = shlex.split(m.group(1).replace("\\\n", " ").replace("$(CURDIR)", str(ROOT)))
    return dict(w.split("=", 1) for w in words)


def _probe(extra: dict[str, str]) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_CORETYPE", "NPY_DISABLE", "NUMBA_CPU"))}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", **extra)
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True, timeout=120)
    matmul, tanh = out.stdout.split()
    return matmul, tanh


def test_second_pass_settings_are_the_documented_ones():
    env = alt_env()
    assert env["OPENBLAS_CORETYPE"] and env["NPY_DISABLE_CPU_FEATURES"]
    assert env["NUMBA_CPU_NAME"] == "generic" and "NUMBA_CACHE_DIR" in env
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^nbval:.*nbval-native.*nbval-alt", makefile, re.M), "make nbval must run both passes"
    # make test runs its phases in lanes (tools/run_phases.py): both passes must be among them
    lanes = re.search(r"^TEST_LANES\s*:=(.*)$", makefile, re.M)
    assert lanes and re.search(r"^test:.*\n\t.*run_phases\.py.*\$\(TEST_LANES\)", makefile, re.M)
    assert {"nbval-native", "nbval-alt"} <= set(shlex.split(lanes.group(1).replace('"', " ")))


def test_second_pass_runs_on_other_floating_point_code_paths():
    """Matrix product and tanh differ bitwise between the two passes, so the second one is a real test."""
    native = _probe({})
    other = _probe({k: v for k, v in alt_env().items() if k != "NUMBA_CACHE_DIR"})
    if native == other:
        import numpy as np

        info = str(np.show_runtime.__module__)
        pytest.skip(f"this CPU/BLAS runs the same code paths under ALT_ENV ({info}); on x86-64 with AVX2 they differ")
    assert native[0] != other[0], "OPENBLAS_CORETYPE did not change the matrix product"
    assert native[1] != other[1], "NPY_DISABLE_CPU_FEATURES did not change tanh"


# --- static check of compared outputs -------------------------------------------------------------

TINY = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?e-(?:0?9|[1-9]\d)\b")
BOUND_BEFORE = re.compile(r"(?:[<>≤≥]=?|\b(?:a|r)?tol(?:erance)?\s*[=:]?|\beps\w*\s*=?|\bbound\s*[=:]?"
                          r"|\blimit\s*[=:]?|\bbelow|\bunder|\bwithin|\bthan)\s*\(?$")


def at_risk_outputs(nb: dict) -> list[str]:
    """Compared outputs that print a round-off-level magnitude (< 1e-8) as digits, not as a bound."""
    found = []
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    for k, cell in enumerate(code, start=1):
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            text = out.get("text") if "text" in out else out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else (text or "")
            for m in TINY.finditer(text):
                if re.fullmatch(r"-?1(?:\.0+)?e-\d+", m.group(0)):
                    continue  # a power of ten is a stated tolerance or bound, not a measured digit string
                if not BOUND_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
                    line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end()) % (len(text) + 1)]
                    found.append(f"code cell {k}: {m.group(0)} in {line.strip()[:100]!r}")
    return found


def _synthetic(text: str, tags=()) -> dict:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(err)", metadata={"tags": list(tags)})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.cells = [cell]
    return json.loads(nbformat.writes(nb))


@pytest.mark.parametrize("text, risky", [
    ("max |dL - (2 s_i phi_i - 2 J_ii)| = 8.88e-15\n", True),
    ("finite-difference error 6.0e-10\n", True),
    ("residual -3e-13\n", True),
    ("residual < 1e-12\n", False),
    ("atol=1e-10 rtol=0\n", False),
    ("max|measured-expected|=<1e-12 over 8 values\n", False),
    ("Stirling term 1.337e-08\n", False),
    ("p = 0.25, n = 1000\n", False),
    ("converges to one fixed point (tol 1e-10) within 1e5 updates\n", False),
    ("error below 1e-12 (round-off)\n", False),
    ("the mass stays 1 to 1e-12\n", False),
    ("largest q on the edge: 1.6e-12\n", True),
])
def test_static_check_catches_round_off_digits(text, risky):
    assert bool(at_risk_outputs(_synthetic(text))) == risky
    assert not at_risk_outputs(_synthetic(text, tags=["nbval-ignore-output"]))


NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_book_prints_no_round_off_digits_in_compared_outputs(path):
    found = at_risk_outputs(json.loads(path.read_text()))
    assert not found, "round-off digits in compared outputs (print a bound, or tag the cell nbval-ignore-output " \
                      "and keep its check):\n" + "\n".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_no_stored_text_line_is_wider_than_the_page(path):
    """No stored text output line over 120 characters: it would hide behind a scrollbar at 1280 px."""
    nb = json.loads(path.read_text())
    wide = []
    for k, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), start=1):
        for out in cell.get("outputs", []):
            text = out.get("text") if "text" in out else out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else (text or "")
            wide += [f"code cell {k}: {len(line)} chars: {line[:80]!r}" for line in text.splitlines() if len(line) > 120]
    assert not wide, "\n".join(wide[:10])
