"""Token vectors of every passage, for a late-interaction score (MaxSim, as in ColBERT).

Each query token is matched with its most similar token of the passage, and the
similarities are averaged, weighted by the query token's inverse document
frequency. The e5 model was not trained for this, but its contextual token
vectors (from the layers below the top, see ingest/embed.py) still match
`therapeuten` with `paramedici` where one pooled vector per passage blurs them:
on the 248 answerable items of evals/ MaxSim alone ranked a right passage in the
top 5 for 0.78 of them, the pooled passage vector for 0.66 (evals/README.md).

On disk, beside the other index files:
- `tokens.npy`        int8 (n_tokens, dimension): unit vectors × 127, row by row for the passages;
- `token_ids.npy`     int32 (n_tokens,): vocabulary ids, for the document frequencies;
- `token_offsets.npy` int64 (passages + 1,): passage i owns rows offsets[i]:offsets[i + 1];
- `token_df.npy`      int32 (max id + 1,): in how many passages each token id occurs.
A query scores the best candidates only (Tuning.rerank_depth): about 7 ms for 100 passages on 2 cores, and
the sentences of the best 20 of them (Tuning.sentence_depth: the best sentence by MaxSim is a signal too).
A passage of 1200 characters takes ~240 tokens × 384 bytes, about 90 KB, and its sentences as
much again. Token vectors are kept for up to MAX_PASSAGES passages; a larger index ranks without
them (see Searcher).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from beleidsbron.index.vectors import NpyRows
from beleidsbron.ingest.records import TokenVectors

TOKENS, TOKEN_IDS, TOKEN_OFFSETS, TOKEN_DF = "tokens.npy", "token_ids.npy", "token_offsets.npy", "token_df.npy"
FILES = (TOKENS, TOKEN_IDS, TOKEN_OFFSETS, TOKEN_DF)
SCALE = 127.0  # int8 steps per unit; a component's rounding error is at most 0.004
# Above this many passages no token vectors are kept, and the search ranks and flags without
# them: they take ~170 KB per passage with its sentences (1.7 GB at 10k), held in memory while
# ingesting, and once more while the index files are written.
MAX_PASSAGES = 10_000
# Token rows per MaxSim product: as float32 6 MB, which stay in the cache (all 100 candidates' rows in
# one product, 37 MB, took twice as long), and enough rows for BLAS to split the product over the cores.
BLOCK_ROWS = 4096
IN_MEMORY_BYTES = 512 << 20  # a token file up to this size is read into memory, a larger one row by row


class TokenIndex:
    def __init__(self, tokens: np.ndarray | NpyRows, ids: np.ndarray, offsets: np.ndarray, df: np.ndarray) -> None:
        if len(ids) != len(tokens):
            raise ValueError(f"{len(ids)} token ids for {len(tokens)} token rows")
        if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
            raise ValueError("token offsets must start at 0 and never decrease")
        if int(offsets[-1]) != len(tokens):
            raise ValueError(f"token offsets end at {int(offsets[-1])}, there are {len(tokens)} token rows")
        self.tokens = tokens
        self.ids = ids
        self.offsets = offsets
        self.df = df

    def __len__(self) -> int:
        """Passages."""
        return len(self.offsets) - 1

    @classmethod
    def build(cls, passages: Sequence[TokenVectors]) -> TokenIndex:
        counts = np.array([len(p) for p in passages], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        dimension = passages[0].vectors.shape[1] if passages else 0
        tokens = np.zeros((int(offsets[-1]), dimension), dtype=np.int8)
        for p, start in zip(passages, offsets[:-1].tolist()):
            tokens[start:start + len(p)] = quantize(p.vectors)
        top = max((int(p.ids.max()) for p in passages if len(p)), default=-1)
        df = np.zeros(top + 1, dtype=np.int32)
        for p in passages:
            df[np.unique(p.ids)] += 1
        ids = np.concatenate([p.ids for p in passages]).astype(np.int32) if passages else np.zeros(0, np.int32)
        return cls(tokens, ids, offsets, df)

    def passage(self, row: int) -> TokenVectors:
        """The stored token vectors of one passage, still quantised, for reuse by a later ingestion."""
        lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
        return TokenVectors(ids=np.asarray(self.ids[lo:hi], dtype=np.int32), vectors=np.asarray(self.tokens[lo:hi]))

    def weights(self, query: TokenVectors) -> np.ndarray:
        """Inverse document frequency of each query token (a token no passage has counts as rarest)."""
        n = len(self)
        df = np.array([self.df[i] if i < len(self.df) else 0 for i in query.ids.tolist()], dtype=np.float64)
        return np.log((n + 1) / (df + 0.5))

    def maxsim(self, query: TokenVectors, rows: np.ndarray, block_rows: int = BLOCK_ROWS) -> np.ndarray:
        """Score of each passage in `rows`: IDF-weighted mean over the query tokens of their best cosine
        (0 for a passage without tokens). The passages' token rows are gathered into blocks of about
        `block_rows` rows, one product each."""
        rows = np.asarray(rows, dtype=np.int64)
        scores = np.zeros(len(rows), dtype=np.float64)
        weights = self.weights(query)
        if not len(query) or not len(rows) or weights.sum() <= 0:
            return scores
        q = _columns(query)
        lo, hi = self.offsets[rows], self.offsets[rows + 1]
        for group in _blocks(hi - lo, block_rows):
            block = np.concatenate([np.asarray(self.tokens[a:b]) for a, b in zip(lo[group], hi[group])])
            scores[group] = _stacked_scores(block, hi[group] - lo[group], q, weights)
        return scores

    def matched_share(self, query: TokenVectors, row: int, at: float) -> float:
        """IDF-weighted share of the query tokens whose best cosine in the passage reaches `at`:
        how much of what the query asks about the passage speaks of at all."""
        weights = self.weights(query)
        best = self._best_matches(_columns(query), row) if len(query) else None
        if best is None or weights.sum() <= 0:
            return 0.0
        return float(weights[best >= at].sum() / weights.sum())

    def _best_matches(self, q: np.ndarray, row: int) -> np.ndarray | None:
        """Each query token's best cosine among one passage's tokens; None for a passage without any."""
        lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
        return (np.asarray(self.tokens[lo:hi]).astype(np.float32) @ q).max(axis=0) if hi > lo else None

    def maxsim_span(self, query: TokenVectors, first: int, last: int) -> np.ndarray:
        """`maxsim(query, arange(first, last))` in one product (see maxsim_spans)."""
        return self.maxsim_spans(query, [(first, last)])[0]

    def maxsim_spans(self, query: TokenVectors, spans: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """For each [first, last) span, `maxsim(query, arange(first, last))` in one product: the rows of a
        span (the sentences of a passage) lie next to each other, so nothing is gathered."""
        weights = self.weights(query)
        if not len(query) or weights.sum() <= 0:
            return [np.zeros(max(last - first, 0), dtype=np.float64) for first, last in spans]
        q = _columns(query)
        return [_stacked_scores(np.asarray(self.tokens[int(self.offsets[first]):int(self.offsets[last])]),
                                np.diff(self.offsets[first:last + 1]), q, weights) for first, last in spans]

    def save(self, directory: Path) -> None:
        np.save(directory / TOKENS, np.asarray(self.tokens), allow_pickle=False)
        np.save(directory / TOKEN_IDS, np.asarray(self.ids), allow_pickle=False)
        np.save(directory / TOKEN_OFFSETS, self.offsets, allow_pickle=False)
        np.save(directory / TOKEN_DF, self.df, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> TokenIndex:
        """Read what `save` wrote; token rows are read on demand (see NpyRows)."""
        for name in FILES:
            if not (directory / name).is_file():
                raise FileNotFoundError(directory / name)
        offsets = np.load(directory / TOKEN_OFFSETS, allow_pickle=False)
        df = np.load(directory / TOKEN_DF, allow_pickle=False)
        ids = np.load(directory / TOKEN_IDS, allow_pickle=False, mmap_mode="r")
        for name, array in ((TOKEN_OFFSETS, offsets), (TOKEN_DF, df), (TOKEN_IDS, ids)):
            if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
                raise ValueError(f"{name} must hold a 1-d integer array, it holds {array.dtype} of {array.ndim} "
                                 "dimensions")
        path = directory / TOKENS
        small = path.stat().st_size <= IN_MEMORY_BYTES
        tokens = np.load(path, allow_pickle=False) if small else NpyRows(path)
        if tokens.dtype != np.int8 or tokens.ndim != 2:
            raise ValueError(f"{TOKENS} must hold a 2-d int8 array, "
                             f"it holds {tokens.dtype} of {tokens.ndim} dimensions")
        return cls(tokens, ids, offsets, df)


def quantize(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors → int8 (× SCALE, rounded); int8 rows are taken as already quantised."""
    if vectors.dtype == np.int8:
        return vectors
    return np.clip(np.rint(np.asarray(vectors, dtype=np.float32) * SCALE), -127, 127).astype(np.int8)


