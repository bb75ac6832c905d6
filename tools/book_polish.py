"""Sphinx extension: what the book's readers meet, made right.

* **One copy of each inline script.** Jupyter Book 1 registers the configuration
  of sphinx-togglebutton and sphinx-thebe twice, so every page declared
  ``THEBE_JS_URL`` twice and the browser reported a ``SyntaxError``. Duplicate
  script entries are dropped when each page is written.
* **Alt text from captions.** A figure made by a notebook cell gets the text of
  its caption as the image's ``alt`` text (instead of the image's file path).
* **Author–year labels in the bibliography**, matching the author–year
  citations in the text (``Hopfield 1982`` instead of ``[Hop82]``).
* **Lighter pages.** After an HTML build the JavaScript source maps are removed,
  and of the MathJax distribution copied by ``sphinx-mathjax-offline`` only what
  the pages load is kept: the ``tex-chtml`` component, the TeX extensions it
  may autoload, the CHTML fonts, and the menu / accessibility components.
  The theme's ``fontawesome.js`` (1.5 MB on every first visit) is dropped: the
  theme's stylesheet already carries Font Awesome's web-font rules, so every
  icon still renders, from a 150 kB font instead.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes

# --- bibliography labels ------------------------------------------------------------------------

try:  # pybtex is a dependency of sphinxcontrib-bibtex
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as _Unsrt
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        """``Surname Year`` (one or two authors) or ``Surname et al. Year``; a, b suffixes on clashes."""

        def format_labels(self, sorted_entries):
            labels = []
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
                if not names:
                    key = entry.fields.get("title", entry.key).split()[0]
                    who = key.strip("{}")
                elif len(names) == 1:
                    who = names[0]
                elif len(names) == 2:
                    who = f"{names[0]} & {names[1]}"
                else:
                    who = f"{names[0]} et al."
                year = entry.fields.get("year", "n.d.")
                labels.append(f"{who} {year}")
            seen: dict[str, int] = {}
            for label in labels:
                seen[label] = seen.get(label, 0) + 1
            count: dict[str, int] = {}
            for label in labels:
                if seen[label] > 1:
                    count[label] = count.get(label, 0) + 1
                    yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[count[label] - 1]}"
                else:
                    yield label

    class AuthorYearStyle(_Unsrt):
        default_label_style = AuthorYearLabels
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
except ImportError:  # pragma: no cover
    pass


# --- scripts ------------------------------------------------------------------------------------

def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {}) or {}
        # the same file or the same inline body, whatever priority it was registered with
        key = (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept


# --- alt text -----------------------------------------------------------------------------------

def _alt_from_captions(app, doctree, docname) -> None:
    for figure in doctree.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        if not captions:
            continue
        text = " ".join(captions[0].astext().split())
        for image in figure.findall(nodes.image):
            alt = image.get("alt", "")
            if not alt or "/" in alt or alt.endswith((".png", ".svg", ".jpg")):
                image["alt"] = text[:300]


# --- lighter build ------------------------------------------------------------------------------

MATHJAX_KEEP = ("tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y", "LICENSE")


def _lighten(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for path in out.rglob("*.map"):
        path.unlink()
    fa_tag = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "fontawesome.js" in text:
            page.write_text(fa_tag.sub("", text), encoding="utf-8")
    # pages without a favicon link (the root redirect) make browsers ask for /favicon.ico
    icon = out / "_static" / "favicon.png"
    if icon.exists():
        shutil.copyfile(icon, out / "favicon.ico")
    fa_js = out / "_static" / "scripts" / "fontawesome.js"
    if fa_js.exists():
        fa_js.unlink()
    mj = out / "_static" / "mathjax"
    if not (mj / "tex-chtml.js").is_file():
        return
    for child in list(mj.iterdir()):
        rel = child.relative_to(mj).as_posix()
        if rel in MATHJAX_KEEP:
            continue
        if child.is_dir() and any(k.startswith(rel + "/") for k in MATHJAX_KEEP):
            for sub in list(child.iterdir()):
                if sub.relative_to(mj).as_posix() not in MATHJAX_KEEP:
                    shutil.rmtree(sub) if sub.is_dir() else sub.unlink()
            continue
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=999)
    app.connect("doctree-resolved", _alt_from_captions)
    app.connect("build-finished", _lighten, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
