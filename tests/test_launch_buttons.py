"""``repository.url`` drives the buttons: with a URL set, every chapter page has Binder and Colab launch buttons
(and repository, issue and edit buttons), and the notebook Colab opens installs the package it needs.

Builds a copy of the book with two chapters (``jupyter-book build`` of a temporary folder, about half a minute)
after ``tools/set_repository.py`` has set a repository there, as a publisher would. The checkout itself is not
touched: its ``repository.url`` stays as it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import set_repository  # noqa: E402

URL = "https://github.com/example-owner/attractor-notes"
CHAPTERS = ["book/part5/17_learning", "book/part5/18_stochastic_retrieval"]


def _copy_book(dest: Path, chapters: list[str]) -> None:
    for name in ("_config.yml", "environment.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "tools", dest / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("book/_static", "book/_latex"):
        shutil.copytree(ROOT / folder, dest / folder)
    shutil.copy(ROOT / "book/references.bib", dest / "book/references.bib")
    for chapter in chapters:
        src = (ROOT / chapter).with_suffix(".ipynb")
        (dest / chapter).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest / src.relative_to(ROOT))
    (dest / "_toc.yml").write_text(
        "format: jb-book\nroot: " + chapters[0] + "\nchapters:\n" + "".join(f"  - file: {c}\n" for c in chapters[1:]))


def test_a_published_copy_has_launch_buttons_and_colab_installs_the_package(tmp_path):
    """One build (a two-chapter copy with repository.url set), then both checks on it."""
    published = _publish(tmp_path)
    _check_buttons(published)
    _check_colab_preamble(published)


def _publish(dest: Path) -> Path:
    """A two-chapter copy of the book with repository.url set, and its HTML build."""
    _copy_book(dest, CHAPTERS)
    assert set_repository.main([URL, "--root", str(dest)]) == 0
    proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(dest)],
                          cwd=dest, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Colab preamble" not in proc.stdout + proc.stderr, "launch_guard found a notebook without its preamble"
    return dest


def _check_buttons(published: Path) -> None:
    config = (published / "_config.yml").read_text()
    assert f'url: "{URL}"' in config
    org_repo = URL.removeprefix("https://github.com/")
    for chapter in CHAPTERS:
        html = (published / "_build/html" / chapter).with_suffix(".html").read_text(encoding="utf-8")
        binder = f"https://mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{chapter}.ipynb"
        colab = f"https://colab.research.google.com/github/{org_repo}/blob/main/{chapter}.ipynb"
        assert binder in html, f"{chapter}: no Binder button opening it in JupyterLab"
        assert colab in html, f"{chapter}: no Colab button"
        assert f'href="{URL}"' in html, f"{chapter}: no repository button"
        assert f"{URL}/issues/new" in html, f"{chapter}: no issue button"
        assert f"{URL}/edit/main/{chapter}.ipynb" in html, f"{chapter}: no edit button"


@contextlib.contextmanager
def _colab(calls: list, on_colab: bool):
    """Run code as on Colab (a ``google.colab`` module, the repository not yet cloned), recording what it runs."""
    saved = {k: sys.modules.get(k) for k in ("google", "google.colab")}
    real_run, real_chdir, real_isdir = subprocess.run, os.chdir, os.path.isdir
    if on_colab:
        sys.modules["google"] = types.ModuleType("google")
        sys.modules["google.colab"] = types.ModuleType("google.colab")
    else:
        sys.modules.pop("google.colab", None)
    subprocess.run = lambda args, **kw: calls.append(("run", list(args), kw.get("check")))
    os.chdir = lambda path: calls.append(("chdir", path))
    os.path.isdir = lambda path: False if str(path).startswith("/content/") else real_isdir(path)
    try:
        yield
    finally:
        subprocess.run, os.chdir, os.path.isdir = real_run, real_chdir, real_isdir
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _check_colab_preamble(published: Path) -> None:
    for chapter in CHAPTERS:
        nb = json.loads((published / chapter).with_suffix(".ipynb").read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert set_repository.stated_url(source) == URL
        preamble = source.split("\n\n", 1)[0]
        calls: list = []
        with _colab(calls, on_colab=True):
            exec(compile(preamble, chapter, "exec"), {})
        clone, install, chdir = calls
        assert clone[0] == "run" and clone[1][:2] == ["git", "clone"] and URL in clone[1] and clone[2] is True
        book = clone[1][-1]
        assert install[1][1:4] == ["-m", "pip", "install"] and install[1][-1] == book and install[2] is True
        assert chdir == ("chdir", os.path.join(book, str(Path(chapter).parent)))
        calls.clear()
        with _colab(calls, on_colab=False):
            exec(compile(preamble, chapter, "exec"), {})
        assert calls == [], "the preamble must do nothing outside Colab"
        # the rest of the cell is the chapter's own, and its stored outputs are kept
        original = json.loads((ROOT / chapter).with_suffix(".ipynb").read_text(encoding="utf-8"))
        orig_first = next(c for c in original["cells"] if c["cell_type"] == "code")
        assert source.split("\n\n", 1)[1] == "".join(orig_first["source"])
        assert first.get("outputs") == orig_first.get("outputs")


def test_the_build_refuses_a_notebook_without_the_preamble(tmp_path):
    """With a URL set, launch_guard names every notebook whose Colab preamble is missing or names another URL."""
    import launch_guard

    _copy_book(tmp_path, CHAPTERS)
    set_repository.apply(tmp_path / (CHAPTERS[0] + ".ipynb"), URL, "main", tmp_path)
    set_repository.apply(tmp_path / (CHAPTERS[1] + ".ipynb"), URL + "-fork", "main", tmp_path)
    assert launch_guard._check_colab_preambles(tmp_path, URL) == [tmp_path / (CHAPTERS[1] + ".ipynb")]
    set_repository.apply(tmp_path / (CHAPTERS[1] + ".ipynb"), URL, "main", tmp_path)
    assert launch_guard._check_colab_preambles(tmp_path, URL) == []
    # and an empty URL takes the preamble out again, leaving the cell as the chapter has it
    set_repository.apply(tmp_path / (CHAPTERS[1] + ".ipynb"), "", "main", tmp_path)
    assert (tmp_path / (CHAPTERS[1] + ".ipynb")).read_bytes() == (ROOT / (CHAPTERS[1] + ".ipynb")).read_bytes()


def test_this_checkout_states_its_repository_setting():
    """The README and the intro document repository.url; the config's comment names the tool that sets it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = (ROOT / "book/intro.md").read_text(encoding="utf-8")
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "repository.url" in readme and "tools/set_repository.py" in readme
    assert "repository.url" in intro
    assert "tools/set_repository.py" in config
    url = re.search(r'^repository:\s*\n\s+url:\s*"([^"]*)"', config, re.M).group(1)
    firsts = ["".join(next(c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                            if c["cell_type"] == "code")["source"]) for nb in set_repository.book_notebooks(ROOT)]
    stated = {set_repository.stated_url(src) for src in firsts}
    assert stated == {url or None}, f"repository.url is {url!r}, notebooks state {stated}: run tools/set_repository.py"
