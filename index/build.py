"""Ingestion: PDF files → documents → chunks and sentences → vectors → a new index generation.

Incremental: a document whose bytes are unchanged keeps its pages, chunks and
vectors; a passage whose text is unchanged keeps its vector. Only new text is
embedded, and a text met several times (within a run or a document) is embedded once. A file that
fails is reported and skipped; if an earlier version of it is indexed, that version stays.

Work is bounded for any input: PDFs are read in a worker process with a time limit (ingest/pdf_worker.py),
text is capped per page and per document (ingest/pdf.py ReadLimits) and passages per document
(MAX_DOC_PASSAGES); each cut is named in the report's warnings.

Every run also reads <data dir>/uploads/, so what the app uploaded stays indexed after a plain
`beleidsbron ingest`; each document records its origin (corpus or upload) in the manifest, and an
upload never replaces a corpus document of the same name.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from beleidsbron.index.generation import (
    DAMAGED,
    open_lexical,
    open_passages,
    open_tokens,
    open_vectors,
    read_manifest,
)
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import CORPUS, TIME_FORMAT, UPLOAD
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.tokens import MAX_PASSAGES, TokenIndex, quantize
from beleidsbron.index.writer import DocumentParts, ModelInfo, load_acronyms, write_index
from beleidsbron.ingest.chunk import Chunker, ChunkSettings
from beleidsbron.ingest.embed import Embedder
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.pdf import Extracted, ReadLimits, build_document, sha256_bytes
from beleidsbron.ingest.pdf_worker import shared_worker
from beleidsbron.ingest.records import Document, Source, TokenVectors
from beleidsbron.ingest.sources import MANIFEST_NAME, find_pdfs, load_sources, read_regular

EMBED_BATCH = 32
# passages kept per document: ~40x the bundled corpus's largest (113); a document cut at the 2,000,000
# characters of ReadLimits makes ~2,000 passages of the default size, so this binds for small chunk sizes
MAX_DOC_PASSAGES = 5_000
Reader = Callable[[str, bytes, ReadLimits], Extracted]  # name, bytes, limits → extracted text; DocumentError


class Progress(Protocol):
    def pages(self, n: int) -> None: ...

    def embedded(self, kind: str, n: int, total: int) -> None: ...


class _NoProgress:
    def pages(self, n: int) -> None:
        pass

    def embedded(self, kind: str, n: int, total: int) -> None:
        pass


@dataclass(frozen=True)
class Duplicate:
    """A file skipped because its bytes are those of another: one indexed, or met earlier in the same run."""

    file: str
    twin: str  # the file whose content it repeats


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    failures: list[DocumentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # indexed, but cut at a cap: "file: what was cut"
    skipped: list[str] = field(default_factory=list)  # folder entries that are not PDFs: "path: why"
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
    return find_pdfs(paths).files


def _now() -> str:
    return time.strftime(TIME_FORMAT, time.gmtime())


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Previous:
    """What the current index already holds, for reuse."""

    store: ChunkStore | None = None
    all_vectors: np.ndarray | None = None  # chunk vectors, then sentence vectors
    tokens: TokenIndex | None = None  # the chunks' token vectors, where the index has them
    sentence_tokens: TokenIndex | None = None  # the same for the sentences
    docs: dict[str, str] = field(default_factory=dict)  # file → sha256
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)  # file → (origin, added_at)
    intact: bool = True  # False: a file beside the store and vectors is damaged, so the index must be rewritten

    def vector_rows(self) -> dict[str, int]:
        """Text hash → row in `all_vectors`, for every passage and sentence already embedded."""
        if self.store is None:
            return {}
        rows = {_text_key(c.embed_text): row for row, c in self.store.iter_chunks()}
        offset = self.store.count()
        for file in self.docs:
            for row, sentence in self.store.iter_sentences(file):
                # a text that is also a chunk keeps the chunk's row: the same text under the same
                # prompt has the same vectors, and both kinds of row have token vectors to reuse
                rows.setdefault(_text_key(sentence.text), offset + row)
        return rows

    def token_vectors(self, row: int) -> TokenVectors | None:
        """The token vectors at a row of `all_vectors` (a chunk's, or a sentence's past the chunks),
        or None if the index has none. The same text has the same token vectors as either."""
        if self.tokens is None or self.sentence_tokens is None:
            return None
        chunks = len(self.tokens)  # one entry per chunk: _load_previous checked it
        return self.tokens.passage(row) if row < chunks else self.sentence_tokens.passage(row - chunks)


def _load_previous(home: DataHome, embedder: Embedder, settings: ChunkSettings) -> _Previous:
    """The current index, for reuse. A damaged one is not trusted: if its store and vectors
    agree they are reused and everything else is rewritten; otherwise all is embedded afresh."""
    current = home.current()
    if current is None:
        return _Previous()
    try:
        manifest = read_manifest(current, embedder)
        if (manifest.chunk_size, manifest.chunk_overlap) != (settings.size, settings.overlap):
            return _Previous()
        passages = open_passages(current, manifest)
        chunk_vectors = open_vectors(current, manifest).vectors
        vectors = np.concatenate([np.asarray(chunk_vectors), np.asarray(passages.sentence_vectors)])
    except DAMAGED:
        return _Previous()  # nothing reusable: everything is embedded afresh
    try:
        open_lexical(current, manifest)
        load_acronyms(current)
        intact = True
    except DAMAGED:
        intact = False
    tokens = sentence_tokens = None
    try:
        opened = open_tokens(current, manifest)
        if opened is not None:
            tokens, sentence_tokens = opened
        elif manifest.chunks <= MAX_PASSAGES:
            intact = False  # written before token vectors were kept: the next run adds them
    except DAMAGED:
        intact = False  # the token vectors are computed again
    return _Previous(passages.store, vectors, tokens, sentence_tokens, {d.file: d.sha256 for d in manifest.documents},
                     {d.file: (d.origin, d.added_at) for d in manifest.documents}, intact)


class Ingestor:
    def __init__(self, home: DataHome, embedder: Embedder, settings: ChunkSettings = ChunkSettings(),
                 progress: Progress | None = None, limits: ReadLimits = ReadLimits(),
                 reader: Reader | None = None) -> None:
        """`reader` extracts a PDF's text; by default in a worker process with the time limits of `limits`."""
        self.home = home
        self.embedder = embedder
        self.chunker = Chunker(settings)
        self.settings = settings
        self.progress = progress or _NoProgress()
        self.limits = limits
        self.reader = reader or shared_worker().extract
        # what one run learns besides the documents: file → (origin, added_at), and the cuts made reading
        self._origins: dict[str, tuple[str, str]] = {}
        self._notes: list[str] = []

    def run(self, paths: list[Path], keep_others: bool = False, remove: Iterable[str] = (),
            rebuild: bool = False) -> IngestReport:
        """Index the PDFs under `paths`, and those in the data directory's uploads folder. Documents
        indexed before and not among them are removed, unless `keep_others`; `remove` names documents
        to drop in any case."""
        started = time.perf_counter()
        report = IngestReport()
        with self.home.ingest_lock():
            prev = _Previous() if rebuild else _load_previous(self.home, self.embedder, self.settings)
            self._origins, self._notes = {}, []
            docs = self._read(paths, prev, report, keep_others)
            kept = [f for f in prev.docs if f not in docs and (keep_others or f in _failed(report))]
            for file in kept:
                docs[file] = prev.store.document(file)  # type: ignore[union-attr]
                self._origins[file] = prev.origins[file]
            for file in remove:
                docs.pop(file, None)
            report.removed = sorted(set(prev.docs) - set(docs))
            if report.added or report.updated or report.removed or prev.store is None or not prev.intact:
                self._write(docs, prev, report)
            else:  # nothing changed: the current index stays as it is
                report.documents = len(docs)
                report.pages = sum(len(d.pages) for d in docs.values())
                report.chunks = prev.store.count()
        report.seconds = time.perf_counter() - started
        return report

    def _origin(self, path: Path) -> str:
        uploads = self.home.uploads.resolve()
        return UPLOAD if uploads in path.resolve().parents else CORPUS

    def _files(self, paths: list[Path], report: IngestReport) -> list[Path]:
        """The files to read: those under `paths`, then the uploads not among them. Every entry that is
        not read is reported; two files of one name are not both read."""
        uploads = self.home.uploads
        named = [Path(p) for p in paths]
        extra = [uploads] if uploads.is_dir() and uploads.resolve() not in {p.resolve() for p in named} else []
        found = find_pdfs(named + extra)
        report.failures.extend(found.refused)
        report.skipped.extend(found.skipped)
        files: dict[str, Path] = {}
        for path in found.files:
            first = files.get(path.name)
            if first is None:
                files[path.name] = path
            elif self._origin(first) == UPLOAD and self._origin(path) == UPLOAD and path.parent == uploads:
                continue  # a new upload (from a staging folder) replaces the older one of its name
            elif self._origin(path) == UPLOAD and self._origin(first) == CORPUS:
                report.failures.append(DocumentError(path.name, f"an upload cannot replace the corpus document "
                                                                f"of that name ({first}); rename the upload"))
            else:
                report.failures.append(DocumentError(path.name, f"{path}: another file of that name is read "
                                                                f"({first}); not read, rename one of them"))
        return list(files.values())

    def _read(self, paths: list[Path], prev: _Previous, report: IngestReport,
              keep_others: bool = False) -> dict[str, Document]:
        """The documents read (or kept unchanged) from `paths` and the uploads; their origins go to
        self._origins, the cuts made to the report's warnings."""
        sources: dict[Path, dict] = {}
        by_hash = {sha: file for file, sha in prev.docs.items()}
        docs: dict[str, Document] = {}
        origins = self._origins
        files = self._files(paths, report)
        present = {p.name for p in files}
        for path in files:
            folder, origin = path.parent, self._origin(path)
            if folder not in sources:
                sources[folder] = load_sources(folder / MANIFEST_NAME)
            try:
                data = read_regular(path, self.limits.file_bytes)
            except DocumentError as exc:
                report.failures.append(exc)
                continue
            sha = sha256_bytes(data)
            if (origin == UPLOAD and keep_others and prev.origins.get(path.name, (UPLOAD,))[0] == CORPUS
                    and prev.docs[path.name] != sha):  # the corpus document stays; the upload must be renamed
                report.failures.append(DocumentError(path.name, "an upload cannot replace the corpus document "
                                                                "of that name; rename the upload"))
                continue
            twin = next((f for f, d in docs.items() if d.sha256 == sha), None) or by_hash.get(sha)
            renamed = twin in prev.docs and twin not in present and not keep_others
            if twin and twin != path.name and not renamed:
                report.duplicates.append(Duplicate(path.name, twin))
                continue
            if prev.docs.get(path.name) == sha and prev.store is not None:
                docs[path.name] = prev.store.document(path.name)
                origins[path.name] = (origin, prev.origins[path.name][1])
                report.unchanged.append(path.name)
                continue
            try:
                doc = self._document(path.name, data, sources[folder].get(path.name))
            except DocumentError as exc:
                report.failures.append(exc)
                continue
            except Exception as exc:  # a bug met on an odd file must not abort the whole batch
                why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"
                report.failures.append(DocumentError(path.name, f"unexpected error while reading it ({why}); "
                                                                "please report"))
                continue
            docs[path.name], origins[path.name] = doc, (origin, _now())
            (report.updated if path.name in prev.docs else report.added).append(path.name)
            self.progress.pages(len(doc.pages))
        report.warnings.extend(self._notes)
        return docs

    def _document(self, name: str, data: bytes, source: Source | None) -> Document:
        """A file's bytes → its document, read by `self.reader` within `self.limits`; any cut is noted
        (index/distributed.py takes the document from a cluster worker instead)."""
        extracted = self.reader(name, data, self.limits)
        self._notes.extend(extracted.notes)
        return build_document(name, sha256_bytes(data), extracted, source)

    def _write(self, docs: dict[str, Document], prev: _Previous, report: IngestReport) -> None:
        parts = []
        for file, doc in sorted(docs.items()):
            origin, added_at = self._origins.get(file, (CORPUS, ""))
            parts.append(replace(_capped(self._parts(doc, prev), report), origin=origin, added_at=added_at))
        known = prev.vector_rows()
        chunk_texts = [c.embed_text for p in parts for c in p.chunks]
        sentence_texts = [s.text for p in parts for s in p.sentences]
        with_tokens = len(chunk_texts) <= MAX_PASSAGES
        made: dict[str, tuple[np.ndarray, TokenVectors | None]] = {}  # text hash → what this run embedded
        chunk_vectors, chunk_tokens = self._vectors(chunk_texts, known, made, prev, report, "chunks", with_tokens)
        sentence_vectors, sentence_tokens = self._vectors(sentence_texts, known, made, prev, report, "sentences",
                                                          with_tokens)
        write_index(self.home, parts, chunk_vectors, sentence_vectors, chunk_tokens, sentence_tokens, ModelInfo(
            self.embedder.model_id, self.embedder.dimension, self.embedder.fingerprint,
            self.settings.size, self.settings.overlap))
        report.documents, report.chunks = len(parts), len(chunk_texts)
        report.pages = sum(len(p.doc.pages) for p in parts)
        report.empty_pages = {p.doc.file: p.doc.empty_pages for p in parts if p.doc.empty_pages}

    def _parts(self, doc: Document, prev: _Previous) -> DocumentParts:
        if prev.store is not None and prev.docs.get(doc.file) == doc.sha256:
            chunks = [c for _, c in prev.store.iter_chunks(doc.file)]
            sentences = [s for _, s in prev.store.iter_sentences(doc.file)]
            return DocumentParts(doc, chunks, sentences, prev.store.chunk_ranges(doc.file))
        split = self.chunker.split(doc)
        return DocumentParts(doc, split.chunks, split.sentences, split.ranges)

    def _vectors(self, texts: list[str], known: dict[str, int], made: dict[str, tuple[np.ndarray, TokenVectors | None]],
                 prev: _Previous, report: IngestReport, kind: str,
                 with_tokens: bool = False) -> tuple[np.ndarray, list[TokenVectors] | None]:
        """Vectors for the texts (and token vectors, if asked): taken from the previous index where the
        text is unchanged and the index holds what is asked, or from `made` (what this run embedded
        already); each other distinct text is embedded once and added to `made`."""
        out = np.zeros((len(texts), self.embedder.dimension), dtype=np.float32)
        tokens: list[TokenVectors | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}  # text hash → the positions that need it
        for i, text in enumerate(texts):
            key = _text_key(text)
            if key in made:
                out[i], tokens[i] = made[key]
                continue
            row = known.get(key)
            reused = prev.token_vectors(row) if row is not None and with_tokens else None
            if row is None or (with_tokens and reused is None):  # nothing, or no token vectors, to reuse
                todo.setdefault(key, []).append(i)
                continue
            out[i] = prev.all_vectors[row]  # type: ignore[index]
            tokens[i] = reused
        # texts of like length share a batch, so little of the model's work goes to padding
        # (in index order 36% more tokens were computed, padding: beleidsbron bench)
        order = sorted(todo, key=lambda key: len(texts[todo[key][0]]))
        batches = [order[begin:begin + EMBED_BATCH] for begin in range(0, len(order), EMBED_BATCH)]
        embedded = self._embed_batches([[texts[todo[key][0]] for key in keys] for keys in batches], with_tokens, kind)
        for keys, (vectors, found) in zip(batches, embedded):
            for n, key in enumerate(keys):
                # token vectors are kept quantised: a quarter of the memory
                token = TokenVectors(ids=found[n].ids, vectors=quantize(found[n].vectors)) if found else None
                made[key] = (vectors[n], token)
                for i in todo[key]:
                    out[i], tokens[i] = vectors[n], token
        report.embedded += len(order)
        return out, (tokens if with_tokens else None)  # type: ignore[return-value]

    def _embed_batches(self, batches: list[list[str]], with_tokens: bool, kind: str
                       ) -> Iterator[tuple[np.ndarray, list[TokenVectors] | None]]:
        """Each batch's vectors (and token vectors, if asked), in order; index/distributed.py fans them out."""
        total = sum(map(len, batches))
        for texts in batches:
            if with_tokens:
                yield self.embedder.embed_passages_with_tokens(texts)
            else:
                yield self.embedder.embed_passages(texts), None
            self.progress.embedded(kind, len(texts), total)


def _capped(part: DocumentParts, report: IngestReport) -> DocumentParts:
    """The document's first MAX_DOC_PASSAGES passages, and their sentences; the cut is reported."""
    if len(part.chunks) <= MAX_DOC_PASSAGES:
        return part
    doc, chunks, ranges = part.doc, part.chunks[:MAX_DOC_PASSAGES], part.ranges[:MAX_DOC_PASSAGES]
    report.warnings.append(f"{doc.file}: cut at {MAX_DOC_PASSAGES:,} passages (the cap per document); "
                           f"the text after p. {chunks[-1].page_end} is not searchable")
    return DocumentParts(doc, chunks, part.sentences[:ranges[-1][1]], ranges)


def _failed(report: IngestReport) -> set[str]:
    return {f.file for f in report.failures}
