"""Ingestion: PDF files → documents → chunks → vectors → a new index generation.

Incremental: a document whose bytes are unchanged keeps its pages, chunks and
vectors; a passage whose text is unchanged keeps its vector. Only new text is
embedded. A file that fails is reported and skipped; if an earlier version of
it is indexed, that version stays.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from index.home import DataHome
from index.manifest import DocumentEntry, IndexError_, Manifest
from index.store import ChunkStore
from index.vectors import VectorIndex
from ingest.chunk import Chunker, ChunkSettings
from ingest.embed import Embedder
from ingest.errors import DocumentError
from ingest.pdf import read_pdf_bytes, sha256_bytes
from ingest.records import Chunk, Document
from ingest.sources import MANIFEST_NAME, load_sources

EMBED_BATCH = 32


class Progress(Protocol):
    def pages(self, n: int) -> None: ...

    def chunks(self, n: int, total: int) -> None: ...


class _NoProgress:
    def pages(self, n: int) -> None:
        pass

    def chunks(self, n: int, total: int) -> None:
        pass


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # "new.pdf = indexed.pdf"
    failures: list[DocumentError] = field(default_factory=list)
    empty_pages: dict[str, tuple[int, ...]] = field(default_factory=dict)
    documents: int = 0
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def pdf_files(paths: Iterable[Path]) -> list[Path]:
    """PDF files named, or found (not recursively) in the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".pdf" and p.is_file()))
        else:
            files.append(path)
    return files


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Previous:
    """What the current index already holds, for reuse."""

    store: ChunkStore | None = None
    vectors: np.ndarray | None = None
    docs: dict[str, str] = field(default_factory=dict)  # file → sha256

    def vector_rows(self) -> dict[str, int]:
        if self.store is None:
            return {}
        return {_text_key(c.embed_text): row for row, c in self.store.iter_chunks()}


def _load_previous(home: DataHome, embedder: Embedder, settings: ChunkSettings) -> _Previous:
    current = home.current()
    if current is None:
        return _Previous()
    try:
        manifest = Manifest.read(current)
        manifest.check_model(embedder.model_id, embedder.fingerprint)
        if (manifest.chunk_size, manifest.chunk_overlap) != (settings.size, settings.overlap):
            return _Previous()
        store = ChunkStore.open(current)
        vectors = np.asarray(VectorIndex.load(current).vectors)
    except (IndexError_, OSError, ValueError):
        return _Previous()  # nothing reusable: everything is embedded afresh
    return _Previous(store, vectors, {d.file: d.sha256 for d in manifest.documents})


