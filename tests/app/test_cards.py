"""ui/cards.py: repeated quotes are shown once; grouping per document keeps the ranks."""

from __future__ import annotations

from beleidsbron.index.records import Hit, Quote
from beleidsbron.ingest.records import Chunk, Source
from beleidsbron.ui.cards import distinct, grouped


def hit(doc: str, page: int, start: int, chunk_start: int = 0) -> Hit:
    text = "x" * 100
    chunk = Chunk(f"{doc}-{chunk_start}", doc, text, page, page, chunk_start, chunk_start + 100)
    return Hit(chunk, Source(doc, doc.upper()), 1.0, Quote("x" * 10, page, start, start + 10))


def test_distinct_drops_a_later_hit_with_the_same_quote():
    a, b, c = hit("a.pdf", 1, 0), hit("a.pdf", 1, 0, chunk_start=50), hit("a.pdf", 2, 0)
    assert distinct([a, b, c]) == (a, c)
    assert distinct([]) == ()


def test_grouped_keeps_ranks_and_document_order():
    hits = [hit("b.pdf", 1, 0), hit("a.pdf", 1, 0), hit("b.pdf", 2, 0)]
    groups = grouped(hits)
    assert list(groups) == ["b.pdf", "a.pdf"]
    assert [rank for rank, _ in groups["b.pdf"]] == [1, 3]
