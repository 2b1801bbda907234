"""Ingestion fanned out over a Dask cluster. The only module that imports dask.distributed.

The pipeline is index/build.py's Ingestor, unchanged in what it decides: which files are new,
changed, unchanged, duplicates or failed; which passages and sentences already have vectors; what
the new generation holds. Two of its steps run on the workers instead of in this process:
- reading a PDF, cleaning it, and splitting it into passages and sentences, one task per new or
  changed document (an unchanged one is not sent: it costs nothing). The worker reads it as a single
  machine does: the file's size capped, pypdf in a child process with the time and memory limits of
  ReadLimits (ingest/pdf_worker.py), so a hostile file costs a worker seconds, not its life;
- embedding, one task per batch of EMBED_BATCH texts that have no vector yet. Each worker loads the
  model once, from a factory given here (the model's files must be where the workers can read them).
The batches are the ones a single-machine ingest makes (the same texts in the same order), so the
vectors agree with a single-machine ingest to float rounding (the model pads a batch to its longest
text either way; only the CPU's summation order may differ).

A worker that dies takes its tasks along: the scheduler runs them again elsewhere, up to Dask's
`distributed.scheduler.allowed-failures` (3) times. A document given up on then is read once more on
its own (a death blames every task queued on the worker, not only the one that caused it); if that
still kills its worker it is reported as that document's failure (the rest is indexed, an indexed
earlier version stays). An embedding batch given up on is embedded here instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from distributed import Client, Future, LocalCluster, as_completed
from distributed.scheduler import KilledWorker

from beleidsbron.index.build import Ingestor, IngestReport, Progress, _Previous, pdf_files
from beleidsbron.index.home import DataHome
from beleidsbron.index.writer import DocumentParts
from beleidsbron.ingest.chunk import Chunker, ChunkSettings
from beleidsbron.ingest.embed import Embedder
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.pdf import ReadLimits, build_document, sha256_bytes
from beleidsbron.ingest.pdf_worker import shared_worker
from beleidsbron.ingest.records import Document, Source, TokenVectors
from beleidsbron.ingest.sources import MANIFEST_NAME, load_sources, read_regular

EmbedderFactory = Callable[[], Embedder]
Batch = tuple[np.ndarray, list[TokenVectors] | None]


@dataclass(frozen=True)
class Parsed:
    """What a worker made of one file: its parts, or why it could not be read."""

    file: str
    sha256: str
    parts: DocumentParts | None
    error: DocumentError | None
    notes: tuple[str, ...] = ()  # what the reading cut (a page or document over its cap)


def parse_document(path: str, source: Source | None, settings: ChunkSettings,
                   limits: ReadLimits = ReadLimits()) -> Parsed:
    """Runs on a worker: the file's bytes → document → passages, sentences and their ranges.
    The pipeline's own functions, as Ingestor._read, Ingestor._document and Ingestor._parts call them."""
    name = Path(path).name
    try:
        data = read_regular(Path(path), limits.file_bytes)
    except DocumentError as exc:
        return Parsed(name, "", None, exc)
    sha = sha256_bytes(data)
    try:
        extracted = shared_worker().extract(name, data, limits)
        doc = build_document(name, sha, extracted, source)
    except DocumentError as exc:
        return Parsed(name, sha, None, exc)
    except Exception as exc:  # as in Ingestor._read: an odd file must not abort the batch
        why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"
        return Parsed(name, sha, None, DocumentError(name, f"unexpected error while reading it ({why}); "
                                                           "please report"))
    split = Chunker(settings).split(doc)
    return Parsed(name, sha, DocumentParts(doc, split.chunks, split.sentences, split.ranges), None,
                  tuple(extracted.notes))


_worker_embedders: dict[int, Embedder] = {}  # per worker process: factory id → loaded model
_worker_lock = threading.Lock()


def embed_batch(factory: EmbedderFactory, key: int, texts: list[str], with_tokens: bool) -> Batch:
    """Runs on a worker: one batch through the worker's own copy of the model, loaded on first use."""
    with _worker_lock:
        embedder = _worker_embedders.get(key)
        if embedder is None:
            embedder = _worker_embedders[key] = factory()
    if with_tokens:
        vectors, tokens = embedder.embed_passages_with_tokens(texts)
        return np.asarray(vectors, np.float32), list(tokens)
    return np.asarray(embedder.embed_passages(texts), np.float32), None


