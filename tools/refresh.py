"""Re-execute the book's notebooks in place, each from a clean kernel in its own folder.

Usage: ``python tools/refresh.py [NOTEBOOK ...]`` (what ``make refresh`` runs).
Without arguments every notebook listed in ``_toc.yml`` is executed, in toc
order, with the ledger appendix last (it reads the other notebooks' stored
outputs).  A notebook whose execution raises is left unchanged on disk and the
script exits non-zero.

Each successful execution's wall time (numba compilation included) is recorded
in ``book/appendix/refresh_times.json`` (notebook path -> seconds and date), which
the performance appendix tabulates; entries of notebooks not run are kept.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LEDGER_NOTEBOOK = "book/appendix/ledger.ipynb"
TIMES_JSON = ROOT / "book/appendix/refresh_times.json"


def record_time(rel: Path, seconds: float) -> None:
    """Store one notebook's execution time in TIMES_JSON (read-modify-write under a file lock)."""
    import datetime
    import fcntl
    import json

    import tempfile

    with open(Path(tempfile.gettempdir()) / "attractors-refresh-times.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(TIMES_JSON.read_text()) if TIMES_JSON.exists() else {}
        except (OSError, ValueError):
            data = {}
        data[str(rel)] = {"seconds": round(seconds, 2),
                          "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
        TIMES_JSON.write_text(json.dumps(dict(sorted(data.items())), indent=1) + "\n")


def toc_notebooks() -> list[Path]:
    """Notebooks named in _toc.yml, in toc order (a file entry may omit its suffix)."""
    text = (ROOT / "_toc.yml").read_text()
    entries = re.findall(r"(?:file|root):\s*([\w./-]+)", text)
    out = []
    for entry in entries:
        path = ROOT / entry
        nb = path if path.suffix == ".ipynb" else path.with_suffix(".ipynb")
        if nb.exists():
            out.append(nb)
    return out


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout, stderr): how the kernel happened to cut
    printed text into messages (around a claim's rich output, say) is then not stored, so two refreshes
    store the same outputs."""
    merged: list = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] = merged[-1]["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: Path, timeout: int = 900) -> float:
    nb = nbformat.read(path, as_version=4)
    for k, cell in enumerate(nb.cells):
        if "id" not in cell:  # nbformat >= 4.5 wants an id on every cell
            cell["id"] = f"cell-{k:03d}-{abs(hash(cell.source)) % 10**6:06d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    t0 = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - t0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ.pop("MPLBACKEND", None)
    if argv:
        paths = [Path(a).resolve() for a in argv]
    else:
        paths = toc_notebooks()
        ledger = (ROOT / LEDGER_NOTEBOOK).resolve()
        paths = [p for p in paths if p.resolve() != ledger] + ([ledger] if ledger.exists() else [])
    failed = []
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        try:
            elapsed = execute(path)
            print(f"executed {rel} in {elapsed:.1f} s", flush=True)
            if path.is_relative_to(ROOT):
                record_time(rel, elapsed)
        except Exception as exc:  # report and go on with the others
            failed.append(rel)
            print(f"FAILED {rel}: {type(exc).__name__}: {str(exc)[-2000:]}", file=sys.stderr, flush=True)
    if failed:
        print("failed: " + ", ".join(map(str, failed)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
