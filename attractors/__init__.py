"""attractors: the numerics of the book *attractor-notes*.

Small, numba-accelerated functions on NumPy arrays (patterns as rows, shape
``(P, N)``), each validated at its public entry point and tested against a
plain NumPy reference.  Modules, and the chapters that derive them:

- :mod:`attractors.ledger`     -- the claims ledger (every chapter)
- :mod:`attractors.numerics`   -- stable log-sum-exp, softmax, log-cosh, Langevin function (primer)
- :mod:`attractors.sde`        -- potentials, mobilities, Euler-Maruyama ensembles, exact OU moments (Part I)
- :mod:`attractors.kramers_moyal` -- jump moments of sampled paths, shot noise (Part I, Chapter 1)
- :mod:`attractors.fokker_planck` -- conservative finite-volume Fokker-Planck solver, free energy (Part I)
- :mod:`attractors.hopfield`   -- discrete Hopfield networks, Glauber dynamics (Part II)
- :mod:`attractors.curie_weiss` -- Curie-Weiss: mean field, exact finite N, escape times (Chapter 6)
- :mod:`attractors.lowload`    -- Hopfield model at low load: mixtures, Hessians, stability (Chapter 7)
- :mod:`attractors.highload`   -- Hopfield model at finite load: AGS replica symmetry, phase diagram,
  signal to noise (Chapter 7)
- :mod:`attractors.modern`     -- modern (dense, log-sum-exp) Hopfield networks (Part III)
- :mod:`attractors.layers`     -- Hopfield layers with forward and backward passes (Part III)
- :mod:`attractors.lagrangians` -- generating functions, Legendre energies, two-family dynamics (Part IV)
- :mod:`attractors.synapses`   -- softmax synaptic dynamics and the cosine-similarity theory (Part IV)
- :mod:`attractors.spectra`    -- Wishart spectra, Marchenko-Pastur law, Tracy-Widom edge scale (Part IV)
- :mod:`attractors.fep`        -- continuous Bernoulli law, inference and learning, the network kernel (Part V)
- :mod:`attractors.insilico`   -- the in-silico experiments of [FEP]: data, baselines, sweeps, and the
  ``python -m attractors.insilico grid`` command (Chapters 17 and 19)
- :mod:`attractors.stats`      -- batch means and autocorrelation times for Monte Carlo error bars (Part II)
- :mod:`attractors.bench`      -- benchmarks of every kernel against its reference

Private kernel modules sit below the public ones and import nothing from above
(``tests/test_architecture.py`` reads the imports): :mod:`attractors._glauber`
(Glauber kernels of ``hopfield``), :mod:`attractors._modern_kernels` (fused update
and retrieval of ``modern``), :mod:`attractors._validate` (argument checking).
``attractors.meanfield`` is a deprecated alias of the three mean-field modules.
"""

__version__ = "0.1.0"
