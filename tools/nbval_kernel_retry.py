"""pytest plugin for the nbval passes: a notebook kernel that fails to *start* is started again.

nbval starts one Jupyter kernel per notebook before its first cell.  On a loaded machine a kernel
process can die before it answers ``kernel_info`` (seen once in a fresh-clone ``make test``: every
cell of that notebook then errored, and a re-run passed).  nbval offers a start-up timeout
(``--nbval-kernel-startup-timeout``, which the Makefile raises) but no retry, and re-running failed
*tests* (pytest-rerunfailures) would re-run single cells out of their notebook's order.  So this
plugin retries only the start: up to ``ATTEMPTS`` fresh kernels (new ports), each given nbval's
own start-up timeout, before a single cell has run.  Nothing a cell prints or compares is ever run
twice.  Every retry is reported as a warning naming the notebook, the error and the dead kernel's
last stderr lines (nbval itself sends kernel stderr to /dev/null), so a flake stays visible.

Loaded by the Makefile's NBVAL command with ``-p tools.nbval_kernel_retry`` (the project root is on
``sys.path`` under ``python -m pytest``; pytest-xdist hands that path to its workers).
"""

from __future__ import annotations

import tempfile
import warnings

import pytest
from nbval import kernel as nbval_kernel
from nbval import plugin as nbval_plugin

ATTEMPTS = 3
STDERR_TAIL = 1500  # characters of the dead kernel's stderr shown in the warning


class KernelStartRetried(pytest.PytestWarning):
    """A notebook kernel failed to start and was started again."""


def _stderr_tail(log) -> str:
    try:
        log.flush()
        log.seek(0)
        text = log.read()
    except (OSError, ValueError):
        return ""
    text = text.strip()
    return text[-STDERR_TAIL:] if text else "(nothing on stderr)"


class RetryingKernel(nbval_kernel.RunningKernel):
    """nbval's RunningKernel whose start (process, ``kernel_info``, IOPub) is attempted up to ATTEMPTS times."""

    def __init__(self, kernel_name, cwd=None, startup_timeout=60):
        failures = []
        for attempt in range(1, ATTEMPTS + 1):
            log = tempfile.TemporaryFile(mode="w+", prefix="nbval-kernel-", suffix=".stderr")
            try:
                # nbval.kernel.start_new_kernel shuts the kernel down itself when it raises.
                self.km, self.kc = nbval_kernel.start_new_kernel(
                    startup_timeout=startup_timeout, kernel_name=kernel_name, stderr=log, cwd=cwd
                )
                try:
                    self._ensure_iopub_up()
                except BaseException:
                    self.kc.stop_channels()
                    self.km.shutdown_kernel(now=True)
                    del self.km
                    raise
            except RuntimeError as exc:
                failures.append(f"attempt {attempt}: {exc}; kernel stderr: {_stderr_tail(log)}")
                log.close()
                continue
            log.close()  # the kernel keeps its own descriptor of the (unlinked) file
            if failures:
                warnings.warn(
                    KernelStartRetried(
                        f"notebook kernel in {cwd} started at attempt {attempt} of {ATTEMPTS}; earlier: " + " | ".join(failures)
                    ),
                    stacklevel=2,
                )
            return
        raise RuntimeError(f"the notebook kernel did not start in {ATTEMPTS} attempts: " + " | ".join(failures))


# nbval.plugin.IPyNbFile.setup looks the name up in its own module at call time.
nbval_plugin.RunningKernel = RetryingKernel
