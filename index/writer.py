"""Write one complete index generation and swap it in.

Everything an index directory holds is written here: the chunk store, the chunk
vectors (+ FAISS), the sentence vectors, the token vectors of chunks and sentences, the BM25 index,
the acronym table and, last, the manifest. Only then does DataHome.commit make it current.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beleidsbron.index.acronyms import Acronyms
from beleidsbron.index.home import DataHome
from beleidsbron.index.lexical import LexicalIndex
from beleidsbron.index.manifest import CORPUS, TIME_FORMAT, DocumentEntry, Manifest
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.tokens import TokenIndex
from beleidsbron.index.vectors import VectorIndex
from beleidsbron.ingest.records import Chunk, Document, Sentence, TokenVectors

SENTENCE_VECTORS = "sentences.npy"
SENTENCE_TOKENS = "sentence_tokens"  # a folder: the sentences' token vectors, files as for the chunks
ACRONYMS = "acronyms.json"


@dataclass(frozen=True)
class DocumentParts:
    doc: Document
    chunks: list[Chunk]
    sentences: list[Sentence]
    ranges: list[tuple[int, int]]  # each chunk's sentences, as indices into `sentences`
    origin: str = CORPUS
    added_at: str = ""


@dataclass(frozen=True)
class ModelInfo:
    model_id: str
    dimension: int
    fingerprint: str
    chunk_size: int
    chunk_overlap: int


def write_index(home: DataHome, parts: list[DocumentParts], chunk_vectors: np.ndarray,
                sentence_vectors: np.ndarray, chunk_tokens: list[TokenVectors] | None,
                sentence_tokens: list[TokenVectors] | None, model: ModelInfo) -> Path:
    """`chunk_tokens`, `sentence_tokens`: token vectors of each chunk and sentence, or both None for an
    index without them (see index/tokens.py)."""
    generation = home.new_generation()
    store = ChunkStore.create(generation)
    for part in parts:
        store.add(part.doc, part.chunks, part.sentences, part.ranges)
    store.close()
    vectors = VectorIndex.build(chunk_vectors)
    vectors.save(generation)
    np.save(generation / SENTENCE_VECTORS, np.ascontiguousarray(sentence_vectors, dtype=np.float32),
            allow_pickle=False)
    if (chunk_tokens is None) != (sentence_tokens is None):
        raise ValueError("token vectors come for chunks and sentences both, or for neither")
    if chunk_tokens is not None and sentence_tokens is not None:
        if len(chunk_tokens) != len(chunk_vectors) or len(sentence_tokens) != len(sentence_vectors):
            raise ValueError(f"token vectors for {len(chunk_tokens)} chunks and {len(sentence_tokens)} sentences, "
                             f"vectors for {len(chunk_vectors)} and {len(sentence_vectors)}")
        TokenIndex.build(chunk_tokens).save(generation)
        (generation / SENTENCE_TOKENS).mkdir()
        TokenIndex.build(sentence_tokens).save(generation / SENTENCE_TOKENS)
    LexicalIndex.build([c.embed_text for p in parts for c in p.chunks]).save(generation)
    acronyms = Acronyms.from_corpus(page.text for p in parts for page in p.doc.pages)
    (generation / ACRONYMS).write_text(json.dumps(acronyms.table, ensure_ascii=False, indent=1), encoding="utf-8")
    entries = [DocumentEntry(file=p.doc.file, sha256=p.doc.sha256, title=p.doc.source.title,
                             pages=len(p.doc.pages), empty_pages=list(p.doc.empty_pages), chunks=len(p.chunks),
                             origin=p.origin, added_at=p.added_at)
               for p in parts]
    Manifest(model_id=model.model_id, dimension=model.dimension, model_fingerprint=model.fingerprint,
             chunk_size=model.chunk_size, chunk_overlap=model.chunk_overlap, vector_index=vectors.kind,
             documents=entries, chunks=len(chunk_vectors), sentences=len(sentence_vectors),
             token_vectors=chunk_tokens is not None,
             built_at=time.strftime(TIME_FORMAT, time.gmtime())).write(generation)
    return home.commit(generation)


def load_acronyms(directory: Path) -> Acronyms:
    table = json.loads((directory / ACRONYMS).read_text(encoding="utf-8"))
    return Acronyms({a: set(forms) for a, forms in table.items()})
