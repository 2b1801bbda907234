"""What to suggest when the documents do not answer a question. No Streamlit.

The nearest passages of the same query, searched without abstention, give the
closest topics: their heading (the first line, when it reads as one) or their
opening words, with the document and page. The acronyms the index knows whose
long form shares a word with the query are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from beleidsbron.index.search import Filters
from beleidsbron.ui.highlight import flat, query_terms

HEADING_MAX = 80
OPENING_WORDS = 10


@dataclass(frozen=True)
class Topic:
    label: str
    title: str  # of the document
    page: int


def heading(passage: str) -> str:
    """The passage's heading, or its opening words."""
    first = passage.strip().split("\n", 1)[0].replace("\f", " ").strip()
    if first and len(first) <= HEADING_MAX and not first.endswith((".", "?", "!", ":", ";", ",")):
        return flat(first)
    words = flat(passage).split()
    return " ".join(words[:OPENING_WORDS]) + (" …" if len(words) > OPENING_WORDS else "")


def nearest_topics(searcher, query: str, filters: Filters = Filters(), n: int = 5) -> list[Topic]:
    result = searcher.search(query, k=n, mode="hybrid", filters=filters, abstain=False)
    topics: dict[str, Topic] = {}
    for hit in result.hits:
        label = heading(hit.chunk.text)
        topics.setdefault(label.lower(), Topic(label, hit.source.title, hit.page))
    return list(topics.values())


def glossary_topics(searcher, query: str, n: int = 5) -> list[str]:
    """`IZA — Integraal Zorgakkoord` for acronyms whose long form shares a word stem with the query."""
    table = getattr(getattr(searcher, "acronyms", None), "table", {}) or {}
    terms = query_terms(query)
    found = []
    for acronym, forms in sorted(table.items()):
        words = {w.lower() for form in forms for w in re.findall(r"\w+", form)} | {acronym.lower()}
        if any(w.startswith(t) for t in terms for w in words):
            found.append(f"{acronym} — {' / '.join(forms)}")
    return found[:n]
