"""Text → sentence spans, for Dutch (and English) policy prose. No model, no download.

A boundary is a line break, or a sentence-final mark (. ! ? …), possibly followed
by closing quotes or brackets, then white space and something that can open a
sentence (a capital, a digit, an opening quote or bracket, a bullet). A period
after a known abbreviation (o.a., bijv., d.w.z., …), an initial (J. Jansen) or
a list number (1. …) is not a boundary. Given `max_chars`, a longer sentence (a table or
a list without full stops) is cut at the last white space that keeps each piece within it.
These sentences are what chunks are packed from (ingest/chunk.py) and quotes are made of.
"""

from __future__ import annotations

import re

from beleidsbron.ingest.records import Document, Sentence

ABBREVIATIONS = frozenset("""
a.d.h.v afb al art bijv bv blz ca cf d.d d.m.v d.w.z dhr dr drs e.a e.d e.e.a e.g enz etc evt excl fig
i.c i.e i.o.m i.p.v i.s.m i.t.t i.v.m ibid incl ing ir jl jr m.a.w m.b.t m.b.v m.i.v m.n max mevr
min mr mw nl nr o.a o.b.v o.i.d o.l.v o.m p pag par prof resp sr t.a.v t.b.v t.g.v t.o.v t.w.v
vgl vs z.d z.g.a.n z.o z.s.m zgn zg zie
""".split())

# A bullet or dash may be followed by a space before the capital ('punten. • Eén'), as PDFs give it.
_END = re.compile(r"[.!?…]+[”’\"')\]]*(?=\s+(?:[“‘\"'(\[]|[•→▪\-–]\s*)?[A-ZÀ-Ý0-9])")


def _word_start(text: str, end: int) -> int:
    """Start of the run of non-space characters that ends at `end`.

    Scans back from `end` only, so the cost is the word's length; a regex search for
    `\\S+$` from the start of the text made a long page quadratic (minutes for 1 MB).
    """
    begin = end
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    return begin


def _is_boundary(text: str, end: int) -> bool:
    """Is the mark ending at `end` a sentence end (not an abbreviation, initial or list number)?"""
    begin = _word_start(text, end)
    if begin == end:
        return True
    word = text[begin:end].rstrip("”’\"')]").rstrip(".").lstrip("“‘\"'([").lower()
    if text[end - 1] != "." and not text[begin:end].rstrip("”’\"')]").endswith("."):
        return True  # ! ? …
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return not (word.isdigit() and len(word) <= 2)  # "1. Stop met praten": a list number


def sentence_spans(text: str, max_chars: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, stripped of surrounding white space; with `max_chars`,
    none longer than that."""
    if max_chars is not None and max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    cuts = {0, len(text)}
    for match in _END.finditer(text):
        if _is_boundary(text, match.end()):
            cuts.add(match.end())
    cuts.update(m.end() for m in re.finditer(r"\n", text))
    spans = []
    bounds = sorted(cuts)
    for begin, end in zip(bounds, bounds[1:]):
        segment = text[begin:end]
        left = len(segment) - len(segment.lstrip())
        right = len(segment.rstrip())
        if right > left:
            spans.extend(_pieces(text, begin + left, begin + right, max_chars))
    return spans


def _pieces(text: str, begin: int, end: int, max_chars: int | None) -> list[tuple[int, int]]:
    """The span begin:end (stripped), cut into pieces of at most max_chars at the last white space that
    fits (or at max_chars, if a piece has none); each piece stripped."""
    pieces = []
    while max_chars is not None and end - begin > max_chars:
        cut = begin + max_chars
        while cut > begin and not text[cut].isspace():
            cut -= 1
        if cut == begin:  # one word longer than max_chars
            cut = begin + max_chars
        stop = cut
        while text[stop - 1].isspace():
            stop -= 1
        pieces.append((begin, stop))
        begin = cut
        while text[begin].isspace():
            begin += 1
    pieces.append((begin, end))
    return pieces


def page_sentences(doc: Document, max_chars: int | None = None) -> list[Sentence]:
    """Every sentence of a document, page by page, in reading order; with `max_chars`, none longer."""
    return [Sentence(doc.file, page.number, a, b, page.text[a:b])
            for page in doc.pages for a, b in sentence_spans(page.text, max_chars)]
