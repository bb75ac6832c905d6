"""Valid domains of the public functions, for ``tests/test_fuzz.py``.

Each module ``tests/fuzz_domains/<module>.py`` (one per module of ``attractors``) defines
``DOMAINS: dict[str, Domain]``, one entry per public function of that module.  A
:class:`Domain` says, in code, what the function's docstring promises:

``valid(data)``
    draws keyword arguments *inside* the documented domain, from its edges as much as from
    its middle (the largest and smallest allowed sizes, parameters near 0 and near their
    documented maximum, ties, degenerate but allowed inputs), with ``data.draw(strategy)``
    (hypothesis).  Sizes stay within the documented work and memory limits.
``check(kwargs, out)``
    asserts that ``out`` is right: against a reference (a plain NumPy computation, a
    high-precision ``decimal``/``fractions`` evaluation, a closed form) or an invariant
    (normalisation, monotone CDF, shift invariance of Boltzmann weights, the same answer
    on every kernel path).  ``None`` only for functions whose result has nothing to check
    beyond being finite (say why in ``note``).
``invalid(data)``
    draws ``(kwargs, argument)``: a call *outside* the domain (one argument beyond its
    documented limit, or malformed) and the name of the argument the error must name.
    The call must raise ``ValueError`` or ``TypeError`` naming it, promptly and before
    allocating beyond ``attractors._validate.MAX_BYTES``.

Everything runs in a child process with a memory limit and a per-call alarm
(``CALL_LIMIT`` seconds): a valid call that is slower, or an invalid one that is not
refused before working, fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Domain:
    valid: Callable[[Any], dict]
    check: Callable[[dict, Any], None] | None = None
    invalid: Callable[[Any], tuple[dict, str]] | None = None
    note: str = ""
