"""The whole path on the bundled corpus with the real model, and the quality gate.

If a change makes retrieval worse on the development set, the gate fails CI. The
thresholds sit just below the figures measured when they were set (evals/README.md);
raise them as quality rises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from beleidsbron import api, cli
from beleidsbron.evals.harness import evaluate, load_queries
from beleidsbron.index.search import Searcher

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "evals" / "queries-dev.jsonl"
OWN = ROOT / "evals" / "queries.jsonl"
GATE = {  # (query set, mode): (hit@5, MRR@10); measured 0.786/0.688, 0.857/0.769, 0.777/0.600, 0.823/0.705
    ("dev", "hybrid"): (0.75, 0.65),
    ("dev", "rerank"): (0.82, 0.74),  # one dev item is 0.036
    ("own", "hybrid"): (0.75, 0.57),
    ("own", "rerank"): (0.80, 0.68),
}
MAX_FLAGGED_ANSWERABLE = 0.05  # of the default mode's answerable items
MIN_FLAGGED_UNANSWERABLE = 0.3  # of the unanswerable items of both sets, default mode; measured 24 of 71


@pytest.fixture(scope="module")
def searcher(real_index) -> Searcher:
    home, embedder = real_index
    return Searcher.open(home, embedder)


def test_every_dev_keyword_item_is_in_the_top_5(searcher: Searcher) -> None:
    run = evaluate(searcher, load_queries(DEV), "rerank")
    keyword = [item for item in run.items if item.kind == "keyword"]
    assert keyword and all(item.rank is not None and item.rank <= 5 for item in keyword), [
        (item.id, item.rank) for item in keyword]


@pytest.mark.parametrize(("query_set", "mode"), sorted(GATE))
def test_quality_gate(searcher: Searcher, query_set: str, mode: str) -> None:
    overall = evaluate(searcher, load_queries(DEV if query_set == "dev" else OWN), mode).overall
    hit5, mrr = GATE[query_set, mode]
    assert overall.hit_at(5) >= hit5 and overall.mrr >= mrr, (query_set, mode, overall.hit_at(5), overall.mrr)
    if mode == "rerank":
        assert overall.flagged_answerable <= MAX_FLAGGED_ANSWERABLE, (query_set, overall.flagged_answerable)


def test_the_rerank_flags_its_share_of_the_unanswerable_items(searcher: Searcher) -> None:
    runs = [evaluate(searcher, load_queries(path), "rerank") for path in (DEV, OWN)]
    unanswerable = [item for run in runs for item in run.items if not item.answerable]
    caught = [item.id for item in unanswerable if item.flagged]
    assert unanswerable and len(caught) >= MIN_FLAGGED_UNANSWERABLE * len(unanswerable), caught


def test_hits_carry_quotes_that_are_verbatim_page_text(searcher: Searcher) -> None:
    result = searcher.search("Wat zegt het IZA over de paramedici?", k=10)
    assert result.hits
    for hit in result.hits:
        page = searcher.store.page_text(hit.doc, hit.quote.page)
        assert page[hit.quote.start:hit.quote.end] == hit.quote.text
        assert len(hit.quote.text) <= 300 or hit.quote.text.count(". ") == 0
        assert hit.citation.endswith(f"p. {hit.quote.page}.")


def test_batch_search_answers_every_dev_item(real_index, monkeypatch: pytest.MonkeyPatch) -> None:
    home, embedder = real_index
    monkeypatch.setattr(api, "make_embedder", lambda *_a, **_k: embedder)
    result = CliRunner().invoke(cli.main, ["--home", str(home.root), "search", "--batch", str(DEV), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    ids = [json.loads(line)["id"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [line["id"] for line in lines] == ids
    answered = [line for line in lines if line["hits"]]
    assert len(answered) == len(lines)  # a doubtful question keeps its hits too
    assert all(isinstance(line["low_confidence"], bool) for line in lines)
    assert {"doc", "page", "score", "text", "quote", "citation"} <= set(answered[0]["hits"][0])
