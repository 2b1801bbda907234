"""Vectors → nearest neighbours, with FAISS. The only module that imports faiss.

Vectors are L2-normalised, so inner product is cosine similarity. The raw
vectors are kept beside the FAISS file as a plain .npy, so a rebuild reuses
them and never embeds an unchanged passage again.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

VECTORS_NPY = "vectors.npy"
FAISS_FILE = "vectors.faiss"
EXACT = "flat-ip"


class VectorIndex:
    def __init__(self, vectors: np.ndarray, index: faiss.Index, kind: str = EXACT) -> None:
        self.vectors = vectors
        self.kind = kind
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> VectorIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-d array, got shape {vectors.shape}")
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(vectors, index, EXACT)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row ids, best first; rows of -1 where fewer than k exist."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self._index.search(queries, k)

    def save(self, directory: Path) -> None:
        np.save(directory / VECTORS_NPY, self.vectors, allow_pickle=False)
        faiss.write_index(self._index, str(directory / FAISS_FILE))

    @classmethod
    def load(cls, directory: Path, kind: str = EXACT) -> VectorIndex:
        vectors = np.load(directory / VECTORS_NPY, allow_pickle=False, mmap_mode="r")
        index = faiss.read_index(str(directory / FAISS_FILE))
        if index.ntotal != len(vectors):
            raise ValueError(f"{FAISS_FILE} holds {index.ntotal} vectors, {VECTORS_NPY} holds {len(vectors)}")
        return cls(vectors, index, kind)
