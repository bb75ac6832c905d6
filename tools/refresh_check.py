"""Refresh notebooks twice and check that their stored text outputs are byte-identical.

Usage: ``python tools/refresh_check.py [NOTEBOOK ...]`` (what ``make refresh-check`` runs;
without arguments, every notebook of the toc).  Cells tagged ``nbval-ignore-output`` are
left out of the comparison; everything else that nbval compares (stdout, stderr,
``text/plain``, ``text/html``) must come out the same on two clean runs of the same
machine, or the stored outputs are not a regression test at all.  The notebooks are left
refreshed (by the second run).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refresh import ROOT, execute, toc_notebooks  # noqa: E402

COMPARED = ("text/plain", "text/html", "image/svg+xml")


def text_outputs(path: Path) -> list[tuple[int, str]]:
    """(code cell number, text) of every compared text output of a stored notebook."""
    nb = nbformat.read(path, as_version=4)
    out = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for k, cell in enumerate(code, start=1):
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                out.append((k, f"{o.name}: {o.text}"))
            elif o.output_type in ("execute_result", "display_data"):
                for mime in COMPARED:
                    if mime in o.get("data", {}):
                        out.append((k, f"{mime}: {o.data[mime]}"))
    return out


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] if argv else toc_notebooks()
    bad = 0
    for path in paths:
        rel = path.relative_to(ROOT)
        execute(path)
        first = text_outputs(path)
        execute(path)
        second = text_outputs(path)
        if first == second:
            print(f"same   {rel} ({len(first)} compared outputs)", flush=True)
            continue
        bad += 1
        diffs = [k for (k, a), (_, b) in zip(first, second) if a != b] or ["(number of outputs)"]
        print(f"DIFFER {rel}: code cells {diffs[:10]}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