class DistributedIngestor(Ingestor):
    """Ingestor whose reading, splitting and embedding run as tasks on a Dask cluster."""

    def __init__(self, home: DataHome, embedder: Embedder, client: Client, embedder_factory: EmbedderFactory,
                 settings: ChunkSettings = ChunkSettings(), progress: Progress | None = None,
                 parse: Callable[[str, Source | None, ChunkSettings, ReadLimits], Parsed] = parse_document,
                 limits: ReadLimits = ReadLimits()) -> None:
        super().__init__(home, embedder, settings, progress, limits)
        self.client = client
        self.factory = embedder_factory
        self.parse = parse  # the task that reads a file (a test passes one that kills its worker)
        self.parsed: dict[str, Parsed] = {}  # the files the last run sent to the workers

    # reading: all new and changed files at once, on the workers ---------------------
    def _read(self, paths: list[Path], prev: _Previous, report: IngestReport,
              keep_others: bool = False) -> dict[str, Document]:
        self.parsed = self._parse_all(pdf_files(paths), prev)
        return super()._read(paths, prev, report, keep_others)

    def _parse_all(self, files: list[Path], prev: _Previous) -> dict[str, Parsed]:
        sources: dict[Path, dict[str, Source]] = {}
        jobs = {}
        for path in files:
            try:
                sha = sha256_bytes(read_regular(path, self.limits.file_bytes))
            except DocumentError:
                continue  # Ingestor._read reports it
            if prev.docs.get(path.name) == sha and prev.store is not None:
                continue  # unchanged: costs nothing
            if path.parent not in sources:
                sources[path.parent] = load_sources(path.parent / MANIFEST_NAME)
            jobs[path.name] = (str(path.resolve()), sources[path.parent].get(path.name), sha)
        futures = {self._submit(name, *job): name for name, job in jobs.items()}
        parsed, killed = {}, []
        for future in as_completed(futures):
            try:
                parsed[futures[future]] = future.result()
            except KilledWorker:
                killed.append(futures[future])
        # A dying worker takes every task queued on it along, so the innocent are blamed with the guilty:
        # each is tried once more on its own, and only one that still kills its worker is reported.
        for name in sorted(killed):
            try:
                parsed[name] = self._submit(name, *jobs[name], alone=True).result()
            except KilledWorker:
                parsed[name] = Parsed(name, "", None, DocumentError(
                    name, "the worker reading it died each time it was tried; the file was not indexed"))
        return parsed

    def _submit(self, name: str, path: str, source: Source | None, sha: str, alone: bool = False) -> Future:
        key = f"parse-{name}-{sha[:12]}" + ("-alone" if alone else "")
        return self.client.submit(self.parse, path, source, self.settings, self.limits, pure=False, key=key)

    def _document(self, name: str, data: bytes, source: Source | None) -> Document:
        found = self.parsed.get(name)
        if found is None or (found.sha256 and found.sha256 != sha256_bytes(data)):
            return super()._document(name, data, source)  # not sent, or changed since: read it here
        if found.error is not None:
            raise found.error
        self._notes.extend(found.notes)
        return found.parts.doc  # type: ignore[union-attr]

    def _parts(self, doc: Document, prev: _Previous) -> DocumentParts:
        found = self.parsed.get(doc.file)
        if found is not None and found.parts is not None and found.parts.doc.sha256 == doc.sha256:
            return found.parts
        return super()._parts(doc, prev)

    # embedding: every batch a task --------------------------------------------------
    def _embed_batches(self, batches: list[list[str]], with_tokens: bool, kind: str) -> Iterator[Batch]:
        key = id(self.factory)
        warm_up = getattr(self.embedder, "warm_up", None)
        if batches and warm_up is not None:
            warm_up()  # a model converted on first use is converted once, here, not by every worker at once
        futures = [self.client.submit(embed_batch, self.factory, key, texts, with_tokens, pure=False)
                   for texts in batches]
        total = sum(len(b) for b in batches)
        for texts, future in zip(batches, futures):
            try:
                result = future.result()
            except KilledWorker:  # the batch killed every worker it met: embed it here
                result = next(super()._embed_batches([texts], with_tokens, kind))
            else:
                self.progress.embedded(kind, len(texts), total)
            yield result


@contextmanager
def local_cluster(workers: int = 2, threads: int = 1) -> Iterator[Client]:
    """A cluster of `workers` processes on this machine, on 127.0.0.1 only, stopped on leaving
    (also when the block raises). One model thread per worker: the workers share the cores."""
    cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True, host="127.0.0.1",
                           dashboard_address=None, env={"OMP_NUM_THREADS": str(threads),
                                                        "MKL_NUM_THREADS": str(threads)})
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Client]:
    """A client of the cluster at `scheduler` (e.g. tcp://10.0.0.5:8786), or of a new local one."""
    if scheduler is None:
        with local_cluster(workers) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def ingest_distributed(home: DataHome, embedder: Embedder, factory: EmbedderFactory, paths: Sequence[Path],
                       client: Client, settings: ChunkSettings = ChunkSettings(), **run: object) -> IngestReport:
    """One ingestion on the cluster behind `client`; `run`: Ingestor.run's keep_others, remove, rebuild."""
    return DistributedIngestor(home, embedder, client, factory, settings).run(list(paths), **run)
