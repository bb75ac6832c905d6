"""Stored results (book/*/data/, rebuilt by ``make data``) against the code that made them.

Every stored file records how it was made (``meta``: command, seeds, versions, date), and a randomly
chosen part of it is recomputed here at every run and compared: a change of the code that moves the
stored numbers fails this test until ``make data`` is run again.  The choice is printed, so a failure
can be replayed (``ATTRACTORS_DATA_PICK=i,j,k``).
"""

import json
import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from make_data import DATASETS  # noqa: E402

STORED = sorted(ROOT.glob("book/*/data/*.npz"))


def test_every_stored_file_has_a_rebuild_command():
    listed = {(ROOT / path).resolve() for path, _, _ in DATASETS.values()}
    assert STORED, "no stored results found"
    for p in STORED:
        assert p.resolve() in listed, f"{p.relative_to(ROOT)} is not rebuilt by make data (tools/make_data.py)"


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_stored_file_records_how_it_was_made(name):
    path, args, _ = DATASETS[name]
    with np.load(ROOT / path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
    for key in ("command", "attractors", "numpy", "numba", "date", "seeds"):
        assert key in meta, f"{path}: meta lacks {key}"
    assert meta["command"] == "python " + " ".join(args), f"{path} was made by another command than make data's"


def _pick(shape):
    env = os.environ.get("ATTRACTORS_DATA_PICK")
    if env:
        return tuple(int(v) for v in env.split(","))
    r = random.SystemRandom()
    return tuple(r.randrange(n) for n in shape)


def test_sim2_grid_point_recomputes_to_the_stored_values():
    from attractors import insilico

    path = ROOT / DATASETS["sim2_grid"][0]
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    meta = json.loads(str(data["meta"]))
    i, j, k = _pick(data["retrieval"].shape)
    print(f"recomputing grid point ATTRACTORS_DATA_PICK={i},{j},{k}")
    seeds = data["seeds"]
    r = insilico.simulation2_point(float(data["evidence"][i]), float(data["beta"][j]),
                                   np.random.SeedSequence([int(seeds[k]), i, j]),
                                   learning_rate=meta["learning_rate"], n_epochs=meta["n_epochs"],
                                   n_evaluations=meta["n_evaluations"])
    # Same code, same seeds: the same numbers.  The tolerance only allows another machine's libm to move the
    # last bits of a score (a stochastic training run amplifies a one-ulp change slowly over 50 000 steps).
    for key in ("retrieval", "generalisation", "orthogonality", "J_asymmetry"):
        np.testing.assert_allclose(r[key], data[key][i, j, k], rtol=1e-6, atol=1e-9,
                                   err_msg=f"{key} at {(i, j, k)}: stored data drifted from the code (make data)")
    for key in ("n_attractors", "converged"):
        assert r[key] == data[key][i, j, k], f"{key} at {(i, j, k)}"
