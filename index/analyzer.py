"""Text → index terms for Dutch lexical search. The only module that imports PyStemmer.

Steps: NFKC + lower case; expand elided compounds (`zorg- en welzijnspartijen`
also yields `zorgpartijen`); split words into letters-and-digits tokens;
drop stopwords; split compounds against a vocabulary (`zorgverplaatsing` →
`zorgverplaatsing zorg verplaatsing`); stem with the Snowball Dutch stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

STOPWORDS = frozenset("""
aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens en er
ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar
me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te tegen toch toen
tot u uit uw van veel voor want waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder
zou welke waar wanneer hoeveel waarom wordt worden zijn wel the a an of to in on for and or is are what how does
do which who why when where with about by as be this that these those it its from at
""".split())
ELIDED = re.compile(r"\b(\w+)-\s+(en|of|tot)\s+(\w+)", re.IGNORECASE)
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
LINKS = ("s", "en", "e", "")  # Dutch linking sounds between compound parts: werkgevers|s|organisatie
MIN_PART = 4
MIN_COMPOUND = 8


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> list[str]:
    return TOKEN.findall(_fold(text))


class CompoundSplitter:
    """Splits a word into two parts that are both words of the vocabulary (recursively on the tail)."""

    def __init__(self, vocabulary: Counter[str] | dict[str, int]) -> None:
        self.vocab = {w: n for w, n in vocabulary.items() if len(w) >= MIN_PART}

    def split(self, word: str) -> list[str]:
        return list(self._split(word, depth=0))

    def _split(self, word: str, depth: int) -> tuple[str, ...]:
        if len(word) < MIN_COMPOUND or depth > 2:
            return ()
        best: tuple[float, tuple[str, ...]] | None = None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:i], word[i:]
            for link in LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[: len(head) - len(link)] if link else head
                if stem not in self.vocab or len(stem) < MIN_PART:
                    continue
                if tail in self.vocab:
                    parts: tuple[str, ...] = (stem, tail)
                else:
                    rest = self._split(tail, depth + 1)
                    if not rest:
                        continue
                    parts = (stem, *rest)
                score = min(self.vocab.get(p, 1) for p in parts) / len(parts)
                if best is None or score > best[0]:
                    best = (score, parts)
        return best[1] if best else ()


class Analyzer:
    def __init__(self, vocabulary: Counter[str] | dict[str, int] | None = None) -> None:
        self._stemmer = Stemmer.Stemmer("dutch")
        self.splitter = CompoundSplitter(vocabulary or {})
        self._stem = lru_cache(maxsize=200_000)(self._stemmer.stemWord)
        self._parts = lru_cache(maxsize=200_000)(self.splitter.split)

    def stem(self, word: str) -> str:
        """The Snowball Dutch stem of one folded word."""
        return self._stem(word)

    def expand_elisions(self, text: str) -> str:
        """`zorg- en welzijnspartijen` → adds `zorgpartijen`: the head takes the tail of the full compound."""
        extra = []
        for head, _conj, full in ELIDED.findall(_fold(text)):
            parts = self._parts(full)
            if parts:
                extra.append(head + parts[-1])
        return " ".join([text, *extra]) if extra else text

    def terms(self, text: str) -> list[str]:
        out = []
        for word in words(self.expand_elisions(text)):
            if word in STOPWORDS:
                continue
            out.append(self._stem(word))
            out.extend(self._stem(part) for part in self._parts(word) if part not in STOPWORDS)
        return out


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Word counts of a corpus: the compound splitter's dictionary."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in words(text) if not w.isdigit())
    return counts