class Ingestor:
    def __init__(self, home: DataHome, embedder: Embedder, settings: ChunkSettings = ChunkSettings(),
                 progress: Progress | None = None) -> None:
        self.home = home
        self.embedder = embedder
        self.chunker = Chunker(settings)
        self.settings = settings
        self.progress = progress or _NoProgress()

    def run(self, paths: list[Path], keep_others: bool = False, remove: Iterable[str] = (),
            rebuild: bool = False) -> IngestReport:
        """Index the PDFs under `paths`. Documents indexed before and not among them are
        removed, unless `keep_others`; `remove` names documents to drop in any case."""
        started = time.perf_counter()
        report = IngestReport()
        with self.home.ingest_lock():
            prev = _Previous() if rebuild else _load_previous(self.home, self.embedder, self.settings)
            docs = self._read(paths, prev, report)
            kept = [f for f in prev.docs if f not in docs and (keep_others or f in _failed(report))
                    and f not in set(remove)]
            for file in kept:
                docs[file] = prev.store.document(file)  # type: ignore[union-attr]
            report.removed = sorted(set(prev.docs) - set(docs))
            if report.added or report.updated or report.removed or prev.store is None:
                self._write(docs, prev, report)
            else:  # nothing changed: the current index stays as it is
                report.documents = len(docs)
                report.pages = sum(len(d.pages) for d in docs.values())
                report.chunks = prev.store.count()
        report.seconds = time.perf_counter() - started
        return report

    def _read(self, paths: list[Path], prev: _Previous, report: IngestReport) -> dict[str, Document]:
        sources: dict[Path, dict] = {}
        by_hash = {sha: file for file, sha in prev.docs.items()}
        docs: dict[str, Document] = {}
        for path in pdf_files(paths):
            folder = path.parent
            if folder not in sources:
                sources[folder] = load_sources(folder / MANIFEST_NAME)
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.failures.append(DocumentError(path.name, f"cannot read file ({exc.strerror})"))
                continue
            sha = sha256_bytes(data)
            twin = by_hash.get(sha) or next((f for f, d in docs.items() if d.sha256 == sha), None)
            if twin and twin != path.name:
                report.duplicates.append(f"{path.name} = {twin}")
                continue
            if prev.docs.get(path.name) == sha and prev.store is not None:
                docs[path.name] = prev.store.document(path.name)
                report.unchanged.append(path.name)
                continue
            try:
                doc = read_pdf_bytes(path.name, data, sources[folder].get(path.name))
            except DocumentError as exc:
                report.failures.append(exc)
                continue
            docs[path.name] = doc
            (report.updated if path.name in prev.docs else report.added).append(path.name)
            self.progress.pages(len(doc.pages))
        return docs

    def _write(self, docs: dict[str, Document], prev: _Previous, report: IngestReport) -> None:
        chunks_by_doc = {f: self._chunks(d, prev) for f, d in sorted(docs.items())}
        all_chunks = [c for cs in chunks_by_doc.values() for c in cs]
        vectors = self._vectors(all_chunks, prev, report)
        generation = self.home.new_generation()
        store = ChunkStore.create(generation)
        entries = []
        for file, chunks in chunks_by_doc.items():
            doc = docs[file]
            store.add(doc, chunks)
            entries.append(DocumentEntry(file=file, sha256=doc.sha256, title=doc.source.title,
                                         pages=len(doc.pages), empty_pages=list(doc.empty_pages),
                                         chunks=len(chunks)))
            if doc.empty_pages:
                report.empty_pages[file] = doc.empty_pages
        store.close()
        index = VectorIndex.build(vectors)
        index.save(generation)
        Manifest(model_id=self.embedder.model_id, dimension=self.embedder.dimension,
                 model_fingerprint=self.embedder.fingerprint, chunk_size=self.settings.size,
                 chunk_overlap=self.settings.overlap, vector_index=index.kind, documents=entries,
                 chunks=len(all_chunks), built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 ).write(generation)
        self.home.commit(generation)
        report.documents, report.chunks = len(docs), len(all_chunks)
        report.pages = sum(len(d.pages) for d in docs.values())

    def _chunks(self, doc: Document, prev: _Previous) -> list[Chunk]:
        if prev.store is not None and prev.docs.get(doc.file) == doc.sha256:
            return [c for _, c in prev.store.iter_chunks(doc.file)]
        return self.chunker.split(doc)

    def _vectors(self, chunks: list[Chunk], prev: _Previous, report: IngestReport) -> np.ndarray:
        dim = self.embedder.dimension
        out = np.zeros((len(chunks), dim), dtype=np.float32)
        known = prev.vector_rows() if prev.vectors is not None else {}
        todo = []
        for i, chunk in enumerate(chunks):
            row = known.get(_text_key(chunk.embed_text))
            if row is not None:
                out[i] = prev.vectors[row]  # type: ignore[index]
            else:
                todo.append(i)
        for begin in range(0, len(todo), EMBED_BATCH):
            batch = todo[begin:begin + EMBED_BATCH]
            out[batch] = self.embedder.embed_passages([chunks[i].embed_text for i in batch])
            self.progress.chunks(len(batch), len(todo))
        report.embedded = len(todo)
        return out


def _failed(report: IngestReport) -> set[str]:
    return {f.file for f in report.failures}
