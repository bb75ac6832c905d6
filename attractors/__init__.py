"""attractors: the numerics of the book *attractor-notes*.

Small, numba-accelerated functions on NumPy arrays (patterns as rows, shape
``(P, N)``), each validated at its public entry point and tested against a
plain NumPy reference.  Modules, and the chapters that derive them:

- :mod:`attractors.ledger`     -- the claims ledger (every chapter)
- :mod:`attractors.numerics`   -- stable log-sum-exp, softmax, log-cosh, Langevin function (primer)
- :mod:`attractors.sde`        -- Euler-Maruyama ensembles, jump moments, Kramers-Moyal (Part I)
- :mod:`attractors.fokker_planck` -- conservative finite-volume Fokker-Planck solver, free energy (Part I)
- :mod:`attractors.hopfield`   -- discrete Hopfield networks, Glauber dynamics (Part II)
- :mod:`attractors.meanfield`  -- Curie-Weiss and Hopfield mean-field theory (Part II)
- :mod:`attractors.modern`     -- modern (dense, log-sum-exp) Hopfield networks (Part III)
- :mod:`attractors.layers`     -- Hopfield layers with forward and backward passes (Part III)
- :mod:`attractors.lagrangians` -- generating functions, Legendre energies, two-family dynamics (Part IV)
- :mod:`attractors.synapses`   -- softmax synaptic dynamics and the cosine-similarity theory (Part IV)
- :mod:`attractors.spectra`    -- Wishart spectra, Marchenko-Pastur law, Tracy-Widom edge scale (Part IV)
- :mod:`attractors.fep`        -- continuous Bernoulli law, inference and learning, the in-silico experiments (Part V)
- :mod:`attractors.stats`      -- batch means and autocorrelation times for Monte Carlo error bars (Part II)
- :mod:`attractors.bench`      -- benchmarks of every kernel against its reference
"""

__version__ = "0.1.0"
