"""Hits as the app shows them: without repeated quotes, in one list or per document. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from beleidsbron.index.records import Hit


def quote_span(hit: Hit) -> tuple[str, int, int, int]:
    return hit.doc, hit.quote.page, hit.quote.start, hit.quote.end


def distinct(hits: Sequence[Hit]) -> tuple[Hit, ...]:
    """The hits, each quote once: a later hit with the very same quote as a better one is left out.

    (Two overlapping passages that cross a page break can yield the same quote.)
    """
    seen: set[tuple[str, int, int, int]] = set()
    out = []
    for hit in hits:
        if quote_span(hit) not in seen:
            seen.add(quote_span(hit))
            out.append(hit)
    return tuple(out)


def grouped(hits: Sequence[Hit]) -> dict[str, list[tuple[int, Hit]]]:
    """(rank, hit) per document, documents in the order of their best hit."""
    groups: dict[str, list[tuple[int, Hit]]] = {}
    for rank, hit in enumerate(hits, start=1):
        groups.setdefault(hit.doc, []).append((rank, hit))
    return groups
