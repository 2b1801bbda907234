"""evals/bench.py, evals/scale.py and the `bench` command, on tiny inputs with the fake embedder.

These test that the benchmark runs and reports every figure; they time nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from beleidsbron.evals import bench_command as command_module
from beleidsbron.evals.bench import (
    BenchError,
    CorpusBench,
    Latency,
    bench_corpus,
    corpus_json,
    corpus_targets,
    first_line_seconds,
    in_child,
    machine,
    peak_rss_mb,
    recall_at_k,
    render_corpus,
    rss_mb,
    warm_latency,
)
from beleidsbron.evals.bench_command import bench_command
from beleidsbron.evals.scale import (
    ScaleRow,
    bench_scale,
    render_scale,
    render_targets,
    scale_json,
    scale_targets,
    top_k,
)
from beleidsbron.evals.synthetic import load_pool
from beleidsbron.index import vectors as vectors_module
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.records import MODES
from beleidsbron.settings import Settings

QUERIES = ["thuiszorg voor ouderen in Limburg", "paramedisch platform", "mid-term review van het akkoord",
           "huisarts en apotheker"]
FAKE_CLI = [sys.executable, "-c", "print('{}')"]  # prints one line at once, whatever it is given


# pure helpers -----------------------------------------------------------------------------
def test_latency_percentiles() -> None:
    latency = Latency.of([0.001 * i for i in range(1, 101)])
    assert latency.p50_ms == pytest.approx(50.5) and latency.p95_ms == pytest.approx(95.05)
    with pytest.raises(ValueError):
        Latency.of([])


def test_recall_at_k() -> None:
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert recall_at_k(exact, exact, 4) == 1.0
    assert recall_at_k(exact, np.array([[4, 3, 9, 9], [5, 6, 7, 8]]), 4) == pytest.approx(0.75)
    assert recall_at_k(exact, np.array([[1, 9, 9, 9], [9, 9, 9, 5]]), 2) == pytest.approx(0.25)
    assert recall_at_k(np.array([[1, 2, -1, -1]]), np.array([[2, 1, 7, 8]]), 4) == 1.0  # -1: fewer than k exist
    assert recall_at_k(np.array([[-1, -1]]), np.array([[3, 4]]), 2) == 1.0
    with pytest.raises(ValueError, match="2 exact rows against 1 found rows"):
        recall_at_k(exact, exact[:1])
    with pytest.raises(ValueError, match="k must be at least 1"):
        recall_at_k(exact, exact, 0)


def test_top_k_takes_the_best_positive_scores_in_order() -> None:
    scores = np.array([0.0, 3.0, 1.0, 5.0, 0.0, 2.0], np.float32)
    assert list(top_k(scores, 3)) == [3, 1, 5]
    assert list(top_k(scores, 10)) == [3, 1, 5, 2]


def test_machine_and_memory_figures_are_positive() -> None:
    info = machine()
    assert info.cpus >= 1 and info.cpu_model and info.load_average_1m >= 0
    assert peak_rss_mb() > 0 and rss_mb() > 0


def test_first_line_seconds_times_a_process_and_refuses_a_failing_one() -> None:
    assert 0 < first_line_seconds(FAKE_CLI) < 30
    with pytest.raises(BenchError, match="exit 3"):
        first_line_seconds([sys.executable, "-c", "import sys; print('x', file=sys.stderr); sys.exit(3)"])


def test_in_child_runs_in_a_fresh_process() -> None:
    assert in_child(True, peak_rss_mb) > 0
    assert in_child(False, peak_rss_mb) == peak_rss_mb()


# the corpus part ------------------------------------------------------------------------
@pytest.fixture
def corpus_bench(tiny_corpus: Path, tmp_path: Path, fake_embedder) -> CorpusBench:
    return bench_corpus(tiny_corpus, DataHome(tmp_path / "models-home"), lambda home: fake_embedder, QUERIES,
                        cli=FAKE_CLI, isolate=False)


def test_corpus_bench_reports_every_figure(corpus_bench: CorpusBench) -> None:
    bench = corpus_bench
    assert (bench.documents, bench.model_id) == (3, "fake-embedder")
    assert bench.chunks >= 3 and bench.sentences >= bench.chunks
    for value in (bench.raw_embed_passages_per_s, bench.raw_embed_texts_per_s, bench.ingest_seconds,
                  bench.ingest_chunks_per_s, bench.ingest_texts_per_s, bench.ingest_texts_to_raw_ratio,
                  bench.reingest_seconds, bench.reingest_cli_seconds, bench.cold_start_seconds,
                  bench.ingest_peak_rss_mb, bench.searcher_peak_rss_mb, bench.embed_query.p50_ms):
        assert value > 0
    assert bench.ingest_texts_per_s == pytest.approx((bench.chunks + bench.sentences) / bench.ingest_seconds)
    assert bench.ingest_texts_to_raw_ratio == pytest.approx(bench.ingest_texts_per_s / bench.raw_embed_texts_per_s)
    assert set(bench.queries) == set(MODES)
    assert all(0 < lat.p50_ms <= lat.p95_ms for lat in bench.queries.values())


def test_warm_latency_takes_each_query_in_every_mode_in_turn(tiny_corpus: Path, data_home: DataHome,
                                                              fake_embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedding and the modes are timed query by query, not one after another over all queries: the
    ratios of the targets would otherwise compare the machine's speed at different minutes."""
    from beleidsbron.index.search import Searcher

    Ingestor(data_home, fake_embedder).run([tiny_corpus])
    calls: list[tuple[str, str]] = []
    embed, search = fake_embedder.embed_queries, Searcher.search
    searching = []  # a search embeds the query too: only the bench's own embedding is a step

    def embed_queries(texts):
        if not searching:
            calls.append(("embed", texts[0]))
        return embed(texts)

    def searched(self, query, k=10, mode="rerank", *rest):
        calls.append((mode, query))
        searching.append(mode)
        try:
            return search(self, query, k, mode, *rest)
        finally:
            searching.pop()

    monkeypatch.setattr(fake_embedder, "embed_queries", embed_queries)
    monkeypatch.setattr(Searcher, "search", searched)
    queries = QUERIES[:2]
    embedding, per_mode = warm_latency(data_home, fake_embedder, queries)
    timed = [call for call in calls if call[1] in queries]
    assert timed == [(step, query) for query in queries for step in ("embed", *MODES)]
    assert set(per_mode) == set(MODES) and embedding.p50_ms > 0


