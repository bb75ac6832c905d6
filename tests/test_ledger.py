"""Tests of attractors.ledger: the check helper, its output line and the collector."""

import json
import math

import nbformat
import numpy as np
import pytest

from attractors import ledger
from attractors.ledger import ClaimFailed, check, collect, format_value


def test_check_prints_one_line(capsys):
    assert check("CHN/thm-2.1", "stationary law is Gibbs", 0.1234567, 0.1234, atol=1e-3) is None
    claim = ledger.session_claims()[-1]
    out = capsys.readouterr().out.strip()
    assert out.startswith("CLAIM CHN/thm-2.1 verified stationary law is Gibbs\n")
    assert out.splitlines()[1] == "    [measured=0.1235 == expected=0.1234 atol=0.001]"
    assert claim.source == "CHN" and claim.status == "verified"
    assert out.count("\n") == 1


def test_long_entries_wrap_and_collect_rejoins_them(capsys):
    words = " ".join(f"word{i}" for i in range(60))
    check("BOOK/wrap", words, [1.0, 2.0], [1.0, 2.0], rtol=1e-3)
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= ledger.WIDTH
    assert len(out.splitlines()) >= 4
    [claim] = ledger._parse(out, "nb")
    assert claim.id == "BOOK/wrap" and claim.summary == words
    assert claim.numbers == "max|measured-expected|=<1e-12 over 2 values rtol=0.001"


def test_book_claims_are_always_verified():
    check("BOOK/own-result", "the book's own result", 1.0, 1.0, quiet=True)
    with pytest.raises(ValueError, match="BOOK"):
        check("BOOK/own-result", "the book's own result", 1.0, 1.0, status="partial", quiet=True)


def test_edge_cases_listed_in_the_regression_issue():
    # an empty measured value checks nothing
    with pytest.raises(ValueError, match="measured"):
        check("LIT/x", "empty", [], [], quiet=True)
    # the same infinity on both sides agrees (inf - inf is NaN, which must not decide)
    check("LIT/x", "same inf", math.inf, math.inf, quiet=True)
    check("LIT/x", "same -inf", [-math.inf, 1.0], [-math.inf, 1.0], quiet=True)
    with pytest.raises(ClaimFailed):
        check("LIT/x", "opposite inf", math.inf, -math.inf, quiet=True)
    # a bool is not a tolerance
    with pytest.raises(TypeError, match="atol"):
        check("LIT/x", "bool tol", 1.0, 1.0, atol=True, quiet=True)
    # main() takes a list of arguments, not a string it would iterate character by character
    with pytest.raises(TypeError, match="argv"):
        ledger.main("/some/dir")


@pytest.mark.parametrize(
    "measured, expected, relation, atol, rtol, ok",
    [
        (1.0, 1.0, "==", 0.0, 0.0, True),
        (1.0 + 1e-9, 1.0, "==", 1e-8, 0.0, True),
        (1.0 + 1e-7, 1.0, "==", 1e-8, 0.0, False),
        (101.0, 100.0, "==", 0.0, 0.011, True),
        (102.0, 100.0, "==", 0.0, 0.011, False),
        (0.5, 1.0, "<=", 0.0, 0.0, True),
        (1.05, 1.0, "<=", 0.1, 0.0, True),
        (1.2, 1.0, "<=", 0.1, 0.0, False),
        (2.0, 1.0, ">=", 0.0, 0.0, True),
        (0.95, 1.0, ">=", 0.1, 0.0, True),
        (0.5, 1.0, ">=", 0.1, 0.0, False),
        (1.0, 1.0, "<", 0.0, 0.0, False),
        (0.9, 1.0, "<", 0.0, 0.0, True),
        (1.0, 1.0, ">", 0.0, 0.0, False),
        (True, True, "==", 0.0, 0.0, True),
        (False, True, "==", 0.0, 0.0, False),
        ([1.0, 2.0], [1.0, 2.0 + 1e-12], "==", 1e-9, 0.0, True),
        ([1.0, 2.1], [1.0, 2.0], "==", 1e-9, 0.0, False),
        (math.nan, 0.0, "==", 1.0, 0.0, False),
        (math.nan, 0.0, "<=", 1.0, 0.0, False),
    ],
)
def test_relations(measured, expected, relation, atol, rtol, ok):
    if ok:
        check("LIT/test", "relation test", measured, expected, relation=relation, atol=atol, rtol=rtol, quiet=True)
    else:
        with pytest.raises(ClaimFailed):
            check("LIT/test", "relation test", measured, expected, relation=relation, atol=atol, rtol=rtol,
                  quiet=True)


def test_failed_claim_is_an_assertion_error_and_prints_nothing(capsys):
    with pytest.raises(AssertionError, match="CHN/x"):
        check("CHN/x", "must fail", 2.0, 1.0, atol=0.5)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("status", ["verified", "partial", "refuted"])
