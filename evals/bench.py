"""Benchmarks of the bundled corpus: how fast and how big beleidsbron is on this machine.

`bench_corpus` ingests the corpus into a temporary data directory with the real
model and measures, in this order:

- ingestion (a child process: its peak RSS is the ingestion's own) with the model
  loaded beforehand, so its texts/s compare with the model's raw throughput;
  then re-ingestion of the unchanged corpus, in the library and as a CLI process;
- the model's raw throughput, one `embed_passages` call over the chunk texts,
  and over the same mix that ingestion embeds (chunks, then sentences);
- cold start: a `beleidsbron search … --json` process, start to its first line;
- warm latency per mode over distinct queries, beside embedding the query alone,
  taken in turn for each query (see `warm_latency`);
- peak RSS of a child process that opens a searcher and runs the queries.

The scale part (synthetic corpora of 100k–1M passages) is in evals/scale.py.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from beleidsbron.index.home import DataHome
from beleidsbron.index.records import MODES
from beleidsbron.ingest.embed import Embedder
from beleidsbron.ingest.errors import BeleidsbronError

T = TypeVar("T")
EmbedderFactory = Callable[[Path], Embedder]  # models home folder → embedder (module-level, to reach a child)
WARM_UP_QUERIES = ("zorg in de wijk", "wat kost de huisarts", "paramedische zorg")
COLD_RUNS = 3


class BenchError(BeleidsbronError):
    """A benchmark step could not run (a failing subprocess, an empty corpus)."""


# records -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Machine:
    cpus: int
    cpu_model: str
    load_average_1m: float


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not len(seconds):
            raise ValueError("latency of no measurement")
        ms = np.asarray(seconds, dtype=np.float64) * 1000.0
        return cls(float(np.percentile(ms, 50)), float(np.percentile(ms, 95)))


@dataclass(frozen=True)
class IngestFigures:
    """What the ingestion child measured."""

    model_load_seconds: float
    seconds: float
    documents: int
    chunks: int
    sentences: int
    embedded: int
    reingest_seconds: float
    peak_rss_mb: float


@dataclass(frozen=True)
class CorpusBench:
    machine: Machine
    model_id: str
    documents: int
    chunks: int
    sentences: int
    model_load_seconds: float
    raw_embed_passages_per_s: float  # chunk texts only
    raw_embed_texts_per_s: float  # chunks + sentences, the mix ingestion embeds
    ingest_seconds: float
    ingest_chunks_per_s: float
    ingest_texts_per_s: float
    ingest_texts_to_raw_ratio: float
    reingest_seconds: float  # library call, unchanged corpus
    reingest_cli_seconds: float  # `beleidsbron ingest` process, unchanged corpus
    cold_start_seconds: float  # median of COLD_RUNS
    embed_query: Latency
    queries: dict[str, Latency]  # per mode, warm
    ingest_peak_rss_mb: float
    searcher_peak_rss_mb: float
    load_average_1m_end: float


# measuring helpers ---------------------------------------------------------------------
def machine() -> Machine:
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        info = ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")),
                 "unknown")
    return Machine(len(os.sched_getaffinity(0)), model, os.getloadavg()[0])


def peak_rss_mb() -> float:
    """This process's peak resident set so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> float:
    """This process's resident set now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return peak_rss_mb()


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def in_child(isolate: bool, job: Callable[..., T], *args: Any) -> T:
    """Run `job(*args)` in a fresh (spawned) process, or here when not `isolate`."""
    if not isolate:
        return job(*args)
    # a spawned child re-runs the parent's __main__ script (under Streamlit or its AppTest that is
    # app.py); the job is importable by module name, so the child gets a blank __main__ instead
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(job, *args).result()
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def recall_at_k(exact: np.ndarray, found: np.ndarray, k: int = 10) -> float:
    """Mean share of each query's exact top k (ids ≥ 0) that `found`'s top k holds; 1.0 for no truth."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    exact, found = np.atleast_2d(exact), np.atleast_2d(found)
    if len(exact) != len(found):
        raise ValueError(f"{len(exact)} exact rows against {len(found)} found rows")
    shares = []
    for truth, got in zip(exact[:, :k], found[:, :k]):
        wanted = {int(i) for i in truth if i >= 0}
        if wanted:
            shares.append(len(wanted & {int(i) for i in got}) / len(wanted))
    return float(np.mean(shares)) if shares else 1.0


def cli_command() -> list[str]:
    """The installed `beleidsbron` script beside this Python, else `python -m cli`."""
    script = Path(sys.executable).parent / "beleidsbron"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli"]


