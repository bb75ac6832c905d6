r"""Error bars for correlated Monte Carlo series: batch means and integrated autocorrelation times.

Chapters 5-7 compare Glauber simulations with exact or mean-field predictions.
Successive sweeps of a Markov chain are correlated, so the naive standard
error :math:`\hat\sigma/\sqrt n` is too small.  Two standard tools fix this
(see Levin and Peres, *Markov Chains and Mixing Times*, and Sokal's lecture notes on Monte Carlo methods):

Batch means
    Cut the series :math:`x_1..x_n` into :math:`B` consecutive batches of
    length :math:`\ell = \lfloor n/B \rfloor` and average each.  When
    :math:`\ell` is much longer than the autocorrelation time the batch
    averages are nearly independent, so their mean has standard error
    :math:`s_B/\sqrt B` with :math:`s_B` the sample standard deviation of the
    batch averages; with :math:`B = 20` the studentised error is close to a
    Student :math:`t` with 19 degrees of freedom.

Integrated autocorrelation time
    :math:`\tau_{\rm int} = 1 + 2\sum_{t\ge1}\rho(t)`, with :math:`\rho` the
    normalised autocorrelation function (computed by FFT), summed up to
    Sokal's self-consistent window :math:`t \ge c\,\tau_{\rm int}(t)`
    (:math:`c = 6` by default).  The variance of the mean of :math:`n`
    correlated samples is :math:`\tau_{\rm int}\sigma^2/n`; batch lengths
    :math:`\ell \gg \tau_{\rm int}` justify the batch-means error above.
    For an AR(1) series :math:`x_{t+1} = \phi x_t + \epsilon_t`,
    :math:`\tau_{\rm int} = (1+\phi)/(1-\phi)` (tested).
"""

from __future__ import annotations

import numpy as np

from attractors._validate import as_array, as_int, as_positive, check_budget

__all__ = ["batch_means", "autocorrelation_time"]


def batch_means(x, n_batches: int = 20):
    """Mean of a correlated series and its batch-means standard error.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, k)
        The series (time along axis 0; several series as columns).
    n_batches : int, default 20
        Number of consecutive batches ``B`` (>= 2); the last ``n mod B``
        samples are dropped.

    Returns
    -------
    mean, standard_error : float or ndarray of shape (k,)
        The mean of the batch averages and ``std(batch averages, ddof=1) / sqrt(B)``.

    Raises
    ------
    ValueError
        If ``x`` has fewer samples than batches, or ``n_batches < 2``; or (Limits) if the scaled copy of
        ``x`` the call makes would exceed ``attractors._validate.MAX_BYTES`` (1 GiB).

    Notes
    -----
    Any finite magnitude is allowed: the series is scaled by a power of two (exactly) before
    summing, so values near ``1.7e308`` or ``1e-300`` give the answer of the same series near 1.
    Limits: memory about twice that of ``x`` (refused beyond 1 GiB, naming ``x``); work linear in its size.
    """
    x = as_array(x, "x", ndim=(1, 2))
    n_batches = as_int(n_batches, "n_batches", minimum=2)
    check_budget("x", nbytes=2.0 * x.nbytes, what="a scaled copy of the series")
    n = x.shape[0]
    if n < n_batches:
        raise ValueError(f"x must have at least n_batches = {n_batches} samples; got {n}")
    length = n // n_batches
    # Scaled by a power of two near max|x| (exact, so the digits are those of the unscaled sums): values near
    # the float64 limit no longer overflow in the sums (batch_means(full(100, 1e308), 10) was (inf, nan)).
    scale = np.ldexp(1.0, np.frexp(np.max(np.abs(x), axis=0))[1] - 1)
    scale = np.where(scale > 0, scale, 1.0)
    b = (x[: length * n_batches] / scale).reshape((n_batches, length) + x.shape[1:]).mean(axis=1)
    mean = b.mean(axis=0) * scale
    se = b.std(axis=0, ddof=1) / np.sqrt(n_batches) * scale
    if np.ndim(mean) == 0:
        return float(mean), float(se)
    return mean, se


