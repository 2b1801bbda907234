"""Vectors → nearest neighbours, with FAISS. The only module that imports faiss.

Vectors are L2-normalised, so inner product is cosine similarity. The raw
vectors are kept beside the FAISS file as a plain .npy, so a rebuild reuses
them and never embeds an unchanged passage again.

The kind of FAISS index follows the size (`choose_kind`):
- up to EXACT_MAX vectors, an exact scan ("flat-ip");
- above it, a graph index ("hnsw32-sq8-ip": HNSW with 32 links per node over
  8-bit scalar-quantised vectors, inner product). Its query time grows with
  log n instead of n; the quantised copy takes a quarter of the memory of the
  float one (about 0.6 GB instead of 1.7 GB at 1M × 384-d). The graph proposes
  REFINE_DEPTH candidates; their exact scores, from the raw vectors (read row
  by row from the .npy, see NpyRows), decide the order. Recall@10 against the
  exact scan was 0.97 at 1M passages, p50 1.9 ms (`beleidsbron bench --scale`).
The kind is recorded in the manifest; `load` checks the file against it.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

VECTORS_NPY = "vectors.npy"
FAISS_FILE = "vectors.faiss"
EXACT = "flat-ip"
HNSW_M = 32
HNSW = f"hnsw{HNSW_M}-sq8-ip"
KINDS = (EXACT, HNSW)
# Up to this many vectors an exact scan answers one query in a few ms on 2 cores
# (about 3 ms at 50k × 384-d, 9 ms at 100k, 125 ms at 1M); HNSW stays at 1–2 ms.
EXACT_MAX = 50_000
EF_CONSTRUCTION = 40  # FAISS's default; a 1M build takes ~4 min on 2 idle cores already
# Candidates the graph search keeps (ef = max(EF_SEARCH, k)). At 1M synthetic passages, with exact
# refinement of 50, recall@10 was 0.950 at 128, 0.961 at 192, 0.970 at 256 (p50 2.0 ms), 0.978 at 384;
# float HNSW without refinement: 0.947, 0.959, 0.968, 0.978.
EF_SEARCH = 256
REFINE_DEPTH = 50  # graph candidates rescored exactly per query (at least k)


def choose_kind(count: int, exact_max: int | None = None) -> str:
    """The index kind for `count` vectors: exact up to `exact_max` (default EXACT_MAX), HNSW above."""
    exact_max = EXACT_MAX if exact_max is None else exact_max
    if count < 0 or exact_max < 0:
        raise ValueError(f"count and exact_max must be at least 0, got {count} and {exact_max}")
    return EXACT if count <= exact_max else HNSW


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"vector index kind must be one of {', '.join(KINDS)}, got {kind!r}")


def _new_index(kind: str, vectors: np.ndarray) -> faiss.Index:
    dimension = vectors.shape[1]
    if kind == EXACT:
        return faiss.IndexFlatIP(dimension)
    index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    index.hnsw.efSearch = EF_SEARCH
    if len(vectors):
        index.train(vectors)  # each dimension's min and max: one pass
    return index


def kind_of(index: faiss.Index) -> str:
    """The kind name of a FAISS index read from disk ("other" for one this module does not build)."""
    if index.metric_type != faiss.METRIC_INNER_PRODUCT:
        return "other"
    if isinstance(index, faiss.IndexFlat):
        return EXACT
    if isinstance(index, faiss.IndexHNSWSQ):
        storage = faiss.downcast_index(index.storage)
        if storage.sq.qtype == faiss.ScalarQuantizer.QT_8bit:
            return f"hnsw{index.hnsw.nb_neighbors(1)}-sq8-ip"
    return "other"


ROW_TYPES = (np.dtype(np.float32), np.dtype(np.int8))


class NpyRows:
    """The rows of a 2-d float32 or int8 .npy file, read when asked (os.pread), never mapped.

    A memory map would do, but every page it reads stays in the process's resident set,
    and so do the pages the kernel maps around each fault: refining 50 candidates a query
    through np.load(mmap_mode="r") took in the whole 300 MB vectors.npy of 200k passages
    within 200 queries (1.5 GB at 1M). Read this way, only the page cache holds them.
    Indexing: an int, a slice with step 1, or an array of row numbers; np.asarray reads all.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = open(self.path, "rb", buffering=0)  # kept open: rows are read on demand
        try:
            major, _ = np.lib.format.read_magic(self._file)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(self._file)
        except ValueError:
            self._file.close()
            raise
        if len(shape) != 2 or fortran or dtype not in ROW_TYPES:
            self._file.close()
            raise ValueError(f"{self.path}: not a 2-d float32 or int8 array in C order ({dtype}, shape {shape})")
        self.shape, self.dtype = (int(shape[0]), int(shape[1])), np.dtype(dtype)
        self._offset = self._file.tell()
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        size, expected = os.fstat(self._file.fileno()).st_size, self._offset + self.shape[0] * self._row_bytes
        if size != expected:
            self._file.close()
            raise ValueError(f"{self.path}: {size} bytes, its header promises {expected}")

    @property
    def ndim(self) -> int:
        return 2

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, first: int, count: int) -> np.ndarray:
        size = count * self._row_bytes
        data = os.pread(self._file.fileno(), size, self._offset + first * self._row_bytes) if size else b""
        if len(data) != size:
            raise ValueError(f"{self.path}: truncated (rows {first}–{first + count} of {len(self)} unreadable)")
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def __getitem__(self, key: int | slice | np.ndarray | list[int]) -> np.ndarray:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                raise IndexError("NpyRows takes slices with step 1")
            return self._read(start, max(0, stop - start))
        if isinstance(key, (int, np.integer)):
            row = int(key) + len(self) if key < 0 else int(key)
            if not 0 <= row < len(self):
                raise IndexError(f"row {key} of {len(self)}")
            return self._read(row, 1)[0]
        rows = np.asarray(key, dtype=np.int64).reshape(-1)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"rows must lie in 0..{len(self) - 1}")
        out = np.empty((len(rows), self.shape[1]), self.dtype)
        for i, row in enumerate(rows.tolist()):
            out[i] = self._read(row, 1)[0]
        return out

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        rows = self._read(0, len(self))
        return rows if dtype is None else rows.astype(dtype)