def test_corpus_json_has_flat_keys_with_units(corpus_bench: CorpusBench) -> None:
    payload = json.loads(json.dumps(corpus_json(corpus_bench)))
    expected = {"cpus", "cpu_model", "load_average_1m_start", "load_average_1m_end", "model_id", "documents",
                "chunks", "sentences", "model_load_seconds", "raw_embed_passages_per_s", "raw_embed_texts_per_s",
                "ingest_seconds", "ingest_chunks_per_s", "ingest_texts_per_s", "ingest_texts_to_raw_ratio",
                "reingest_seconds", "reingest_cli_seconds", "cold_start_seconds", "embed_query_p50_ms",
                "embed_query_p95_ms", "ingest_peak_rss_mb", "searcher_peak_rss_mb", "targets"}
    expected |= {f"warm_query_{mode}_{p}_ms" for mode in MODES for p in ("p50", "p95")}
    expected |= {"ingest_to_chunk_embed_ratio", "default_to_embed_query_ratio"}  # issue 19, beside the old keys
    assert set(payload) == expected
    assert set(payload["targets"]) == {"hybrid_p50", "ingest_ratio", "reingest", "cold_start", "ingest_chunk_embed",
                                       "default_p50", "searcher_memory", "ingest_memory"}
    assert payload["ingest_to_chunk_embed_ratio"] == pytest.approx(
        corpus_bench.ingest_seconds * corpus_bench.raw_embed_passages_per_s / corpus_bench.chunks)


def test_corpus_table_names_every_figure_and_target(corpus_bench: CorpusBench) -> None:
    table = render_corpus(corpus_bench)
    for label in ("raw embedding, chunks", "ingestion", "re-ingestion, unchanged", "cold start", "embed one query",
                  *(f"warm query, {mode}" for mode in MODES), "peak memory, ingestion", "target hybrid_p50"):
        assert label in table


def test_targets_are_judged_against_the_goals(corpus_bench: CorpusBench) -> None:
    from dataclasses import replace

    fast = replace(corpus_bench, embed_query=Latency(10.0, 12.0),
                   queries={"hybrid": Latency(14.0, 20.0), "rerank": Latency(20.0, 25.0)},
                   ingest_texts_to_raw_ratio=0.9, reingest_seconds=1.0, reingest_cli_seconds=2.0,
                   cold_start_seconds=2.9, chunks=100, raw_embed_passages_per_s=10.0, ingest_seconds=15.0,
                   searcher_peak_rss_mb=1200.0, ingest_peak_rss_mb=1500.0)
    assert all(t.met for t in corpus_targets(fast))
    slow = replace(fast, queries={"hybrid": Latency(16.0, 20.0), "rerank": Latency(20.5, 25.0)},
                   ingest_texts_to_raw_ratio=0.8, reingest_cli_seconds=3.5, cold_start_seconds=3.0,
                   ingest_seconds=15.1, searcher_peak_rss_mb=1201.0, ingest_peak_rss_mb=1501.0)
    assert not any(t.met for t in corpus_targets(slow))