def autocorrelation_time(x, window: float = 6.0) -> float:
    """Integrated autocorrelation time of a 1-D series, in units of its sampling step.

    Parameters
    ----------
    x : array_like, shape (n,)
        The series (n >= 2, not constant).
    window : float, default 6
        Sokal's window constant ``c``: the sum over lags stops at the first
        ``t >= c * tau(t)``.

    Returns
    -------
    float
        :math:`\\tau_{\\rm int} = 1 + 2\\sum_{t \\ge 1}\\rho(t)` over the window (1 for white
        noise), always ``> 0``.  For an anti-correlated series
        (:math:`\\tau_{\\rm int} < 1` and :math:`\\rho(1) < -2/\\sqrt n`) the plain
        truncated sum can be zero or negative; there the Bartlett (triangular) lag-window estimate
        :math:`\\sum_{|t|<M}(1-|t|/M)\\rho(t)` with an odd window ``M`` (about :math:`2\\sqrt n`) is returned
        instead, a weighted average of the periodogram (non-negative), floored at
        ``1/n`` (a variance of the mean below ``Var/n**2`` cannot be resolved from
        ``n`` samples).

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a finite 1-D numeric array with at least 2 samples, is
        constant, or ``window`` is not a finite number > 0; or (Limits) if ``x`` is longer than about
        8 million samples (the FFTs of the zero-padded series: ``100 n log2(2n)`` counted steps, beyond
        ``attractors._validate.MAX_WORK``).

    Notes
    -----
    Scale invariant: the series is scaled by powers of two (exactly) before and after centring, so
    any finite magnitude (``1e-301``, ``1e299``) gives the answer of the same series near 1.
    Limits: memory about 80 bytes per sample, work :math:`O(n \\log n)`; refused (naming ``x``) beyond
    about 8 million samples, where the FFTs take a few seconds.
    """
    x = as_array(x, "x", ndim=1)
    window = as_positive(window, "window")
    n = x.size
    if n < 2:
        raise ValueError("x must have at least 2 samples")
    check_budget("x", nbytes=80.0 * n, work=100.0 * n * np.log2(2.0 * n),
                 what="the FFT of the zero-padded series")
    if x.max() == x.min():
        raise ValueError("x must not be constant")
    # Scaled by powers of two (exact) before and after centring: a series of any finite magnitude,
    # 1e-301 or 1e299, gives the answer of the same series near 1 (the squares neither under- nor overflow).
    x = np.ldexp(x, -int(np.frexp(np.max(np.abs(x)))[1]))
    x = x - x.mean()
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        raise ValueError("x must not be constant")
    x = np.ldexp(x, -int(np.frexp(peak)[1]))
    f = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    if acf[0] <= 0:
        raise ValueError("x must not be constant")
    acf = acf / acf[0]
    # tau(t) = 1 + 2 sum_{s<=t} rho(s), accumulated left to right (the order of a plain loop), stopped at the
    # first t >= window * tau(t)
    taus = np.cumsum(np.concatenate(([1.0], 2.0 * acf[1:])))
    t_all = np.arange(n)
    hit = np.flatnonzero((t_all[1:] >= window * taus[1:]))
    if hit.size:
        t_stop = int(hit[0]) + 1
        tau = float(taus[t_stop])
    else:
        t_stop = 1
        tau = float(taus[-1])
    if tau > 0.0 and (tau >= 1.0 or acf[1] >= -2.0 / np.sqrt(n)):
        return float(tau)
    # anti-correlated beyond noise (rho(1) < -2/sqrt(n)), or a non-positive sum:
    # Bartlett lag window over |t| < M, M odd
    M = min(n, max(3, 2 * t_stop + 1, 2 * int(np.sqrt(n)) + 1))
    if M % 2 == 0:
        M -= 1
    lags = np.arange(1, M)
    bartlett = 1.0 + 2.0 * float(np.sum((1.0 - lags / M) * acf[1:M]))
    return float(max(bartlett, 1.0 / n))
