"""Query → hits. Loads one index generation and answers queries against it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.home import DataHome
from index.manifest import REBUILD_HINT, IndexError_, Manifest
from index.records import MODES, Hit, Quote, SearchResult
from index.store import ChunkStore
from index.vectors import VectorIndex
from ingest.embed import Embedder

MAX_QUERY_CHARS = 1000  # longer queries are cut here, and the result says so


@dataclass(frozen=True)
class Filters:
    docs: frozenset[str] = frozenset()
    publishers: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()


class Searcher:
    def __init__(self, directory: Path, manifest: Manifest, store: ChunkStore, vectors: VectorIndex,
                 embedder: Embedder) -> None:
        self.directory = directory
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.sources = store.sources()

    @classmethod
    def open(cls, home: DataHome, embedder: Embedder) -> Searcher:
        directory = home.current()
        if directory is None:
            raise IndexError_(f"no index in {home.root}; build it with: beleidsbron ingest")
        manifest = Manifest.read(directory)
        manifest.check_model(embedder.model_id)
        try:
            store = ChunkStore.open(directory)
            vectors = VectorIndex.load(directory)
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexError_(f"{directory}: damaged index ({exc}); {REBUILD_HINT}") from exc
        if not (store.count() == len(vectors) == manifest.chunks):
            raise IndexError_(f"{directory}: chunk store ({store.count()}) and vectors ({len(vectors)}) "
                              f"disagree; {REBUILD_HINT}")
        return cls(directory, manifest, store, vectors, embedder)

    def search(self, query: str, k: int = 10, mode: str = "semantic",
               filters: Filters = Filters()) -> SearchResult:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        text, note = " ".join(query.split()), ""
        if len(text) > MAX_QUERY_CHARS:
            text, note = text[:MAX_QUERY_CHARS], f"query shortened to {MAX_QUERY_CHARS} characters"
        if not any(ch.isalnum() for ch in text):
            return SearchResult(query=query, mode=mode, hits=(), note=note or "empty query")
        vector = self.embedder.embed_queries([text])
        scores, rows = self.vectors.search(vector, len(self.vectors))
        hits = []
        for score, row in zip(scores[0], rows[0]):
            if row < 0:
                continue
            chunk = self.store.chunks([int(row)])[0]
            source = self.sources[chunk.doc]
            if not _passes(filters, source):
                continue
            quote = Quote(chunk.text, chunk.page_start, chunk.start, chunk.start + len(chunk.text))
            hits.append(Hit(chunk=chunk, source=source, score=float(score), quote=quote))
            if len(hits) == k:
                break
        return SearchResult(query=query, mode=mode, hits=tuple(hits), note=note)


def _passes(filters: Filters, source) -> bool:
    return ((not filters.docs or source.file in filters.docs)
            and (not filters.publishers or source.publisher in filters.publishers)
            and (not filters.years or source.year in filters.years)
            and (not filters.kinds or source.kind in filters.kinds))
