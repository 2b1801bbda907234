"""Publish an index generation from the data directory to the engine, and make it the one served.

An ingestion writes and commits a generation in the data directory as always (index/build.py);
publishing then copies its searchable part into the engine (index/backends/postgres.py) and swaps
the engine's current generation in one transaction. The generation's own files stay where they are:
the second stage reads them for the engine's candidates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from beleidsbron.index.backends.postgres import PER_TERM, PgEngine, Published
from beleidsbron.index.lexical import LexicalIndex
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.vectors import EXACT_MAX, VECTORS_NPY


def publish(engine: PgEngine, directory: Path, exact_max: int = EXACT_MAX) -> Published:
    """Copy the generation at `directory` into the engine and make it current there. Above
    `exact_max` passages the engine builds an HNSW index, as the embedded index does."""
    manifest = Manifest.read(directory)
    store = ChunkStore.open(directory)
    try:
        files = sorted(store.sources())
        position = {file: i for i, file in enumerate(files)}
        chunk_docs = np.array([position[doc] for doc in store.chunk_docs()], dtype=np.int32)
    finally:
        store.close()
    vectors = np.load(directory / VECTORS_NPY, mmap_mode="r", allow_pickle=False)
    lexical = LexicalIndex.load(directory, manifest.chunks)
    if not len(chunk_docs) == len(vectors) == manifest.chunks:
        raise ValueError(f"{directory}: {len(chunk_docs)} passages in the store, {len(vectors)} vectors, "
                         f"{manifest.chunks} in the manifest")
    return engine.publish(directory.name, files, chunk_docs, vectors, lexical.passage_terms(),
                          lexical.term_postings(PER_TERM), exact_max)