class VectorIndex:
    def __init__(self, vectors: np.ndarray | NpyRows, index: faiss.Index, kind: str = EXACT) -> None:
        self.vectors = vectors
        self.kind = kind
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str | None = None) -> VectorIndex:
        """Index the rows of `vectors`; the kind follows the count (`choose_kind`) unless given."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-d array, got shape {vectors.shape}")
        kind = choose_kind(len(vectors)) if kind is None else kind
        _check_kind(kind)
        index = _new_index(kind, vectors)
        if len(vectors):
            index.add(vectors)
        return cls(vectors, index, kind)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Exact scores and row ids, best first; rows of -1 where fewer than k are found.

        `allowed` (a boolean mask over the rows) limits the search to those rows. Up to
        EXACT_MAX allowed rows are scored exactly; more go through the index with a filter.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not len(self):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        k = max(1, min(k, len(self)))
        params, bitmap = None, None
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=bool)
            if allowed.shape != (len(self),):
                raise ValueError(f"allowed must be a mask of {len(self)} rows, got shape {allowed.shape}")
            rows = np.flatnonzero(allowed)
            if len(rows) <= EXACT_MAX:
                return _exact_top(np.asarray(self.vectors[rows]), rows, queries, k)
            bitmap = np.packbits(allowed, bitorder="little")  # must outlive the search below
            selector = faiss.IDSelectorBitmap(allowed.size, faiss.swig_ptr(bitmap))
            params = faiss.SearchParameters(sel=selector) if self.kind == EXACT else \
                faiss.SearchParametersHNSW(sel=selector, efSearch=EF_SEARCH)
        if self.kind == EXACT:
            return self._index.search(queries, k, params=params)
        _, candidates = self._index.search(queries, max(k, REFINE_DEPTH), params=params)
        return self._refine(queries, candidates, k)

    def _refine(self, queries: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best of each query's candidates by exact score, from the raw vectors."""
        scores = np.full((len(queries), k), -np.inf, np.float32)
        ids = np.full((len(queries), k), -1, np.int64)
        for i, (query, rows) in enumerate(zip(queries, candidates)):
            rows = np.sort(rows[rows >= 0])  # the file is read front to back
            found_scores, found = _exact_top(np.asarray(self.vectors[rows]), rows, query[None], k)
            scores[i], ids[i] = found_scores[0], found[0]
        return scores, ids

    def save(self, directory: Path) -> None:
        np.save(directory / VECTORS_NPY, self.vectors, allow_pickle=False)
        faiss.write_index(self._index, str(directory / FAISS_FILE))

    @classmethod
    def load(cls, directory: Path, kind: str | None = None) -> VectorIndex:
        """Read an index written by `save`; with `kind` (the manifest's), refuse a file of another kind."""
        if kind is not None:
            _check_kind(kind)
        for name in (VECTORS_NPY, FAISS_FILE):
            if not (directory / name).is_file():
                raise FileNotFoundError(directory / name)
        index = faiss.read_index(str(directory / FAISS_FILE))
        found = kind_of(index)
        if found not in KINDS:
            raise ValueError(f"{FAISS_FILE} holds a FAISS index of a kind this version does not read ({found})")
        if kind is not None and found != kind:
            raise ValueError(f"{FAISS_FILE} holds a {found} index, the manifest says {kind}")
        # an exact index is small (≤ EXACT_MAX rows, 77 MB at 384-d): its rows are read at once
        path = directory / VECTORS_NPY
        vectors = np.load(path, allow_pickle=False) if found == EXACT else NpyRows(path)
        if index.ntotal != len(vectors):
            raise ValueError(f"{FAISS_FILE} holds {index.ntotal} vectors, {VECTORS_NPY} holds {len(vectors)}")
        if found != EXACT:
            index.hnsw.efSearch = EF_SEARCH  # not kept in the file
        return cls(vectors, index, found)


def _exact_top(vectors: np.ndarray, rows: np.ndarray, queries: np.ndarray, k: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Exact top k of `queries` among `vectors` (rows `rows` of the index), best first, padded with -1."""
    scores = np.full((len(queries), k), -np.inf, np.float32)
    ids = np.full((len(queries), k), -1, np.int64)
    if not len(rows):
        return scores, ids
    sims = queries @ vectors.T
    take = min(k, len(rows))
    top = np.argpartition(-sims, take - 1, axis=1)[:, :take]
    order = np.take_along_axis(-sims, top, axis=1).argsort(axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    scores[:, :take] = np.take_along_axis(sims, top, axis=1)
    ids[:, :take] = rows[top]
    return scores, ids
