"""``make test`` runs its phases in lanes (tools/run_phases.py): every phase runs, a failure fails the run and is named."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tools" / "run_phases.py"

MAKEFILE = """\
ok:
\t@echo ok-out
slow:
\t@sleep 1; echo slow-out
bad:
\t@echo bad-out; exit 3
bookcheck:
\t@echo no html; exit 1
browser:
\t@echo reading html
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _run(tmp_path, *lanes):
    (tmp_path / "Makefile").write_text(MAKEFILE)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    return subprocess.run([sys.executable, str(RUNNER), "--make", "make", *lanes], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)


def test_all_phases_pass(tmp_path):
    proc = _run(tmp_path, "ok slow", "browser")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "every phase passed" in proc.stdout
    # each phase's output sits whole between its header and its end line
    for phase, text in (("ok", "ok-out"), ("slow", "slow-out"), ("browser", "reading html")):
        assert re.search(rf"=+ {phase}: passed in .*\n{text}\n=+ end of {phase} =+", proc.stdout), proc.stdout


def test_a_failed_phase_fails_the_run_and_is_named_and_the_others_still_run(tmp_path):
    proc = _run(tmp_path, "bad ok", "bookcheck browser", "slow")
    assert proc.returncode == 1
    summary = proc.stdout[proc.stdout.index("make test phases"):]
    assert "make test FAILED in phase(s): bad, bookcheck; not run: browser" in summary
    assert re.search(r"^\s+ok\s+passed", summary, re.M) and re.search(r"^\s+slow\s+passed", summary, re.M)
    assert "bad-out" in proc.stdout and "SKIPPED" in summary


def test_the_browser_must_follow_bookcheck_in_its_lane(tmp_path):
    proc = _run(tmp_path, "browser", "bookcheck")
    assert proc.returncode == 2 and "after bookcheck" in proc.stderr
