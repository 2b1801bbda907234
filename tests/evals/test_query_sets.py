"""Verify the evaluation query sets in ``evals/*.jsonl``.

For every query set (the project's own ``queries.jsonl`` and the development
set ``queries-dev.jsonl``):

* the schema of every item (see ``shared/evals-dev/README.md``);
* every gold quote against the corpus text: the normalised quote must occur in
  the normalised text of its page, or of its page and the pages either side of
  it joined (pages can be off by one inside two-page spreads);
* set-level invariants (unique ids, unique queries).

For ``queries.jsonl`` also the composition the issue asks for: at least 150
items, at least 40% paraphrases, at least 20 English queries, at least 10
multi-document and 10 unanswerable items, and every corpus document covered.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from beleidsbron.evals.normalize import normalize

REPO = Path(__file__).resolve().parents[2]

EVALS_DIR = REPO / "evals"
CORPUS_DIR = REPO / "corpus"
QUERY_SETS = sorted(EVALS_DIR.glob("*.jsonl"))
OWN_SET = "queries.jsonl"
DEV_SET = "queries-dev.jsonl"

LANGS = {"nl", "en"}
KINDS = {"keyword", "question", "paraphrase", "crosslingual", "multi", "unanswerable"}
ITEM_KEYS = {"id", "lang", "query", "answerable", "relevant", "kind"}
RELEVANT_KEYS = {"doc", "quote", "page"}

# Composition requirements for the project's own set (queries.jsonl).
MIN_ITEMS = 150
MIN_PARAPHRASE_SHARE = 0.40
MIN_ENGLISH = 20
MIN_MULTI = 10
MIN_UNANSWERABLE = 10


# --------------------------------------------------------------------------- loading


def _load_lines(path: Path) -> list[tuple[int, dict | None, str | None]]:
    """(line number, parsed object or None, parse error or None) per non-empty line."""
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((lineno, None, str(exc)))
            continue
        if not isinstance(obj, dict):
            rows.append((lineno, None, "line is not a JSON object"))
            continue
        rows.append((lineno, obj, None))
    return rows


def _items(path: Path) -> list[dict]:
    return [obj for _, obj, err in _load_lines(path) if obj is not None]


def _item_params():
    params = []
    for path in QUERY_SETS:
        for lineno, obj, _ in _load_lines(path):
            if obj is None:
                continue
            ident = obj.get("id") if isinstance(obj.get("id"), str) else f"line{lineno}"
            params.append(pytest.param(path.name, obj, id=f"{path.name}:{ident}"))
    return params


ITEM_PARAMS = _item_params()
QUOTE_PARAMS = [p for p in ITEM_PARAMS if p.values[1].get("relevant")]
SET_PARAMS = [pytest.param(p, id=p.name) for p in QUERY_SETS]


# --------------------------------------------------------------------------- corpus text


@functools.cache
def corpus_files() -> frozenset[str]:
    return frozenset(p.name for p in CORPUS_DIR.glob("*.pdf"))


@functools.cache
def page_texts(doc: str) -> tuple[str, ...]:
    """Normalised extracted text of every page of ``doc`` (index 0 = page 1)."""
    reader = PdfReader(CORPUS_DIR / doc)
    return tuple(normalize(page.extract_text() or "") for page in reader.pages)


def quote_found(doc: str, page: int, quote: str) -> bool:
    pages = page_texts(doc)
    if not 1 <= page <= len(pages):
        return False
    needle = normalize(quote)
    if needle in pages[page - 1]:
        return True
    lo, hi = max(1, page - 1), min(len(pages), page + 1)
    return needle in "".join(pages[lo - 1 : hi])


# --------------------------------------------------------------------------- per set


def test_query_sets_present():
    names = {p.name for p in QUERY_SETS}
    assert OWN_SET in names, f"evals/{OWN_SET} is missing"
    assert DEV_SET in names, f"evals/{DEV_SET} is missing"


def test_corpus_present():
    assert corpus_files(), f"no PDFs in {CORPUS_DIR}"


@pytest.mark.parametrize("path", SET_PARAMS)
def test_every_line_is_a_json_object(path: Path):
    errors = [f"line {n}: {err}" for n, obj, err in _load_lines(path) if obj is None]
    assert not errors, "\n".join(errors)
    assert _items(path), f"{path.name} is empty"


@pytest.mark.parametrize("path", SET_PARAMS)
def test_ids_unique(path: Path):
    counts = Counter(item.get("id") for item in _items(path))
    dupes = sorted(str(i) for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate ids in {path.name}: {dupes}"


@pytest.mark.parametrize("path", SET_PARAMS)
def test_queries_unique(path: Path):
    counts = Counter(
        " ".join(str(item.get("query", "")).casefold().split()) for item in _items(path)
    )
    dupes = sorted(q for q, n in counts.items() if n > 1)
    assert not dupes, f"duplicate queries in {path.name}: {dupes}"


# --------------------------------------------------------------------------- per item


@pytest.mark.parametrize(("set_name", "item"), ITEM_PARAMS)
def test_item_schema(set_name: str, item: dict):
    problems = []
    keys = set(item)
    if keys != ITEM_KEYS:
        problems.append(
            f"keys {sorted(keys)}; missing {sorted(ITEM_KEYS - keys)}, extra {sorted(keys - ITEM_KEYS)}"
        )
    if not isinstance(item.get("id"), str) or not item.get("id"):
        problems.append("id must be a non-empty string")
    if item.get("lang") not in LANGS:
        problems.append(f"lang {item.get('lang')!r} not in {sorted(LANGS)}")
    if item.get("kind") not in KINDS:
        problems.append(f"kind {item.get('kind')!r} not in {sorted(KINDS)}")
    if not isinstance(item.get("query"), str) or not item.get("query", "").strip():
        problems.append("query must be a non-empty string")
    answerable = item.get("answerable")
    if not isinstance(answerable, bool):
        problems.append("answerable must be a boolean")
    relevant = item.get("relevant")
    if not isinstance(relevant, list):
        problems.append("relevant must be a list")
        relevant = []

    kind = item.get("kind")
    if (kind == "unanswerable") != (answerable is False):
        problems.append(f"kind {kind!r} does not match answerable={answerable!r}")
    if answerable is True and not relevant:
        problems.append("answerable item without relevant quotes")
    if answerable is False and relevant:
        problems.append("unanswerable item with relevant quotes")
    if kind == "crosslingual" and item.get("lang") != "en":
        problems.append("crosslingual items are English queries (lang 'en')")

    docs = set()
    for n, rel in enumerate(relevant):
        if not isinstance(rel, dict) or set(rel) != RELEVANT_KEYS:
            problems.append(f"relevant[{n}] must have exactly the keys {sorted(RELEVANT_KEYS)}")
            continue
        if rel["doc"] not in corpus_files():
            problems.append(f"relevant[{n}].doc {rel['doc']!r} is not in corpus/")
        docs.add(rel["doc"])
        if not isinstance(rel["quote"], str) or not normalize(rel["quote"]):
            problems.append(f"relevant[{n}].quote must be a non-empty string")
        page = rel["page"]
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            problems.append(f"relevant[{n}].page must be a 1-based integer")
    if kind == "multi" and len(docs) < 2:
        problems.append(f"multi item spans {len(docs)} document(s), needs at least 2")

    assert not problems, f"{set_name} {item.get('id')}: " + "; ".join(problems)


@pytest.mark.parametrize(("set_name", "item"), QUOTE_PARAMS)
def test_item_quotes_in_corpus(set_name: str, item: dict):
    relevant = item["relevant"]
    if not isinstance(relevant, list):
        pytest.fail(f"{set_name} {item.get('id')}: relevant must be a list")
    missing = []
    for n, rel in enumerate(relevant):
        if not isinstance(rel, dict):
            missing.append(f"relevant[{n}]: not an object")
            continue
        doc, page, quote = rel.get("doc"), rel.get("page"), rel.get("quote")
        if doc not in corpus_files() or not isinstance(page, int) or not isinstance(quote, str):
            missing.append(f"relevant[{n}]: malformed ({doc!r}, page {page!r})")
            continue
        if not quote_found(doc, page, quote):
            missing.append(f"relevant[{n}]: not on page {page}±1 of {doc}: {quote[:100]!r}")
    assert not missing, f"{set_name} {item.get('id')}:\n" + "\n".join(missing)


# --------------------------------------------------------------------------- composition


@pytest.fixture(scope="module")
def own_items() -> list[dict]:
    path = EVALS_DIR / OWN_SET
    if not path.exists():
        pytest.fail(f"evals/{OWN_SET} is missing")
    return _items(path)


def test_own_set_size(own_items):
    assert len(own_items) >= MIN_ITEMS, f"{len(own_items)} items, need at least {MIN_ITEMS}"


def test_own_set_paraphrase_share(own_items):
    n = sum(item.get("kind") == "paraphrase" for item in own_items)
    share = n / len(own_items)
    assert share >= MIN_PARAPHRASE_SHARE, (
        f"{n}/{len(own_items)} paraphrases ({share:.1%}), need at least {MIN_PARAPHRASE_SHARE:.0%}"
    )


def test_own_set_english(own_items):
    n = sum(item.get("lang") == "en" for item in own_items)
    assert n >= MIN_ENGLISH, f"{n} English items, need at least {MIN_ENGLISH}"


def test_own_set_multi(own_items):
    n = sum(item.get("kind") == "multi" for item in own_items)
    assert n >= MIN_MULTI, f"{n} multi-document items, need at least {MIN_MULTI}"


def test_own_set_unanswerable(own_items):
    n = sum(item.get("kind") == "unanswerable" for item in own_items)
    assert n >= MIN_UNANSWERABLE, f"{n} unanswerable items, need at least {MIN_UNANSWERABLE}"


def test_own_set_covers_every_document(own_items):
    covered = {
        rel.get("doc")
        for item in own_items
        for rel in item.get("relevant") or []
        if isinstance(rel, dict)
    }
    uncovered = sorted(corpus_files() - covered)
    assert not uncovered, f"documents without any gold quote: {uncovered}"


def test_own_set_does_not_copy_dev_queries(own_items):
    dev_path = EVALS_DIR / DEV_SET
    if not dev_path.exists():
        pytest.skip(f"evals/{DEV_SET} is missing")

    def key(q):
        return " ".join(str(q).casefold().split())

    dev = {key(item.get("query", "")) for item in _items(dev_path)}
    copied = sorted(item.get("id") for item in own_items if key(item.get("query", "")) in dev)
    assert not copied, f"queries copied from the development set: {copied}"
