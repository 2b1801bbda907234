"""The `beleidsbron` command: a thin layer that parses arguments and prints.

Library errors (BeleidsbronError) become one line on stderr and exit status 1. Everything printed goes
through `echo`, which shows control characters as `\x1b`-style escapes: file names, PDF metadata and
sources.json fields are not ours, and a title holding ESC[2J must not clear the reader's terminal.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from beleidsbron import api
from beleidsbron.evals.bench_command import bench_command
from beleidsbron.evals.command import eval_command
from beleidsbron.index.home import DataHome
from beleidsbron.index.records import MODES, Hit, SearchResult
from beleidsbron.index.search import Filters, Searcher
from beleidsbron.ingest.clean import neutralise_controls
from beleidsbron.ingest.embed import DEFAULT_MODEL
from beleidsbron.ingest.errors import BeleidsbronError
from beleidsbron.settings import Settings

if TYPE_CHECKING:  # ingestion's modules load only for `ingest` (a cold search does without them)
    from beleidsbron.index.build import IngestReport

MAX_BATCH_LINE = 1 << 20  # bytes; a query is cut at 1,000 characters anyway
_JSON_UNSAFE = re.compile("[\x7f-\x9f]")  # DEL and C1: json.dumps escapes C0 only


def echo(message: str = "", err: bool = False) -> None:
    click.echo(neutralise_controls(message), err=err)


def fail(message: str) -> NoReturn:
    echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
@click.option("--home", type=click.Path(path_type=Path), default=None,
              help="Data directory (default: $BELEIDSBRON_HOME or ./.beleidsbron).")
@click.option("--model", default=None, help=f"Sentence-transformers model (default: {DEFAULT_MODEL}).")
@click.option("--reranker", default=None,
              help="A sentence-transformers CrossEncoder (name or folder) for the rerank stage "
                   "(default: $BELEIDSBRON_RERANKER, else the built-in sentence rerank).")
@click.pass_context
def main(ctx: click.Context, home: Path | None, model: str | None, reranker: str | None) -> None:
    """beleidsbron: search Dutch care-policy documents and quote them with page citations."""
    try:
        ctx.obj = Settings.load(home=home, model=model, reranker=reranker)
    except BeleidsbronError as exc:  # e.g. an unknown BELEIDSBRON_BACKEND
        fail(str(exc))


class _Bar:
    """Progress bars on stderr: pages read, chunks and sentences embedded (with rates)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._pages = None
        self._embedded: dict = {}

    def pages(self, n: int) -> None:
        if self._pages is None:
            self._pages = self._tqdm(desc="pages read", unit="page", file=sys.stderr)
        self._pages.update(n)

    def embedded(self, kind: str, n: int, total: int) -> None:
        if self._pages is not None:  # reading is over once embedding starts: stop its clock
            self._pages.close()
        if kind not in self._embedded:
            self._embedded[kind] = self._tqdm(desc=f"{kind} embedded", unit=kind[:-1], total=total, file=sys.stderr)
        self._embedded[kind].update(n)

    def close(self) -> None:
        for bar in (self._pages, *self._embedded.values()):
            if bar is not None:
                bar.close()


def print_report(report: IngestReport) -> None:
    for failure in report.failures:
        echo(f"failed: {failure}", err=True)
    for duplicate in report.duplicates:
        echo(f"skipped duplicate: {duplicate.file} = {duplicate.twin} (same content)", err=True)
    for entry in report.skipped:
        echo(f"skipped: {entry}", err=True)
    for warning in report.warnings:
        echo(f"cut: {warning}", err=True)
    for file, pages in report.empty_pages.items():
        listed = ", ".join(f"p. {p}" for p in pages)
        echo(f"{file}: {listed}: no text layer, scan? (not searchable; OCR needed)")
    echo(f"{report.documents} documents, {report.pages} pages, {report.chunks} chunks "
               f"({report.embedded} embedded) in {report.seconds:.1f} s; "
               f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
               f"removed {len(report.removed)}, failed {len(report.failures)}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--add", is_flag=True, help="Keep documents already indexed that are not among PATHS.")
