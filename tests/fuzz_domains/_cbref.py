"""High-precision references for the continuous Bernoulli law (Python ``decimal``, exact fractions).

Every function takes float64 inputs (converted exactly) and returns a ``Decimal`` good to about
70 significant digits: for :math:`|b| < 10^{-2}` from the power series
:math:`\\coth b - 1/b = \\sum_n c_n b^{2n-1}`, :math:`c_n = 2^{2n}B_{2n}/(2n)!` (Bernoulli numbers
as exact fractions, 18 terms: the remainder is below :math:`(10^{-2}/\\pi)^{36}`), and above it
from the closed forms with enough digits to hold :math:`|b|` and its fractional part.  The KL
divergence of two small biases is summed term by term from the series (no :math:`\\log 2`
cancels).  In this arithmetic the way a formula is arranged changes nothing but speed.
"""

from __future__ import annotations

import decimal
from decimal import Decimal as D
from fractions import Fraction
from math import comb, factorial

#: Smallest normal float64: errors below it are measured in absolute terms.
TINY = 2.2250738585072014e-308
FMAX = D(1.7976931348623157e308)
SMALL = D("0.01")
_NTERMS = 18


def _bernoulli(m: int) -> list[Fraction]:
    B = [Fraction(1)]
    for n in range(1, m + 1):
        B.append(-sum(comb(n + 1, k) * B[k] for k in range(n)) / (n + 1))
    return B


_B = _bernoulli(2 * _NTERMS)
#: c_n, n = 1.._NTERMS: coth x - 1/x = sum c_n x^(2n-1)
_C = [Fraction(2 ** (2 * n)) * _B[2 * n] / factorial(2 * n) for n in range(1, _NTERMS + 1)]


def _ctx(*xs) -> decimal.Context:
    p = 80
    for x in xs:
        x = abs(D(float(x)))
        if x != 0 and x.is_finite() and x.adjusted() > 0:
            p = max(p, 80 + x.adjusted())
    c = decimal.Context(prec=max(p, decimal.getcontext().prec), Emax=10**17, Emin=-10**17)
    c.traps[decimal.Underflow] = False
    return c


def _cd(n):
    return D(_C[n].numerator) / D(_C[n].denominator)


def _a_e(b):
    a = abs(D(float(b)))
    return a, (-2 * a).exp()


def A(b) -> D:
    """log(2 sinh b / b)."""
    with decimal.localcontext(_ctx(b)):
        a, e = _a_e(b)
        if a < SMALL:
            return D(2).ln() + sum(_cd(n) * a ** (2 * n + 2) / (2 * n + 2) for n in range(_NTERMS))
        return a + (1 - e).ln() - a.ln()


def B(b) -> D:
    """A(b) - |b| = log(1 - e^{-2|b|}) - log|b|."""
    with decimal.localcontext(_ctx(b)):
        return A(b) - abs(D(float(b)))


def L(b) -> D:
    """coth b - 1/b (the mean)."""
    with decimal.localcontext(_ctx(b)):
        a, e = _a_e(b)
        if a < SMALL:
            v = sum(_cd(n) * a ** (2 * n + 1) for n in range(_NTERMS))
        else:
            v = 1 + 2 * e / (1 - e) - 1 / a
        return v if b > 0 else -v


def Lp(b) -> D:
    """1/b^2 - 1/sinh^2 b (the variance)."""
    with decimal.localcontext(_ctx(b)):
        a, e = _a_e(b)
        if a < SMALL:
            return _cd(0) + sum((2 * n + 1) * _cd(n) * a ** (2 * n) for n in range(1, _NTERMS))
        return 1 / (a * a) - 4 * e / (1 - e) ** 2


def H(b) -> D:
    """A(b) - b L(b) (the entropy)."""
    with decimal.localcontext(_ctx(b)):
        a, e = _a_e(b)
        if a < SMALL:
            return A(b) - a * L(a)
        return 1 + (1 - e).ln() - a.ln() - 2 * a * e / (1 - e)


def H_scale(b) -> D:
    """Sum of the magnitudes of the terms 1, log(1 - e^{-2|b|}), log|b|, |b|(coth|b| - 1) of H."""
    with decimal.localcontext(_ctx(b)):
        a, e = _a_e(b)
        if a < SMALL:
            return D(2).ln()
        return 1 + abs((1 - e).ln()) + abs(a.ln()) + 2 * a * e / (1 - e)


def logpdf(x, b) -> D:
    """b x - A(b)."""
    with decimal.localcontext(_ctx(b, x)):
        return D(float(b)) * D(float(x)) - A(b)


def logpdf_scale(x, b) -> D:
    """|b| (1 - sign(b) x) + |log(1 - e^{-2|b|})| + |log|b||: the terms of the log-density."""
    with decimal.localcontext(_ctx(b, x)):
        a, e = _a_e(b)
        sx = D(float(x)) if b >= 0 else -D(float(x))
        return a * (1 - sx) + (D(2).ln() if a < SMALL else abs((1 - e).ln()) + abs(a.ln()))


def kl(bq, bp) -> D:
    """D(CB(b_q) || CB(b_p)) = A(b_p) - A(b_q) - (b_p - b_q) L(b_q)."""
    q, p = D(float(bq)), D(float(bp))
    with decimal.localcontext(_ctx(bq, bp)) as c:
        if abs(q) < SMALL and abs(p) < SMALL:  # term by term: sum_n c_n [(p^2n - q^2n)/2n - (p - q) q^(2n-1)]
            return sum(_cd(n) * ((p ** (2 * n + 2) - q ** (2 * n + 2)) / (2 * n + 2) - (p - q) * q ** (2 * n + 1))
                       for n in range(_NTERMS))
        c.prec += 40  # b_p close to b_q: the closed form cancels about twice the digits they share
        return A(bp) - A(bq) - (p - q) * L(bq)


def icdf(u, b) -> D:
    """Inverse CDF of CB(b) at u: 1 + log(u + (1-u) e^{-2b}) / b for b > 0, its mirror image for b < 0."""
    with decimal.localcontext(_ctx(b, u)):
        a, e = _a_e(b)
        uu = D(float(u))
        if a == 0:
            return 2 * uu - 1
        w = uu if b > 0 else 1 - uu
        if a < SMALL:  # log(1 - y), y = (1 - w)(1 - e^{-2a}) <= 2a, by its series
            one_m_e = -sum((-2 * a) ** k / factorial(k) for k in range(1, 40))
            y = (1 - w) * one_m_e
            x = 1 - sum(y ** k / k for k in range(1, 40)) / a
        else:
            x = 1 + (w + (1 - w) * e).ln() / a
        return x if b > 0 else -x


def rel_err(val, ref: D, scale: D | None = None) -> float:
    """|val - ref| / max(scale or |ref|, TINY); 0 when ref overflows float64 and val is the right infinity."""
    val = float(val)
    if abs(ref) > FMAX:
        return 0.0 if val == (float("inf") if ref > 0 else -float("inf")) else 1e300
    if val != val or abs(val) == float("inf"):
        return 1e300
    den = max(abs(ref) if scale is None else abs(scale), D(TINY))
    return float(abs(D(val) - ref) / den)
