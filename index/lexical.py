"""Terms → BM25 scores, with bm25s. The only module that imports bm25s.

Saved as a directory of plain files (bm25s writes .npy arrays without pickle and
JSON parameters); the analyzer's vocabulary, which the compound splitter needs
at query time, is saved beside it as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import bm25s
import numpy as np

from beleidsbron.index.analyzer import Analyzer, vocabulary

LEXICAL_DIR = "bm25"
VOCAB_FILE = "vocabulary.json"


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25, analyzer: Analyzer, size: int) -> None:
        self._retriever = retriever
        self.analyzer = analyzer
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        analyzer = Analyzer(vocabulary(texts))
        corpus = [analyzer.terms(t) or ["\u2205"] for t in texts]  # ∅ keeps an empty passage in place
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        if texts:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, analyzer, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (zeros where no term matches)."""
        terms = [t for t in self.analyzer.terms(query) if t in self._vocab]
        if not terms or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)

    @property
    def _vocab(self) -> dict[str, int]:
        # bm25s sets vocab_dict only when indexing: an index of no passages has none
        return getattr(self._retriever, "vocab_dict", None) or {}

    def coverage(self, query: str) -> float:
        """Share of the query's content words that occur in the corpus: low for a foreign-language query."""
        found = [w in self.analyzer.splitter.vocab or self.analyzer.terms(w)[:1] and
                 self.analyzer.terms(w)[0] in self._vocab for w in _content_words(query)]
        return sum(map(bool, found)) / len(found) if found else 0.0

    def passage_terms(self) -> Iterator[tuple[list[str], list[float]]]:
        """Each passage's terms and their BM25 weights, in row order. A passage's score for a query is
        the sum of its weights of the query's terms (what get_scores adds up), so an engine that
        stores these gives the same scores (index/backends/postgres.py)."""
        if not self.size:
            return
        matrix = self._retriever.scores  # bm25s's precomputed weights, one column per term
        indptr, rows, weights = (np.asarray(matrix[key]) for key in ("indptr", "indices", "data"))
        term_of = {i: term for term, i in self._vocab.items()}
        term_ids = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        order = np.argsort(rows, kind="stable")
        bounds = np.searchsorted(rows[order], np.arange(self.size + 1))
        for row in range(self.size):
            take = order[bounds[row]:bounds[row + 1]]
            yield [term_of[int(t)] for t in term_ids[take]], weights[take].tolist()

    def term_postings(self, limit: int) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Each term's `limit` best-weighted passages (rows, BM25 weights): an impact-ordered inverted
        index, cut at `limit`, for an engine's candidate search (index/backends/postgres.py)."""
        if not self.size:
            return
        matrix = self._retriever.scores
        indptr, rows, weights = (np.asarray(matrix[key]) for key in ("indptr", "indices", "data"))
        for term, i in self._vocab.items():
            if i >= len(indptr) - 1:
                continue  # bm25s's own entry for the empty token, which has no column
            found, weight = rows[indptr[i]:indptr[i + 1]], weights[indptr[i]:indptr[i + 1]]
            if len(found) > limit:
                top = np.argpartition(-weight, limit - 1)[:limit]
                found, weight = found[top], weight[top]
            yield term, found, weight

    def save(self, directory: Path) -> None:
        target = directory / LEXICAL_DIR
        target.mkdir(parents=True, exist_ok=True)
        if self.size:  # bm25s cannot save an index of nothing; an empty one is rebuilt on load
            self._retriever.save(str(target))
        (target / VOCAB_FILE).write_text(json.dumps(self.analyzer.splitter.vocab, ensure_ascii=False),
                                         encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        """Load a saved index of `size` passages; a missing, damaged or mismatched one raises ValueError."""
        target = directory / LEXICAL_DIR
        try:
            vocab = Counter(json.loads((target / VOCAB_FILE).read_text(encoding="utf-8")))
            retriever = bm25s.BM25.load(str(target), mmap=False) if size else bm25s.BM25()
            found = int(retriever.scores["num_docs"]) if size else 0
        except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # np.load raises EOFError on an empty .npy, which callers would not expect
            raise ValueError(f"{target}: unreadable BM25 index ({exc.__class__.__name__}: {exc})") from exc
        if found != size:
            raise ValueError(f"{target}: BM25 index holds {found} passages, expected {size}")
        return cls(retriever, Analyzer(vocab), size)


def load_analyzer(directory: Path) -> Analyzer:
    """The analyzer of a saved index (its vocabulary, for the compound splitter), without its BM25 matrix."""
    target = directory / LEXICAL_DIR
    try:
        return Analyzer(Counter(json.loads((target / VOCAB_FILE).read_text(encoding="utf-8"))))
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"{target / VOCAB_FILE}: unreadable ({exc.__class__.__name__}: {exc})") from exc


def _content_words(text: str) -> list[str]:
    from beleidsbron.index.analyzer import STOPWORDS, words

    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]
