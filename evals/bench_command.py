"""`beleidsbron bench`: measure speed and memory on this machine, and print a table (or JSON).

Thin: parses options, calls evals/bench.py (the bundled corpus) or evals/scale.py
(`--scale`: synthetic corpora), prints. The embedder comes from the front door
(beleidsbron.api.make_embedder) with the settings the CLI put in ctx.obj.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import NoReturn

import click

from beleidsbron import api
from beleidsbron.evals.bench import (
    BenchError,
    bench_corpus,
    corpus_json,
    in_child,
    machine,
    render_corpus,
    searcher_job,
)
from beleidsbron.index.home import DataHome
from beleidsbron.ingest.errors import BeleidsbronError
from beleidsbron.settings import Settings

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_QUERIES = (EVALS_DIR / "queries-dev.jsonl", EVALS_DIR / "queries.jsonl")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _note(message: str) -> None:
    click.echo(message, err=True)


def _sizes(value: str | None) -> list[int]:
    if not value:
        return []
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"give passage counts separated by commas, e.g. 100000,1000000; got {value!r}")
    if not sizes or min(sizes) < 1:
        raise click.BadParameter(f"passage counts must be at least 1, got {value!r}")
    return sizes


def _queries(paths: tuple[Path, ...], count: int) -> list[str]:
    from beleidsbron.evals.harness import load_queries

    texts = [item.query for path in (paths or DEFAULT_QUERIES) if path.exists()
             for item in load_queries(path).items]
    if not texts:
        _fail("no queries found; give a query set with --queries FILE")
    return list(dict.fromkeys(texts))[:count]  # distinct: a repeated query would hit the searcher's cache


def _scale(settings: Settings, sizes: list[int], queries: list[str], as_json: bool) -> None:
    from beleidsbron.evals.scale import bench_scale, render_scale, render_targets, scale_json, scale_targets
    from beleidsbron.evals.synthetic import load_pool

    home = DataHome(settings.home)
    current = home.current()
    if current is None:
        _fail(f"no index in {home.root} to draw the synthetic corpus from; build it with: beleidsbron ingest")
    start = machine()
    pool = load_pool(current)
    engine_rows = []
    with tempfile.TemporaryDirectory(prefix="beleidsbron-scale-") as tmp:
        rows = bench_scale(pool, sizes, queries, Path(tmp), note=_note)
        if settings.backend == "postgres":  # the engine beside the embedded index, on the same corpora
            from beleidsbron.evals.scale_engine import bench_engine

            engine_rows = bench_engine(pool, sizes, queries, note=_note)
    _note("searcher memory of the current index (the base of the estimate at 1M) …")
    base = in_child(True, searcher_job, home.root, home.root, partial(api.make_embedder, model=settings.model),
                    queries[:20])
    targets = scale_targets(rows, base)
    end = machine()
    if as_json:
        click.echo(json.dumps({"cpus": start.cpus, "cpu_model": start.cpu_model,
                               "load_average_1m_start": start.load_average_1m,
                               "load_average_1m_end": end.load_average_1m, "searcher_base_peak_rss_mb": base,
                               "scale": scale_json(rows), "targets": {t.name: t.met for t in targets},
                               "engine": [asdict(r) for r in engine_rows]},
                              ensure_ascii=False))
        return
    click.echo(f"machine: {start.cpus} CPUs, {start.cpu_model}; load average {start.load_average_1m:.2f} "
               f"at start, {end.load_average_1m:.2f} at end")
    click.echo(render_scale(rows))
    click.echo(render_targets(targets))
    if engine_rows:
        from beleidsbron.evals.scale_engine import render_engine

        click.echo("postgres backend (PostgreSQL + pgvector HNSW m=16, ef_search 200; BM25 weights in GIN-indexed "
                   "rows; evals/scale_engine.py):")
        click.echo(render_engine(engine_rows))
    click.echo("Vectors from the stored sentence vectors of the current index (no model runs); recall@10 against "
               "an exact scan;\nmemory: resident-set growth of a fresh process that loads the index and runs "
               f"the queries. BM25: {len(queries)} real queries; top 100 by partition, as the search does.")


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("corpus"),
              show_default=True, help="Folder of PDFs to ingest (into a temporary data directory).")
@click.option("--queries", "query_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL query set(s) whose queries are timed (default: evals/queries-dev.jsonl, queries.jsonl).")
@click.option("-n", "--query-count", default=100, show_default=True, type=click.IntRange(3, 10_000),
              help="Distinct queries timed per mode.")
@click.option("--scale", "scale", default=None, metavar="SIZES",
              help="Instead: the scale part at these passage counts, e.g. 100000,1000000 (takes minutes).")
@click.option("--hostile", is_flag=True, help="Instead: ingest issue 17's hostile files one by one (evals/hostile.py).")
@click.pass_context
def bench_command(ctx: click.Context, as_json: bool, corpus: Path, query_files: tuple[Path, ...], query_count: int,
                  scale: str | None, hostile: bool) -> None:
    """Measure throughput, latency and memory on this machine; print a table (--json: one object)."""
    settings: Settings = ctx.obj or Settings.load()
    if hostile:
        from beleidsbron.evals.hostile import bench_hostile, render_hostile

        rows = bench_hostile(api.make_embedder(settings.home, settings.model))
        click.echo(json.dumps([asdict(r) for r in rows]) if as_json else render_hostile(rows))
        return
    sizes = _sizes(scale)
    queries = _queries(query_files, query_count)
    try:
        if sizes:
            _scale(settings, sizes, queries, as_json)
            return
        embedder = partial(api.make_embedder, model=settings.model)
        result = bench_corpus(corpus.resolve(), DataHome(settings.home), embedder, queries, note=_note)
    except (BeleidsbronError, BenchError) as exc:
        _fail(str(exc))
    click.echo(json.dumps(corpus_json(result), ensure_ascii=False) if as_json else render_corpus(result))
