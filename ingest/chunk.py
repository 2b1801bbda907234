"""Document → chunks, with langchain-text-splitters. The only module that imports it.

The splitter runs over the whole document text (pages joined by PAGE_BREAK), so a
passage may run on across a page break; every chunk is then mapped back to its
first and last page and to offsets into those pages' cleaned text.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.records import PAGE_BREAK, Chunk, Document

# Sentence-aware separators for Dutch text, coarsest first. Breaks and sentence ends are one
# level, so a heading joins the sentences after it and a passage may cross a page break.
SEPARATORS = [
    r"[\n\f]|(?<=[.!?…])[”’\"]?\s+(?=[“‘\"(]?[A-ZÀ-Ý0-9])",  # line and page breaks, sentence ends
    r"(?<=[;:])\s+",  # clauses
    r"(?<=,)\s+",
    r"\s+",  # words
    "",
]


@dataclass(frozen=True)
class ChunkSettings:
    size: int = 900
    overlap: int = 150

    def __post_init__(self) -> None:
        if self.size < 50:
            raise ValueError(f"chunk size must be at least 50 characters, got {self.size}")
        if not 0 <= self.overlap < self.size // 2:
            raise ValueError(f"chunk overlap must be between 0 and half the size ({self.size // 2}), "
                             f"got {self.overlap}")


def chunk_id(doc_sha256: str, start: int, text: str) -> str:
    """Stable id from content: the document's hash, the offset and the text."""
    return hashlib.sha256(f"{doc_sha256}:{start}:{text}".encode()).hexdigest()[:20]


class Chunker:
    def __init__(self, settings: ChunkSettings = ChunkSettings()) -> None:
        self.settings = settings
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=settings.size, chunk_overlap=settings.overlap, separators=SEPARATORS,
            is_separator_regex=True, keep_separator="end", add_start_index=True, strip_whitespace=True,
        )

    def split(self, doc: Document) -> list[Chunk]:
        text, starts = doc.text, doc.page_starts
        chunks = []
        for part in self._splitter.create_documents([text]):
            body, begin = part.page_content.strip(PAGE_BREAK + " \n"), part.metadata["start_index"]
            if not body.strip():
                continue
            begin = text.index(body, begin)
            end = begin + len(body)
            first, last = bisect.bisect_right(starts, begin) - 1, bisect.bisect_right(starts, end - 1) - 1
            chunks.append(Chunk(
                id=chunk_id(doc.sha256, begin, body), doc=doc.file, text=body,
                page_start=doc.pages[first].number, page_end=doc.pages[last].number,
                start=begin - starts[first], end=end - starts[last], doc_sha256=doc.sha256,
            ))
        return chunks