def test_corpus_bench_refuses_no_queries(tiny_corpus: Path, tmp_path: Path, fake_embedder) -> None:
    with pytest.raises(BenchError, match="no queries"):
        bench_corpus(tiny_corpus, DataHome(tmp_path), lambda home: fake_embedder, [], cli=FAKE_CLI, isolate=False)


# the scale part ------------------------------------------------------------------------
def test_scale_bench_measures_both_kinds(tiny_corpus: Path, data_home: DataHome, fake_embedder, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_MAX", 100)
    assert Ingestor(data_home, fake_embedder).run([tiny_corpus]).ok
    pool = load_pool(data_home.current())
    rows = bench_scale(pool, [60, 400], QUERIES, tmp_path / "work", isolate=False, query_count=30)
    assert [(r.passages, r.vector_index) for r in rows] == [(60, "flat-ip"), (400, "hnsw32-sq8-ip")]
    for row in rows:
        assert 0.9 <= row.vector_recall_at_10 <= 1.0
        assert row.vocabulary_words > 0 and row.vector_build_seconds > 0 and row.bm25_build_seconds > 0
        assert 0 < row.vector_query_p50_ms <= row.vector_query_p95_ms
        assert 0 < row.bm25_query_p50_ms <= row.bm25_query_p95_ms
        assert row.exact_query_p50_ms > 0 and row.vector_memory_mb >= 0 and row.bm25_memory_mb >= 0
    assert rows[0].vector_recall_at_10 == 1.0  # the exact scan against itself
    assert {"passages", "vector_index", "vector_recall_at_10", "bm25_query_p50_ms"} <= set(scale_json(rows)[0])
    assert "hnsw32-sq8-ip" in render_scale(rows)
    assert scale_targets(rows) == []  # no row of 1M passages
    with pytest.raises(ValueError, match="at least 1"):
        bench_scale(pool, [0], QUERIES, tmp_path / "work", isolate=False)


def test_scale_targets_at_a_million() -> None:
    row = ScaleRow(1_000_000, 2_000_000, "hnsw32-sq8-ip", 400.0, 1.2, 2.0, 1.5, 90.0, 0.97, 1900.0, 500.0, 40.0, 60.0,
                   900.0)
    targets = {t.name: t for t in scale_targets([row], searcher_base_mb=700.0)}
    assert all(t.met for t in targets.values()) and set(targets) == {
        "vector_p50_1m", "vector_recall_1m", "bm25_p50_1m", "searcher_memory_1m"}
    assert "3500 MB" in targets["searcher_memory_1m"].value
    from dataclasses import replace

    worse = {t.name: t.met for t in scale_targets([replace(row, vector_recall_at_10=0.9, bm25_memory_mb=2000)], 700.0)}
    assert worse == {"vector_p50_1m": True, "vector_recall_1m": False, "bm25_p50_1m": True,
                     "searcher_memory_1m": False}
    assert "MISSED" in render_targets(scale_targets([replace(row, vector_recall_at_10=0.9)]))


# the command ------------------------------------------------------------------------------
@click.group()
@click.pass_context
def group(ctx: click.Context) -> None:
    ctx.obj = Settings.load()


group.add_command(bench_command)


def test_command_prints_a_table_or_json(monkeypatch: pytest.MonkeyPatch, corpus_bench: CorpusBench,
                                        tiny_corpus: Path) -> None:
    seen = {}

    def fake_bench(corpus, home, factory, queries, note):
        seen.update(corpus=corpus, queries=queries)
        return corpus_bench

    monkeypatch.setattr(command_module, "bench_corpus", fake_bench)
    table = CliRunner().invoke(group, ["bench", "--corpus", str(tiny_corpus), "-n", "5"])
    assert table.exit_code == 0, table.output
    assert "warm query, hybrid" in table.output and len(seen["queries"]) == 5
    as_json = CliRunner().invoke(group, ["bench", "--json", "--corpus", str(tiny_corpus)])
    assert json.loads(as_json.output)["chunks"] == corpus_bench.chunks


@pytest.mark.parametrize("value", ["abc", "0", "100,-5"])
def test_command_refuses_bad_sizes(value: str) -> None:
    result = CliRunner().invoke(group, ["bench", "--scale", value])
    assert result.exit_code == 2 and "passage counts" in result.output


def test_scale_needs_an_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(group, ["bench", "--scale", "1000"])
    assert result.exit_code == 1 and "no index in" in result.output and "beleidsbron ingest" in result.output
