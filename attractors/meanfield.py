"""Deprecated: the mean-field theory of Chapters 6 and 7 is split by topic.

* :mod:`attractors.curie_weiss` -- the Curie--Weiss magnet (Chapter 6);
* :mod:`attractors.lowload` -- the Hopfield model at low load (Chapter 7);
* :mod:`attractors.highload` -- Gaussian averages, the AGS replica-symmetric theory and phase
  diagram, and the signal-to-noise functions (Chapter 7).

This shim re-exports their public names (the same objects) for old code and warns on import.
"""

from __future__ import annotations

import warnings

from attractors.curie_weiss import (
    MAX_DENSE_N,
    MAX_SIZE,
    benchmarks,
    curie_weiss,
    curie_weiss_barrier,
    curie_weiss_escape_time,
    curie_weiss_exact,
    curie_weiss_exact_free_energy,
    curie_weiss_exact_moments,
    curie_weiss_free_energy,
    curie_weiss_glauber_matrix,
)
from attractors.highload import (
    at_temperature,
    critical_load,
    crosstalk_error_probability,
    gauss_tanh,
    global_minimum_load,
    perfect_recall_trials,
    replicon,
    retrieval_line,
    retrieval_rs,
    rs_free_energy,
)
from attractors.lowload import (
    hopfield_p2_free_energy_exact,
    lowload_fixed_point,
    lowload_free_energy,
    lowload_hessian,
    lowload_map,
    mixture,
    mixture_free_energy,
    mixture_hessian,
    mixture_stability_temperature,
    sign_vectors,
)

warnings.warn("attractors.meanfield is split into attractors.curie_weiss, attractors.lowload and "
              "attractors.highload; import those", DeprecationWarning, stacklevel=2)

__all__ = [
    "curie_weiss",
    "curie_weiss_free_energy",
    "curie_weiss_barrier",
    "curie_weiss_exact",
    "curie_weiss_exact_moments",
    "curie_weiss_exact_free_energy",
    "curie_weiss_escape_time",
    "curie_weiss_glauber_matrix",
    "sign_vectors",
    "lowload_map",
    "lowload_free_energy",
    "lowload_hessian",
    "lowload_fixed_point",
    "mixture",
    "mixture_free_energy",
    "mixture_hessian",
    "mixture_stability_temperature",
    "hopfield_p2_free_energy_exact",
    "gauss_tanh",
    "retrieval_rs",
    "critical_load",
    "retrieval_line",
    "rs_free_energy",
    "global_minimum_load",
    "replicon",
    "at_temperature",
    "crosstalk_error_probability",
    "perfect_recall_trials",
    "benchmarks",
    "MAX_SIZE",
    "MAX_DENSE_N",
]
