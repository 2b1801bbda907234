"""One index generation on disk, opened and checked: the one place that decides whether its files can be used.

Search opens all of it and refuses a damaged one (`open_generation`, then the first stage's indexes through
Searcher._first_stage, which an engine backend replaces). Ingestion opens the same parts for reuse and, where
one is damaged, keeps what is sound and writes the rest again (index/build.py). Both treat the same exceptions
as damage (`DAMAGED`) and check the same counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from beleidsbron.index.acronyms import Acronyms
from beleidsbron.index.home import DataHome
from beleidsbron.index.lexical import LexicalIndex
from beleidsbron.index.manifest import REBUILD_HINT, Manifest, UnusableIndexError
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.tokens import TokenIndex
from beleidsbron.index.vectors import NpyRows, VectorIndex
from beleidsbron.index.writer import SENTENCE_TOKENS, SENTENCE_VECTORS, load_acronyms
from beleidsbron.ingest.embed import Embedder

# what reading a damaged index file raises: numpy (EOFError on an empty .npy, ValueError), faiss (RuntimeError),
# SQLite (DatabaseError), a missing file (OSError), a missing key in JSON (KeyError), and the checks here
DAMAGED = (UnusableIndexError, OSError, EOFError, ValueError, KeyError, RuntimeError, sqlite3.DatabaseError)


@dataclass(frozen=True)
class Passages:
    """The chunk store and the sentence vectors, their counts checked against the manifest."""

    store: ChunkStore
    sentence_vectors: NpyRows  # read by rows, not mapped: a map's pages stay resident (~14 GB at 1M passages)


@dataclass(frozen=True)
class Generation:
    """What a searcher reads from one generation besides the first stage's indexes, opened and checked."""

    directory: Path
    manifest: Manifest
    store: ChunkStore
    sentence_vectors: NpyRows
    acronyms: Acronyms
    tokens: TokenIndex | None  # the passages' token vectors; None in an index without them
    sentence_tokens: TokenIndex | None


@contextmanager
def reading(directory: Path) -> Iterator[None]:
    """Turns damage met while reading the generation into UnusableIndexError naming the directory and the damage."""
    try:
        yield
    except UnusableIndexError:
        raise
    except DAMAGED as exc:
        raise UnusableIndexError(f"{directory}: damaged index ({exc.__class__.__name__}: {exc}); "
                                 f"{REBUILD_HINT}") from exc


def current_directory(home: DataHome) -> Path:
    directory = home.current()
    if directory is None:
        raise UnusableIndexError(f"no index in {home.root}; build it with: beleidsbron ingest")
    return directory


def read_manifest(directory: Path, embedder: Embedder) -> Manifest:
    """The manifest, refused when the index was built with another model or other weights."""
    manifest = Manifest.read(directory)
    manifest.check_model(embedder.model_id, embedder.fingerprint)
    return manifest


def _disagree(directory: Path, what: str, counts: tuple[int, ...]) -> UnusableIndexError:
    return UnusableIndexError(f"{directory}: {what} disagree ({' / '.join(map(str, counts))}); {REBUILD_HINT}")


def open_passages(directory: Path, manifest: Manifest) -> Passages:
    store = ChunkStore.open(directory)
    sentence_vectors = NpyRows(directory / SENTENCE_VECTORS)
    if store.count() != manifest.chunks:
        raise _disagree(directory, "passages in chunk store and manifest", (store.count(), manifest.chunks))
    sentences = (store.sentence_count(), len(sentence_vectors), manifest.sentences)
    if len(set(sentences)) != 1:
        raise _disagree(directory, "sentences in chunk store, sentence vectors and manifest", sentences)
    return Passages(store, sentence_vectors)


def open_vectors(directory: Path, manifest: Manifest) -> VectorIndex:
    vectors = VectorIndex.load(directory, manifest.vector_index)
    if len(vectors) != manifest.chunks:
        raise _disagree(directory, "passages in vector index and manifest", (len(vectors), manifest.chunks))
    return vectors


def open_lexical(directory: Path, manifest: Manifest) -> LexicalIndex:
    return LexicalIndex.load(directory, manifest.chunks)  # refuses another count itself


def open_tokens(directory: Path, manifest: Manifest) -> tuple[TokenIndex, TokenIndex] | None:
    """The token vectors of passages and sentences, or None where the manifest says the index has none."""
    if not manifest.token_vectors:
        return None
    tokens, sentence_tokens = TokenIndex.load(directory), TokenIndex.load(directory / SENTENCE_TOKENS)
    counts = (len(tokens), manifest.chunks, len(sentence_tokens), manifest.sentences)
    if counts[0] != counts[1] or counts[2] != counts[3]:
        raise _disagree(directory, "token vectors (passages, sentences) and manifest", counts)
    return tokens, sentence_tokens


def open_generation(directory: Path, embedder: Embedder) -> Generation:
    """A generation for search; UnusableIndexError naming the directory and the damage if it cannot be used."""
    manifest = read_manifest(directory, embedder)
    if embedder.dimension != manifest.dimension:
        raise UnusableIndexError(f"{directory}: index vectors have {manifest.dimension} dimensions, the model "
                          f"{embedder.dimension}; {REBUILD_HINT}")
    with reading(directory):
        passages = open_passages(directory, manifest)
        acronyms = load_acronyms(directory)
        tokens = open_tokens(directory, manifest)
    return Generation(directory, manifest, passages.store, passages.sentence_vectors, acronyms,
                      *(tokens or (None, None)))