def first_line_seconds(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds from starting `command` to its first line on stdout; it must then exit with 0."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    seconds = time.perf_counter() - started
    _, err = process.communicate()
    if process.returncode != 0 or not line:
        raise BenchError(f"{' '.join(command[:3])} …: exit {process.returncode}: "
                         f"{err.decode(errors='replace').strip().splitlines()[-1:] or 'no output'}")
    return seconds


def _warm(embedder: Embedder) -> None:
    embedder.embed_passages(["opwarmen van het model"])
    embedder.embed_queries(["opwarmen"])


# ingestion (child) ---------------------------------------------------------------------
def ingest_job(corpus: Path, home_root: Path, models_root: Path, factory: EmbedderFactory) -> IngestFigures:
    """Load the model, ingest `corpus` into `home_root`, then again unchanged; peak RSS of it all."""
    from beleidsbron.index.build import Ingestor
    from beleidsbron.index.store import ChunkStore

    embedder = factory(models_root)
    _, load = timed(_warm, embedder)
    home = DataHome(home_root)
    report, seconds = timed(Ingestor(home, embedder).run, [corpus])
    if not report.chunks:
        raise BenchError(f"{corpus}: nothing to index ({len(report.failures)} files failed)")
    again, reingest = timed(Ingestor(home, embedder).run, [corpus])
    if again.embedded:
        raise BenchError(f"re-ingestion of the unchanged corpus embedded {again.embedded} texts")
    store = ChunkStore.open(home.current())  # type: ignore[arg-type]
    sentences = store.sentence_count()
    store.close()
    return IngestFigures(load, seconds, report.documents, report.chunks, sentences, report.embedded, reingest,
                         peak_rss_mb())


def index_texts(home: DataHome) -> tuple[list[str], list[str]]:
    """The chunk texts and the sentence texts that ingestion embedded, in index order."""
    from beleidsbron.index.store import ChunkStore

    directory = home.current()
    if directory is None:
        raise BenchError(f"no index in {home.root}")
    store = ChunkStore.open(directory)
    try:
        chunks = [c.embed_text for _, c in store.iter_chunks()]
        sentences = [s.text for doc in store.sources() for _, s in store.iter_sentences(doc)]
    finally:
        store.close()
    return chunks, sentences


def embed_rate(embedder: Embedder, groups: Sequence[Sequence[str]]) -> float:
    """Texts per second of the model: one `embed_passages` call per group (the model sorts and batches)."""
    count, seconds = 0, 0.0
    for texts in groups:
        if texts:
            _, took = timed(embedder.embed_passages, list(texts))
            count, seconds = count + len(texts), seconds + took
    if not count:
        raise BenchError("no text to embed")
    return count / seconds


# search --------------------------------------------------------------------------------
def warm_latency(home: DataHome, embedder: Embedder, queries: Sequence[str], k: int = 10
                 ) -> tuple[Latency, dict[str, Latency]]:
    """Embedding one query alone, and a search per mode, over distinct queries on warm searchers.

    Each query is embedded and then searched in every mode before the next one is taken: the budgets
    are ratios to the embedding, and this machine kind's speed drifts by half within minutes, so
    timings taken one mode after another compare moments more than modes. One searcher per mode,
    so no query vector is cached from another mode."""
    from beleidsbron.index.search import Searcher

    _warm(embedder)
    searchers = {mode: Searcher.open(home, embedder) for mode in MODES}
    for mode, searcher in searchers.items():
        for text in WARM_UP_QUERIES:
            searcher.search(text, k, mode)
    embed: list[float] = []
    per_mode: dict[str, list[float]] = {mode: [] for mode in MODES}
    for query in queries:
        embed.append(timed(embedder.embed_queries, [query])[1])
        for mode, searcher in searchers.items():
            per_mode[mode].append(timed(searcher.search, query, k, mode)[1])
    return Latency.of(embed), {mode: Latency.of(seconds) for mode, seconds in per_mode.items()}


def searcher_job(home_root: Path, models_root: Path, factory: EmbedderFactory, queries: Sequence[str]) -> float:
    """Peak RSS of a process that opens a searcher and runs the queries in every mode."""
    from beleidsbron.index.search import Searcher

    searcher = Searcher.open(DataHome(home_root), factory(models_root))
    for mode in MODES:
        for query in queries:
            searcher.search(query, 10, mode)
    return peak_rss_mb()


# the corpus benchmark --------------------------------------------------------------------
def bench_corpus(corpus: Path, models_home: DataHome, factory: EmbedderFactory, queries: Sequence[str],
                 cli: list[str] | None = None, isolate: bool = True,
                 note: Callable[[str], None] = lambda message: None) -> CorpusBench:
    """Measure ingestion, re-ingestion, raw embedding, cold start, warm queries and memory (see module doc).

    `cli` is the command that starts beleidsbron (default: `cli_command()`); `isolate` runs the
    memory-measured steps in child processes."""
    if not queries:
        raise BenchError("no queries to time")
    cli = cli or cli_command()
    start = machine()
    with tempfile.TemporaryDirectory(prefix="beleidsbron-bench-") as tmp:
        home = DataHome(Path(tmp) / "home")
        home.root.mkdir()
        models_home.models_dir.mkdir(parents=True, exist_ok=True)
        home.models_dir.symlink_to(models_home.models_dir.resolve(), target_is_directory=True)
        note("ingesting the corpus (with the real model) …")
        ingest = in_child(isolate, ingest_job, corpus, home.root, models_home.root, factory)
        note("raw embedding throughput …")
        embedder = factory(models_home.root)
        _, load = timed(_warm, embedder)
        chunks, sentences = index_texts(home)
        raw_passages = embed_rate(embedder, [chunks])
        raw_texts = embed_rate(embedder, [chunks, sentences])
        note("re-ingestion and cold start (CLI processes) …")
        env = {**os.environ, "BELEIDSBRON_HOME": str(home.root)}
        reingest_cli = first_line_seconds([*cli, "--home", str(home.root), "ingest", str(corpus)], env)
        cold = statistics.median(first_line_seconds([*cli, "--home", str(home.root), "search", q, "--json"], env)
                                 for q in list(queries)[:COLD_RUNS])
        note(f"warm queries ({len(queries)} per mode) …")
        embed_query, per_mode = warm_latency(home, embedder, queries)
        note("searcher memory …")
        searcher_rss = in_child(isolate, searcher_job, home.root, models_home.root, factory, queries)
    texts = ingest.chunks + ingest.sentences  # all embedded: the bench's data directory starts empty
    return CorpusBench(
        machine=start, model_id=embedder.model_id, documents=ingest.documents, chunks=ingest.chunks,
        sentences=ingest.sentences, model_load_seconds=min(load, ingest.model_load_seconds),
        raw_embed_passages_per_s=raw_passages, raw_embed_texts_per_s=raw_texts, ingest_seconds=ingest.seconds,
        ingest_chunks_per_s=ingest.chunks / ingest.seconds,
        ingest_texts_per_s=texts / ingest.seconds,
        ingest_texts_to_raw_ratio=(texts / ingest.seconds) / raw_texts, reingest_seconds=ingest.reingest_seconds,
        reingest_cli_seconds=reingest_cli, cold_start_seconds=cold, embed_query=embed_query, queries=per_mode,
        ingest_peak_rss_mb=ingest.peak_rss_mb, searcher_peak_rss_mb=searcher_rss,
        load_average_1m_end=os.getloadavg()[0])


def corpus_json(bench: CorpusBench) -> dict[str, Any]:
    """One flat object: snake_case keys with their units in the name."""
    flat = {k: v for k, v in asdict(bench).items() if k not in {"machine", "embed_query", "queries"}}
    out: dict[str, Any] = {"cpus": bench.machine.cpus, "cpu_model": bench.machine.cpu_model,
                           "load_average_1m_start": bench.machine.load_average_1m, **flat,
                           "embed_query_p50_ms": bench.embed_query.p50_ms,
                           "embed_query_p95_ms": bench.embed_query.p95_ms}
    for mode, latency in bench.queries.items():
        out[f"warm_query_{mode}_p50_ms"] = latency.p50_ms
        out[f"warm_query_{mode}_p95_ms"] = latency.p95_ms
    out["ingest_to_chunk_embed_ratio"] = ingest_to_chunk_embed(bench)
    out["default_to_embed_query_ratio"] = default_to_embed_query(bench)
    out["targets"] = {t.name: t.met for t in corpus_targets(bench)}
    return out


# targets and tables -------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    value: str
    met: bool


# issue 19's budgets: ingestion against embedding the chunks alone, the default mode against embedding the
# query, peak memory of a searcher and of an ingestion, and a cold search
INGEST_TO_CHUNK_EMBED = 1.5
DEFAULT_TO_EMBED_QUERY = 2.0
SEARCHER_MB, INGEST_MB = 1200, 1500
COLD_START_SECONDS = 3.0
DEFAULT_MODE = "rerank"


def ingest_to_chunk_embed(bench: CorpusBench) -> float:
    """Ingestion's seconds over the seconds the model takes to embed the chunks alone at its raw rate."""
    return bench.ingest_seconds / (bench.chunks / bench.raw_embed_passages_per_s)


def default_to_embed_query(bench: CorpusBench) -> float:
    """The default mode's warm p50 over the p50 of embedding the query alone."""
    return bench.queries[DEFAULT_MODE].p50_ms / bench.embed_query.p50_ms


def corpus_targets(bench: CorpusBench) -> list[Target]:
    hybrid, embed = bench.queries["hybrid"].p50_ms, bench.embed_query.p50_ms
    chunk_seconds = bench.chunks / bench.raw_embed_passages_per_s
    default = bench.queries[DEFAULT_MODE].p50_ms
    return [
        Target("hybrid_p50", "≤ 1.5 × embed query p50 and < 50 ms",
               f"{hybrid:.1f} ms = {hybrid / embed:.2f} × {embed:.1f} ms", hybrid <= 1.5 * embed and hybrid < 50),
        Target("ingest_ratio", "ingestion texts/s ≥ 0.85 × raw", f"{bench.ingest_texts_to_raw_ratio:.2f}",
               bench.ingest_texts_to_raw_ratio >= 0.85),
        Target("ingest_chunk_embed", f"ingestion ≤ {INGEST_TO_CHUNK_EMBED} × embedding the chunks alone (raw rate)",
               f"{bench.ingest_seconds:.1f} s = {ingest_to_chunk_embed(bench):.2f} × {chunk_seconds:.1f} s",
               ingest_to_chunk_embed(bench) <= INGEST_TO_CHUNK_EMBED),
        Target("default_p50", f"{DEFAULT_MODE} p50 ≤ {DEFAULT_TO_EMBED_QUERY} × embed query p50",
               f"{default:.1f} ms = {default_to_embed_query(bench):.2f} × {embed:.1f} ms",
               default_to_embed_query(bench) <= DEFAULT_TO_EMBED_QUERY),
        Target("searcher_memory", f"peak memory of a searcher ≤ {SEARCHER_MB} MB",
               f"{bench.searcher_peak_rss_mb:.0f} MB", bench.searcher_peak_rss_mb <= SEARCHER_MB),
        Target("ingest_memory", f"peak memory of an ingestion ≤ {INGEST_MB} MB",
               f"{bench.ingest_peak_rss_mb:.0f} MB", bench.ingest_peak_rss_mb <= INGEST_MB),
        Target("reingest", "re-ingestion of an unchanged corpus < 3 s",
               f"{bench.reingest_seconds:.2f} s (CLI process {bench.reingest_cli_seconds:.2f} s)",
               max(bench.reingest_seconds, bench.reingest_cli_seconds) < 3),
        Target("cold_start", f"cold start < {COLD_START_SECONDS:g} s", f"{bench.cold_start_seconds:.2f} s",
               bench.cold_start_seconds < COLD_START_SECONDS),
    ]


def render_rows(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def render_corpus(bench: CorpusBench) -> str:
    m = bench.machine
    rows = [
        ("machine", f"{m.cpus} CPUs, {m.cpu_model}; load average {m.load_average_1m:.2f} at start, "
                    f"{bench.load_average_1m_end:.2f} at end"),
        ("corpus", f"{bench.documents} documents, {bench.chunks} chunks, {bench.sentences} sentences; "
                   f"model {bench.model_id} (load {bench.model_load_seconds:.1f} s)"),
        ("raw embedding, chunks", f"{bench.raw_embed_passages_per_s:.1f} passages/s"),
        ("raw embedding, chunks+sentences", f"{bench.raw_embed_texts_per_s:.1f} texts/s"),
        ("ingestion", f"{bench.ingest_seconds:.1f} s: {bench.ingest_chunks_per_s:.1f} chunks/s, "
                      f"{bench.ingest_texts_per_s:.1f} texts/s = {bench.ingest_texts_to_raw_ratio:.2f} × raw"),
        ("re-ingestion, unchanged", f"{bench.reingest_seconds:.2f} s (CLI process {bench.reingest_cli_seconds:.2f} s)"),
        ("cold start (CLI search)", f"{bench.cold_start_seconds:.2f} s (median of {COLD_RUNS})"),
        ("embed one query", f"p50 {bench.embed_query.p50_ms:.1f} ms, p95 {bench.embed_query.p95_ms:.1f} ms"),
        *((f"warm query, {mode}", f"p50 {lat.p50_ms:.1f} ms, p95 {lat.p95_ms:.1f} ms")
          for mode, lat in bench.queries.items()),
        ("peak memory, ingestion", f"{bench.ingest_peak_rss_mb:.0f} MB"),
        ("peak memory, warm searcher", f"{bench.searcher_peak_rss_mb:.0f} MB"),
    ]
    targets = [(f"target {t.name}", f"{'met' if t.met else 'MISSED'}: {t.value} (goal {t.goal})")
               for t in corpus_targets(bench)]
    notes = ("Ingestion embeds every chunk and every sentence (sentences serve the rerank and the quotes); its texts/s "
             "is compared with the model's raw rate\non the same mix, and its seconds with embedding the chunks "
             "alone (target ingest_chunk_embed).")
    return f"{render_rows(rows + targets)}\n\n{notes}"
