"""Numbering and phone-width layout of the chapters' text.

* Chapters are numbered by the table of contents (1-19, continuous across parts) and figures, equations,
  theorems and exercises per chapter (7.1, 7.2, ...): so no chapter title or heading carries a hand-written
  number, which would show twice and go stale.
* A display equation is broken into lines (aligned/gathered) so that it fits a 390 px phone.  The test is a
  coarse guard: no row of a display equation may exceed MAX_ROW symbols, counted roughly (TeX commands for
  spacing, sizing and fonts, braces and alignment marks are not counted, but stacked fractions and subscripts
  are counted in full).  Rows of up to 182 symbols were found before the fix; rows were broken by hand well
  below this limit where they looked too wide.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("part*/*.ipynb"))
MAX_ROW = 100
_INVISIBLE = re.compile(
    r"\\(left|right|big|Big|bigl|bigr|Bigl|Bigr|mathrm|operatorname|mathcal|mathbb|boldsymbol|,|;|!|quad|qquad"
    r"|text|tfrac|frac|begin\{\w+\}|end\{\w+\})"
)
_DISPLAY = re.compile(r"```\{math\}\n(?::[^\n]*\n)*(.*?)\n```|\$\$\n?(.*?)\n?\$\$", re.S)


def _markdown(path):
    nb = json.loads(path.read_text())
    return [(k, "".join(c["source"])) for k, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def _width(row: str) -> int:
    return len(re.sub(r"[{}&\s]", "", _INVISIBLE.sub("", row)))


def test_chapters_are_numbered_per_chapter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc["parts"]:
        chapters = [c["file"] for c in part["chapters"]]
        is_chapter_part = all(f.startswith("book/part") for f in chapters)
        assert part.get("numbered", False) == is_chapter_part, part["caption"]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"].get("numfig_secnum_depth") == 1


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_hand_numbered_titles_or_headings(path):
    for k, src in _markdown(path):
        for line in src.split("\n"):
            assert not re.match(r"^#{1,4} \d+(\.\d+)*\.? ", line), f"cell {k}: hand-numbered heading {line!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_display_equations_fit_a_phone(path):
    wide = []
    for k, src in _markdown(path):
        for m in _DISPLAY.finditer(src):
            for row in (m.group(1) or m.group(2) or "").split("\\\\"):
                if _width(row) > MAX_ROW:
                    wide.append(f"cell {k}: {_width(row)} symbols: {row.strip()[:70]}...")
    assert not wide, "display-equation rows to break (aligned/gathered):\n" + "\n".join(wide)
