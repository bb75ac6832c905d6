"""The built book as a reader meets it, in a real browser.

Builds the book if ``_build/html`` is missing or older than its sources, serves it
on 127.0.0.1, opens every page in headless Chromium (Debian's ``chromium``,
installed by ``make browser-deps``; driven through Playwright with that
executable, no browser download) and fails on

* a console error or an uncaught exception on any page;
* TeX left untypeset after MathJax has run, or a MathJax error node;
* a broken internal link or anchor (checked on the HTML files);
* a page wider than the viewport on a 390 px wide phone screen.

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
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _sources_newer_than_build() -> bool:
    index = HTML / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml", *ROOT.glob("book/**/*.ipynb"), *ROOT.glob("book/**/*.md")]
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


def _pages() -> list[str]:
    if not HTML.exists():
        return ["index.html"]
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.links.append(a["src"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def test_internal_links_and_anchors_resolve(site):
    broken = []
    for page in _pages():
        src = HTML / page
        for href in _parse(src).links:
            url = urlparse(href)
            if url.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            target, frag = urldefrag(href)
            path = (src.parent / unquote(target.split("?")[0])).resolve() if target else src
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page}: {href} (no file)")
            elif frag and path.suffix == ".html" and unquote(frag) not in _parse(path).ids:
                broken.append(f"{page}: {href} (no anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:30])


RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\mathrm|\$\$")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make browser-deps installs Debian's chromium)")
def test_every_page_in_chromium(site):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for width, height in ((390, 844),):  # a phone: every check in one pass
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            for rel in _pages():
                errors.clear()
                page.goto(f"{site}/{rel}", wait_until="domcontentloaded")
                page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)",
                                       timeout=30_000)
                page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
                for e in errors:
                    problems.append(f"{rel}: console error: {e[:200]}")
                if True:
                    raw = page.evaluate("""() => {
                        const art = document.querySelector('article') || document.body;
                        const c = art.cloneNode(true);
                        c.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(n => n.remove());
                        return c.textContent; }""")
                    m = RAW_TEX.search(raw)
                    if m:
                        problems.append(f"{rel}: raw TeX left after MathJax: ...{raw[max(0, m.start() - 40):m.end() + 40]!r}")
                    if page.locator("mjx-merror").count():
                        problems.append(f"{rel}: MathJax error in a formula")
                breaking = page.evaluate("""() => Array.from(document.querySelectorAll('article td, article th'))
                    .filter(c => { const s = getComputedStyle(c);
                                   return s.overflowWrap === 'anywhere' || s.wordBreak === 'break-all'; }).length""")
                if breaking:
                    problems.append(f"{rel}: {breaking} table cells may break a number or a word mid-token")
                if width < 500:
                    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 1:
                        problems.append(f"390px {rel}: page is {wide} px wider than the screen")
            context.close()
        browser.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


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
    ledger = (HTML / "book/appendix/ledger.html").read_text(encoding="utf-8")
    assert ledger.count("#claim-") >= sum(len(collect(nb)) for nb in (ROOT / "book").glob("part*/*.ipynb")) // 2, \
        "the ledger page links too few rows to their claims"
    assert not problems, "\n".join(problems[:20])
