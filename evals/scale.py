"""Scale benchmark: the vector index and BM25 over synthetic corpora of 100k–1M passages.

The corpora come from a real index by recombination (evals/synthetic.py): texts
for BM25, and vectors made from the stored sentence vectors, so no model runs.
Each step runs in its own child process: building (timed) writes the index to a
work directory; a fresh process then loads it and times single queries, and the
growth of its resident set from before the load to after the queries is the
index's memory. Recall@10 of the vector index is measured against an exact scan
of the same vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beleidsbron.evals.bench import Latency, Target, in_child, recall_at_k, render_rows, rss_mb, timed
from beleidsbron.evals.synthetic import (
    SentencePool,
    passage_texts,
    passage_vectors,
    plan_passages,
    query_vectors,
    vocabulary_size,
)

QUERY_VECTORS = "queries.npy"
TRUTH = "truth.npy"
KIND_FILE = "kind.txt"
DEPTH = 100  # candidates per channel that a search asks for (index/search.py Tuning.candidates)
EXACT_TIMED = 20  # exact-scan queries timed, for comparison (an exact scan of 1M takes ~0.1 s)


@dataclass(frozen=True)
class ScaleRow:
    passages: int
    vocabulary_words: int
    vector_index: str
    vector_build_seconds: float
    vector_query_p50_ms: float  # k = 10
    vector_query_p95_ms: float
    vector_query_k100_p50_ms: float
    exact_query_p50_ms: float
    vector_recall_at_10: float
    vector_memory_mb: float
    bm25_build_seconds: float
    bm25_query_p50_ms: float  # query analysis, BM25 scores of every passage, top 100 by argpartition
    bm25_query_p95_ms: float
    bm25_memory_mb: float


def vector_build_job(pool: SentencePool, count: int, directory: Path, query_count: int, seed: int
                     ) -> tuple[str, float, float]:
    """Build and save the vector index of `count` synthetic passages; also the exact top 10 of the queries.
    Returns the kind, build seconds and the exact scan's p50 ms."""
    from beleidsbron.index.vectors import EXACT, VectorIndex

    vectors = passage_vectors(pool, plan_passages(len(pool.texts), count, seed), seed=seed)
    index, seconds = timed(VectorIndex.build, vectors)
    directory.mkdir(parents=True, exist_ok=True)
    index.save(directory)
    kind = index.kind
    del index
    queries = query_vectors(pool, query_count, seed=seed + 1)
    exact = VectorIndex.build(vectors, EXACT)
    _, truth = exact.search(queries, 10)
    exact_latency = Latency.of([timed(exact.search, q, 10)[1] for q in queries[:EXACT_TIMED]])
    np.save(directory / QUERY_VECTORS, queries, allow_pickle=False)
    np.save(directory / TRUTH, truth, allow_pickle=False)
    (directory / KIND_FILE).write_text(kind, encoding="utf-8")
    return kind, seconds, exact_latency.p50_ms


def vector_query_job(directory: Path) -> tuple[Latency, Latency, float, float]:
    """Load the saved index in this fresh process and time single queries at k = 10 and k = DEPTH.
    Returns both latencies, recall@10 against the exact scan, and the memory the index took."""
    from beleidsbron.index.vectors import VectorIndex

    queries = np.load(directory / QUERY_VECTORS, allow_pickle=False)
    truth = np.load(directory / TRUTH, allow_pickle=False)
    before = rss_mb()
    index = VectorIndex.load(directory, (directory / KIND_FILE).read_text(encoding="utf-8"))
    found, seconds = [], []
    for query in queries:
        (_, rows), took = timed(index.search, query, 10)
        found.append(rows[0])
        seconds.append(took)
    deep = Latency.of([timed(index.search, q, DEPTH)[1] for q in queries])
    return Latency.of(seconds), deep, recall_at_k(truth, np.stack(found), 10), rss_mb() - before


