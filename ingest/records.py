"""Typed records that flow through ingestion: Source → Page → Document → Chunk.

Every record is frozen and checks itself on construction, so a malformed value
fails where it is made, not three stages later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PAGE_BREAK = "\f"  # pages of a document's text are joined with a form feed


@dataclass(frozen=True)
class Source:
    """Bibliographic metadata of one publication (from corpus/sources.json or the PDF)."""

    file: str
    title: str
    publisher: str = ""
    year: int | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.file:
            raise ValueError("Source.file must be a non-empty file name")
        if self.year is not None and not 1000 <= self.year <= 9999:
            raise ValueError(f"Source.year must be a four-digit year or None, got {self.year!r}")


@dataclass(frozen=True)
class Page:
    """One PDF page: its 1-based number as in the PDF and its cleaned text."""

    number: int
    text: str
    has_text_layer: bool = True

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"Page.number is 1-based, got {self.number}")
        if PAGE_BREAK in self.text:
            raise ValueError("Page.text must not contain a form feed (the page separator)")


@dataclass(frozen=True)
class Document:
    """A whole publication: metadata, content hash and its pages in order."""

    source: Source
    sha256: str
    pages: tuple[Page, ...]

    def __post_init__(self) -> None:
        if len(self.sha256) != 64:
            raise ValueError("Document.sha256 must be a 64-character hex digest")
        numbers = [p.number for p in self.pages]
        if numbers != sorted(set(numbers)):
            raise ValueError("Document.pages must have strictly increasing page numbers")

    @property
    def file(self) -> str:
        return self.source.file

    @property
    def text(self) -> str:
        """The document text: cleaned pages joined with PAGE_BREAK."""
        return PAGE_BREAK.join(p.text for p in self.pages)

    @property
    def page_starts(self) -> tuple[int, ...]:
        """Offset of each page's first character in `text`."""
        starts, pos = [], 0
        for page in self.pages:
            starts.append(pos)
            pos += len(page.text) + len(PAGE_BREAK)
        return tuple(starts)

    @property
    def empty_pages(self) -> tuple[int, ...]:
        return tuple(p.number for p in self.pages if not p.has_text_layer)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with provenance.

    `start` is the offset into the cleaned text of `page_start`, `end` the
    (exclusive) offset into the cleaned text of `page_end`. When the chunk
    crosses pages, its text holds PAGE_BREAK where the pages meet.
    """

    id: str
    doc: str
    text: str
    page_start: int
    page_end: int
    start: int
    end: int
    doc_sha256: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("Chunk.text must not be empty")
        if self.page_end < self.page_start:
            raise ValueError("Chunk.page_end must not precede page_start")
        if self.start < 0 or self.end < 0:
            raise ValueError("Chunk offsets must be non-negative")
        if self.page_start == self.page_end and self.end - self.start != len(self.text):
            raise ValueError("Chunk offsets must span exactly its text")

    @property
    def embed_text(self) -> str:
        """The text handed to the embedder: page breaks read as spaces."""
        return self.text.replace(PAGE_BREAK, " ")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a page: page_text[start:end] == text."""

    doc: str
    page: int
    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if self.end - self.start != len(self.text) or not self.text.strip():
            raise ValueError("Sentence offsets must span exactly its non-empty text")


@dataclass(frozen=True, eq=False)
class TokenVectors:
    """A text's contextual token vectors, one unit-length row per token, with their vocabulary ids.
    The prompt, special tokens and punctuation are left out. Rows are float32, or int8 once
    quantised for the index (index/tokens.py)."""

    ids: np.ndarray  # int32, shape (n,)
    vectors: np.ndarray  # float32 or int8, shape (n, dimension)

    def __post_init__(self) -> None:
        if self.ids.ndim != 1 or self.vectors.ndim != 2 or len(self.ids) != len(self.vectors):
            raise ValueError(f"TokenVectors needs one id per vector row, got ids {self.ids.shape} "
                             f"and vectors {self.vectors.shape}")
        if self.vectors.dtype not in (np.float32, np.int8):
            raise ValueError(f"TokenVectors rows must be float32 or int8, got {self.vectors.dtype}")

    def __len__(self) -> int:
        return len(self.ids)
