"""Sphinx extension: make ``repository.url`` in ``_config.yml`` the one switch for the buttons.

sphinx-book-theme's launch buttons need a repository URL and fail without one.
When ``repository.url`` is empty (a local build, or a fork that has not set
it yet) this extension removes the launch, repository and issue buttons; when
it is set, it turns the repository and issue buttons on and keeps the Binder
(built from ``environment.yml``) and Colab launch buttons.
"""

from __future__ import annotations


def _configure(app, config) -> None:
    opts = dict(config.html_theme_options or {})
    url = (opts.get("repository_url") or "").strip()
    if url:
        opts.setdefault("use_repository_button", True)
        opts["use_repository_button"] = True
        opts["use_issues_button"] = True
    else:
        opts.pop("launch_buttons", None)
        opts.pop("repository_url", None)
        for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            opts[key] = False
    config.html_theme_options = opts


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
