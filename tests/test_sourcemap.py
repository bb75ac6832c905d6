"""The source maps (book/sources/*.yml) agree with their schema and with the ledger (the stored outputs).

Every item of a map has the fields of book/sources/README.md; an item without ledger ids says why; every id a map
names exists in the stored outputs of the book; every ledger id of a source (LF/, CHN/, NLR/, FEP/, FEPM/)
appears in its source's map -- an FEP/ id may be listed in FEP.yml or FEPM.yml, and an FEPM/ id in either too
(the later manuscript repeats statements of the first); every chapter a map names exists.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from attractors.ledger import collect

ROOT = Path(__file__).resolve().parents[1]
SOURCES_DIR = ROOT / "book" / "sources"
MAPPED = ("LF", "CHN", "NLR", "FEP", "FEPM")
#: Maps in which an id of each source may be listed.
ALLOWED_MAPS = {"LF": ("LF",), "CHN": ("CHN",), "NLR": ("NLR",), "FEP": ("FEP", "FEPM"), "FEPM": ("FEPM", "FEP")}
KINDS = {"definition", "notation", "lemma", "theorem", "proposition", "corollary", "remark", "algorithm",
         "equation", "figure", "table", "footnote", "question", "example", "claim"}
REQUIRED = ("label", "kind", "section", "says", "checkable", "ids")
MAP_FILES = [SOURCES_DIR / f"{src}.yml" for src in MAPPED]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def maps() -> dict[str, dict]:
    return {p.stem: _load(p) for p in MAP_FILES}


@pytest.fixture(scope="module")
def ledger_ids() -> set[str]:
    # The ledger page and the source-map page only read the others' outputs; their own lines check no source.
    return {c.id for c in collect(ROOT / "book")}


def _slug(label) -> str:  # as on the source-map and ledger pages
    return re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-") or "item"


def test_every_source_has_a_map():
    present = sorted(p.stem for p in SOURCES_DIR.glob("*.yml"))
    assert present == sorted(MAPPED), f"expected one map per source {sorted(MAPPED)}; found {present}"


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_map_parses_and_has_the_required_fields(path):
    data = _load(path)
    assert isinstance(data, dict), "a map is a mapping with source, title, bibkey and items"
    assert data.get("source") == path.stem, f"source: must be {path.stem!r} (the file name)"
    for key in ("title", "bibkey"):
        assert isinstance(data.get(key), str) and data[key].strip(), f"top-level {key!r} missing or empty"
    items = data.get("items")
    assert isinstance(items, list) and items, "items: must be a non-empty list"
    problems = []
    for k, item in enumerate(items):
        where = f"item {k} ({item.get('label', '?')!r})" if isinstance(item, dict) else f"item {k}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not a mapping")
            continue
        missing = [f for f in REQUIRED if f not in item]
        if missing:
            problems.append(f"{where}: missing {missing}")
        if not str(item.get("label", "")).strip():
            problems.append(f"{where}: empty label")
        if item.get("kind") not in KINDS:
            problems.append(f"{where}: kind {item.get('kind')!r} not one of the schema's kinds")
        if not isinstance(item.get("says"), str) or not item.get("says", "").strip():
            problems.append(f"{where}: says must be a non-empty line")
        if not isinstance(item.get("checkable"), bool):
            problems.append(f"{where}: checkable must be true or false")
        ids = item.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            problems.append(f"{where}: ids must be a list of strings (may be empty)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_labels_and_anchors_are_unique(path):
    labels = [str(item["label"]) for item in _load(path)["items"]]
    dup = sorted(k for k, n in Counter(labels).items() if n > 1)
    assert not dup, f"labels used more than once: {dup}"
    slugs = Counter(_slug(lab) for lab in labels)
    clash = sorted(k for k, n in slugs.items() if n > 1)
    assert not clash, f"labels that give the same anchor src-{path.stem}-<slug> on the source-map page: {clash}"


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_an_item_without_ids_says_why(path):
    bad = [str(item["label"]) for item in _load(path)["items"]
           if not item.get("ids") and not str(item.get("reason") or "").strip()]
    assert not bad, f"items with no ledger ids and no reason: {bad}"


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_chapters_named_exist(path):
    bad = []
    for item in _load(path)["items"]:
        chapter = item.get("chapter")
        if chapter is None:
            continue
        if not isinstance(chapter, str) or not any((ROOT / f"{chapter}{s}").is_file() for s in (".ipynb", ".md")):
            bad.append(f"{item['label']}: {chapter!r}")
    assert not bad, "chapters that do not exist (give book/partN/name without suffix):\n" + "\n".join(bad)


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_every_id_a_map_names_is_in_the_ledger(path, ledger_ids):
    missing = sorted({i for item in _load(path)["items"] for i in item.get("ids") or []} - ledger_ids)
    assert not missing, f"ids named in {path.name} but absent from the stored outputs: {missing}"


@pytest.mark.parametrize("src", MAPPED)
def test_every_ledger_id_of_a_source_is_in_its_map(src, maps, ledger_ids):
    listed = {i for m in ALLOWED_MAPS[src] for item in maps[m]["items"] for i in item.get("ids") or []}
    unmapped = sorted(i for i in ledger_ids if i.split("/", 1)[0] == src and i not in listed)
    where = " or ".join(f"{m}.yml" for m in ALLOWED_MAPS[src])
    assert not unmapped, f"{src}/ ledger ids listed in no item of {where}: {unmapped}"


def test_a_map_lists_ids_of_its_sources_only(maps):
    bad = [f"{src}.yml {item['label']}: {i}" for src, m in maps.items() for item in m["items"]
           for i in item.get("ids") or [] if i.split("/", 1)[0] not in ALLOWED_MAPS[src] + ("LIT", "BOOK")]
    assert not bad, "a map names ids of another source:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", MAP_FILES, ids=lambda p: p.name)
def test_bibkey_is_in_the_bibliography(path):
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M))
    key = _load(path)["bibkey"]
    assert key in keys, f"bibkey {key!r} of {path.name} is not an entry of book/references.bib"
