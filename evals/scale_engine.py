"""Scale benchmark of the postgres backend, beside the embedded index's (evals/scale.py), on the same
synthetic corpora (evals/synthetic.py: the same seed gives the same passages, vectors and queries).

Per size, in a child process, a fresh engine (index/backends/pgserver.py, shared_buffers 2 GB):
- build: the BM25 weights of the passages (LexicalIndex, as an ingestion computes them), then
  publishing (COPY of vectors and terms, GIN index, HNSW index above EXACT_MAX), timed apart;
- queries: the engine's first stage as a search runs it, one query at a time after a warm-up:
  vectors at k = 10 and k = 100, recall@10 against an exact scan of the same vectors; BM25 top 100
  for real queries' analysed terms;
- memory: the engine's proportional set size after the queries (shared buffers counted once, not
  per connection), and its tables and indexes on disk.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beleidsbron.evals.bench import Latency, in_child, recall_at_k, timed
from beleidsbron.evals.scale import check_request
from beleidsbron.evals.synthetic import SentencePool, passage_texts, passage_vectors, plan_passages, query_vectors

DEPTH = 100  # candidates per channel (index/search.py Tuning.candidates)
WARM = 20  # queries run before timing: the first ones read the index from disk
SHARED_BUFFERS = "2GB"


@dataclass(frozen=True)
class EngineRow:
    passages: int
    bm25_weights_seconds: float  # LexicalIndex.build: analysis and BM25 weights, as an ingestion does
    publish_seconds: float  # COPY + GIN + HNSW (above EXACT_MAX) + ANALYZE
    vector_query_p50_ms: float  # k = 10
    vector_query_p95_ms: float
    vector_query_k100_p50_ms: float
    vector_recall_at_10: float
    bm25_query_p50_ms: float  # top 100
    bm25_query_p95_ms: float
    bm25_recall_at_100: float  # of the exact BM25 top 100 (the postings are cut at PER_TERM per term)
    engine_pss_mb: float
    engine_disk_mb: float


def _exact_top10(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    scores = queries @ vectors.T
    top = np.argpartition(-scores, 9, axis=1)[:, :10]
    order = np.take_along_axis(-scores, top, axis=1).argsort(axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Rows of the k best positive scores."""
    rows = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
    return [int(r) for r in rows if scores[r] > 0]


def _pss_mb(root_pid: int) -> float:
    """Proportional set size of a process and its children, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024.0


def engine_job(pool: SentencePool, count: int, queries: Sequence[str], query_count: int, seed: int) -> EngineRow:
    """One row: a fresh engine in a temporary folder, built, queried, measured, stopped and removed."""
    from beleidsbron.index.backends.pgserver import LocalServer
    from beleidsbron.index.backends.postgres import PER_TERM, PgEngine, PgGeneration
    from beleidsbron.index.lexical import LexicalIndex
    from beleidsbron.index.vectors import EXACT_MAX

    plan = plan_passages(len(pool.texts), count, seed)
    vectors = passage_vectors(pool, plan, seed=seed)
    lexical, weights_seconds = timed(LexicalIndex.build, list(passage_texts(pool, plan, seed=seed)))
    # a folder of its own that the server's user can enter (run as root, PostgreSQL runs as `pgserver`;
    # the caller's temporary folder is private to root)
    folder = Path(tempfile.mkdtemp(prefix=f"beleidsbron-engine-{count}-"))
    folder.chmod(0o755)
    server = LocalServer(folder / "postgres")
    engine = None
    try:
        engine = PgEngine(server.start())
        engine.conn.execute(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")
        engine.close()
        server.stop()  # shared_buffers takes a restart
        engine = PgEngine(server.start())
        published, publish_seconds = timed(engine.publish, f"gen-bench-{count}", ["synthetic.pdf"],
                                           np.zeros(count, np.int32), vectors, lexical.passage_terms(),
                                           lexical.term_postings(PER_TERM), EXACT_MAX)
        generation = PgGeneration(engine, published)
        probes = query_vectors(pool, query_count, seed=seed + 1)
        truth = _exact_top10(vectors, probes)
        terms = [lexical.analyzer.terms(q) for q in queries]
        for probe in probes[:WARM]:
            generation.dense(probe, DEPTH)
        found, seconds = [], []
        for probe in probes:
            (rows, _), took = timed(generation.dense, probe, 10)
            found.append(np.pad(rows, (0, 10 - len(rows)), constant_values=-1))
            seconds.append(took)
        deep = Latency.of([timed(generation.dense, p, DEPTH)[1] for p in probes])
        for query in terms[:WARM]:
            generation.lexical(query, DEPTH)
        bm25 = Latency.of([timed(generation.lexical, query, DEPTH)[1] for query in terms])
        shares = []
        for text, query in zip(queries, terms):
            exact = _top(lexical.scores(text), DEPTH)
            if len(exact):
                shares.append(len(set(exact) & set(generation.lexical(query, DEPTH)[0].tolist())) / len(exact))
        vector = Latency.of(seconds)
        disk = engine.conn.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                                   "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                                   (published.schema,)).fetchone()[0]
        return EngineRow(count, weights_seconds, publish_seconds, vector.p50_ms, vector.p95_ms, deep.p50_ms,
                         recall_at_k(truth, np.stack(found), 10), bm25.p50_ms, bm25.p95_ms,
                         float(np.mean(shares)) if shares else 1.0,
                         _pss_mb(server.pid or 0), float(disk) / 2**20)
    finally:
        if engine is not None:
            engine.close()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench_engine(pool: SentencePool, sizes: Sequence[int], queries: Sequence[str], isolate: bool = True,
                 query_count: int = 200, seed: int = 0,
                 note: Callable[[str], None] = lambda message: None) -> list[EngineRow]:
    """One row per size (each engine's data in a temporary folder, removed after)."""
    check_request(sizes, queries)
    rows = []
    for count in sizes:
        note(f"{count:,} passages: postgres engine …")
        rows.append(in_child(isolate, engine_job, pool, count, list(queries), query_count, seed))
    return rows


def engine_json(rows: Sequence[EngineRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def render_engine(rows: Sequence[EngineRow]) -> str:
    header = ("passages", "BM25 weights s", "publish s", "p50 ms", "p95 ms", "k100 p50", "recall@10",
              "BM25 p50 ms", "BM25 p95 ms", "BM25 recall@100", "PSS MB", "disk MB")
    cells = [(f"{r.passages:,}", f"{r.bm25_weights_seconds:.1f}", f"{r.publish_seconds:.1f}",
              f"{r.vector_query_p50_ms:.2f}", f"{r.vector_query_p95_ms:.2f}", f"{r.vector_query_k100_p50_ms:.2f}",
              f"{r.vector_recall_at_10:.3f}", f"{r.bm25_query_p50_ms:.1f}", f"{r.bm25_query_p95_ms:.1f}",
              f"{r.bm25_recall_at_100:.3f}",
              f"{r.engine_pss_mb:.0f}", f"{r.engine_disk_mb:.0f}") for r in rows]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in [header, *cells])
