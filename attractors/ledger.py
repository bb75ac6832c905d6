"""The claims ledger: one line per checked statement of the book.

Every chapter of the book restates a derivation from one of its sources and
then *checks* it numerically.  The check goes through :func:`check`, which
compares a measured quantity ``m`` with the value or bound ``e`` that the
derivation predicts, under a tolerance that the chapter derives from the
statistics of the measurement (a standard error, a discretisation order):

=============  ==========================================
relation       the check passes when
=============  ==========================================
``"=="``       ``|m - e| <= atol + rtol * |e|`` (elementwise, all)
``"<="``       ``m <= e + atol + rtol * |e|``
``">="``       ``m >= e - atol - rtol * |e|``
``"<"``        ``m < e``
``">"``        ``m > e``
=============  ==========================================

with a tolerance whose ``basis`` (one of ``BASES``) says where it comes from,
and prints one ledger entry::

    CLAIM <id> <status> <summary>
        [<numbers>]

The first line is wrapped (continuation lines indented by four spaces) so
that no printed line is longer than ``WIDTH`` characters; the numbers
go on the last line, in brackets.  :func:`collect` joins the pieces again.

``<id>`` is ``<SRC>/<label>`` where ``SRC`` is one of ``LF``, ``CHN``, ``FEP``,
``NLR`` (the four sources of the book, see ``book/intro.md``), ``FEPM`` (the later
manuscript of [FEP]'s reference repository, which holds its simulation numbers), ``LIT``
(literature beyond them) or ``BOOK`` (a result the book derives itself, which
no source claims).  ``<status>`` says what the check means for the
*source's* statement:

* ``verified`` -- the statement holds as written;
* ``partial``  -- it holds only under a condition the source does not state
  (the chapter names the condition, and the check tests the corrected form);
* ``refuted``  -- it is wrong as written (the check confirms the
  counter-example or the corrected statement).

A slip whose intended meaning the surrounding text makes evident (a swapped
word after "i.e.", a factor the next line restores) is named in the summary of
a ``verified`` line, not given its own status.  ``BOOK/`` claims describe no
source, so their status is always ``verified``.

Whatever the status, the *comparison* must hold: when it does not,
:func:`check` raises :class:`ClaimFailed` (an ``AssertionError``), so the
notebook fails to execute and nbval fails in CI.

Running ``python -m attractors.ledger book/`` collects the ``CLAIM`` lines
from the stored outputs of every notebook below ``book/`` and prints one
tab-separated row per claim: ``id  source  status  notebook  summary``.
The ledger appendix of the book shows the same table.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

__all__ = [
    "SOURCES",
    "STATUSES",
    "RELATIONS",
    "BASES",
    "Claim",
    "ClaimFailed",
    "check",
    "collect",
    "format_entry",
    "format_value",
    "main",
    "session_claims",
    "summary",
]

#: Source tags allowed in a claim id, with the document each one names.
SOURCES = {
    "LF": "Lyapunov Function (notes on relaxation, free energy, recall and learning)",
    "CHN": "Catacchini, Magrini Alunno, Ferracci, Continuous Hopfield Networks (2024)",
    "FEP": "Attractor neural networks and the free energy principle (manuscript)",
    "NLR": "Lotito, Neural Learning Rules from Associative Networks Theory",
    "FEPM": "Attractor neural networks and the free energy principle, later manuscript (pni-lab/fep-attractor-network)",
    "LIT": "literature beyond the four sources",
    "BOOK": "results the book derives itself (no source claims them)",
}
STATUSES = ("verified", "partial", "refuted")
#: Where a check's tolerance comes from (the first word of ``basis``):
#:
#: ``exact``           integers, booleans and identities that hold in exact arithmetic (no tolerance);
#: ``round-off``       a bound from the machine epsilon and the operation count;
#: ``discretisation``  an error term or order of a method, its constant estimated separately;
#: ``statistical``     k standard errors of a mean over n independent samples (say k and n);
#: ``source``          a threshold the source itself states.
BASES = ("exact", "round-off", "discretisation", "statistical", "source")
RELATIONS = ("==", "<=", ">=", "<", ">")

_ID_RE = re.compile(r"^(LF|CHN|FEPM|FEP|NLR|LIT|BOOK)/[A-Za-z0-9][A-Za-z0-9_.:+-]*$")
_LINE_RE = re.compile(r"^CLAIM (\S+) (verified|partial|refuted) (.*)$")

#: Longest printed line of a ledger entry (the book's text column shows ~120 characters).
WIDTH = 110
_INDENT = "    "

#: Magnitudes below this are printed as ``<1e-12``: they are round-off, and
#: their exact digits differ between machines and BLAS builds.
TINY = 1e-12


#: Claims checked (and printed) in this Python process, in order.
_SESSION: list["Claim"] = []


class ClaimFailed(AssertionError):
    """Raised by :func:`check` when the measured value contradicts the claim."""


@dataclass(frozen=True)
class Claim:
    """One row of the ledger."""

    id: str
    status: str
    summary: str
    notebook: str = ""
    numbers: str = ""
    basis: str = ""
    margin: float | None = None
    anchor: str = ""

    @property
    def source(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def basis_kind(self) -> str:
        """The first word of the basis (one of ``BASES``), or ``""`` when none was stated."""
        return self.basis.split(":", 1)[0].strip() if self.basis else ""

    def row(self) -> str:
        text = f"{self.summary} [{self.numbers}]" if self.numbers else self.summary
        return "\t".join([self.id, self.source, self.status, self.notebook, text])


def format_entry(claim_id: str, status: str, summary: str, numbers: str = "") -> str:
    """The printed form of one ledger entry: ``CLAIM <id> <status> <summary>`` wrapped
    at ``WIDTH`` characters (continuation lines indented), the numbers on their own
    last line in brackets."""
    import textwrap

    lines = textwrap.wrap(f"CLAIM {claim_id} {status} {summary}", width=WIDTH,
                          subsequent_indent=_INDENT, break_long_words=False, break_on_hyphens=False)
    if numbers:
        lines += textwrap.wrap(f"[{numbers}]", width=WIDTH, initial_indent=_INDENT,
                               subsequent_indent=_INDENT + " ", break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


def format_value(x: Any, digits: int = 4, *, exact_zero: bool = False) -> str:
    """Format a number (or a small array) for a ledger line, machine-independently.

    Floats get ``digits`` significant digits; magnitudes below ``TINY`` print
    as ``<1e-12`` (round-off, whose digits are not reproducible); arrays are
    summarised by their largest magnitude.  A float whose magnitude is below
    ``TINY`` (zero included) prints as ``<1e-12`` whatever its sign: its digits
    and its sign are round-off, which a one-ulp change of any operation moves.
    With ``exact_zero=True`` (used for expected values, which are exact) a
    zero prints as ``0``.
    """
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    arr = np.asarray(x)
    if arr.ndim > 0:
        if arr.size == 0:
            return "[]"
        return f"max|.|={format_value(float(np.max(np.abs(arr))), digits)}"
    v = float(arr)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0.0 and exact_zero:
        return "0"
    if abs(v) < TINY:
        return "<1e-12"
    return f"{v:.{digits}g}"


def _validate(claim_id: str, status: str, relation: str, atol: float, rtol: float) -> None:
    if not isinstance(claim_id, str) or not _ID_RE.match(claim_id):
        raise ValueError(
            f"claim_id must look like '<SRC>/<label>' with SRC in {sorted(SOURCES)}; got {claim_id!r}"
        )
    if not isinstance(status, str) or status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}; got {status!r}")
    if claim_id.startswith("BOOK/") and status != "verified":
        raise ValueError("a BOOK/ claim is the book's own result and describes no source: its status must be 'verified'")
    if not isinstance(relation, str) or relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}; got {relation!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, (int, float, np.floating, np.integer)):
            raise TypeError(f"{name} must be a real number; got {type(tol).__name__}")
        try:
            tol = float(tol)
        except OverflowError as exc:
            raise ValueError(f"{name} must be a finite number >= 0; got an integer of {int(tol).bit_length()} bits") from exc
        if not math.isfinite(tol) or tol < 0:
            raise ValueError(f"{name} must be a finite number >= 0; got {tol!r}")


def _holds(measured: np.ndarray, expected: np.ndarray, relation: str, atol: float, rtol: float) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):
        slack = atol + rtol * np.abs(expected)
        if relation == "==":
            if measured.dtype == bool or expected.dtype == bool:
                ok = measured == expected
            else:  # equal values (the same infinity included) agree; NaN never does
                ok = (measured == expected) | (np.abs(measured - expected) <= slack)
                # near the float64 limit the difference or the slack may overflow: compare halves there
                big = (np.isinf(measured - expected) | np.isinf(slack)) & np.isfinite(measured) & np.isfinite(expected)
                if np.any(big):
                    half = np.abs(0.5 * measured - 0.5 * expected) <= 0.5 * atol + (0.5 * rtol) * np.abs(expected)
                    ok = np.where(big, (measured == expected) | half, ok)
            return bool(np.all(ok))
        if relation == "<=":
            ok = (measured <= expected) | (measured <= expected + slack)
        elif relation == ">=":
            ok = (measured >= expected) | (measured >= expected - slack)
        elif relation == "<":
            ok = measured < expected
        else:  # ">"
            ok = measured > expected
    # NaN anywhere makes the comparison false, as it should.
    return bool(np.all(ok))


def check(
    claim_id: str,
    summary: str,
    measured: Any,
    expected: Any = True,
    *,
    relation: str = "==",
    atol: float = 0.0,
    rtol: float = 0.0,
    status: str = "verified",
    digits: int = 4,
    show_values: bool = True,
    quiet: bool = False,
    basis: str | None = None,
) -> None:
    """Check one claim of the book and print its ledger line.

    Parameters
    ----------
    claim_id : str
        ``<SRC>/<label>``, e.g. ``"CHN/thm-2.1"``; SRC is one of
        ``LF, CHN, FEP, FEPM, NLR, LIT, BOOK``.
    summary : str
        One sentence saying what was checked (no newlines).
    measured : float, int, bool or array_like
        The value the notebook computed.
    expected : float, int, bool or array_like, default True
        The value or bound the derivation predicts.  With the default, a
        boolean ``measured`` is checked to be true.
    relation : {"==", "<=", ">=", "<", ">"}
        How ``measured`` must relate to ``expected`` (see the module docstring).
    atol, rtol : float
        Absolute and relative tolerance; they should come from the statistics
        of the measurement (standard errors, discretisation order).
    status : {"verified", "partial", "refuted"}
        What the check means for the source's statement (module docstring).
    digits : int
        Significant digits of the numbers printed on the ledger line.  Choose
        them so that the printed digits are reproducible (nbval compares them).
    show_values : bool, default True
        Print the numbers on the ledger line.  Set it to False for claims about
        round-off (errors of a few ulps), whose digits depend on the CPU and the
        math library: print those numbers in a cell tagged
        ``nbval-ignore-output`` instead.
    quiet : bool
        Do not print the line and do not record it (for unit tests).
    basis : str
        Where the tolerance comes from: one of ``BASES`` (``exact``,
        ``round-off``, ``discretisation``, ``statistical``, ``source``),
        optionally followed by a colon and a few words, e.g.
        ``"statistical: 4 s.e. of the mean over n = 2000 chains"`` (a
        ``statistical`` basis names k and n: it must contain digits).  It is
        not printed on the ledger line (whose width it would change); it goes
        with the claim to the ledger appendix, which shows it with the margin
        (the fraction of the tolerance that the deviation used).

    Returns
    -------
    None
        (So that a notebook cell ending with a check displays nothing more.)
        The claim is recorded for :func:`summary` and :func:`session_claims`.

    Raises
    ------
    ClaimFailed
        When the comparison does not hold (also for NaN).
    ValueError
        When an argument is malformed (bad id, status, relation or tolerance,
        a summary with a newline, or shapes that do not broadcast).
    """
    _validate(claim_id, status, relation, atol, rtol)
    basis = _check_basis(basis)
    if not isinstance(summary, str) or not summary.strip() or "\n" in summary:
        raise ValueError("summary must be a non-empty single-line string")
    if isinstance(digits, (bool, np.bool_)) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer in [1, 17] (float64 has 17 significant digits); got {digits!r}")
    for name, flag in (("show_values", show_values), ("quiet", quiet)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool; got {type(flag).__name__}")
    m, e = _as_claim_array(measured, "measured"), _as_claim_array(expected, "expected")
    for name, arr in (("measured", m), ("expected", e)):
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real number, a boolean or a real array; got dtype {arr.dtype}")
        if arr.size == 0:
            raise ValueError(f"{name} must not be empty: a claim about no values checks nothing")
    try:
        np.broadcast_shapes(m.shape, e.shape)
    except ValueError as exc:
        raise ValueError(f"measured {m.shape} and expected {e.shape} do not broadcast") from exc
    ok = _holds(m, e, relation, float(atol), float(rtol))

    if relation == "==" and (m.ndim > 0 or e.ndim > 0) and m.dtype != bool and e.dtype != bool:
        with np.errstate(invalid="ignore"):  # equal infinities differ by nothing, not by NaN
            diff = np.where(m == e, 0.0, np.abs(m - e))
        dev = np.max(diff) if diff.size else 0.0
        numbers = f"max|measured-expected|={format_value(float(dev), digits)} over {np.broadcast(m, e).size} values"
    else:
        numbers = f"measured={format_value(measured, digits)} {relation} expected={format_value(expected, digits, exact_zero=True)}"
    if atol:
        numbers += f" atol={format_value(atol, 2)}"
    if rtol:
        numbers += f" rtol={format_value(rtol, 2)}"
    if not show_values:  # round-off-level numbers and tolerances: the summary states the bound
        numbers = f"measured {relation} expected: holds"
    if not ok:
        raise ClaimFailed(f"claim {claim_id} does not hold: {summary.strip()} [{numbers}]")
    if not quiet:
        claim = Claim(claim_id, status, summary.strip(), numbers=numbers, basis=basis or "",
                      margin=_margin(m, e, relation, float(atol), float(rtol)), anchor=_anchor(claim_id))
        _SESSION.append(claim)
        _emit(claim)


def _as_claim_array(x, name):
    """``x`` as an array for a claim, refusing ragged sequences and integers beyond float64, naming ``name``."""
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{name} must be a rectangular array of numbers; got a ragged {type(x).__name__}") from exc
    if arr.dtype == object:
        try:
            arr = np.asarray(x, dtype=np.float64)
        except OverflowError as exc:
            raise ValueError(f"{name} has a number too large for float64") from exc
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a real number, a boolean or a real array; got {type(x).__name__}") from exc
    if arr.size > 10**7:
        raise ValueError(f"{name} has {arr.size} values; a claim compares at most 1e7 (a summary of larger data)")
    return arr


def _check_basis(basis):
    if basis is None:
        return None
    if not isinstance(basis, str) or "\n" in basis:
        raise TypeError(f"basis must be a one-line string starting with one of {BASES}; got {basis!r}")
    kind = basis.split(":", 1)[0].strip()
    if kind not in BASES:
        raise ValueError(f"basis must start with one of {BASES} (then ': a few words'); got {basis!r}")
    if kind == "statistical" and not re.search(r"\d", basis):
        raise ValueError("a statistical basis says how many standard errors over how many samples "
                         f"(e.g. 'statistical: 4 s.e., n = 2000 chains'); got {basis!r}")
    return basis.strip()


def _margin(m, e, relation, atol, rtol):
    """How much of its room a passing check used (0: none, 1: all; None where undefined).

    ``==``: the largest deviation over its tolerance.  ``<=`` with a non-negative measured value and a
    positive bound ``e + tol`` (an error against its bound): ``m / (e + tol)``.  ``>=`` with a positive
    measured value and a positive floor ``e - tol``: ``(e - tol) / m``.  A negated check (``-x <= -c``,
    ``-x >= -c``) gets the margin of the check it negates.  Strict relations, booleans and comparisons that
    cross zero have no margin.
    """
    if relation in ("<", ">") or m.dtype == bool or e.dtype == bool:
        return None
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        mf, ef = m.astype(float), e.astype(float)
        slack = atol + rtol * np.abs(ef)
        if relation == "==":
            dev = np.where(mf == ef, 0.0, np.abs(mf - ef))
            if not np.all(np.isfinite(dev)):
                return None
            if np.all(slack == 0):
                return 0.0 if np.all(dev == 0) else None
            frac = np.where(slack > 0, dev / np.where(slack > 0, slack, 1.0), np.where(dev > 0, np.inf, 0.0))
        elif relation == "<=":
            bound = ef + slack
            if np.all(mf >= 0) and np.all(bound > 0):
                frac = mf / bound
            elif np.all(mf < 0) and np.all(bound < 0):  # a negated ">=": -x <= -c with x >= c
                frac = bound / mf
            else:
                return None
        else:
            floor = ef - slack
            if np.all(mf > 0) and np.all(floor > 0):
                frac = floor / mf
            elif np.all(mf <= 0) and np.all(floor < 0):  # a negated "<=": -x >= -c with x <= c
                frac = mf / floor
            else:
                return None
    v = float(np.max(frac))
    return v if math.isfinite(v) else None


def _anchor(claim_id: str) -> str:
    """The HTML anchor of a claim's block in its chapter: ``claim-<id>`` with ``/`` as ``-``; a repeated
    id within one notebook gets ``-2``, ``-3``, ... (counted in this kernel's session)."""
    base = "claim-" + re.sub(r"[^A-Za-z0-9_.:-]", "-", claim_id)
    n = sum(c.id == claim_id for c in _SESSION) + 1
    return base if n == 1 else f"{base}-{n}"


#: MIME metadata key under which a claim's full record travels with its output (not compared by nbval).
META_KEY = "attractors/claim"

_STATUS_TITLE = {
    "verified": "holds as the source states it",
    "partial": "holds only under a condition the source does not state",
    "refuted": "false as the source states it",
}


def _html(claim: "Claim") -> str:
    import html

    basis = (f'<span class="claim-basis">basis: {html.escape(claim.basis)}</span>' if claim.basis else "")
    nums = f'<code class="claim-numbers">{html.escape(claim.numbers)}</code>' if claim.numbers else ""
    return (f'<div class="claim claim-{claim.status}" id="{claim.anchor}">'
            f'<span class="claim-badge" title="{_STATUS_TITLE[claim.status]}">{claim.status}</span> '
            f'<a class="claim-id" href="#{claim.anchor}">{html.escape(claim.id)}</a> '
            f'<span class="claim-summary">{html.escape(claim.summary)}</span> {nums} {basis}</div>')


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _emit(claim: "Claim") -> None:
    """Print the ledger entry; in a Jupyter kernel, as a rich output: the plain text that nbval compares,
    an HTML block with a status badge and an anchor for the book, and the full record as metadata."""
    text = format_entry(claim.id, claim.status, claim.summary, claim.numbers)
    if not _in_kernel():
        print(text)
        return
    import sys as _sys

    from IPython.display import display

    _sys.stdout.flush()  # keep the order of printed text and claim blocks
    record = {"id": claim.id, "status": claim.status, "summary": claim.summary, "numbers": claim.numbers,
              "basis": claim.basis, "margin": claim.margin, "anchor": claim.anchor}
    display({"text/plain": text, "text/html": _html(claim)}, raw=True, metadata={META_KEY: record})


def session_claims() -> list[Claim]:
    """The claims checked and printed so far in this process (this notebook's kernel)."""
    return list(_SESSION)


def summary() -> None:
    """Show what this notebook checked, grouped by status, one line per distinct claim.

    Chapters end with it, so that a reader sees at a glance which ledger lines
    the chapter added and what each of them says.  Repeated checks of the same
    id with the same summary are counted once (``(x3)``).  In a Jupyter kernel
    the book shows it as a table (in a dropdown) whose ids link to the claims'
    blocks; the plain text is what nbval compares.
    """
    import textwrap

    claims = session_claims()
    counts = {s: sum(c.status == s for c in claims) for s in STATUSES}
    lines = [f"{len(claims)} checks: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES)]
    groups: dict[str, dict[tuple[str, str], list[Claim]]] = {}
    for status in STATUSES:
        group = [c for c in claims if c.status == status]
        if not group:
            continue
        lines.append(f"{status}:")
        seen: dict[tuple[str, str], list[Claim]] = {}
        for c in group:
            seen.setdefault((c.id, c.summary), []).append(c)
        groups[status] = seen
        for (cid, text), cs in seen.items():
            times = f" (x{len(cs)})" if len(cs) > 1 else ""
            lines.append(textwrap.fill(f"{cid}: {text}{times}", width=WIDTH, initial_indent="  - ",
                                       subsequent_indent="    ", break_long_words=False, break_on_hyphens=False))
    text = "\n".join(lines)
    if not _in_kernel():
        print(text)
        return
    import html

    from IPython.display import display

    rows = []
    for status, seen in groups.items():
        for (cid, summ), cs in seen.items():
            times = f" <small>(&times;{len(cs)})</small>" if len(cs) > 1 else ""
            anchor = cs[0].anchor or ""
            link = f'<a href="#{anchor}">{html.escape(cid)}</a>' if anchor else html.escape(cid)
            rows.append(f'<tr><td class="claim-id">{link}</td><td><span class="claim-badge claim-{status}">'
                        f"{status}</span></td><td>{html.escape(summ)}{times}</td></tr>")
    head = html.escape(lines[0])
    table = (f'<details class="claim-summary-table"><summary>{head}</summary><div class="ledger-table"><table>'
             "<thead><tr><th>claim</th><th>status</th><th>what was checked</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table></div></details>")
    import sys as _sys

    _sys.stdout.flush()
    display({"text/plain": text, "text/html": table}, raw=True)


def _iter_outputs(nb: dict) -> Iterable[tuple[str, dict | None]]:
    """(text, claim record or None) of every stdout stream and every claim display of a notebook."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                text = out.get("text", "")
                yield ("".join(text) if isinstance(text, list) else text), None
            elif out.get("output_type") in ("display_data", "execute_result"):
                record = out.get("metadata", {}).get(META_KEY)
                if record:
                    text = out.get("data", {}).get("text/plain", "")
                    yield ("".join(text) if isinstance(text, list) else text), record


def _parse(text: str, notebook: str) -> list[Claim]:
    """Ledger entries in one stream of printed text (continuation lines re-joined)."""
    out: list[Claim] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _LINE_RE.match(lines[i].strip())
        i += 1
        if not match:
            continue
        cid, status, head = match.groups()
        parts = [head]
        while i < len(lines) and lines[i].startswith(_INDENT) and not lines[i].lstrip().startswith("CLAIM "):
            parts.append(lines[i].strip())
            i += 1
        joined = " ".join(parts)
        numbers = ""
        if joined.endswith("]") and " [" in joined:
            k = joined.rindex(" [")
            joined, numbers = joined[:k], joined[k + 2:-1]
        elif joined.startswith("[") and joined.endswith("]"):
            joined, numbers = "", joined[1:-1]
        out.append(Claim(cid, status, joined.strip(), notebook, numbers))
    return out


def collect(root: str | Path = "book") -> list[Claim]:
    """Collect the ledger lines from the stored outputs of the notebooks below ``root``.

    Notebooks in ``_build``, ``.ipynb_checkpoints`` and hidden folders are
    skipped.  The ``notebook`` field is the path relative to ``root``.
    """
    root = Path(root)
    if not root.exists():
        raise ValueError(f"root does not exist: {root}")
    paths = [root] if root.is_file() else sorted(root.rglob("*.ipynb"))
    claims: list[Claim] = []
    for path in paths:
        rel = path.relative_to(root) if root.is_dir() else Path(path.name)
        if any(part.startswith((".", "_build")) for part in rel.parts):
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        name = rel.with_suffix("").as_posix()
        for text, record in _iter_outputs(nb):
            if record is None:
                claims.extend(_parse(text, name))
            else:
                margin = record.get("margin")
                claims.append(Claim(record["id"], record["status"], record["summary"], name, record.get("numbers", ""),
                                    record.get("basis", ""), None if margin is None else float(margin),
                                    record.get("anchor", "")))
    return claims


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m attractors.ledger [ROOT]`` prints the ledger as TSV."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print("usage: python -m attractors.ledger [ROOT]   (default ROOT: book/)")
        print("Prints one tab-separated row per claim: id, source, status, notebook, summary.")
        return 0
    if isinstance(argv, (str, bytes)) or not all(isinstance(a, str) for a in argv):
        raise TypeError("argv must be a list of strings, e.g. main(['book/'])")
    root = argv[0] if argv else "book"
    try:
        claims = collect(root)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for claim in claims:
        print(claim.row())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
