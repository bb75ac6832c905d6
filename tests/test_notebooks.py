"""Hygiene of the book: every notebook executed cleanly and in order, listed in the toc, portable."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
MACHINE_PATH = re.compile(r"(?<![\w:/.~])/(?:home|root|tmp|work|Users|private|var/folders)/[\w.-]+|site[-]packages|\.venv/")


def _toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return entries


def _resolve(entry: str) -> Path | None:
    for suffix in ("", ".ipynb", ".md"):
        p = ROOT / f"{entry}{suffix}"
        if p.is_file():
            return p
    return None


def _text(out: dict) -> str:
    if "text" in out:
        t = out["text"]
    else:
        t = out.get("data", {}).get("text/plain", "")
    return "".join(t) if isinstance(t, list) else t


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under book/"


def test_every_toc_entry_exists():
    missing = [e for e in _toc_entries() if _resolve(e) is None]
    assert not missing, f"toc entries without a file: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {_resolve(e) for e in _toc_entries()}
    orphans = [str(p.relative_to(ROOT)) for p in NOTEBOOKS if p not in listed]
    assert not orphans, f"notebooks missing from _toc.yml: {orphans}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_hygiene(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "kernel must be python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"code cells must be executed in order 1..n from a clean kernel (make refresh); got {counts}"
    for i, cell in enumerate(code, start=1):
        src = "".join(cell["source"])
        assert not re.search(r"^\s*[!%]pip|MPLBACKEND", src, re.M), f"cell {i}: no !pip / MPLBACKEND"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {i} stores an error"
            assert not (out["output_type"] == "stream" and out.get("name") == "stderr"), \
                f"cell {i} writes to stderr: {_text(out)[:200]!r}"
            text = _text(out)
            assert not MACHINE_PATH.search(text), f"cell {i} output shows a machine-specific path"
            assert "at 0x" not in text, f"cell {i} output shows an object address"
            assert not re.search(r"np\.float64\(|np\.int64\(", text), f"cell {i} prints a bare NumPy scalar"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_checks_claims_and_opens_properly(path):
    nb = json.loads(path.read_text())
    first = "".join(nb["cells"][0]["source"])
    assert first.lstrip().startswith("# "), "the first cell is a markdown title"
    if path.parent.name.startswith("part"):
        assert "What this chapter reproduces" in first, "chapters open with what they reproduce"
        outputs = "".join(_text(o) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
        assert "CLAIM " in outputs, "a chapter checks at least one claim through the ledger"
        assert any(c["cell_type"] == "markdown" and "## Summary" in "".join(c["source"]) for c in nb["cells"]), \
            "chapters close with a summary"


def test_no_machine_paths_in_tracked_text_files():
    bad = []
    for p in list(ROOT.glob("*.md")) + list(ROOT.glob("*.yml")) + list((ROOT / "attractors").glob("*.py")) \
            + list(BOOK.rglob("*.md")):
        if re.search(r"(?<![\w:/.~])/(?:tmp|home|root|work)/[\w.-]+|site[-]packages/|/\.venv/", p.read_text()):
            bad.append(str(p.relative_to(ROOT)))
    assert not bad, f"machine-specific paths in {bad}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_no_control_characters_in_sources(path):
    """A backslash escape written into a cell by a non-raw Python string (\\v, \\b, \\f, \\a) breaks its TeX."""
    nb = json.loads(path.read_text())
    for k, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        bad = sorted({repr(ch) for ch in src if ord(ch) < 32 and ch not in "\n\t\r"})
        assert not bad, f"cell {k} contains control characters {bad} (a lost backslash?)"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name.startswith("part")],
                         ids=lambda p: str(p.relative_to(BOOK)))
def test_chapter_has_exercises_with_executed_solutions(path):
    """At least two exercises, each with a gated, dropdown solution whose code cells run (and are compared)."""
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    labels = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", "\n".join("".join(c["source"]) for c in cells
                                                                          if c["cell_type"] == "markdown"))
    assert len(labels) >= 2, f"a chapter has at least two exercises; found {labels}"
    for label in labels:
        start = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and re.search(r"\{solution-start\}\s+" + re.escape(label) + r"\b", "".join(c["source"]))]
        assert start, f"exercise {label} has no gated solution"
        text = "".join(cells[start[0]]["source"])
        assert ":class: dropdown" in text, f"the solution of {label} is not hidden by default"
        end = next((j for j in range(start[0] + 1, len(cells)) if cells[j]["cell_type"] == "markdown"
                    and "{solution-end}" in "".join(cells[j]["source"])), None)
        assert end is not None, f"the solution of {label} is not closed"
        code = [c for c in cells[start[0] + 1:end] if c["cell_type"] == "code"]
        assert code and all(c.get("execution_count") for c in code), f"the solution of {label} has no executed code"


def _check_calls(src: str):
    """The argument text of every ``check(`` call in a cell's source."""
    for m in re.finditer(r"(?<![\w.])check\(", src):
        depth, seg = 1, src[m.end():]
        for i, ch in enumerate(seg):
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                yield seg[:i]
                break


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_every_check_states_its_basis(path):
    """Every check() in a notebook says where its tolerance comes from (``basis=``), and every claim stored in
    the outputs carries it (a notebook refreshed after the basis was written)."""
    nb = json.loads(path.read_text())
    missing = []
    for k, c in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), start=1):
        for args in _check_calls("".join(c["source"])):
            if "quiet=True" in args:
                continue  # the ledger page's own demonstration that check() refuses
            if not re.search(r"\bbasis\s*=", args):
                missing.append(f"code cell {k}: check({args[:60]}...")
    assert not missing, "check() without basis=: " + "; ".join(missing)
    from attractors.ledger import collect

    stale = [c.id for c in collect(path) if not c.basis]
    assert not stale, f"stored claims without a basis (refresh the notebook): {stale[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_a_figure_cell_shows_one_figure(path):
    """myst-nb wraps every rich output of a cell with figure metadata as that figure: a claim (a rich output too)
    in the same cell would give the figure's label twice and break the build."""
    nb = json.loads(path.read_text())
    for k, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), start=1):
        if cell["metadata"].get("mystnb", {}).get("figure"):
            rich = [o for o in cell.get("outputs", []) if o["output_type"] in ("display_data", "execute_result")]
            assert len(rich) == 1, f"code cell {k} has figure metadata and {len(rich)} rich outputs: split the cell"