@click.option("--rebuild", is_flag=True, help="Ignore the current index and embed everything again.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Read and embed on a local Dask cluster of this many processes (0: in this process).")
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...], add: bool, rebuild: bool, workers: int) -> None:
    """Index the PDFs in PATHS (files or folders; default: $BELEIDSBRON_CORPUS or ./corpus)."""
    targets = list(paths) or [settings.corpus]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        echo(f"failed: {path}: no such file or folder", err=True)
    bar = _Bar()
    try:
        report = api.build_index([p for p in targets if p.exists()], home=settings.home, model=settings.model,
                                 progress=bar, keep_others=add, rebuild=rebuild, workers=workers)
    except BeleidsbronError as exc:
        fail(str(exc))
    finally:
        bar.close()
    print_report(report)
    if missing or not report.ok:
        sys.exit(1)


def hit_json(hit: Hit) -> dict:
    return {"doc": hit.doc, "page": hit.page, "score": round(hit.score, 4), "text": hit.chunk.embed_text,
            "quote": hit.quote.text, "quote_start": hit.quote.start, "quote_end": hit.quote.end,
            "pages": [hit.chunk.page_start, hit.chunk.page_end], "title": hit.source.title,
            "citation": hit.citation}


def result_json(result: SearchResult, item_id: str | None = None) -> str:
    payload = {"id": item_id} if item_id is not None else {"query": result.query}
    payload |= {"mode": result.mode, "low_confidence": result.low_confidence,
                "hits": [hit_json(h) for h in result.hits]}
    if result.note:
        payload["note"] = result.note
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(payload, ensure_ascii=False))


def print_result(result: SearchResult, group: bool = False) -> None:
    if result.note:
        echo(f"({result.note})")
    if result.low_confidence and result.hits:
        echo("Low confidence: no passage seems to answer this question for certain; these come closest.")
    if not result.hits:
        echo("No passage found.")
    hits = sorted(result.hits, key=lambda h: h.doc) if group else result.hits
    shown_doc = None
    for rank, hit in enumerate(hits, start=1):
        if group and hit.doc != shown_doc:
            echo(f"== {hit.source.title} ({hit.doc})")
            shown_doc = hit.doc
        echo(f"{rank}. {hit.source.title} — p. {hit.page}  (score {hit.score:.3f})")
        echo(f"   “{' '.join(hit.quote.text.split())}”")
        echo(f"   {hit.citation}\n")


def open_searcher(settings: Settings) -> Searcher:
    try:
        return api.open(settings.home, settings.model, settings.reranker)
    except BeleidsbronError as exc:
        fail(str(exc))


def _batch_lines(path: str) -> Iterator[bytes]:
    """The lines of a batch file, read as they come (stdin may be a pipe); a device is refused, and a line
    longer than MAX_BATCH_LINE comes as that many bytes plus one, its rest skipped."""
    if path == "-":
        stream = sys.stdin.buffer
    else:
        try:
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISFIFO(mode):
                fail(f"{path}: not a file or a pipe; give a JSONL file")
            stream = open(path, "rb")  # closed by the `with` below
        except OSError as exc:
            fail(f"{path}: cannot read ({exc.strerror})")
    with stream:
        while line := stream.readline(MAX_BATCH_LINE + 1):
            if len(line) > MAX_BATCH_LINE and not line.endswith(b"\n"):
                while (rest := stream.readline(MAX_BATCH_LINE)) and not rest.endswith(b"\n"):
                    pass
            yield line


def _query_item(line: bytes, number: int) -> dict:
    """{id, query} from one batch line; ValueError with the reason on one line."""
    if len(line) > MAX_BATCH_LINE:
        raise ValueError(f"longer than {MAX_BATCH_LINE:,} bytes")
    try:
        item = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except RecursionError:  # the decoder recurses per nesting level: 1,000 `[` are too deep
        raise ValueError("not JSON (nested too deeply)") from None
    except json.JSONDecodeError:
        raise ValueError("not JSON") from None
    if not isinstance(item, dict) or not isinstance(item.get("query"), str):
        raise ValueError("not a query item (needs a string field 'query')")
    return {"id": str(item.get("id", number)), "query": item["query"]}


def read_batch(path: str) -> Iterator[tuple[int, dict]]:
    """(line number, query item) of a JSONL file, as they are read; a bad line is reported on one line
    and skipped, so each line fails alone."""
    for number, line in enumerate(_batch_lines(path), start=1):
        if not line.strip():
            continue
        try:
            yield number, _query_item(line, number)
        except ValueError as exc:
            echo(f"failed: {path} line {number}: {exc}", err=True)


