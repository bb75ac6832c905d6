"""Domains of ``attractors.ledger``: a claim holds exactly when its comparison holds in exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from tests.fuzz_domains import Domain

VALUES = st.sampled_from([0.0, 5e-324, 1e-300, 1.0, -3.5, 1e8, 1e300, 1.7e308, -1.7e308])
TOLS = st.sampled_from([0.0, 5e-324, 1e-12, 0.5, 1e300, 1.7e308])


def _holds_exactly(m, e, relation, atol, rtol):
    m, e = Fraction(m), Fraction(e)
    slack = Fraction(atol) + Fraction(rtol) * abs(e)
    return {"==": m == e or abs(m - e) <= slack, "<=": m <= e + slack, ">=": m >= e - slack,
            "<": m < e, ">": m > e}[relation]


def _valid(data):
    relation = data.draw(st.sampled_from(["==", "<=", ">=", "<", ">"]), label="relation")
    e = data.draw(VALUES, label="expected")
    atol = data.draw(TOLS, label="atol")
    rtol = data.draw(st.sampled_from([0.0, 1e-15, 0.25, 2.0]), label="rtol")
    slack = float(min(Fraction(atol) + Fraction(rtol) * abs(Fraction(e)), Fraction(1.7e308)))
    frac = data.draw(st.sampled_from([0.0, 0.5, 0.999]), label="fraction of the tolerance")
    sign = data.draw(st.sampled_from([1.0, -1.0]), label="side")
    if relation in ("<", ">"):
        direction = np.inf if relation == ">" else -np.inf   # the nearest float on the right side, or farther
        m = float(np.nextafter(e, direction)) if sign > 0 else (e / 2 if (e > 0) == (relation == "<") and e != 0
                                                                else float(np.nextafter(e, direction)))
    elif relation == "==":
        m = e + sign * frac * slack
    elif relation == "<=":
        m = e + frac * slack - (1.0 if sign < 0 else 0.0) * abs(e) / 2
    else:
        m = e - frac * slack + (1.0 if sign < 0 else 0.0) * abs(e) / 2
    if not np.isfinite(m) or not _holds_exactly(m, e, relation, atol, rtol):
        m = e if relation in ("==", "<=", ">=") else m
    kw = {"claim_id": "BOOK/fuzz", "summary": "a fuzzed comparison", "measured": m, "expected": e,
          "relation": relation, "atol": atol, "rtol": rtol, "quiet": True,
          "basis": data.draw(st.sampled_from([None, "exact", "round-off: 4 ulp"]), label="basis")}
    if data.draw(st.booleans(), label="array"):
        kw["measured"] = np.array([m, m])
    return kw


def _check(kw, out):
    from attractors.ledger import ClaimFailed, check
    assert out is None
    m = float(np.atleast_1d(kw["measured"])[0])
    e = kw["expected"]
    assert _holds_exactly(m, e, kw["relation"], kw["atol"], kw["rtol"]), "a claim that does not hold passed"
    # the same claim moved beyond its tolerance must fail (a check must be able to fail)
    slack = Fraction(kw["atol"]) + Fraction(kw["rtol"]) * abs(Fraction(e))
    bad = {"==": Fraction(e) + 2 * slack + max(abs(Fraction(e)), 1), "<=": Fraction(e) + 2 * slack + max(abs(Fraction(e)), 1),
           ">=": Fraction(e) - 2 * slack - max(abs(Fraction(e)), 1), "<": Fraction(e), ">": Fraction(e)}[kw["relation"]]
    if abs(bad) <= Fraction(1.79e308):
        mb = float(bad)
        if not _holds_exactly(mb, e, kw["relation"], kw["atol"], kw["rtol"]):
            try:
                check(**dict(kw, measured=mb))
            except ClaimFailed:
                pass
            else:
                raise AssertionError(f"measured={mb!r} passed although the comparison fails")


def _invalid(data):
    c = data.draw(st.sampled_from(["id", "status", "relation", "atol", "atolint", "digits", "ragged", "str", "basis",
                                   "summary", "big"]), label="c")
    base = {"claim_id": "BOOK/x", "summary": "s", "measured": 1.0, "expected": 1.0, "quiet": True}
    return {"id": (dict(base, claim_id="nope"), "claim_id"), "status": (dict(base, claim_id="CHN/x", status="ok"), "status"),
            "relation": (dict(base, relation=np.array(["=="])), "relation"), "atol": (dict(base, atol=np.nan), "atol"),
            "atolint": (dict(base, atol=2**1024), "atol"), "digits": (dict(base, digits=2**64), "digits"),
            "ragged": (dict(base, measured=[[1.0], [1.0, 2.0]]), "measured"),
            "str": (dict(base, expected=np.array(["a"])), "expected"), "basis": (dict(base, basis="vibes"), "basis"),
            "summary": (dict(base, summary="two\nlines"), "summary"),
            "big": (dict(base, measured=[2**1024]), "measured")}[c]


DOMAINS = {"check": Domain(_valid, _check, _invalid)}
