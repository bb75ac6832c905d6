"""The built book as a reader meets it, in a real browser.

Builds the book if ``_build/html`` is missing or older than its sources, serves it
on 127.0.0.1, opens every page in headless Chromium (Debian's ``chromium``,
installed by ``make browser-deps``; driven through Playwright with that
executable, no browser download) at a desktop width (1280 px) and a phone width
(390 px), and fails on

* a console error or an uncaught exception on any page;
* TeX left untypeset after MathJax has run, or a MathJax error node;
* a table cell whose text wraps inside a number or a word (measured: a token of
  a cell's text laid out on two lines), or whose style lets it break anywhere;
* a claim block without its ``claim-...`` anchor or its status badge;
* "NaN" / "nan" printed in the book, or a word of the project's tracker;
* a page wider than the viewport on the phone;
* caption text below the WCAG AA contrast of 4.5:1, in light and in dark mode;
* a PDF link that does not resolve to a PDF (and, without a built PDF, any PDF
  link at all);

and, on the HTML files, on a broken internal link or anchor, and on a ledger row
whose link does not land on a claim block of its chapter.

Skipped, with the reason, where Chromium or Playwright is not installed.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PDF = "attractor-notes.pdf"
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
WIDTHS = ((1280, 900), (390, 844))
# A NaN printed as a value ("nan", or "NaN" standing where a number should); prose may speak of NaN.
NAN_PRINTED = re.compile(r"(?<![\w.])nan(?![\w(])|(?<=[=:(\[,])\s*NaN\b|^\s*NaN\s*$", re.M)
TRACKER = re.compile(r"\bissues?\s+#?\d+|\btracker\b", re.I)


def _sources_newer_than_build() -> bool:
    index = HTML / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml", *ROOT.glob("book/**/*.ipynb"), *ROOT.glob("book/**/*.md"),
               *ROOT.glob("tools/*.py"), *ROOT.glob("book/_static/*")]
    return any(p.stat().st_mtime > built for p in sources if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture(scope="module")
def site():
    if _sources_newer_than_build():
        proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n",
                               "--keep-going"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"the book does not build:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))

    class Quiet(handler.func):  # type: ignore[name-defined]
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _redirect(p: Path) -> str | None:
    """The target of a redirect stub (the root index.html is one: a meta refresh to the first chapter)."""
    m = re.match(r'\s*<meta http-equiv="Refresh" content="0; url=([^"]+)"', p.read_text(errors="replace")[:300], re.I)
    return m.group(1) if m else None


def _pages() -> list[str]:
    """Every page of the built book; a redirect stub is not a page (loading it navigates away while it is
    checked), and its target is checked by test_redirects_lead_to_pages."""
    if not HTML.exists():
        return []
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if p.name != "search.html" and "_static" not in p.parts and "_sources" not in p.parts
                  and _redirect(p) is None)


def test_redirects_lead_to_pages():
    if not HTML.exists():
        pytest.skip("the book is not built (make book)")
    stubs = [p for p in HTML.rglob("*.html") if "_static" not in p.parts and _redirect(p) is not None]
    assert HTML / "index.html" in stubs, "the root index.html is no longer a redirect stub: check it as a page"
    for p in stubs:
        assert (p.parent / _redirect(p)).is_file(), f"{p.relative_to(HTML)} redirects to a missing page"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: dict[str, str] = {}  # id -> "tag.class1.class2"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] = ".".join([tag, *(a.get("class") or "").split()])
        if tag == "a" and a.get("name"):
            self.ids.setdefault(a["name"], "a")
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.links.append(a["src"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _target(src: Path, href: str) -> tuple[Path, str]:
    target, frag = urldefrag(href)
    path = (src.parent / unquote(target.split("?")[0])).resolve() if target else src
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(frag)


def test_internal_links_and_anchors_resolve(site):
    broken = []
    for page in _pages():
        src = HTML / page
        for href in _parse(src).links:
            url = urlparse(href)
            if url.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            path, frag = _target(src, href)
            if not path.exists():
                broken.append(f"{page}: {href} (no file)")
            elif frag and path.suffix == ".html" and frag not in _parse(path).ids:
                broken.append(f"{page}: {href} (no anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:30])


def test_every_ledger_row_lands_on_its_claim(site):
    """Each link of the ledger appendix to a claim opens the chapter page at a claim block with that anchor."""
    ledger = HTML / "book" / "appendix" / "ledger.html"
    links = [h for h in _parse(ledger).links if "#claim-" in h]
    sys.path.insert(0, str(ROOT))
    from attractors.ledger import collect

    stored = sum(len(collect(nb)) for nb in (ROOT / "book").glob("part*/*.ipynb"))
    assert len(set(links)) >= stored // 2, f"the ledger links {len(set(links))} claims of {stored}"
    wrong = []
    for href in sorted(set(links)):
        path, frag = _target(ledger, href)
        kind = _parse(path).ids.get(frag, "") if path.exists() else ""
        if not kind.startswith("div.") or "claim" not in kind.split("."):
            wrong.append(f"{href}: lands on {kind or 'nothing'}")
    assert not wrong, f"{len(wrong)} ledger links miss their claim:\n" + "\n".join(wrong[:20])


def test_every_claim_is_a_block_with_an_anchor_and_a_badge(site):
    """Each chapter page shows every claim its notebook stores as a block with an id ``claim-...`` and a status
    badge, and every anchor the ledger page links to exists (the link test above resolves them)."""
    sys.path.insert(0, str(ROOT))
    from attractors.ledger import STATUSES, collect

    block = re.compile(r'<div class="claim claim-(\w+)" id="(claim-[^"]+)"><span class="claim-badge"[^>]*>(\w+)</span>')
    problems = []
    for nb in sorted((ROOT / "book").glob("part*/*.ipynb")):
        page = HTML / nb.relative_to(ROOT).with_suffix(".html")
        html = page.read_text(encoding="utf-8")
        found = block.findall(html)
        stored = collect(nb)
        if len(found) != len(stored):
            problems.append(f"{page.name}: {len(found)} claim blocks for {len(stored)} stored claims")
        for status, anchor, badge in found:
            if status != badge or badge not in STATUSES:
                problems.append(f"{page.name}: {anchor} has badge {badge!r} for status {status!r}")
        if len({a for _, a, _ in found}) != len(found):
            problems.append(f"{page.name}: repeated claim anchors")
    assert not problems, "\n".join(problems[:20])


def test_notebook_downloads_are_runnable_notebooks_without_image_copies(site):
    """The ".ipynb" download of a chapter is a valid notebook with every code cell and text output, and no image
    (the page serves its figures once, from ``_images``)."""
    nbformat = pytest.importorskip("nbformat")
    sources = sorted((HTML / "_sources").rglob("*.ipynb"))
    assert sources, "no notebook downloads in _sources"
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        original = nbformat.read(ROOT / path.relative_to(HTML / "_sources"), as_version=4)
        assert [c.source for c in nb.cells] == [c.source for c in original.cells], f"{path.name}: cells differ"
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert not any(k.startswith("image/") for k in out.get("data", {})), f"{path.name}: image kept"


# --- in the browser -------------------------------------------------------------------------------

TOKEN_BREAKS = """() => {
  // open every dropdown (claim summaries, solutions) so that its tables are laid out and measured too
  document.querySelectorAll('article details').forEach(d => { d.open = true; });
  const bad = [];
  const lines = r => new Set(Array.from(r.getClientRects()).filter(x => x.width > 0.5)
                                 .map(x => Math.round(x.top))).size;
  for (const cell of document.querySelectorAll('article td, article th')) {
    const s = getComputedStyle(cell);
    if (s.overflowWrap === 'anywhere' || s.wordBreak === 'break-all' || s.wordBreak === 'break-word') {
      bad.push('style ' + s.overflowWrap + '/' + s.wordBreak + ': ' + cell.textContent.trim().slice(0, 40));
      continue;
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const text = node.textContent;
      if (!/\\S{2,}/.test(text)) continue;
      const whole = document.createRange();
      whole.selectNodeContents(node);
      if (lines(whole) < 2) continue;              // the text node sits on one line: no token is broken
      const re = /\\S{2,}/g;
      let m;
      while ((m = re.exec(text))) {
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        // a compound word may break after its hyphen ("round-" / "off"); nothing else may
        if (lines(r) > 1 && !/^[A-Za-z]+(-[A-Za-z]+)+[.,;:)]*$/.test(m[0])) bad.push(m[0]);
      }
    }
  }
  return bad;
}"""

CLAIM_BLOCKS = """() => Array.from(document.querySelectorAll('div.claim')).filter(b => {
    const badge = b.querySelector(':scope > .claim-badge');
    return !/^claim-\\S+$/.test(b.id) || !badge || !/^(verified|partial|refuted)$/.test(badge.textContent.trim())
        || !b.classList.contains('claim-' + badge.textContent.trim());
  }).map(b => (b.id || '(no id)') + ' ' + b.textContent.trim().slice(0, 60))"""

# All the text of a page (code included), and the values it prints: notebook outputs and table cells.
BOOK_TEXT = """() => {
  const art = document.querySelector('article') || document.body;
  const c = art.cloneNode(true);
  c.querySelectorAll('script, style, mjx-container').forEach(n => n.remove());
  const printed = Array.from(c.querySelectorAll('div.cell_output, td, th'), t => t.textContent);
  return [c.textContent, printed.join('\\n')]; }"""

RAW_TEXT = """() => {
  const art = document.querySelector('article') || document.body;
  const c = art.cloneNode(true);
  c.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(n => n.remove());
  return c.textContent; }"""

# WCAG 2 contrast of caption text against the background it is painted on (the first opaque ancestor).
CAPTION_CONTRAST = """(mode) => {
  document.documentElement.dataset.theme = mode;
  const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                     if (c[3] > 0.5) return c; }
                     return rgb(getComputedStyle(document.body).backgroundColor); };
  const out = [];
  for (const cap of document.querySelectorAll('article figcaption, article .caption, article caption')) {
    if (!cap.textContent.trim()) continue;
    for (const el of [cap, ...cap.querySelectorAll('*')]) {
      if (el.closest('a.headerlink')) continue;   // the pilcrow shown on hover, not caption text
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
      const fg = rgb(getComputedStyle(el).color), b = bg(el);
      const [l1, l2] = [lum(fg), lum(b)].sort((x, y) => y - x);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < 4.5) out.push(mode + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
    }
  }
  delete document.documentElement.dataset.theme;
  return out.slice(0, 3);
}"""

RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\mathrm|\$\$")


_CAPTION_PAGES = [0]


def _check_page(page, rel: str, width: int, pdf_built: bool, pdf_links: set[str]) -> list[str]:
    """Every check of one loaded page at the viewport width it is shown at."""
    where = f"{width}px {rel}"
    problems = []
    if width < 500:
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            problems.append(f"{where}: page is {wide} px wider than the screen")
    raw = page.evaluate(RAW_TEXT)
    m = RAW_TEX.search(raw)
    if m:
        problems.append(f"{where}: raw TeX left after MathJax: ...{raw[max(0, m.start() - 40):m.end() + 40]!r}")
    if page.locator("mjx-merror").count():
        problems.append(f"{where}: MathJax error in a formula")
    everything, shown = page.evaluate(BOOK_TEXT)
    for rx, text in ((TRACKER, everything), (NAN_PRINTED, shown)):
        for m in rx.finditer(text):
            problems.append(f"{where}: {m.group(0)!r} in the book: ...{text[max(0, m.start() - 50):m.end() + 30]!r}")
    problems += [f"{where}: claim block without anchor or badge: {b}" for b in page.evaluate(CLAIM_BLOCKS)]
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href$=".pdf"]'), a => a.href)
                                   .filter(h => h.startsWith(location.origin))""")
    if pdf_built:
        if not page.locator("a.btn-book-pdf-button").count():
            problems.append(f"{where}: no PDF button in the header")
        pdf_links.update(links)
    elif links:
        problems.append(f"{where}: links a PDF that this build does not have: {links[:2]}")
    # caption colours come from the stylesheets every page shares: measured on the first pages with captions
    if width >= 500 and _CAPTION_PAGES[0] < 3 and page.locator("article figcaption, article .caption").count():
        _CAPTION_PAGES[0] += 1
        for mode in ("light", "dark"):
            problems += [f"{where}: caption contrast {c}" for c in page.evaluate(CAPTION_CONTRAST, mode)]
    breaks = page.evaluate(TOKEN_BREAKS)  # opens the page's dropdowns: the last check
    if breaks:
        problems.append(f"{where}: {len(breaks)} table tokens broken across lines: {breaks[:6]}")
    return problems


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make browser-deps installs Debian's chromium)")
def test_every_page_in_chromium(site):
    """Each page is loaded once, on a phone-sized viewport, checked, widened to a desktop's and checked again."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")
    problems: list[str] = []
    pdf_built = (HTML / PDF).is_file()
    pdf_links: set[str] = set()
    _CAPTION_PAGES[0] = 0
    (phone, phone_height), (desk, desk_height) = sorted(WIDTHS)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": phone, "height": phone_height})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        pages = _pages()
        assert pages, f"no pages in {HTML}"
        for rel in pages:
            errors.clear()
            page.set_viewport_size({"width": phone, "height": phone_height})
            page.goto(f"{site}/{rel}", wait_until="domcontentloaded")
            page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)",
                                   timeout=30_000)
            page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
            problems += _check_page(page, rel, phone, pdf_built, pdf_links)
            page.set_viewport_size({"width": desk, "height": desk_height})
            problems += _check_page(page, rel, desk, pdf_built, pdf_links)
            problems += [f"{rel}: console error: {e[:200]}" for e in errors]
        context.close()
        if pdf_built:
            if not pdf_links:
                problems.append("a PDF is built but no page links it")
            request = browser.new_context().request
            for url in sorted(pdf_links):
                response = request.get(url)
                if response.status != 200 or not response.body().startswith(b"%PDF"):
                    problems.append(f"PDF link {url} gives {response.status}, not a PDF")
        else:
            intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
            if "book-pdf-missing" not in intro:
                problems.append("no PDF is built, and the intro does not say how to make one")
        browser.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
