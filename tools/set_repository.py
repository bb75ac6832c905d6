"""Set the book's public repository: ``repository.url`` in ``_config.yml`` and the Colab preamble of every notebook.

Usage::

    python tools/set_repository.py https://github.com/OWNER/attractor-notes [--branch main]
    python tools/set_repository.py ""          # no repository: no buttons, no preamble

``repository.url`` is the one setting behind the repository, issue and edit buttons and the Binder and Colab
launch buttons (``tools/launch_guard.py``). Binder builds the whole repository from ``environment.yml``, so a
notebook opened there finds the package and its data. Colab opens a notebook *alone*; so that it runs there too,
the first code cell of every notebook of the book starts with a short preamble that, on Colab only, clones the
repository, installs the package from it and moves into the notebook's folder (where its data files are).
Anywhere else the preamble does nothing and prints nothing, so the stored outputs and nbval are unchanged.

Only cell *sources* are edited (with nbformat); outputs and execution counts are kept. The book's build refuses
(a warning, an error under ``-W``) a notebook whose preamble does not name the configured repository.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "# colab-setup:"
# The preamble is the lines from MARK to the blank line that ends it.
_BLOCK = re.compile(r"\A# colab-setup:[^\n]*\n(?:[^\n]+\n)*\n?")


def preamble(url: str, branch: str, folder: str) -> str:
    """The lines that open a notebook's first code cell: on Colab, fetch the book and install its package."""
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "book"
    return (
        f"{MARK} {url} {branch}\n"
        "import sys\n"
        "if 'google.colab' in sys.modules:  # Colab opens this notebook alone: get the book and its package\n"
        "    import importlib, os, subprocess\n"
        f"    _book = '/content/{name}'\n"
        "    if not os.path.isdir(_book):\n"
        f"        subprocess.run(['git', 'clone', '--depth', '1', '--branch', '{branch}', '{url}', _book], check=True)\n"
        "    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', _book], check=True)\n"
        "    importlib.invalidate_caches()\n"
        f"    os.chdir(os.path.join(_book, '{folder}'))\n"
        "\n"
    )


def stated_url(source: str) -> str | None:
    """The repository URL a first code cell's preamble names, or None without a preamble."""
    first = source.split("\n", 1)[0]
    if not first.startswith(MARK):
        return None
    parts = first[len(MARK):].split()
    return parts[0] if parts else ""


def first_code_cell(nb):
    return next((c for c in nb.cells if c.cell_type == "code"), None)


def apply(nb_path: Path, url: str, branch: str, root: Path = ROOT) -> bool:
    """Put (or, with an empty url, remove) the preamble in one notebook; True when the file changed."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    cell = first_code_cell(nb)
    if cell is None:
        return False
    body = _BLOCK.sub("", cell.source) if cell.source.startswith(MARK) else cell.source
    folder = nb_path.resolve().parent.relative_to(root.resolve()).as_posix()
    new = (preamble(url, branch, folder) if url else "") + body
    if new == cell.source:
        return False
    cell.source = new
    nbformat.write(nb, nb_path)
    return True


def book_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def set_config(config: Path, url: str, branch: str) -> None:
    """Rewrite the ``url:`` and ``branch:`` lines of the ``repository:`` block, keeping comments and layout."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    inside = False
    for i, line in enumerate(lines):
        if re.match(r"^repository:\s*$", line):
            inside = True
            continue
        if inside and not line.startswith((" ", "\t")) and line.strip():
            break
        if inside and re.match(r"^\s+url:", line):
            lines[i] = re.sub(r"url:.*", f'url: "{url}"', line)
        if inside and re.match(r"^\s+branch:", line):
            lines[i] = re.sub(r"branch:.*", f"branch: {branch}", line)
    config.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help='the public repository, e.g. https://github.com/OWNER/attractor-notes ("" for none)')
    parser.add_argument("--branch", default="main")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder (default: this checkout)")
    args = parser.parse_args(argv)
    url = args.url.strip().rstrip("/")
    if url and not re.match(r"^https://github\.com/[\w.-]+/[\w.-]+$", url):
        parser.error("the Binder and Colab buttons need a repository on GitHub: https://github.com/OWNER/NAME")
    set_config(args.root / "_config.yml", url, args.branch)
    changed = [p for p in book_notebooks(args.root) if apply(p, url, args.branch, args.root)]
    print(f"repository.url = {url or '(empty)'}; {len(changed)} notebooks updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