@main.command()
@click.argument("query", required=False)
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 100), help="Number of results.")
@click.option("--mode", type=click.Choice(MODES), default="rerank", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query.")
@click.option("--batch", type=click.Path(allow_dash=True), help="JSONL file of queries ({id, query}); - for stdin.")
@click.option("--doc", "docs", multiple=True, help="Only this document (file name); repeatable.")
@click.option("--publisher", "publishers", multiple=True, help="Only this publisher; repeatable.")
@click.option("--year", "years", multiple=True, type=int, help="Only this year; repeatable.")
@click.option("--kind", "kinds", multiple=True, help="Only this kind of document; repeatable.")
@click.option("--group", is_flag=True, help="Group the results per document.")
@click.pass_obj
def search(settings: Settings, query: str | None, k: int, mode: str, as_json: bool, batch: str | None,
           docs: tuple[str, ...], publishers: tuple[str, ...], years: tuple[int, ...], kinds: tuple[str, ...],
           group: bool) -> None:
    """Search the indexed documents for QUERY; each hit comes with a verbatim quote and citation."""
    if (query is None) == (batch is None):
        fail("give a QUERY or --batch FILE, not both or neither")
    searcher = open_searcher(settings)
    filters = Filters(docs=frozenset(docs), publishers=frozenset(publishers), years=frozenset(years),
                      kinds=frozenset(kinds))
    if batch is not None:
        for number, item in read_batch(batch):
            try:
                result = searcher.search(item["query"], k=k, mode=mode, filters=filters)
            except Exception as exc:  # one query's failure must not lose the others' output
                echo(f"failed: {batch} line {number}: {exc.__class__.__name__}: {' '.join(str(exc).split())}",
                     err=True)
                continue
            echo(result_json(result, item["id"]))
        return
    result = searcher.search(query, k=k, mode=mode, filters=filters)
    if as_json:
        echo(result_json(result))
    else:
        print_result(result, group)


@main.command()
@click.pass_obj
def info(settings: Settings) -> None:
    """What the index holds: documents, pages, empty pages, chunks, model."""
    from beleidsbron.index.manifest import UPLOAD, Manifest

    directory = DataHome(settings.home).current()
    if directory is None:
        fail(f"no index in {settings.home}; build it with: beleidsbron ingest")
    try:
        manifest = Manifest.read(directory)
    except BeleidsbronError as exc:
        fail(str(exc))
    for doc in manifest.documents:
        empty = f", no text layer on p. {', '.join(map(str, doc.empty_pages))}" if doc.empty_pages else ""
        origin = f"upload, added {doc.added_at}" if doc.origin == UPLOAD and doc.added_at else doc.origin
        echo(f"{doc.file}: {doc.pages} pages, {doc.chunks} chunks{empty}; {origin} — {doc.title}")
    pages = sum(d.pages for d in manifest.documents)
    empty = sum(len(d.empty_pages) for d in manifest.documents)
    echo(f"{len(manifest.documents)} documents, {pages} pages ({empty} without text layer), "
               f"{manifest.chunks} chunks; model {manifest.model_id} ({manifest.dimension}-d), "
               f"index {manifest.vector_index}, built {manifest.built_at}")


# what .streamlit/config.toml says, as flags, so that an installed wheel behaves alike from any folder
APP_FLAGS = ("--server.headless", "true", "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
             "--client.showErrorDetails", "none", "--client.showErrorLinks", "false",
             "--browser.gatherUsageStats", "false")


@main.command()
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 serves everyone who can reach this machine.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
def app(settings: Settings, address: str, port: int) -> None:
    """Start the app (Streamlit) on ADDRESS:PORT, over the index in the data directory."""
    import os
    import subprocess
    from importlib.resources import files

    script = files("beleidsbron") / "app.py"
    env = {**os.environ, "BELEIDSBRON_HOME": str(settings.home.resolve()),
           "BELEIDSBRON_CORPUS": str(settings.corpus.resolve()), "BELEIDSBRON_REPORTS": str(settings.reports.resolve())}
    for name, value in (("BELEIDSBRON_MODEL", settings.model), ("BELEIDSBRON_RERANKER", settings.reranker)):
        if value:
            env[name] = value
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", address,
               "--server.port", str(port), *APP_FLAGS]
    sys.exit(subprocess.call(command, env=env))


main.add_command(eval_command)
main.add_command(bench_command)

if __name__ == "__main__":
    main()
