"""Code cells read on a phone: no line of a chapter's code cell is longer than MAX_LINE characters.

The book shows code in a box about 80 characters wide at 1280 px; longer lines are clipped.  The chapters
were wrapped with black (``line-length = 79``, string splitting on), long comments and docstrings reflowed
by hand (tools/wrap_code_cells.py does all of it); any formatter or none may be used as long as this limit holds.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("part*/*.ipynb"))
MAX_LINE = 80


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_lines_fit(path):
    nb = json.loads(path.read_text())
    long = []
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for j, line in enumerate("".join(cell["source"]).split("\n"), start=1):
            if len(line) > MAX_LINE:
                long.append(f"cell {k} line {j}: {len(line)} chars: {line[:60]}...")
    assert not long, f"{len(long)} code lines longer than {MAX_LINE} characters:\n" + "\n".join(long[:20])


def test_there_are_chapters():
    assert len(CHAPTERS) >= 19
