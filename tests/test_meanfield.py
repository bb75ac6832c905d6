"""The deprecated shim attractors.meanfield: it warns on import and re-exports the split modules' objects."""

import importlib
import sys

import pytest

from attractors import curie_weiss, highload, lowload


def test_meanfield_shim_warns_and_reexports_the_new_modules():
    sys.modules.pop("attractors.meanfield", None)
    with pytest.warns(DeprecationWarning, match="attractors.meanfield is split into attractors.curie_weiss, "
                                                "attractors.lowload and attractors.highload; import those"):
        mf = importlib.import_module("attractors.meanfield")
    new = {}
    for mod in (highload, lowload, curie_weiss):
        new.update({name: getattr(mod, name) for name in mod.__all__})
    assert set(mf.__all__) <= set(new) and len(mf.__all__) == 31
    for name in mf.__all__:
        assert getattr(mf, name) is new[name], name
    # the shim re-exports the 31 names meanfield had; functions added to the new modules later are not
    # added to a deprecated path
    assert set(mf.__all__) <= set(new)
