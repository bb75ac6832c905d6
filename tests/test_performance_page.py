"""The performance appendix shows what bench_results.json holds, prints no NaN, and the book names no tracker."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book/appendix/performance.ipynb"
RESULTS = ROOT / "book/appendix/bench_results.json"


def _outputs(nb):
    for k, cell in enumerate((c for c in nb["cells"] if c["cell_type"] == "code"), start=1):
        for out in cell.get("outputs", []):
            if "text" in out:
                yield k, "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
            for mime in ("text/plain", "text/html", "text/markdown"):
                v = out.get("data", {}).get(mime)
                if v:
                    yield k, "".join(v) if isinstance(v, list) else v


def test_performance_page_prints_no_nan():
    nb = json.loads(PAGE.read_text())
    bad = [(k, t[max(0, m.start() - 60):m.end() + 20]) for k, t in _outputs(nb)
           for m in re.finditer(r"(?<![\w.])nan(?![\w])", t, re.I)]
    assert not bad, f"NaN in the performance appendix: {bad[:3]}"


def test_stored_table_agrees_with_bench_results():
    """The 'all modules' table of the page is the stored bench_results.json, row for row."""
    data = json.loads(RESULTS.read_text())
    for key in ("read_bandwidth", "copy_bandwidth", "gemm_1024x256x1024", "rng_draws"):
        assert key in data["limits"], f"bench_results.json lacks the limit {key}: run make bench"
    nb = json.loads(PAGE.read_text())
    tables = [t for _, t in _outputs(nb) if "<table" in t and "same result" in t]
    stored = [t for t in tables if all(r["name"] in unescape(t) for r in data["results"])]
    assert stored, "no table on the page lists every row of bench_results.json (refresh the page after make bench)"
    rows = [r for r in re.split(r"<tr>", unescape(stored[-1])) if "</td>" in r]
    for r in data["results"]:
        match = [row for row in rows if f">{r['name']}<" in row and f">{r['size']}<" in row]
        assert match, f"{r['name']} ({r['size']}) is not a row of the stored table"
        row = match[0]
        assert f"{r['t_kernel'] * 1e3:.2f}" in row, f"{r['name']}: kernel time differs from bench_results.json"
        if r["fraction"] is not None:
            assert f"{r['fraction']:.2f}" in row, f"{r['name']}: fraction differs from bench_results.json"


def test_targets_and_reference_tables_agree_with_bench_results():
    """The targets table and the reference table show the stored run's numbers, row by row (a page not
    refreshed after make bench fails here, whatever its verdicts)."""
    data = json.loads(RESULTS.read_text())
    texts = [unescape(t) for _, t in _outputs(json.loads(PAGE.read_text()))]
    assert any(f"measured in: make bench, {data['date']}" in t for t in texts), "targets table not from this run"
    tables = [t for t in texts if "<table" in t and ">measured<" in t and ">status<" in t]
    assert tables, "no targets table on the page"
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.split(r"<tr>", tables[-1]) if "</td>" in r]
    shown = {c[0]: c[2] for c in cells}  # row label -> measured

    def row(name, size=None):
        return next(r for r in data["results"] if r["name"] == name and (size is None or r["size"].split(",")[0] == size))

    def measured(label_start):
        hits = [v for k, v in shown.items() if k.startswith(label_start)]
        assert len(hits) == 1, f"no single targets row starts with {label_start!r}"
        return hits[0]

    r = row("run call, retrieval (raw J)")
    assert measured("hopfield.run, retrieval, 50 sweeps, raw J") == f"{r['fraction']:.2f}"
    r = row("run call, retrieval (prepared)")
    assert measured("hopfield.run, retrieval, 50 sweeps, prepared") == f"{r['fraction']:.2f}"
    for name, label in (("run call, flip-heavy (raw J)", "raw J"), ("run call, flip-heavy (prepared)", "prepared")):
        r = row(name)
        got = measured(f"hopfield.run, flip-heavy, 10 sweeps, {r['size'].split(',')[0]}, {label}")
        assert got == f"{r['fraction']:.2f} (int8 row: {r['fraction'] / 8:.2f})"
    for name, label in (("prepare (set-up), retrieval", "prepare (set-up), retrieval"),
                        ("prepare (set-up), flip-heavy", "prepare (set-up), flip-heavy")):
        assert measured(label) == f"{1 / row(name)['fraction']:.2f} x"
    fep_l = row("run step vs baseline (learning)", "N=64")
    fep_n = row("run step vs baseline (no learning)", "N=64")
    assert measured("fep.run step, learning, N = 64") == f"{fep_l['fraction']:.2f}"
    assert measured("fep.run step, no learning, N = 64") == f"{fep_n['fraction']:.2f}"
    fixed = max(float(re.search(r"fixed cost per call ([0-9.e+-]+) us", r["note"]).group(1)) for r in (fep_l, fep_n))
    assert measured("fep.run fixed cost per call") == f"{fixed:.1f} us"
    ref = data.get("fep_reference")
    if ref and "64" in ref["sizes"]:
        v = ref["sizes"]["64"]
        assert measured("fep.run vs reference implementation, N = 64") == \
            f"{v['reference_s_per_step'] / v['fep_run_s_per_step']:,.0f} x"
        table = [t for t in texts if "| N | reference (ms per step)" in t]
        assert table and f"Measured on {ref['date']}" in table[-1], "the reference table is not the stored run's"
        for n, v in ref["sizes"].items():
            line = (f"| {n} | {v['reference_s_per_step'] * 1e3:,.4g} | {v['fep_run_s_per_step'] * 1e6:,.4g} | "
                    f"{v['reference_s_per_step'] / v['fep_run_s_per_step']:,.0f} |")
            assert line in table[-1], f"the reference table does not show the stored times at N = {n}"
    sim2 = data.get("sim2_grid")
    if sim2:
        assert measured(f"Simulation-2 grid, one seed, wall time ({sim2['date']}, {sim2['n_jobs']} workers)") == \
            f"{sim2['wall_s']:.0f} s"


@pytest.mark.parametrize("path", sorted((ROOT / "book").rglob("*.ipynb")) + sorted((ROOT / "book").rglob("*.md")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_tracker_words_in_the_book(path):
    if "_build" in path.parts:
        pytest.skip("build output")
    text = path.read_text(encoding="utf-8")
    m = re.search(r"\bissues? #?\d+\b|/issues/\d+|\bthe tracker\b", text, re.I)
    assert not m, f"{path.name} names the project's tracker: {text[max(0, m.start() - 40):m.end() + 40]!r}"
