"""Typed records that come out of search: Hit → Quote, and the SearchResult around them."""

from __future__ import annotations

from dataclasses import dataclass

from beleidsbron.index.citation import citation
from beleidsbron.ingest.records import Chunk, Source

MODES = ("keyword", "semantic", "hybrid", "rerank")


@dataclass(frozen=True)
class Quote:
    """A verbatim piece of one page's cleaned text: page_text[start:end] == text."""

    text: str
    page: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError(f"Quote.page is 1-based, got {self.page}")
        if self.start < 0 or self.end < 0:  # page_text[-13:0] is '', never the quote
            raise ValueError(f"Quote.start and Quote.end must be non-negative, got {self.start}, {self.end}")
        if self.end - self.start != len(self.text):
            raise ValueError("Quote offsets must span exactly its text")


@dataclass(frozen=True)
class Hit:
    chunk: Chunk  # the passage shown: the one that ranked the hit, grown over a neighbour merged into it
    source: Source
    score: float
    quote: Quote
    # the indexed passages the hit covers: the one that ranked it (chunk.id), then a merged neighbour;
    # left empty, it is that one passage
    passages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.passages:
            object.__setattr__(self, "passages", (self.chunk.id,))
        if self.passages[0] != self.chunk.id or len(set(self.passages)) != len(self.passages):
            raise ValueError(f"Hit.passages must start with its chunk's id ({self.chunk.id}) and name each passage "
                             f"once, got {self.passages}")

    @property
    def doc(self) -> str:
        return self.chunk.doc

    @property
    def page(self) -> int:
        return self.quote.page

    @property
    def citation(self) -> str:
        return citation(self.source, self.page)


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: tuple[Hit, ...]  # empty only when nothing matched at all, never because the search doubts
    # True when no hit seems to answer the query for certain: the hits are the closest passages,
    # shown under a warning instead of hidden (a refusal hid right answers for 3% of questions)
    low_confidence: bool = False
    note: str = ""  # e.g. "query shortened to 1000 characters"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
