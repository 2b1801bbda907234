"""The harness over a stub searcher and a small query set written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beleidsbron.evals.harness import (
    KINDS,
    ModeUnavailable,
    QuerySetError,
    evaluate,
    evaluate_all,
    load_queries,
    to_passages,
)
from beleidsbron.index.records import Hit, Quote, SearchResult
from beleidsbron.ingest.records import Chunk, Source

A, B = "a.pdf", "b.pdf"
FILLER = "Een alinea over iets heel anders dan de vraag. "
REPO = Path(__file__).resolve().parents[2]


def item(id, kind, relevant=(), lang="nl", query=None):
    return {"id": id, "lang": lang, "query": query or f"vraag {id}", "answerable": bool(relevant),
            "relevant": [{"doc": d, "quote": q, "page": pg} for d, q, pg in relevant], "kind": kind}


ITEMS = [
    item("q1", "keyword", [(A, "alpha beta gamma delta", 2)]),
    item("q2", "question", [(B, "epsilon zeta eta theta", 5)]),
    item("q3", "crosslingual", [(A, "iota kappa lambda mu", 4)], lang="en"),
    item("q4", "multi", [(A, "nu xi omicron pi", 1), (B, "rho sigma tau upsilon", 8)]),
    item("q5", "unanswerable"),
    item("q6", "unanswerable"),
]


def hit(doc, text, page, score, quote=None):
    chunk = Chunk(id=f"{doc}-{page}-{score}", doc=doc, text=text, page_start=page, page_end=page,
                  start=0, end=len(text))
    shown = text if quote is None else quote
    return Hit(chunk=chunk, source=Source(file=doc, title=doc), score=score,
               quote=Quote(shown, page, 0, len(shown)))


# What the stub returns per query: (hits, low_confidence, seconds taken).
ANSWERS = {
    "vraag q1": ([hit(A, FILLER + "Alpha, beta, gamma & delta." + FILLER, 2, 0.9)], False, 0.010),
    "vraag q2": ([hit(B, FILLER, 5, 0.8),
                  hit(B, "Epsilon zeta eta theta.", 9, 0.7, quote="zeta")], False, 0.020),
    "vraag q3": ([hit(A, FILLER, 4, 0.6)], False, 0.030),
    "vraag q4": ([hit(A, "nu xi omicron pi", 1, 0.9), hit(A, FILLER, 2, 0.9)], False, 0.040),
    "vraag q5": ((), True, 0.050),
    "vraag q6": ([hit(A, FILLER, 1, 0.2)], False, 0.060),
}


class StubSearcher:
    """Answers from ANSWERS; its clock advances by the time each answer 'takes'."""

    def __init__(self, missing_modes=()):
        self.now = 0.0
        self.calls: list[tuple[str, int, str]] = []
        self.missing_modes = set(missing_modes)

    def clock(self) -> float:
        return self.now

    def search(self, query, k=10, mode="semantic"):
        self.calls.append((query, k, mode))
        if mode in self.missing_modes:
            raise NotImplementedError("coming soon")
        hits, low_confidence, seconds = ANSWERS[query]
        self.now += seconds
        return SearchResult(query=query, mode=mode, hits=tuple(hits)[:k], low_confidence=low_confidence)


def write_set(tmp_path: Path, items=ITEMS, name="set.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n\n", encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path):
    stub = StubSearcher()
    return evaluate(stub, load_queries(write_set(tmp_path)), "semantic", clock=stub.clock)


def test_overall_aggregate(run):
    o = run.overall
    # answerable q1..q4 with first-hit ranks 1, 2, none, 1
    assert (o.items, o.answerable, o.unanswerable, o.multi, o.found) == (6, 4, 2, 1, 3)
    assert (o.hit1, o.hit3, o.hit5, o.hit10) == (0.5, 0.75, 0.75, 0.75)  # 2/4, 3/4, 3/4, 3/4
    assert o.mrr == pytest.approx(0.625)  # (1 + 1/2 + 0 + 1) / 4
    assert o.page_accuracy == pytest.approx(2 / 3)  # q1 p.2 = 2, q2 p.9 vs 5 (off), q4 p.1 = 1
    assert o.coverage == 0.5  # q4: a.pdf hit, b.pdf not
    assert (o.quote_hit1, o.quote_hit10) == (0.5, 0.5)  # q1, q4 at rank 1; q2's quote "zeta" is 4 of 19 chars < 60%
    assert (o.flagged_unanswerable, o.flagged_answerable) == (0.5, 0.0)  # q5 is flagged, q6 is not
    # latencies 10..60 ms: median (30 + 40) / 2 = 35 ms; p95 at 0.95 * 5 = 4.75 → 50 + 0.75 * 10 = 57.5 ms
    assert o.latency_p50 == pytest.approx(0.035)
    assert o.latency_p95 == pytest.approx(0.0575)


def test_ndcg_per_item(run):
    ndcgs = {s.id: s.ndcg for s in run.items}
    # q1 rank 1 → 1; q2 rank 2 → 1/log2(3) = 0.630930; q3 → 0;
    # q4 one of two quotes at rank 1 → 1 / (1 + 0.630930) = 0.613147; unanswerable → None
    assert ndcgs["q1"] == 1.0 and ndcgs["q3"] == 0.0 and ndcgs["q5"] is None
    assert ndcgs["q2"] == pytest.approx(0.630930, abs=1e-6)
    assert ndcgs["q4"] == pytest.approx(0.613147, abs=1e-6)
    assert run.overall.ndcg == pytest.approx((1 + 0.630930 + 0 + 0.613147) / 4, abs=1e-6)


def test_breakdowns(run):
    assert set(run.by_kind) == {"keyword", "question", "crosslingual", "multi", "unanswerable"}
    assert run.by_kind["question"].mrr == 0.5
    assert run.by_kind["unanswerable"].hit10 is None and run.by_kind["unanswerable"].flagged_unanswerable == 0.5
    assert run.by_lang["en"].items == 1 and run.by_lang["en"].hit10 == 0.0
    assert run.by_lang["nl"].hit10 == 1.0  # q1, q2, q4 all hit
    # a.pdf: q1 (hit), q3 (miss), q4 (hit) → 2/3; b.pdf: q2 (hit), q4 (hit: the item counts in each doc) → 1
    assert run.by_doc[A].items == 3 and run.by_doc[A].hit10 == pytest.approx(2 / 3)
    assert run.by_doc[B].items == 2 and run.by_doc[B].hit10 == 1.0
    assert set(run.breakdowns()) == {"kind", "lang", "doc"}


def test_run_identity_and_warmup(tmp_path):
    stub = StubSearcher()
    query_set = load_queries(write_set(tmp_path))
    run = evaluate(stub, query_set, "keyword", k=1, clock=stub.clock)
    assert (run.query_set, run.mode, run.k, run.sha256) == ("set.jsonl", "keyword", 1, query_set.sha256)
    # one untimed warm-up call, then one per item, all with the requested k and mode
    assert len(stub.calls) == 7 and stub.calls[0] == stub.calls[1] == ("vraag q1", 1, "keyword")
    assert run.overall.hit10 == 0.5  # with k=1, q2's hit at rank 2 is never returned


def test_judged_rows_keep_order_and_quote_column(run):
    q2 = next(s for s in run.items if s.id == "q2")
    assert [(j.page, j.hit, j.quote_hit) for j in q2.judged] == [(5, False, False), (9, True, False)]
    assert q2.page_ok is False


def test_to_passages_uses_passage_and_quote_texts():
    passages, quotes = to_passages(SearchResult("q", "semantic", (hit(A, "lange passage", 3, 0.5, "passage"),)))
    assert passages[0].text == "lange passage" and quotes[0].text == "passage"
    assert passages[0].page == quotes[0].page == 3


def test_missing_mode_is_skipped_with_a_note(tmp_path):
    stub = StubSearcher(missing_modes={"rerank"})
    query_set = load_queries(write_set(tmp_path))
    runs, notes = evaluate_all(stub, [query_set], ["semantic", "rerank"], warmup=False)
    assert [r.mode for r in runs] == ["semantic"]
    assert notes == ["skipped: mode 'rerank' is not implemented yet (coming soon)"]
    with pytest.raises(ModeUnavailable):
        evaluate(stub, query_set, "rerank")
    with pytest.raises(ValueError, match="keyword, semantic, hybrid, rerank"):
        evaluate(stub, query_set, "fuzzy")


# -- loading --------------------------------------------------------------------------------------------------


def test_dev_query_set_loads():
    query_set = load_queries(REPO / "evals" / "queries-dev.jsonl")
    assert len(query_set.items) == 30 and len(query_set.sha256) == 64
    assert {i.kind for i in query_set.items} <= set(KINDS)


def _bad(tmp_path, line: str) -> str:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ITEMS[0]) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QuerySetError) as info:
        load_queries(path)
    assert str(info.value).startswith(f"{path} line 2: ")
    return str(info.value)


def test_bad_lines_name_file_and_line(tmp_path):
    assert "not valid JSON" in _bad(tmp_path, '{"id": "x",')
    assert "expected a JSON object" in _bad(tmp_path, "[1, 2]")
    assert "missing field 'query'" in _bad(tmp_path, json.dumps({k: v for k, v in ITEMS[1].items() if k != "query"}))
    assert "kind must be one of keyword, question" in _bad(tmp_path, json.dumps(item("x", "vague", [(A, "q", 1)])))
    assert "already used on line 1" in _bad(tmp_path, json.dumps(ITEMS[0]))
    assert "'page' must be int" in _bad(tmp_path, json.dumps(item("x", "keyword", [(A, "q", "3")])))
    assert "1-based" in _bad(tmp_path, json.dumps(item("x", "keyword", [(A, "q", 0)])))
    assert "no letters or digits" in _bad(tmp_path, json.dumps(item("x", "keyword", [(A, " – ", 1)])))
    assert "need quotes" in _bad(tmp_path, json.dumps(item("x", "keyword") | {"answerable": True}))
    assert "'unanswerable'" in _bad(tmp_path, json.dumps(item("x", "unanswerable", [(A, "q", 1)])))


def test_missing_or_empty_file(tmp_path):
    with pytest.raises(QuerySetError, match="cannot read"):
        load_queries(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(QuerySetError, match="no query items"):
        load_queries(tmp_path / "empty.jsonl")
