"""Ranked passages → the hits shown: each with a verbatim quote, one hit per stretch of text, and a passage
that touches one better hit merged into it.

Reads passages, sentences and page text from the chunk store; how well each sentence answers comes from
the caller (index/search.py), so nothing here needs a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from beleidsbron.index.manifest import REBUILD_HINT, UnusableIndexError
from beleidsbron.index.quotes import make_quote, quote_window
from beleidsbron.index.records import Hit
from beleidsbron.index.store import ChunkStore
from beleidsbron.ingest.records import PAGE_BREAK, Chunk, Source

Position = tuple[int, int]  # (page, offset into that page's cleaned text)


class HitMaker:
    def __init__(self, store: ChunkStore, sources: Mapping[str, Source], ranges: np.ndarray) -> None:
        self.store = store
        self.sources = sources
        self.ranges = ranges  # each passage's [first, last) sentence rows

    def hits(self, rows: np.ndarray, scores: np.ndarray, k: int,
             quote_scores: Callable[[int], np.ndarray]) -> list[Hit]:
        """Hits for passages in rank order, at most k. A passage that overlaps a better hit of the same
        document, or follows it with only white space between, is not a hit of its own. Once the hits are
        known, each such passage that touches one hit only is merged into it: the hit covers both and keeps
        the quote of the passage that ranked it. A hit merges at most one neighbour, and a passage that
        would join two hits joins neither, so hits never overlap and are at most two passages long
        (unbounded merging chained neighbours into hits of up to 6,000 characters).
        `quote_scores(row)`: how well each sentence of the passage at `row` answers the query."""
        hits: list[Hit] = []
        folded: list[Chunk] = []
        for row, score in zip(rows.tolist(), scores.tolist()):
            chunk = self.store.chunks([row])[0]
            if any(self.touches(h.chunk, chunk) for h in hits):
                folded.append(chunk)
                continue
            if len(hits) == k:
                break
            hit = self.hit(row, chunk, score, quote_scores(row))
            if any(h.doc == hit.doc and h.quote == hit.quote for h in hits):
                continue  # passages across a page break can pick the same quote: show it once
            hits.append(hit)
        for chunk in folded:  # in rank order
            near = [i for i, h in enumerate(hits) if self.touches(h.chunk, chunk)]
            if len(near) == 1 and len(hits[near[0]].passages) == 1:
                hit = hits[near[0]]
                hits[near[0]] = replace(hit, chunk=self.union(hit.chunk, chunk), passages=(hit.chunk.id, chunk.id))
        return hits

    def hit(self, row: int, chunk: Chunk, score: float, sentence_scores: np.ndarray) -> Hit:
        """The hit for one passage, quoting the window around its best sentence. The quote's sentences are
        the passage's own (chunks are packed from whole sentences), so the passage always holds it."""
        lo, hi = self.ranges[row]
        sentences = self.store.sentences(int(lo), int(hi))
        if not sentences:
            raise UnusableIndexError(f"passage {chunk.id} has no sentences; {REBUILD_HINT}")
        first, last = quote_window(sentences, sentence_scores)
        page_text = self.store.page_text(chunk.doc, sentences[first].page)
        quote = make_quote(page_text, sentences[first:last])
        return Hit(chunk=chunk, source=self.sources[chunk.doc], score=float(score), quote=quote)

    def touches(self, a: Chunk, b: Chunk) -> bool:
        """Same document, and the spans overlap or only white space (a page break too) lies between."""
        if a.doc != b.doc:
            return False
        first, second = sorted((a, b), key=lambda c: (c.page_start, c.start))
        if (second.page_start, second.start) <= (first.page_end, first.end):
            return True
        if second.page_start - first.page_end > 1:
            return False
        between = self.span(first.doc, (first.page_end, first.end), (second.page_start, second.start))
        return not between.strip()

    def span(self, doc: str, start: Position, end: Position) -> str:
        """The document text from `start` to `end`, pages joined as in a chunk."""
        pages = [self.store.page_text(doc, number) for number in range(start[0], end[0] + 1)]
        if len(pages) == 1:
            return pages[0][start[1]:end[1]]
        return PAGE_BREAK.join([pages[0][start[1]:], *pages[1:-1], pages[-1][:end[1]]])

    def union(self, ranked: Chunk, other: Chunk) -> Chunk:
        """One passage covering two touching passages of a document, under the id of the better ranked
        (the hit names both in Hit.passages)."""
        start = min((ranked.page_start, ranked.start), (other.page_start, other.start))
        end = max((ranked.page_end, ranked.end), (other.page_end, other.end))
        return replace(ranked, text=self.span(ranked.doc, start, end), page_start=start[0], start=start[1],
                       page_end=end[0], end=end[1])