def bm25_build_job(pool: SentencePool, count: int, directory: Path, seed: int) -> tuple[float, int]:
    """Build and save the BM25 index of `count` synthetic passages: build seconds and distinct words."""
    from beleidsbron.index.lexical import LexicalIndex

    texts = list(passage_texts(pool, plan_passages(len(pool.texts), count, seed), seed=seed))
    index, seconds = timed(LexicalIndex.build, texts)
    directory.mkdir(parents=True, exist_ok=True)
    index.save(directory)
    return seconds, vocabulary_size(texts)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best scores (> 0), best first."""
    if len(scores) > k:
        rows = np.argpartition(-scores, k - 1)[:k]
    else:
        rows = np.arange(len(scores))
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    return rows[scores[rows] > 0]


def bm25_query_job(directory: Path, count: int, queries: Sequence[str]) -> tuple[Latency, float]:
    """Load the saved BM25 index in this fresh process; time the queries (top DEPTH by partition, as
    index/ranking.top_positive does); the memory it took."""
    from beleidsbron.index.lexical import LexicalIndex

    before = rss_mb()
    index = LexicalIndex.load(directory, count)

    def partition(query: str) -> np.ndarray:
        return top_k(index.scores(query), DEPTH)

    latency = Latency.of([timed(partition, q)[1] for q in queries])
    return latency, rss_mb() - before


def check_request(sizes: Sequence[int], queries: Sequence[str]) -> None:
    """ValueError unless there are queries to time and every size is at least one passage (evals/scale_engine.py
    asks the same)."""
    if not queries:
        raise ValueError("no queries to time")
    for count in sizes:
        if count < 1:
            raise ValueError(f"sizes must be at least 1, got {count}")


def bench_scale(pool: SentencePool, sizes: Sequence[int], queries: Sequence[str], workdir: Path,
                isolate: bool = True, query_count: int = 200, seed: int = 0,
                note: Callable[[str], None] = lambda message: None) -> list[ScaleRow]:
    """One row per size; the indexes are written under `workdir` (the caller removes it)."""
    check_request(sizes, queries)
    rows = []
    for count in sizes:
        vec_dir, bm25_dir = workdir / f"{count}-vectors", workdir / f"{count}-bm25"
        note(f"{count:,} passages: vector index …")
        kind, vec_build, exact_p50 = in_child(isolate, vector_build_job, pool, count, vec_dir, query_count, seed)
        vec_lat, vec_deep, recall, vec_mem = in_child(isolate, vector_query_job, vec_dir)
        note(f"{count:,} passages: BM25 …")
        bm25_build, vocabulary = in_child(isolate, bm25_build_job, pool, count, bm25_dir, seed)
        bm25_lat, bm25_mem = in_child(isolate, bm25_query_job, bm25_dir, count, list(queries))
        rows.append(ScaleRow(count, vocabulary, kind, vec_build, vec_lat.p50_ms, vec_lat.p95_ms, vec_deep.p50_ms,
                             exact_p50, recall, vec_mem, bm25_build, bm25_lat.p50_ms, bm25_lat.p95_ms, bm25_mem))
    return rows


def scale_json(rows: Sequence[ScaleRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def scale_targets(rows: Sequence[ScaleRow], searcher_base_mb: float | None = None) -> list[Target]:
    """The targets at 1M passages, checked on the largest row of at least 1M (none if there is none).
    The searcher's memory there is estimated as `searcher_base_mb` (a warm searcher of the bundled
    corpus) plus what the two indexes took."""
    big = [r for r in rows if r.passages >= 1_000_000]
    if not big:
        return []
    row = max(big, key=lambda r: r.passages)
    targets = [
        Target("vector_p50_1m", "vector search p50 < 10 ms", f"{row.vector_query_p50_ms:.2f} ms",
               row.vector_query_p50_ms < 10),
        Target("vector_recall_1m", "recall@10 ≥ 0.95", f"{row.vector_recall_at_10:.3f}",
               row.vector_recall_at_10 >= 0.95),
        Target("bm25_p50_1m", "BM25 query p50 < 100 ms", f"{row.bm25_query_p50_ms:.1f} ms",
               row.bm25_query_p50_ms < 100),
    ]
    if searcher_base_mb is not None:
        total = searcher_base_mb + row.vector_memory_mb + row.bm25_memory_mb
        targets.append(Target("searcher_memory_1m", "searcher memory < 4 GB",
                              f"≈ {total:.0f} MB ({searcher_base_mb:.0f} base + {row.vector_memory_mb:.0f} vectors "
                              f"+ {row.bm25_memory_mb:.0f} BM25)", total < 4096))
    return targets


def render_scale(rows: Sequence[ScaleRow]) -> str:
    header = ("passages", "words", "index", "build s", "p50 ms", "k100 p50", "exact p50", "recall@10", "mem MB",
              "BM25 build s", "BM25 p50 ms", "p95 ms", "BM25 mem MB")
    cells = [(f"{r.passages:,}", f"{r.vocabulary_words:,}", r.vector_index, f"{r.vector_build_seconds:.1f}",
              f"{r.vector_query_p50_ms:.2f}", f"{r.vector_query_k100_p50_ms:.2f}", f"{r.exact_query_p50_ms:.1f}",
              f"{r.vector_recall_at_10:.3f}", f"{r.vector_memory_mb:.0f}", f"{r.bm25_build_seconds:.1f}",
              f"{r.bm25_query_p50_ms:.1f}", f"{r.bm25_query_p95_ms:.1f}",
              f"{r.bm25_memory_mb:.0f}") for r in rows]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in [header, *cells]]
    return "\n".join(lines)


def render_targets(targets: Sequence[Target]) -> str:
    return render_rows([(f"target {t.name}", f"{'met' if t.met else 'MISSED'}: {t.value} (goal {t.goal})")
                        for t in targets]) if targets else ""
