"""`beleidsbron eval`: score the search engine on query sets and write a report.

Thin: parses options, calls the harness and the report writer, prints. The searcher comes from
the front door (beleidsbron.api.open) with the settings the CLI put in ctx.obj.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from beleidsbron import api
from beleidsbron.evals.chart import write_chart
from beleidsbron.evals.harness import DEFAULT_K, QuerySet, evaluate_all, load_queries
from beleidsbron.evals.report import LATEST, collect_meta, load_previous, render_table, write_report
from beleidsbron.index.records import MODES
from beleidsbron.ingest.errors import BeleidsbronError
from beleidsbron.settings import Settings

EVALS_DIR = Path(__file__).resolve().parent  # the query sets ship inside the package
DEFAULT_QUERIES = (EVALS_DIR / "queries-dev.jsonl", EVALS_DIR / "queries.jsonl")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _query_sets(paths: tuple[Path, ...]) -> list[QuerySet]:
    """Given files must exist; missing default files are skipped with a note."""
    if not paths:
        present = [p for p in DEFAULT_QUERIES if p.exists()]
        for path in DEFAULT_QUERIES:
            if path not in present:
                click.echo(f"note: skipped {_shown(path)} (not there yet)", err=True)
        paths = tuple(present)
    if not paths:
        _fail("no query set found; give one with --queries FILE")
    return [load_queries(path) for path in paths]


@click.command("eval")
@click.option("--queries", "queries", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL query set; repeatable (default: evals/queries-dev.jsonl and evals/queries.jsonl).")
@click.option("--mode", type=click.Choice([*MODES, "all"]), default="all", show_default=True,
              help="Search mode to evaluate, or all of them.")
@click.option("-k", "k", default=DEFAULT_K, show_default=True, type=click.IntRange(1, 100),
              help="Results asked for per query (hit@10, MRR@10 and nDCG@10 look at the first 10).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Report directory (default: $BELEIDSBRON_REPORTS or ./evals/reports).")
@click.option("--no-chart", is_flag=True, help="Do not draw the PNG/SVG chart.")
@click.pass_context
def eval_command(ctx: click.Context, queries: tuple[Path, ...], mode: str, k: int, out: Path | None,
                 no_chart: bool) -> None:
    """Score search quality on query sets; write evals/reports/latest.{json,md} and a chart."""
    settings: Settings = ctx.obj or Settings.load()
    out = out or settings.reports
    try:
        query_sets = _query_sets(queries)
        searcher = api.open(settings.home, settings.model, settings.reranker)
        modes = list(MODES) if mode == "all" else [mode]
        runs, notes = evaluate_all(searcher, query_sets, modes, k)
    except BeleidsbronError as exc:
        _fail(str(exc))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if not runs:
        _fail("no mode could be evaluated")
    for run in runs:
        click.echo(f"{run.mode} on {run.query_set}: {len(run.items)} queries in {run.seconds:.1f} s", err=True)
    previous = load_previous(out / f"{LATEST}.json")
    click.echo(render_table(runs, previous))
    meta = collect_meta(query_sets, notes, cwd=EVALS_DIR)
    charted = False
    if not no_chart:
        try:
            for stem in (LATEST, f"eval-{meta.stamp}"):
                write_chart(runs, out / stem)
            charted = True
        except ImportError:
            click.echo("note: chart skipped (matplotlib is not installed)", err=True)
    files = write_report(runs, meta, out, previous, chart=charted)
    written = [files.json, files.markdown, *([out / f"{LATEST}.png", out / f"{LATEST}.svg"] if charted else [])]
    click.echo("wrote " + ", ".join(_shown(p) for p in written) + f" (and copies eval-{meta.stamp}.*)")
