"""The app's link to the library: the searcher and the ingestor, loaded once per process.

The model and each index generation load once (st.cache_resource). Every run asks
DataHome.current() which generation is in use, so after an ingestion the next run
opens the new one. Tests swap `searcher_factory` / `ingestor_factory` for fakes, so no
model is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import streamlit as st

from index.home import DataHome
from index.manifest import Manifest
from index.records import SearchResult
from index.search import Filters
from ingest.pipeline import IngestReport, Progress
from ingest.records import Source

ENV_CORPUS = "BELEIDSBRON_CORPUS"
ROOT = Path(__file__).resolve().parent.parent


class PageStore(Protocol):
    def page_text(self, doc: str, number: int) -> str: ...


class SearcherLike(Protocol):
    """What the pages use of index.search.Searcher."""

    manifest: Manifest
    sources: dict[str, Source]
    store: PageStore

    def search(self, query: str, k: int = 10, mode: str = "rerank", filters: Filters = Filters()) -> SearchResult:
        ...


class IngestorLike(Protocol):
    def run(self, paths: list[Path], keep_others: bool = False, remove: Iterable[str] = (),
            rebuild: bool = False) -> IngestReport: ...


def home() -> DataHome:
    return DataHome()


def corpus_dir() -> Path:
    return Path(os.environ.get(ENV_CORPUS) or ROOT / "corpus")


@st.cache_resource(show_spinner=False)
def _embedder(root: str):
    from cli import make_embedder

    return make_embedder(DataHome(Path(root)))


@st.cache_resource(show_spinner=False, max_entries=2)
def _searcher(root: str, generation: str):
    from index.search import Searcher

    return Searcher.open(DataHome(Path(root)), _embedder(root))


def real_searcher(data: DataHome) -> SearcherLike | None:
    """The searcher over the current index generation, or None when there is no index."""
    generation = data.current()
    if generation is None:
        return None
    return _searcher(str(data.root.resolve()), generation.name)


IngestorMaker = Callable[[Progress], IngestorLike]


def real_ingestor(data: DataHome) -> IngestorMaker:
    """Resolves the shared embedder here, in the script thread; the maker runs in a job's thread."""
    from ingest.pipeline import Ingestor

    embedder = _embedder(str(data.root.resolve()))
    return lambda progress: Ingestor(data, embedder, progress=progress)


searcher_factory: Callable[[DataHome], SearcherLike | None] = real_searcher
ingestor_factory: Callable[[DataHome], IngestorMaker] = real_ingestor


def open_searcher(data: DataHome) -> SearcherLike | None:
    return searcher_factory(data)


def ingestor_maker(data: DataHome) -> IngestorMaker:
    return ingestor_factory(data)
