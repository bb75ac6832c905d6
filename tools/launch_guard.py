"""Sphinx extension: make ``repository.url`` in ``_config.yml`` the one switch for the buttons.

sphinx-book-theme's launch buttons need a repository URL and fail without one.
When ``repository.url`` is empty (a local build, or a fork that has not set
it yet) this extension removes the launch, repository, issue and edit buttons;
when it is set, it turns the repository, issue and edit buttons on and keeps the
Binder (built from ``environment.yml``) and Colab launch buttons.

Colab opens a notebook alone, without the repository around it: every notebook
of the book then needs the preamble that ``tools/set_repository.py`` writes
into its first code cell (on Colab only: clone the repository, install the
package, move into the notebook's folder). With a URL set, a notebook whose
preamble is missing or names another repository is reported as a warning
(an error under ``-W``), so a published Colab button always opens a notebook
that can run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from set_repository import stated_url  # noqa: E402


def _configure(app, config) -> None:
    opts = dict(config.html_theme_options or {})
    url = (opts.get("repository_url") or "").strip()
    if url:
        opts["use_repository_button"] = True
        opts["use_issues_button"] = True
        opts["use_edit_page_button"] = True
    else:
        opts.pop("launch_buttons", None)
        opts.pop("repository_url", None)
        for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            opts[key] = False
    config.html_theme_options = opts
    if url:
        _check_colab_preambles(Path(app.srcdir), url.rstrip("/"))


def _check_colab_preambles(root: Path, url: str) -> list[Path]:
    """Warn about, and return, the book's notebooks whose Colab preamble does not name ``url``."""
    missing = []
    for path in sorted((root / "book").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        code = next((c for c in cells if c.get("cell_type") == "code"), None)
        if code is None:
            continue
        source = "".join(code.get("source", []))
        if stated_url(source) != url:
            missing.append(path)
            logger.warning(
                "%s: its first code cell has no Colab preamble for %s (run: python tools/set_repository.py %s)",
                path.relative_to(root), url, url, type="launch_guard")
    return missing


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