def test_status_is_printed_and_comparison_still_enforced(status, capsys):
    check("FEP/eq-1", "s", 1.0, 1.0, status=status)
    assert f"CLAIM FEP/eq-1 {status} s" in capsys.readouterr().out
    with pytest.raises(ClaimFailed):
        check("FEP/eq-1", "s", 1.0, 2.0, status=status)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(claim_id="XYZ/1"), ValueError, "claim_id"),
        (dict(claim_id="CHN"), ValueError, "claim_id"),
        (dict(claim_id="CHN/has space"), ValueError, "claim_id"),
        (dict(status="true"), ValueError, "status"),
        (dict(relation="~"), ValueError, "relation"),
        (dict(atol=-1.0), ValueError, "atol"),
        (dict(rtol=math.inf), ValueError, "rtol"),
        (dict(summary="two\nlines"), ValueError, "summary"),
        (dict(summary="  "), ValueError, "summary"),
        (dict(measured="abc"), TypeError, "measured"),
        (dict(measured=[1.0, 2.0, 3.0], expected=[1.0, 2.0]), ValueError, "broadcast"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    args = dict(claim_id="LF/lemma-20", summary="ok", measured=1.0, expected=1.0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        check(args.pop("claim_id"), args.pop("summary"), args.pop("measured"), args.pop("expected"), **args)


def test_array_lines_show_the_largest_deviation(capsys):
    check("LIT/arr", "arrays", [1.0, 2.0], [1.0, 2.5], atol=0.6)
    assert "[max|measured-expected|=0.5 over 2 values atol=0.6]" in capsys.readouterr().out


def test_hidden_values(capsys):
    check("LIT/roundoff", "round-off claim", 3e-16, 1e-15, relation="<=", show_values=False)
    out = capsys.readouterr().out
    assert "[measured <= expected: holds]" in out and "e-16" not in out


def test_format_value_is_machine_independent():
    assert format_value(3.3e-16) == "<1e-12"
    assert format_value(-2.2e-17) == "<1e-12"  # no sign: the sign of round-off is round-off
    assert format_value(0.0) == "<1e-12"
    assert format_value(0.0, exact_zero=True) == "0"
    assert format_value(np.float64(0.123456)) == "0.1235"
    assert format_value(np.int64(7)) == "7"
    assert format_value(np.bool_(True)) == "True"
    assert format_value([1.0, -3.0]) == "max|.|=3"
    assert format_value(math.inf) == "inf"
    assert format_value(math.nan) == "nan"


def _write_nb(path, lines):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('x')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("CLAIM LIT/not-an-output verified no"), cell]
    nbformat.write(nb, path)


def test_collect_and_cli(tmp_path, capsys):
    (tmp_path / "part").mkdir()
    (tmp_path / "_build").mkdir()
    _write_nb(tmp_path / "part" / "a.ipynb",
              ["noise", "CLAIM CHN/thm-2.1 verified Gibbs law [measured=0 == expected=0]",
               "CLAIM NLR/eq-40 refuted wrong sign [measured=1 > expected=0]"])
    _write_nb(tmp_path / "_build" / "copy.ipynb", ["CLAIM CHN/copy verified should be skipped"])
    claims = collect(tmp_path)
    assert [c.id for c in claims] == ["CHN/thm-2.1", "NLR/eq-40"]
    assert claims[1].status == "refuted" and claims[1].notebook == "part/a"
    assert ledger.main([str(tmp_path)]) == 0
    rows = capsys.readouterr().out.strip().split("\n")
    assert rows[0].split("\t") == ["CHN/thm-2.1", "CHN", "verified", "part/a", "Gibbs law [measured=0 == expected=0]"]
    assert ledger.main([str(tmp_path / "missing")]) == 2


def test_session_summary(capsys):
    before = len(ledger.session_claims())
    check("LIT/summary-test", "counted", 1, 1)
    check("LIT/summary-test-2", "counted", 1, 1, status="partial")
    assert len(ledger.session_claims()) == before + 2
    capsys.readouterr()
    ledger.summary()
    out = capsys.readouterr().out
    assert "  - LIT/summary-test-2: counted" in out.split("partial:")[1] and "checks:" in out


def test_collect_reads_the_books_stored_outputs():
    """Every claim line stored in the book has a valid id and status."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "book"
    for claim in collect(root):
        assert ledger._ID_RE.match(claim.id), claim
        assert claim.status in ledger.STATUSES


# ----------------------------------------------------------------------------- basis, margin, rich output

def test_basis_is_validated():
    check("LIT/x", "ok", 1.0, 1.0, basis="exact: an identity", quiet=True)
    check("LIT/x", "ok", 1.0, 1.0, atol=0.1, basis="statistical: 4 s.e., n = 100 samples", quiet=True)
    with pytest.raises(ValueError, match="basis must start"):
        check("LIT/x", "bad", 1.0, 1.0, basis="what passed", quiet=True)
    with pytest.raises(ValueError, match="standard errors"):
        check("LIT/x", "bad", 1.0, 1.0, atol=0.1, basis="statistical: a few s.e.", quiet=True)
    with pytest.raises(TypeError, match="basis"):
        check("LIT/x", "bad", 1.0, 1.0, basis=3, quiet=True)


@pytest.mark.parametrize("m, e, rel, atol, rtol, margin", [
    (1.05, 1.0, "==", 0.1, 0.0, 0.5),
    (1.0, 1.0, "==", 0.0, 0.0, 0.0),
    (0.9, 1.0, "<=", 0.1, 0.0, 0.9 / 1.1),
    (1.09, 1.0, "<=", 0.0, 0.1, 1.09 / 1.1),
    (0.95, 1.0, ">=", 0.1, 0.0, 0.9 / 0.95),
    (-0.5, 1.0, "<=", 0.0, 0.0, None),
    (-2.0, -1.0, "<=", 0.0, 0.0, 0.5),          # -x <= -c with x = 2, c = 1: the ">=" margin c / x
    (-0.5, -1.0, ">=", 0.0, 0.0, 0.5),          # -x >= -c with x = 0.5, c = 1: the "<=" margin x / c
    (2.0, 0.0, ">=", 0.0, 0.0, None),
    (0.5, 1.0, "<", 0.0, 0.0, None),
    ([1.0, 1.2], [1.0, 1.0], "==", 0.4, 0.0, 0.5),
])
def test_margin_is_the_used_fraction_of_the_tolerance(m, e, rel, atol, rtol, margin):
    got = ledger._margin(np.asarray(m), np.asarray(e), rel, atol, rtol)
    assert (got is None) if margin is None else got == pytest.approx(margin, rel=1e-9)


def test_claim_record_round_trips_through_a_notebook(tmp_path):
    claim = ledger.Claim("FEPM/sim1-r", "partial", "r is negative", numbers="measured=-0.19 == expected=-0.19",
                         basis="statistical: 3 s.e., n = 10 seeds", margin=0.25, anchor="claim-FEPM-sim1-r")
    html = ledger._html(claim)
    assert 'id="claim-FEPM-sim1-r"' in html and "claim-partial" in html and "basis: statistical" in html
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("check(...)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": ledger.format_entry(claim.id, claim.status, claim.summary, claim.numbers),
                               "text/html": html},
        metadata={ledger.META_KEY: {"id": claim.id, "status": claim.status, "summary": claim.summary,
                                    "numbers": claim.numbers, "basis": claim.basis, "margin": claim.margin,
                                    "anchor": claim.anchor}})]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "a.ipynb")
    [back] = collect(tmp_path)
    assert back == ledger.Claim(claim.id, claim.status, claim.summary, "a", claim.numbers, claim.basis, 0.25,
                                claim.anchor)
    assert back.basis_kind == "statistical" and back.source == "FEPM"


def test_anchors_of_repeated_ids_are_unique(monkeypatch):
    monkeypatch.setattr(ledger, "_SESSION", [])
    check("LIT/rep", "one", 1.0, 1.0, basis="exact: equal")
    check("LIT/rep", "two", 1.0, 1.0, basis="exact: equal")
    a, b = ledger.session_claims()
    assert (a.anchor, b.anchor) == ("claim-LIT-rep", "claim-LIT-rep-2")


def test_equality_near_the_float_limit_and_argument_checks():
    # |1.7e308 - (-1.7e308)| overflows to inf, and so did the slack 1.1 * 1.7e308: inf <= inf passed
    with pytest.raises(ledger.ClaimFailed):
        ledger.check("BOOK/x", "s", 1.7e308, -1.7e308, rtol=1.1, quiet=True)
    ledger.check("BOOK/x", "s", 1.7e308, -1.7e308, rtol=2.5, quiet=True)
    for kw, name in ((dict(atol=2**1024), "atol"), (dict(digits=2**64), "digits"), (dict(measured=[[1], [1, 2]]), "measured"),
                     (dict(relation=np.array(["=="])), "relation"), (dict(measured=[2**1024]), "measured")):
        args = dict(measured=1.0, expected=1.0)
        args.update(kw)
        with pytest.raises((ValueError, TypeError), match=name):
            ledger.check("BOOK/x", "s", quiet=True, **args)


def test_bench_compare_and_timing_arguments_are_checked():
    from attractors import bench
    with pytest.raises(TypeError, match="module"):
        bench.compare(1, "n", "s", lambda: 1, lambda: 1)
    with pytest.raises(TypeError, match="kernel"):
        bench.compare("m", "n", "s", 3, lambda: 1)
    with pytest.raises(ValueError, match="min_time"):
        bench.best_time(lambda: None, min_time=2**1024)
    with pytest.raises(ValueError, match="min_time"):
        bench.best_time(lambda: None, repeat=1000, min_time=60)
