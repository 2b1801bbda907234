"""Query → hits → quotes. Loads one index generation and answers queries against it.

First stage, by mode:
- keyword:  BM25 over Dutch-analysed passages (stems, compounds, acronyms expanded);
- semantic: cosine between the e5 query vector and the passage vectors;
- hybrid:   both, min-max normalised and combined; the lexical weight follows the
            share of query words the corpus knows, so an English question is not
            pulled down by chance Dutch word matches.
Second stage (rerank): the best hybrid candidates are scored again with four
signals, z-scored and summed: the passage vector, the passage's best matching
sentence (sentence vectors computed at ingest), BM25, and a late-interaction
MaxSim over the passage's token vectors (index/tokens.py). A configured
cross-encoder replaces this stage.

Every hit then gets a verbatim quote of 1–3 sentences from its passage; a passage
that overlaps or adjoins a better hit is merged into it; and a query that no hit
seems to answer is flagged low-confidence, its hits still returned (index/tokens.py
has the signal).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import ThreadpoolController

from beleidsbron.index import confidence
from beleidsbron.index.fusion import convex, lexical_weight, zsum
from beleidsbron.index.home import DataHome
from beleidsbron.index.lexical import LexicalIndex
from beleidsbron.index.manifest import REBUILD_HINT, IndexError_, Manifest
from beleidsbron.index.quotes import make_quote, quote_window
from beleidsbron.index.records import MERGED, MODES, Hit, Quote, SearchResult
from beleidsbron.index.store import ChunkStore
from beleidsbron.index.tokens import TokenIndex
from beleidsbron.index.vectors import NpyRows, VectorIndex
from beleidsbron.index.writer import SENTENCE_TOKENS, SENTENCE_VECTORS, load_acronyms
from beleidsbron.ingest.embed import DEFAULT_MODEL, Embedder
from beleidsbron.ingest.records import PAGE_BREAK, Chunk, Source, TokenVectors

MAX_QUERY_CHARS = 1000  # longer queries are cut here, and the result says so
# When a result is low-confidence: index/confidence.py (the rule, its numbers and why).
DEFAULT_FLAG_BELOW = confidence.FLAG_BELOW


@dataclass(frozen=True)
class Tuning:
    """Weights of the ranking, set from the evaluation sets (see README, Evaluation)."""

    candidates: int = 100  # per channel, before fusion
    lexical: float = 0.3  # lexical weight in hybrid for a query whose words the corpus knows
    rerank_depth: int = 100  # best first-stage candidates that the second stage scores again
    cross_encoder_depth: int = 30  # the same for a configured cross-encoder, which is slower
    # second stage: weights of the z-scored signals (passage vector, best sentence by cosine, BM25 ×
    # coverage², token MaxSim of the passage, of its best sentence); without token vectors in the
    # index the last two are left out
    dense: float = 0.5
    sentence: float = 0.5
    rerank_lexical: float = 0.3
    tokens: float = 1.0
    sentence_tokens: float = 0.5
    # Confidence score (index/confidence.py) under which a result is flagged low-confidence; None:
    # DEFAULT_FLAG_BELOW with the default model, off with any other (calibrated for one model); 0: off.
    flag_below: float | None = None


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
    def __init__(self, directory: Path, manifest: Manifest, embedder: Embedder, tuning: Tuning = Tuning(),
                 reranker: Reranker | None = None) -> None:
        self.directory = directory
        self.manifest = manifest
        self.embedder = embedder
        self.tuning = tuning
        self.reranker = reranker
        self.store = ChunkStore.open(directory)
        self._first_stage(directory, manifest)
        # read by rows, not mapped: a map's pages stay in the resident set (~14 GB of file at 1M passages)
        self.sentence_vectors = NpyRows(directory / SENTENCE_VECTORS)
        self.tokens = TokenIndex.load(directory) if manifest.token_vectors else None
        self.sentence_tokens = TokenIndex.load(directory / SENTENCE_TOKENS) if manifest.token_vectors else None
        self.acronyms = load_acronyms(directory)
        self.sources = self.store.sources()
        self.ranges = self.store.sentence_ranges()
        self._files = sorted(self.sources)
        position = {file: i for i, file in enumerate(self._files)}
        self._doc_of_chunk = np.array([position[doc] for doc in self.store.chunk_docs()], dtype=np.int32)
        # queries seen lately: a query's token vectors take up to ~0.4 MB (1000 characters)
        self._encode_query = lru_cache(maxsize=64)(self._encode)
        # The products here are small: BLAS threads gain nothing, and while they spin after one,
        # the model's own threads wait for the cores (a query took 130 ms instead of 35 on 2 cores).
        # Set once for the process, not per search: a per-search limit, restored on exit, races
        # between the app's sessions, which share one Searcher.
        ThreadpoolController().limit(limits=1, user_api="blas")

    def _first_stage(self, directory: Path, manifest: Manifest) -> None:
        """The vector and BM25 indexes of the first stage (index/backends/ puts an engine's in their place)."""
        self.vectors = VectorIndex.load(directory, manifest.vector_index)
        self.lexical = LexicalIndex.load(directory, manifest.chunks)

    @classmethod
    def open(cls, home: DataHome, embedder: Embedder, tuning: Tuning = Tuning(),
             reranker: Reranker | None = None) -> Searcher:
        directory = home.current()
        if directory is None:
            raise IndexError_(f"no index in {home.root}; build it with: beleidsbron ingest")
        manifest = Manifest.read(directory)
        manifest.check_model(embedder.model_id, embedder.fingerprint)
        if embedder.dimension != manifest.dimension:
            raise IndexError_(f"{directory}: index vectors have {manifest.dimension} dimensions, the model "
                              f"{embedder.dimension}; {REBUILD_HINT}")
        try:
            searcher = cls(directory, manifest, embedder, tuning, reranker)
        except (OSError, ValueError, KeyError, RuntimeError, EOFError) as exc:
            raise IndexError_(f"{directory}: damaged index ({exc.__class__.__name__}: {exc}); {REBUILD_HINT}") from exc
        counts: tuple[int, ...] = (searcher.store.count(), len(searcher.vectors), manifest.chunks)
        if searcher.tokens is not None:
            counts += (len(searcher.tokens),)
            if len(searcher.sentence_tokens) != manifest.sentences:
                raise IndexError_(f"{directory}: {len(searcher.sentence_tokens)} sentences have token vectors, "
                                  f"the manifest lists {manifest.sentences}; {REBUILD_HINT}")
        if len(set(counts)) != 1 or len(searcher.sentence_vectors) != searcher.store.sentence_count():
            raise IndexError_(f"{directory}: chunk store, vectors, manifest (and token vectors) disagree "
                              f"({' / '.join(map(str, counts))} passages); {REBUILD_HINT}")
        return searcher

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
        rows, signals = self._signals(text, mode, mask)
        if not len(rows) or mode == "keyword":
            return rows, signals.get("lexical", np.zeros(len(rows)))
        if mode == "semantic":
            return rows, signals["dense"]
        return rows, self._hybrid(signals, self.lexical.coverage(text))

    def _hybrid(self, signals: dict[str, np.ndarray], coverage: float) -> np.ndarray:
        weight = lexical_weight(coverage, self.tuning.lexical)
        return convex([signals["dense"], signals["lexical"]], [1.0 - weight, weight])

    def _signals(self, text: str, mode: str, mask: np.ndarray | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The candidates of each channel the mode uses, pooled, with each channel's raw score."""
        n, depth = len(self.vectors), self.tuning.candidates
        pools, lexical = [], None
        if mode != "semantic":
            expansions = " ".join(self.acronyms.expansions(text))
            lexical = self.lexical.scores(f"{text} {expansions}")
            if mask is not None:
                lexical = np.where(mask, lexical, 0.0)
            pools.append(_top_positive(lexical, depth))
        if mode != "keyword":
            _, rows = self.vectors.search(self._embed_query(text), min(depth, n), allowed=mask)
            pools.append(rows[0][rows[0] >= 0])
        rows = np.unique(np.concatenate(pools)) if pools else np.zeros(0, dtype=np.int64)
        signals = {}
        if lexical is not None:
            signals["lexical"] = lexical[rows]
        if mode != "keyword" and len(rows):
            signals["dense"] = np.asarray(self.vectors.vectors[rows]) @ self._embed_query(text)
        return rows, signals

    # second stage ---------------------------------------------------------------
    def _sentence_scores(self, rows: np.ndarray, text: str) -> list[np.ndarray]:
        query = self._embed_query(text)
        return [np.asarray(self.sentence_vectors[lo:hi]) @ query for lo, hi in self.ranges[rows]]

    def _rerank(self, text: str, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The best hybrid candidates, scored again: z-scores of the passage vector, its best sentence,
        BM25 (weighted by the query's coverage, as in hybrid), token MaxSim and the best sentence's
        token MaxSim, summed with weights."""
        rows, signals = self._signals(text, "hybrid", mask)
        if not len(rows):
            return rows, np.zeros(0)
        coverage = self.lexical.coverage(text)
        first = self._hybrid(signals, coverage)
        depth = self.tuning.rerank_depth if self.reranker is None else self.tuning.cross_encoder_depth
        keep = np.argsort(-first, kind="stable")[:depth]
        rows = rows[keep]
        if self.reranker is not None:  # a configured cross-encoder replaces the second stage
            passages = [c.embed_text for c in self.store.chunks(rows.tolist())]
            return rows, np.asarray(self.reranker.score(text, passages), dtype=np.float64)
        t = self.tuning
        best = np.array([s.max() if len(s) else 0.0 for s in self._sentence_scores(rows, text)])
        scores = [signals["dense"][keep], best, signals["lexical"][keep]]
        weights = [t.dense, t.sentence, lexical_weight(coverage, t.rerank_lexical)]
        query_tokens = self._encode_query(text)[1]
        if self.tokens is not None and query_tokens is not None:
            scores.append(self.tokens.maxsim(query_tokens, rows))
            weights.append(t.tokens)
        if self.sentence_tokens is not None and query_tokens is not None and t.sentence_tokens > 0:
            scores.append(self._best_sentence_maxsim(rows, query_tokens))
            weights.append(t.sentence_tokens)
        return rows, zsum(scores, weights)

    def _best_sentence_maxsim(self, rows: np.ndarray, query: TokenVectors) -> np.ndarray:
        """Each passage's best sentence by token MaxSim (sentence frequencies for the IDF)."""
        spans = self.sentence_tokens.maxsim_spans(query, self.ranges[rows].tolist())
        return np.array([scores.max() if len(scores) else 0.0 for scores in spans])

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
        if mode == "rerank":
            rows, scores = self._rerank(text, self._mask(filters))
        else:
            rows, scores = self._candidates(text, mode, self._mask(filters))
        order = np.argsort(-scores, kind="stable")
        hits = self._hits(rows[order], scores[order], text, k)
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

    def _hits(self, rows: np.ndarray, scores: np.ndarray, text: str, k: int) -> list[Hit]:
        """Hits in rank order, each with its quote. A passage that overlaps a better hit of the same
        document, or follows it with only white space between, is not shown as a hit of its own.
        Once the hits are known, each such passage that touches one hit only is merged into it: the
        hit grows to cover both passages and keeps the quote of the passage that ranked it (the best
        sentence of both was a worse quote). A hit merges at most one neighbour, and a passage that
        would join two hits joins neither, so hits never overlap and are at most two passages long
        (growing without a bound chained neighbours into hits of up to 6,000 characters)."""
        hits: list[Hit] = []
        folded: list[Chunk] = []
        for row, score in zip(rows.tolist(), scores.tolist()):
            chunk = self.store.chunks([row])[0]
            if any(self._touches(h.chunk, chunk) for h in hits):
                folded.append(chunk)
                continue
            if len(hits) == k:
                break
            hit = self._hit(row, chunk, score, text)
            if any(h.doc == hit.doc and h.quote == hit.quote for h in hits):
                continue  # passages across a page break can pick the same quote: show it once
            hits.append(hit)
        for chunk in folded:  # in rank order
            near = [i for i, h in enumerate(hits) if self._touches(h.chunk, chunk)]
            if len(near) == 1 and len(hits[near[0]].passage_ids) == 1:
                hit = hits[near[0]]
                hits[near[0]] = replace(hit, chunk=self._union(hit.chunk, chunk))
        return hits

    def _union(self, ranked: Chunk, other: Chunk) -> Chunk:
        """One passage covering two touching passages of a document; its id joins theirs with MERGED,
        the better ranked first (Hit.passage_ids)."""
        return self._widened(ranked, (other.page_start, other.start), (other.page_end, other.end),
                             f"{ranked.id}{MERGED}{other.id}")

    def _touches(self, a: Chunk, b: Chunk) -> bool:
        """Same document, and the spans overlap or only white space (a page break too) lies between."""
        if a.doc != b.doc:
            return False
        first, second = sorted((a, b), key=lambda c: (c.page_start, c.start))
        if (second.page_start, second.start) <= (first.page_end, first.end):
            return True
        if second.page_start - first.page_end > 1:
            return False
        between = self._span(first.doc, (first.page_end, first.end), (second.page_start, second.start))
        return not between.strip()

    def _span(self, doc: str, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The document text from (page, offset) to (page, offset), pages joined as in a chunk."""
        pages = [self.store.page_text(doc, number) for number in range(start[0], end[0] + 1)]
        if len(pages) == 1:
            return pages[0][start[1]:end[1]]
        return PAGE_BREAK.join([pages[0][start[1]:], *pages[1:-1], pages[-1][:end[1]]])

    def _hit(self, row: int, chunk: Chunk, score: float, text: str) -> Hit:
        lo, hi = self.ranges[row]
        sentences = self.store.sentences(int(lo), int(hi))
        if not sentences:  # a passage with no sentence (should not happen): quote its start
            raise IndexError_(f"passage {chunk.id} has no sentences; {REBUILD_HINT}")
        first, last = quote_window(sentences, self._quote_scores(row, text))
        page_text = self.store.page_text(chunk.doc, sentences[first].page)
        quote = make_quote(page_text, sentences[first:last])
        return Hit(chunk=self._cover(chunk, quote), source=self.sources[chunk.doc], score=float(score), quote=quote)

    def _cover(self, chunk: Chunk, quote: Quote) -> Chunk:
        """The passage, grown to hold its quote where a quoted sentence crosses the passage's edge (the
        splitter cuts by length, quotes keep whole sentences), so the context shown holds the quote."""
        return self._widened(chunk, (quote.page, quote.start), (quote.page, quote.end), chunk.id)

    def _widened(self, chunk: Chunk, start: tuple[int, int], end: tuple[int, int], passage_id: str) -> Chunk:
        """The passage widened to span (page, offset) `start` to `end` as well, under `passage_id`; the passage
        itself when it spans them already under that id (no page text is read then)."""
        start = min((chunk.page_start, chunk.start), start)
        end = max((chunk.page_end, chunk.end), end)
        if passage_id == chunk.id and start == (chunk.page_start, chunk.start) and end == (chunk.page_end, chunk.end):
            return chunk
        return replace(chunk, id=passage_id, text=self._span(chunk.doc, start, end), page_start=start[0],
                       start=start[1], page_end=end[0], end=end[1])

    def _quote_scores(self, row: int, text: str) -> np.ndarray:
        """How well each sentence of a passage answers: token MaxSim where the index has sentence token
        vectors (it chose a sentence holding a gold quote for 0.57 of the evals/ items, cosine for 0.54)."""
        tokens = self._encode_query(text)[1]
        if self.sentence_tokens is not None and tokens is not None:
            lo, hi = self.ranges[row]
            return self.sentence_tokens.maxsim_span(tokens, int(lo), int(hi))
        return self._sentence_scores(np.array([row]), text)[0]


def _top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best positive scores, in no order (the caller takes np.unique): a partition
    instead of two full sorts, which took 100 ms per query at 1M passages (beleidsbron bench --scale)."""
    rows = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
    return rows[scores[rows] > 0]
