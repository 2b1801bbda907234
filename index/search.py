"""Query → hits → quotes: answers queries against one index generation.

First stage, by mode:
- keyword:  BM25 over Dutch-analysed passages (stems, compounds, acronyms expanded);
- semantic: cosine between the e5 query vector and the passage vectors;
- hybrid:   both, min-max normalised and combined; the lexical weight follows the
            share of query words the corpus knows, so an English question is not
            pulled down by chance Dutch word matches.
Second stage (rerank): the best hybrid candidates are scored again with five
signals, z-scored and summed: the passage vector, the passage's best sentence by
cosine, BM25, and late-interaction MaxSim over token vectors (index/tokens.py) of
the passage and of its best sentence. A configured cross-encoder replaces this stage.

The parts: index/generation.py opens and checks the generation, index/ranking.py
combines the scores, index/hits.py turns ranked passages into hits with quotes
(merging neighbours). A query that no hit seems to answer is flagged low-confidence,
its hits still returned (index/tokens.py has the signal).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from beleidsbron.index import confidence
from beleidsbron.index.generation import (
    Generation,
    current_directory,
    open_generation,
    open_lexical,
    open_vectors,
    reading,
)
from beleidsbron.index.hits import HitMaker
from beleidsbron.index.home import DataHome
from beleidsbron.index.lay_terms import LayTerms
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.ranking import (
    Channels,
    RerankSignals,
    Tuning,
    best_first,
    best_of_each,
    first_stage,
    pool,
    rerank,
    shortlist,
    spread,
    top_positive,
)
from beleidsbron.index.records import MODES, SearchResult
from beleidsbron.ingest.embed import DEFAULT_MODEL, Embedder
from beleidsbron.ingest.records import Source, TokenVectors

MAX_QUERY_CHARS = 1000  # longer queries are cut here, and the result says so
# When a result is low-confidence: index/confidence.py (the rule, its numbers and why).
DEFAULT_FLAG_BELOW = confidence.FLAG_BELOW


@dataclass(frozen=True)
class Filters:
    docs: frozenset[str] = frozenset()
    publishers: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()

    def admits(self, source: Source) -> bool:
        return ((not self.docs or source.file in self.docs)
                and (not self.publishers or source.publisher in self.publishers)
                and (not self.years or source.year in self.years)
                and (not self.kinds or source.kind in self.kinds))


class Reranker(Protocol):
    def score(self, query: str, passages: list[str]) -> np.ndarray: ...


class Searcher:
    def __init__(self, generation: Generation, embedder: Embedder, tuning: Tuning = Tuning(),
                 reranker: Reranker | None = None) -> None:
        self.directory = generation.directory
        self.manifest = generation.manifest
        self.embedder = embedder
        self.tuning = tuning
        self.reranker = reranker
        self.store = generation.store
        self._first_stage(generation.directory, generation.manifest)
        self.sentence_vectors = generation.sentence_vectors
        self.tokens = generation.tokens
        self.sentence_tokens = generation.sentence_tokens
        self.acronyms = generation.acronyms
        self.lay_terms = LayTerms.load()
        self.sources = self.store.sources()
        self.ranges = self.store.sentence_ranges()
        self._hit_maker = HitMaker(self.store, self.sources, self.ranges)
        self._files = sorted(self.sources)
        position = {file: i for i, file in enumerate(self._files)}
        self._doc_of_chunk = np.array([position[doc] for doc in self.store.chunk_docs()], dtype=np.int32)
        # queries seen lately: a query's token vectors take up to ~0.4 MB (1000 characters)
        self._encode_query = lru_cache(maxsize=64)(self._encode)
        # Both cores serve a search through BLAS's own threads: the query's encoder pass and the
        # MaxSim's products (index/tokens.py) are split by BLAS. No Python thread of ours competes with
        # BLAS threads that spin for work after a product (a query's attention stays on this thread).

    def _first_stage(self, directory: Path, manifest: Manifest) -> None:
        """The vector and BM25 indexes of the first stage (index/backends/ puts an engine's in their place)."""
        self.vectors = open_vectors(directory, manifest)
        self.lexical = open_lexical(directory, manifest)

    @classmethod
    def open(cls, home: DataHome, embedder: Embedder, tuning: Tuning = Tuning(),
             reranker: Reranker | None = None) -> Searcher:
        """The searcher over the current generation; UnusableIndexError if there is none or it cannot be used."""
        generation = open_generation(current_directory(home), embedder)
        with reading(generation.directory):
            return cls(generation, embedder, tuning, reranker)

    def _encode(self, text: str) -> tuple[np.ndarray, TokenVectors | None]:
        """The query's vector, and its token vectors when the index has passage token vectors."""
        if self.tokens is None:
            return self.embedder.embed_queries([text])[0], None
        vectors, tokens = self.embedder.embed_queries_with_tokens([text])
        return vectors[0], tokens[0]

    def _embed_query(self, text: str) -> np.ndarray:
        return self._encode_query(text)[0]

    # first stage ----------------------------------------------------------------
    def _mask(self, filters: Filters) -> np.ndarray | None:
        if filters == Filters():
            return None
        allowed = np.array([filters.admits(self.sources[f]) for f in self._files])
        return allowed[self._doc_of_chunk]

    def _candidates(self, text: str, mode: str, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Candidate rows and their first-stage scores (higher is better)."""
        channels = self._channels(text, mode, mask)
        coverage = self.lexical.coverage(text) if mode == "hybrid" and len(channels.rows) else 0.0
        return channels.rows, first_stage(channels, mode, coverage, self.tuning.lexical)

    def _lexical_query(self, text: str) -> str:
        """What BM25 searches for: the query's words, the long forms of its acronyms and the policy terms of
        its everyday words (index/lay_terms.py); the engine backend searches the same."""
        return " ".join([text, *self.acronyms.expansions(text), *self.lay_terms.expansions(text)])

    def _channels(self, text: str, mode: str, mask: np.ndarray | None) -> Channels:
        """The candidates of each channel the mode uses, pooled, with each channel's raw score."""
        n, depth = len(self.vectors), self.tuning.candidates
        candidates, lexical = [], None
        if mode != "semantic":
            lexical = self.lexical.scores(self._lexical_query(text))
            if mask is not None:
                lexical = np.where(mask, lexical, 0.0)
            candidates.append(top_positive(lexical, depth))
        if mode != "keyword":
            _, rows = self.vectors.search(self._embed_query(text), min(depth, n), allowed=mask)
            candidates.append(rows[0][rows[0] >= 0])
        rows = pool(candidates)
        dense = None
        if mode != "keyword" and len(rows):
            dense = np.asarray(self.vectors.vectors[rows]) @ self._embed_query(text)
        elif mode != "keyword":
            dense = np.zeros(0)
        return Channels(rows, dense, lexical[rows] if lexical is not None else None)

    # second stage ---------------------------------------------------------------
    def _sentence_scores(self, rows: np.ndarray, text: str) -> list[np.ndarray]:
        query = self._embed_query(text)
        return [np.asarray(self.sentence_vectors[lo:hi]) @ query for lo, hi in self.ranges[rows]]

    def _rerank(self, text: str, mask: np.ndarray | None,
                quotes: dict[int, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The best hybrid candidates, scored again by the second stage (ranking.rerank), or by a
        configured cross-encoder. `quotes` receives each candidate's sentence scores where the rerank
        computes them (the hits' quotes are chosen by the same scores)."""
        channels = self._channels(text, "hybrid", mask)
        if not len(channels.rows):
            return channels.rows, np.zeros(0)
        coverage = self.lexical.coverage(text)
        depth = self.tuning.rerank_depth if self.reranker is None else self.tuning.cross_encoder_depth
        keep = best_first(first_stage(channels, "hybrid", coverage, self.tuning.lexical))[:depth]
        rows = channels.rows[keep]
        if self.reranker is not None:
            passages = [c.embed_text for c in self.store.chunks(rows.tolist())]
            return rows, np.asarray(self.reranker.score(text, passages), dtype=np.float64)
        query = self._encode_query(text)[1]
        signals = RerankSignals(
            dense=channels.dense[keep], sentence=best_of_each(self._sentence_scores(rows, text)),  # type: ignore[index]
            lexical=channels.lexical[keep],  # type: ignore[index]
            tokens=self.tokens.maxsim(query, rows) if query is not None and self.tokens is not None else None)
        if query is not None and self.sentence_tokens is not None and self.tuning.sentence_tokens > 0:
            # the best sentence by token MaxSim (sentence frequencies for the IDF), for the shortlist only
            short = shortlist(rerank(signals, coverage, self.tuning), self.tuning.sentence_depth)
            spans = self.sentence_tokens.maxsim_spans(query, self.ranges[rows[short]].tolist())
            signals = replace(signals, sentence_tokens=spread(best_of_each(spans), short, len(rows)))
            if quotes is not None:
                quotes.update(zip(rows[short].tolist(), spans))
        return rows, rerank(signals, coverage, self.tuning)

    # search ---------------------------------------------------------------------
    def search(self, query: str, k: int = 10, mode: str = "rerank", filters: Filters = Filters()) -> SearchResult:
        """The k best hits for the query, each with its quote. The hits are always returned; when no
        hit seems to answer the query, the result says so with `low_confidence`."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        text, note = " ".join(query.encode("utf-8", "replace").decode("utf-8").split()), ""  # no lone surrogates
        if len(text) > MAX_QUERY_CHARS:
            text, note = text[:MAX_QUERY_CHARS], f"query shortened to {MAX_QUERY_CHARS} characters"
        if not any(ch.isalnum() for ch in text) or not len(self.vectors):
            return SearchResult(query=query, mode=mode, hits=(), note=note or "nothing to search for")
        quotes: dict[int, np.ndarray] = {}  # sentence scores the rerank computed already
        if mode == "rerank":
            rows, scores = self._rerank(text, self._mask(filters), quotes)
        else:
            rows, scores = self._candidates(text, mode, self._mask(filters))
        order = best_first(scores)
        hits = self._hit_maker.hits(rows[order], scores[order], k,
                                    lambda row: quotes[row] if row in quotes else self._quote_scores(row, text))
        # judged on the top passage of the mode asked for: a weaker mode's weaker top hit is flagged more
        # often, which is what its reader should be told
        doubtful = bool(hits) and self._doubtful(int(rows[order[0]]), text)
        return SearchResult(query=query, mode=mode, hits=tuple(hits), low_confidence=doubtful, note=note)

    def _doubtful(self, row: int, text: str) -> bool:
        """No hit answers for certain when the top passage matches too little of the query for its
        length (index/confidence.py). It needs token vectors in the index; without them no result is
        flagged."""
        threshold = self.tuning.flag_below
        if threshold is None:
            threshold = DEFAULT_FLAG_BELOW if self.embedder.model_id == DEFAULT_MODEL else 0.0
        signals = self._confidence_signals(row, text)
        return signals is not None and confidence.low_confidence(signals, threshold)

    def confidence_signals(self, query: str, mode: str = "rerank") -> confidence.Signals | None:
        """What the low-confidence flag reads for this query's top hit in `mode` (None without token
        vectors or without hits); evals/calibrate.py fits the flag's numbers on these."""
        text = " ".join(query.split())[:MAX_QUERY_CHARS]
        rows, scores = self._rerank(text, None) if mode == "rerank" else self._candidates(text, mode, None)
        return self._confidence_signals(int(rows[np.argmax(scores)]), text) if len(rows) else None

    def _confidence_signals(self, row: int, text: str) -> confidence.Signals | None:
        tokens = self._encode_query(text)[1]
        if self.tokens is None or tokens is None:
            return None
        return confidence.Signals(self.tokens.matched_share(tokens, row, confidence.MATCH_AT), len(tokens))

    def _quote_scores(self, row: int, text: str) -> np.ndarray:
        """How well each sentence of a passage answers: token MaxSim where the index has sentence token
        vectors (it chose a sentence holding a gold quote for 0.57 of the evals/ items, cosine for 0.54)."""
        tokens = self._encode_query(text)[1]
        if self.sentence_tokens is not None and tokens is not None:
            lo, hi = self.ranges[row]
            return self.sentence_tokens.maxsim_span(tokens, int(lo), int(hi))
        return self._sentence_scores(np.array([row]), text)[0]
