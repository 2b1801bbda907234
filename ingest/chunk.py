"""Document → chunks packed from whole sentences: the sentences of ingest/sentences.py, the same that quotes
are made of.

A chunk is a run of consecutive sentences of a document, at most `size` characters from the first one's
start to the last one's end (what lies between included: white space, a page break, so a passage may run on
across a page); the next chunk starts with the last whole sentences of this one that fit in `overlap`
characters. So every chunk's offsets and its range of sentences are exact by construction: nothing is
searched for or mapped back afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from beleidsbron.ingest.records import Chunk, Document, Sentence
from beleidsbron.ingest.sentences import page_sentences


@dataclass(frozen=True)
class ChunkSettings:
    """Passage length in characters. 1200 (about 300 e5 tokens, two paragraphs) ranked best on evals/
    (evals/README.md: 900, 600 and 1500 did worse)."""

    size: int = 1200
    overlap: int = 200

    def __post_init__(self) -> None:
        if self.size < 50:
            raise ValueError(f"chunk size must be at least 50 characters, got {self.size}")
        if not 0 <= self.overlap < self.size // 2:
            raise ValueError(f"chunk overlap must be between 0 and half the size ({self.size // 2}), "
                             f"got {self.overlap}")


@dataclass(frozen=True)
class Split:
    """A document's sentences, and its chunks with each chunk's [first, last) indices into `sentences`."""

    chunks: list[Chunk]
    sentences: list[Sentence]
    ranges: list[tuple[int, int]]

    def __post_init__(self) -> None:
        if len(self.chunks) != len(self.ranges):
            raise ValueError(f"Split needs one sentence range per chunk: {len(self.ranges)} for {len(self.chunks)}")


def chunk_id(doc_sha256: str, start: int, text: str) -> str:
    """Stable id from content: the document's hash, the offset and the text."""
    return hashlib.sha256(f"{doc_sha256}:{start}:{text}".encode()).hexdigest()[:20]


def pack(spans: Sequence[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    """[first, last) runs of consecutive spans (start, end; ascending, none longer than `size`), each at most
    `size` long from its first start to its last end; a run begins with the last spans of the one before
    that fit in `overlap`, as long as the run can still take a new span after them."""
    runs: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = first + 1
        while last < len(spans) and spans[last][1] - spans[first][0] <= size:
            last += 1
        runs.append((first, last))
        if last == len(spans):
            break
        following, end = last, spans[last - 1][1]
        for i in range(last - 1, first, -1):
            if end - spans[i][0] > overlap or spans[last][1] - spans[i][0] > size:
                break
            following = i
        first = following
    return runs


class Chunker:
    def __init__(self, settings: ChunkSettings = ChunkSettings()) -> None:
        self.settings = settings

    def split(self, doc: Document) -> Split:
        # no sentence is longer than a chunk: a longer one is cut (sentences.py says where)
        sentences = page_sentences(doc, max_chars=self.settings.size)
        text, page_start = doc.text, dict(zip((p.number for p in doc.pages), doc.page_starts))
        spans = [(page_start[s.page] + s.start, page_start[s.page] + s.end) for s in sentences]
        ranges = pack(spans, self.settings.size, self.settings.overlap)
        chunks = []
        for lo, hi in ranges:
            first, last = sentences[lo], sentences[hi - 1]
            begin, end = spans[lo][0], spans[hi - 1][1]
            body = text[begin:end]
            chunks.append(Chunk(id=chunk_id(doc.sha256, begin, body), doc=doc.file, text=body,
                                page_start=first.page, page_end=last.page, start=first.start, end=last.end,
                                doc_sha256=doc.sha256))
        return Split(chunks, sentences, ranges)
