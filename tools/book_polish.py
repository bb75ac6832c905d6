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
* **Table cells that never break a token.** A browser may break a line after a
  hyphen, a dash or a slash, so a claim id (``BOOK/fv-discrete-relaxation``), a
  date (``2026-11-23``) or a number (``1e-12``) could be split between two lines
  of a cell. Every token of a table cell's text that holds such a character is
  wrapped in ``<span class="nobr">`` (``white-space: nowrap`` in custom.css)
  when a page is written; mathematics is left to MathJax.
* **Notebook downloads without a second copy of every figure.** The ``_sources``
  copy of each notebook (the page's ".ipynb" download) keeps its code and text
  outputs but not its images, which the page already serves from ``_images``:
  the download is still a complete, runnable notebook, and running it draws the
  figures again.
* **A stylesheet change reaches the pages.** Sphinx copies ``html_static_path``
  only when some page is out of date, so an edit of ``custom.css`` alone left the
  old file in ``_build/html``. A digest of the static files is part of the HTML
  configuration: an edit rewrites the pages, which copies the files and gives
  their links a new ``?v=`` checksum.
* **The whole book as one PDF.** When ``make pdf`` has built
  ``_build/latex/attractor-notes.pdf``, the HTML build copies it to
  ``_build/html/attractor-notes.pdf`` and every page's header carries a link to
  it; the role ``{book-pdf}`text``` becomes a link to it. Without that file no
  page links a PDF (no link can lead nowhere) and the role says how to make it.
  The PDF's presence and date are part of the configuration, so a new or
  removed PDF rewrites every page.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes

PDF_NAME = "attractor-notes.pdf"

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
    _strip_download_images(out)
    _copy_pdf(out, app)
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


# --- unbreakable tokens in table cells ------------------------------------------------------------

_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# a token a browser could split: it holds a break opportunity (hyphen, dash, slash, bracket, operator, ...)
_FRAGILE = re.compile(r"(?<!\S)(?=\S*[^\w\s.,;:'\"’])(\S{2,})")


def _nobr_table(table: str) -> str:
    spans: list[bool] = []  # open <span>s: True for mathematics or an existing nobr span
    raw = False  # inside <script> or <style>
    out = []
    for part in _TAG_OR_TEXT.split(table):
        if part.startswith("<"):
            if part.startswith("<span"):
                spans.append(bool(re.search(r'class="[^"]*\b(math|nobr)\b', part)))
            elif part.startswith("</span") and spans:
                spans.pop()
            elif re.match(r"<(script|style)\b", part):
                raw = True
            elif re.match(r"</(script|style)\b", part):
                raw = False
            out.append(part)
        elif raw or any(spans) or "\\(" in part or "$" in part or not part.strip():
            out.append(part)
        else:
            out.append(_FRAGILE.sub(r'<span class="nobr">\1</span>', part))
    return "".join(out)


def _unbreakable_tokens(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "<table" in body:
        context["body"] = _TABLE.sub(lambda m: _nobr_table(m.group(0)), body)


# --- notebook downloads -------------------------------------------------------------------------

IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def _strip_download_images(out: Path) -> None:
    for path in (out / "_sources").rglob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in nb.get("cells", []):
            outputs = cell.get("outputs")
            if not outputs:
                continue
            kept = []
            for output in outputs:
                data = output.get("data")
                if data and any(m in data for m in IMAGE_MIMES):
                    for mime in IMAGE_MIMES:
                        data.pop(mime, None)
                    output.get("metadata", {}).clear()
                    changed = True
                    if not data:
                        continue
                kept.append(output)
            cell["outputs"] = kept
        if changed:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --- the whole book as a PDF ----------------------------------------------------------------------

def _built_pdf(app) -> Path:
    """Where ``make pdf`` leaves the book's PDF (``latex.latex_documents.targetname`` in ``_config.yml``)."""
    return Path(app.outdir).parent / "latex" / PDF_NAME


def _static_digest(app, config) -> None:
    import hashlib

    digest = hashlib.sha256()
    for entry in config.html_static_path or []:
        folder = Path(app.confdir or app.srcdir) / entry
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    config.book_static_digest = digest.hexdigest()[:16]


def _pdf_stamp(app, config) -> None:
    pdf = _built_pdf(app)
    config.book_pdf = f"{PDF_NAME} {int(pdf.stat().st_mtime)}" if pdf.is_file() else ""


class _PendingPDF(nodes.General, nodes.Inline, nodes.Element):
    pass


def _book_pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    node = _PendingPDF(rawtext, text=text)
    return [node], []


def _resolve_pdf(app, doctree, docname) -> None:
    has_pdf = bool(app.config.book_pdf) and app.builder.format == "html"
    for node in list(doctree.findall(_PendingPDF)):
        text = node["text"]
        if has_pdf:
            uri = posixpath.relpath(PDF_NAME, posixpath.dirname(docname) or ".")
            ref = nodes.reference("", text, refuri=uri, internal=False, classes=["book-pdf-link"])
            node.replace_self(ref)
        elif app.builder.format == "html":
            node.replace_self(nodes.inline("", f"{text} (not in this build: run make pdf, then make book)",
                                           classes=["book-pdf-missing"]))
        else:
            node.replace_self(nodes.Text(text))


def _pdf_header_button(app, pagename, templatename, context, doctree) -> None:
    if "header_buttons" not in context:
        return
    # the theme's per-page ".pdf" download is the browser's print dialog: say so
    for group in context["header_buttons"]:
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button":
                button.update(text="print", icon="fas fa-print", tooltip="Print this page (or save it as a PDF)")
    if not app.config.book_pdf:
        return
    context["header_buttons"].insert(0, {
        "type": "link",
        "url": context["pathto"](PDF_NAME, 1),
        "tooltip": "The whole book as one PDF",
        "icon": "fas fa-book",
        "text": "PDF",
        "label": "book-pdf-button",
    })


def _fresh_source_pages(app) -> None:
    """sphinx.ext.viewcode rewrites a ``_modules`` page only when its module changed: when the PDF or the
    stylesheets changed since the last build, date those pages back so that they are written with the new header."""
    out = Path(app.outdir)
    stamp = out / ".book_polish_stamp"
    now = f"{app.config.book_pdf}|{app.config.book_static_digest}"
    if stamp.is_file() and stamp.read_text() != now:
        for page in (out / "_modules").rglob("*.html"):
            os.utime(page, (0, 0))
    out.mkdir(parents=True, exist_ok=True)
    stamp.write_text(now)


def _copy_pdf(out: Path, app) -> None:
    target = out / PDF_NAME
    pdf = _built_pdf(app)
    if app.config.book_pdf and pdf.is_file():
        shutil.copyfile(pdf, target)
    elif target.exists():
        target.unlink()


def setup(app):
    app.add_config_value("book_pdf", "", "env")
    app.add_config_value("book_static_digest", "", "html")
    app.connect("config-inited", _static_digest)
    app.connect("config-inited", _pdf_stamp)
    app.connect("builder-inited", _fresh_source_pages)
    app.add_node(_PendingPDF)
    app.add_role("book-pdf", _book_pdf_role)
    app.connect("doctree-resolved", _resolve_pdf)
    app.connect("html-page-context", _pdf_header_button, priority=600)
    app.connect("html-page-context", _dedupe_scripts, priority=999)
    app.connect("html-page-context", _unbreakable_tokens)
    app.connect("doctree-resolved", _alt_from_captions)
    app.connect("build-finished", _lighten, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
