"""Source + page → a citation in the usual Dutch policy style.

    IZA-partijen (2024). Mid-term review Integraal Zorgakkoord: Samen kom je verder, p. 12.

`z.d.` (zonder datum) stands in for an unknown year.
"""

from __future__ import annotations

from beleidsbron.ingest.records import Source


def citation(source: Source, page: int | None = None) -> str:
    title = source.title.strip().rstrip(".")
    author = source.publisher.strip() or title  # the title as author: same form, so it is not repeated
    year = str(source.year) if source.year else "z.d."
    where = f", p. {page}" if page else ""
    if author == title:
        return f"{title} ({year}){where}."
    return f"{author} ({year}). {title}{where}."


def quoted(text: str, source: Source, page: int) -> str:
    """A quote ready to paste into a memo: “…” (citation)."""
    return f"“{text}” ({citation(source, page)})"
