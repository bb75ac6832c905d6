"""Every public function of ``attractors`` refuses malformed input clearly, and never hangs.

For each name in a module's ``__all__`` that is a function, hypothesis draws
argument lists mixing plausible values (small arrays, ±1 spins, seeds, small
counts) with malformed ones (``None``, strings, NaN, inf, empty and 0-d arrays,
arrays of the wrong rank, negative and absurd counts such as ``2**63``,
booleans) and calls the function.  A call passes when it

* raises ``ValueError`` or ``TypeError`` whose message names one of the
  function's parameters (not an error raised from inside numba), or
* returns a result with no NaN in it.

Any other exception (``IndexError``, ``ZeroDivisionError``, ``MemoryError``,
numba's typing errors, ...) fails, and so does a call that takes longer than
its time limit.  Each module is fuzzed in a child process with a memory limit
(a huge allocation fails there instead of swapping this machine) and a wall
clock limit, so a kernel stuck in a loop cannot hang the suite.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Modules of the package whose public functions are fuzzed (those not present yet are skipped).
#: ``_modern_kernels`` exports no data function: its kernels are reached, and fuzzed, through ``modern``.
MODULES = ("numerics", "stats", "ledger", "bench", "hopfield", "curie_weiss", "lowload", "highload", "modern",
           "layers", "sde", "kramers_moyal", "fokker_planck", "lagrangians", "synapses", "spectra", "fep", "insilico",
           "_glauber")

#: Public names that are not data functions: command lines, benchmark drivers, plotting set-up.
SKIP = {
    "ledger": {"main", "summary", "session_claims", "collect", "format_entry", "format_value"},
    "bench": {"main", "run_all", "compare", "outputs_agree", "limits", "memory_bandwidth", "read_bandwidth"},
    "fep": {"sweep"},  # a plausible grid is minutes of work by design; its validation is unit-tested
}
SKIP_ALWAYS = {"benchmarks", "main", "use_book_style"}

#: Functions whose documented answer for "no such solution" is NaN (a sentinel the chapters plot as a gap),
#: not a silently wrong number.  Everything else must never return NaN.
ALLOW_NAN = {
    "lowload": {"mixture_stability_temperature"},
    "highload": {"retrieval_rs"},
    # the orthogonality of a single attractor (no pair of angles) is documented as NaN
    "insilico": {"orthogonality", "evaluate", "simulation2_point", "sweep"},
    "modern": {"threshold_roots"},   # (nan, nan) when beta = a + b log beta has no real root (every beta qualifies)
}

#: Per-call wall-clock limit (s) for Python-level work; the whole module has a limit too.
CALL_LIMIT = 10
MODULE_LIMIT = 240
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))

CHILD = textwrap.dedent(r'''
import importlib, inspect, json, math, re, resource, signal, sys, traceback, warnings
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, 8 * 2**30))
warnings.simplefilter("ignore")
mod_name, examples, call_limit, skip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), set(json.loads(sys.argv[4]))
allow_nan = set(json.loads(sys.argv[5]))
mod = importlib.import_module(f"attractors.{mod_name}")

class Timeout(Exception):
    pass

def _alarm(signum, frame):
    raise Timeout()

signal.signal(signal.SIGALRM, _alarm)

small = st.integers(1, 6)
finite = st.floats(-3, 3, allow_nan=False)
def arr(shape_st, elements=finite):
    return shape_st.flatmap(lambda shp: st.lists(elements, min_size=int(np.prod(shp)), max_size=int(np.prod(shp)))
                            .map(lambda v, shp=shp: np.asarray(v, dtype=float).reshape(shp)))
spins = small.flatmap(lambda n: st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n).map(np.asarray))
square = small.flatmap(lambda n: arr(st.just((n, n))))
plausible = st.one_of(
    finite, small, st.just(1.0), st.just(0.5), st.just(2), st.just(0),
    arr(st.tuples(small)), arr(st.tuples(small, small)), spins, square,
)
bad = st.one_of(
    st.none(), st.text(max_size=3), st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")),
    st.just(np.array([])), st.just(np.zeros((0, 3))), st.just(np.array(2.0)), st.just(np.zeros((2, 2, 2))),
    st.just(np.array([1.0, np.nan])), st.just(np.array([[1.0, np.inf], [0.0, 1.0]])),
    st.just(-1), st.just(2 ** 63), st.just(2 ** 62), st.just(True), st.just(-0.5), st.just(1e300),
    st.just([1, "a"]), st.just({"a": 1}), st.just(np.array([1 + 1j])),
)
value = st.one_of(plausible, bad)

def has_nan(x, depth=0):
    if depth > 4:
        return False
    if isinstance(x, (float, np.floating)):
        return math.isnan(float(x))
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fc" and bool(np.isnan(x).any())
    if isinstance(x, (list, tuple)):
        return any(has_nan(v, depth + 1) for v in x[:50])
    if isinstance(x, dict):
        return any(has_nan(v, depth + 1) for v in list(x.values())[:50])
    if hasattr(x, "__dataclass_fields__"):
        return any(has_nan(getattr(x, f), depth + 1) for f in x.__dataclass_fields__)
    return False

failures = []
def fuzz(name, fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    params = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names = [p.name for p in params]
    if not names:
        return
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        kwargs = {}
        for p in params:
            use_default = p.default is not p.empty and data.draw(st.booleans(), label=f"default {p.name}")
            if not use_default:
                kwargs[p.name] = data.draw(value, label=p.name)
        signal.alarm(call_limit)
        try:
            out = fn(**kwargs)
        except Timeout:
            failures.append(f"{name}: no answer within {call_limit} s for {sorted(kwargs)}")
            return
        except (ValueError, TypeError) as exc:
            origin = type(exc).__module__
            if origin.startswith("numba"):
                failures.append(f"{name}: numba error escaped: {str(exc)[:160]!r}")
            elif not pattern.search(str(exc)):
                failures.append(f"{name}: {type(exc).__name__} does not name a parameter {names}: {str(exc)[:160]!r}")
            return
        except Exception as exc:  # anything else is a failure
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:160]!r} for {sorted(kwargs)}")
            return
        finally:
            signal.alarm(0)
        if name not in allow_nan and has_nan(out):
            failures.append(f"{name}: returned NaN for {{{', '.join(f'{k}={v!r:.40}' for k, v in kwargs.items())}}}")

    run()

names = [n for n in getattr(mod, "__all__", []) if n not in skip and inspect.isfunction(getattr(mod, n, None))]
for n in names:
    print(f"FUZZING {n}", file=sys.stderr, flush=True)
    before = len(failures)
    fuzz(n, getattr(mod, n))
    del failures[before + 3:]  # three examples of each function's failures are enough
print(json.dumps({"functions": names, "failures": failures}))
''')


def _modules():
    out = []
    for name in MODULES:
        try:
            importlib.import_module(f"attractors.{name}")
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


@pytest.mark.parametrize("module", _modules())
def test_public_functions_refuse_malformed_input(module):
    skip = sorted(SKIP.get(module, set()) | SKIP_ALWAYS)
    env = dict(os.environ, PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, module, str(EXAMPLES), str(CALL_LIMIT), json.dumps(skip),
             json.dumps(sorted(ALLOW_NAN.get(module, set())))],
            capture_output=True, text=True, timeout=MODULE_LIMIT, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        last = [line for line in err.splitlines() if line.startswith("FUZZING")][-1:]
        pytest.fail(f"attractors.{module}: fuzzing did not finish in {MODULE_LIMIT} s (a kernel that does not "
                    f"return: {last})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        last = [line for line in proc.stderr.splitlines() if line.startswith("FUZZING")][-1:]
        pytest.fail(f"attractors.{module}: the fuzzing process died (exit {proc.returncode}, in {last}): "
                    f"{proc.stderr[-1500:]}")
    report = json.loads(lines[-1])
    assert report["functions"], f"attractors.{module} exports no function to fuzz"
    assert not report["failures"], f"attractors.{module}:\n" + "\n".join(report["failures"])


# --------------------------------------------------------------------------------------------------
# Valid domains: every public function declares, in tests/fuzz_domains/<module>.py, the inputs its
# docstring allows (edges included) with a reference or invariant for the answer, and inputs just
# outside with the argument the refusal must name.

DOMAIN_EXAMPLES = int(os.environ.get("FUZZ_DOMAIN_EXAMPLES", "25"))
#: A valid call must answer within this many seconds; an invalid one must be refused within it.
DOMAIN_CALL_LIMIT = 10
#: Growth of the child's peak resident memory allowed for one call (bytes).
DOMAIN_MAX_GROWTH = 2**30

DOMAIN_CHILD = textwrap.dedent(r'''
import importlib, inspect, json, re, resource, signal, sys, traceback, warnings
sys.path.insert(0, ".")
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
warnings.simplefilter("ignore")
mod_name, examples, call_limit, max_growth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
only = set(sys.argv[5].split(",")) if len(sys.argv) > 5 and sys.argv[5] else None
mod = importlib.import_module(f"attractors.{mod_name}")
spec = importlib.import_module(f"tests.fuzz_domains.{mod_name}")

class Timeout(Exception):
    pass

def _alarm(signum, frame):
    raise Timeout()

signal.signal(signal.SIGALRM, _alarm)

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def short(kwargs):
    return "{" + ", ".join(f"{k}={np.array2string(v, threshold=6) if isinstance(v, np.ndarray) else repr(v)[:60]}"
                           for k, v in kwargs.items()) + "}"

failures = []

def run_domain(name, fn, dom):
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def valid(data):
        kwargs = dom.valid(data)
        before = peak()
        signal.alarm(call_limit)
        try:
            out = fn(**kwargs)
        except Timeout:
            failures.append(f"{name}: valid call did not answer within {call_limit} s: {short(kwargs)}")
            return
        except Exception as exc:
            failures.append(f"{name}: valid call raised {type(exc).__name__}: {str(exc)[:200]!r} for {short(kwargs)}")
            return
        finally:
            signal.alarm(0)
        if peak() - before > max_growth:
            failures.append(f"{name}: valid call grew memory by {(peak() - before) / 2**30:.2f} GiB: {short(kwargs)}")
        if dom.check is not None:
            try:
                dom.check(kwargs, out)
            except AssertionError as exc:
                failures.append(f"{name}: wrong answer for {short(kwargs)}: {str(exc)[:300]}")
            except Exception as exc:
                failures.append(f"{name}: the domain's check raised {type(exc).__name__}: {str(exc)[:200]!r} "
                                f"for {short(kwargs)}")

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def invalid(data):
        kwargs, arg = dom.invalid(data)
        before = peak()
        signal.alarm(call_limit)
        try:
            fn(**kwargs)
        except Timeout:
            failures.append(f"{name}: call outside the domain ({arg}) not refused within {call_limit} s: {short(kwargs)}")
            return
        except (ValueError, TypeError) as exc:
            if type(exc).__module__.startswith("numba"):
                failures.append(f"{name}: numba error escaped for {arg}: {str(exc)[:160]!r}")
            elif not re.search(r"\b" + re.escape(arg) + r"\b", str(exc)):
                failures.append(f"{name}: refusal does not name {arg!r}: {str(exc)[:200]!r} for {short(kwargs)}")
            return
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__} outside the domain ({arg}): {str(exc)[:160]!r}")
            return
        finally:
            signal.alarm(0)
        if peak() - before > max_growth:
            failures.append(f"{name}: refusal of {arg} came after allocating {(peak() - before) / 2**30:.2f} GiB")
        failures.append(f"{name}: call outside the domain ({arg}) was accepted: {short(kwargs)}")

    valid()
    if dom.invalid is not None:
        invalid()

names = [n for n in getattr(mod, "__all__", []) if inspect.isfunction(getattr(mod, n, None))]
checked = []
for n, dom in spec.DOMAINS.items():
    if only and n not in only:
        continue
    print(f"DOMAIN {n}", file=sys.stderr, flush=True)
    before = len(failures)
    run_domain(n, getattr(mod, n), dom)
    del failures[before + 3:]
    checked.append(n)
print(json.dumps({"functions": names, "checked": checked, "failures": failures}))
''')


def _spec(module):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"tests.fuzz_domains.{module}")


def _domain_modules():
    return [m for m in _modules() if (ROOT / "tests" / "fuzz_domains" / f"{m}.py").exists()]


def test_every_public_function_declares_its_domain():
    """Every public data function of every module has a Domain (the skipped drivers aside)."""
    missing = []
    for module in _modules():
        mod = importlib.import_module(f"attractors.{module}")
        funcs = [n for n in getattr(mod, "__all__", []) if callable(getattr(mod, n, None))
                 and not isinstance(getattr(mod, n), type) and n not in SKIP.get(module, set()) | SKIP_ALWAYS]
        path = ROOT / "tests" / "fuzz_domains" / f"{module}.py"
        if not path.exists():
            missing += [f"{module}.{n}" for n in funcs]
            continue
        spec = _spec(module)
        missing += [f"{module}.{n}" for n in funcs if n not in spec.DOMAINS]
    assert not missing, f"{len(missing)} public functions declare no domain: {missing}"


@pytest.mark.parametrize("module", _domain_modules())
def test_valid_domains_give_right_answers_and_outside_is_refused(module):
    env = dict(os.environ, PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", DOMAIN_CHILD, module, str(DOMAIN_EXAMPLES), str(DOMAIN_CALL_LIMIT),
             str(DOMAIN_MAX_GROWTH), os.environ.get("FUZZ_ONLY", "")],
            capture_output=True, text=True, timeout=MODULE_LIMIT, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        last = [line for line in err.splitlines() if line.startswith("DOMAIN")][-1:]
        pytest.fail(f"attractors.{module}: domain fuzzing did not finish in {MODULE_LIMIT} s ({last})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        last = [line for line in proc.stderr.splitlines() if line.startswith("DOMAIN")][-1:]
        pytest.fail(f"attractors.{module}: the domain-fuzzing process died (exit {proc.returncode}, in {last}): "
                    f"{proc.stderr[-1500:]}")
    report = json.loads(lines[-1])
    assert report["checked"], f"tests/fuzz_domains/{module}.py checks no function"
    assert not report["failures"], f"attractors.{module}:\n" + "\n".join(report["failures"])
