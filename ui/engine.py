"""The app's link to the library: the searcher and the ingestor, loaded once per process.

The model and each index generation load once (st.cache_resource). Every run asks
DataHome.current() which generation is in use, so after an ingestion the next run
opens the new one. Tests swap `searcher_factory` / `ingestor_factory` for fakes, so no
model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import streamlit as st

from beleidsbron import api
from beleidsbron.index.build import Ingestor, IngestReport, Progress
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.index.records import SearchResult
from beleidsbron.index.search import Filters
from beleidsbron.ingest.records import Source
from beleidsbron.settings import Settings


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
    return DataHome(Settings.load().home)


def corpus_dir() -> Path:
    return Settings.load().corpus


@st.cache_resource(show_spinner=False)
def _embedder(root: str):
    return api.make_embedder(root)


@st.cache_resource(show_spinner=False, max_entries=2)
def _searcher(root: str, generation: str):
    return api.open(root, embedder=_embedder(root))


def real_searcher(data: DataHome) -> SearcherLike | None:
    """The searcher over the current index generation, or None when there is no index."""
    generation = data.current()
    if generation is None:
        return None
    return _searcher(str(data.root.resolve()), generation.name)


IngestorMaker = Callable[[Progress], IngestorLike]


def real_ingestor(data: DataHome) -> IngestorMaker:
    """Resolves the shared embedder here, in the script thread; the maker runs in a job's thread."""
    embedder = _embedder(str(data.root.resolve()))
    return lambda progress: Ingestor(data, embedder, progress=progress)


searcher_factory: Callable[[DataHome], SearcherLike | None] = real_searcher
ingestor_factory: Callable[[DataHome], IngestorMaker] = real_ingestor


def open_searcher(data: DataHome) -> SearcherLike | None:
    return searcher_factory(data)


def ingestor_maker(data: DataHome) -> IngestorMaker:
    return ingestor_factory(data)