def _blocks(sizes: np.ndarray, budget: int) -> list[np.ndarray]:
    """Consecutive positions of `sizes` in runs whose sizes add up to at most `budget` (one at least)."""
    runs, start, total = [], 0, 0
    for i, size in enumerate(sizes.tolist()):
        if i > start and total + size > budget:
            runs.append(np.arange(start, i))
            start, total = i, 0
        total += size
    if start < len(sizes):
        runs.append(np.arange(start, len(sizes)))
    return runs


def _stacked_scores(rows: np.ndarray, sizes: np.ndarray, q: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The MaxSim of items whose int8 token rows lie one after another in `rows`, `sizes[i]` rows for
    item i, in one product; 0 for an item without rows."""
    scores = np.zeros(len(sizes), dtype=np.float64)
    filled = sizes > 0  # reduceat needs a non-empty slice per item
    if filled.any():
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        best = np.maximum.reduceat(np.asarray(rows).astype(np.float32) @ q, starts[filled], axis=0)
        scores[filled] = best @ weights / float(weights.sum())
    return scores


def _columns(query: TokenVectors) -> np.ndarray:
    """The query's token vectors as float32 columns, divided by SCALE: their products with the int8 rows
    are cosines."""
    return (query.vectors.T / SCALE).astype(np.float32)
