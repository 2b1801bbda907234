"""Find a quote (cleaned text) in a page's raw character stream. Pure functions.

The quote comes from cleaned text: dehyphenated, ligatures split, whitespace
collapsed. The PDF's text layer has none of that. Both sides are therefore
reduced to their letters and digits, case-folded and NFKC-normalised, keeping for
each kept character the index of the raw character it came from. A match on
those reduced strings maps straight back to raw character indices, whose boxes
can then be drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_BLOCK = 12  # a fuzzy match block shorter than this (in letters) is ignored
MIN_COVERAGE = 0.6  # a fuzzy match must cover this share of the quote's letters
# the fuzzy match is quadratic in the worst case: on a page with more letters than this (a dense
# A4 page has about 4,000) only an exact match is looked for
FUZZY_MAX = 30_000


@dataclass(frozen=True)
class Reduced:
    """Letters and digits of a text, and for each the index of its source character."""

    text: str
    origin: tuple[int, ...]


def reduce(chars: Sequence[str]) -> Reduced:
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(chars):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if c.isalnum():
                out.append(c)
                origin.append(index)
    return Reduced("".join(out), tuple(origin))


def _nearest(haystack: str, needle: str, near: int) -> int:
    """Start of the occurrence of needle in haystack closest to `near`, or -1."""
    best, pos = -1, haystack.find(needle)
    while pos >= 0:
        if best < 0 or abs(pos - near) < abs(best - near):
            best = pos
        pos = haystack.find(needle, pos + 1)
    return best


def locate(page_chars: Sequence[str], quote: str, before: str = "") -> list[int]:
    """Indices into `page_chars` of the characters that spell `quote`, in order; [] if not found.

    `before` is the cleaned page text that precedes the quote: when the quote occurs more
    than once on the page, the occurrence nearest that position is taken.
    """
    page, needle = reduce(page_chars), reduce(quote).text
    if not needle or not page.text:
        return []
    near = len(reduce(before).text)
    start = _nearest(page.text, needle, near)
    if start >= 0:
        return list(dict.fromkeys(page.origin[start:start + len(needle)]))
    return _fuzzy(page, needle) if len(page.text) <= FUZZY_MAX else []


def _fuzzy(page: Reduced, needle: str) -> list[int]:
    """The page's characters in long blocks shared with the quote (text order may differ)."""
    matcher = SequenceMatcher(None, page.text, needle, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= MIN_BLOCK]
    if sum(b.size for b in blocks) < MIN_COVERAGE * len(needle):
        return []
    picked = [page.origin[i] for b in blocks for i in range(b.a, b.a + b.size)]
    return list(dict.fromkeys(picked))
