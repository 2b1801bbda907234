"""What every page gets: one Context (language, settings, data directory, files, searcher), and how the
searcher and the ingestor are loaded, once per process.

The model and each index generation load once (st.cache_resource). Every run asks
DataHome.current() which generation is in use, so after an ingestion the next run
opens the new one. Tests swap `searcher_factory` / `ingestor_factory` for fakes, so no
model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
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
from beleidsbron.ui.files import DocumentFiles, uploads_dir
from beleidsbron.ui.i18n import tr


class PageStore(Protocol):
    def page_text(self, doc: str, number: int) -> str: ...


class SearcherLike(Protocol):
    """All the app uses of index.search.Searcher."""

    manifest: Manifest  # the documents of the index generation, with their hashes and origins
    sources: dict[str, Source]  # file → title, publisher, year, kind
    store: PageStore  # cleaned page text: where a quote sits on its page

    def search(self, query: str, k: int = 10, mode: str = "rerank", filters: Filters = Filters()) -> SearchResult:
        ...


class IngestorLike(Protocol):
    def run(self, paths: list[Path], keep_others: bool = False, remove: Iterable[str] = (),
            rebuild: bool = False) -> IngestReport: ...


IngestorMaker = Callable[[Progress], IngestorLike]


@dataclass(frozen=True)
class Context:
    """Built once per script run by app.py and handed to the page; `searcher` is set for the pages
    that need the index (search, documents)."""

    lang: str
    settings: Settings
    data: DataHome
    files: DocumentFiles
    searcher: SearcherLike | None = None

    @classmethod
    def load(cls, lang: str) -> Context:
        settings = Settings.load()
        data = DataHome(settings.home)
        return cls(lang, settings, data, DocumentFiles((settings.corpus, uploads_dir(data))))

    def with_searcher(self, searcher: SearcherLike) -> Context:
        return replace(self, searcher=searcher)

    @property
    def index(self) -> SearcherLike:
        """The searcher, for a page that was given one."""
        if self.searcher is None:
            raise RuntimeError("this page needs the searcher: build its Context with with_searcher()")
        return self.searcher

    @property
    def root(self) -> str:
        """The data directory as a key: one ingestion job at a time runs per data directory."""
        return str(self.data.root.resolve())

    def tr(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)


@st.cache_resource(show_spinner=False)
def _embedder(root: str, model: str | None):
    return api.make_embedder(root, model)


@st.cache_resource(show_spinner=False, max_entries=2)
def _searcher(root: str, generation: str, model: str | None, reranker: str | None):
    return api.open(root, model=model, reranker=reranker, embedder=_embedder(root, model))


def real_searcher(ctx: Context) -> SearcherLike | None:
    """The searcher over the current index generation, or None when there is no index."""
    generation = ctx.data.current()
    if generation is None:
        return None
    return _searcher(ctx.root, generation.name, ctx.settings.model, ctx.settings.reranker)


def real_ingestor(ctx: Context) -> IngestorMaker:
    """Resolves the shared embedder here, in the script thread; the maker runs in a job's thread."""
    embedder = _embedder(ctx.root, ctx.settings.model)
    return lambda progress: _Publishing(Ingestor(ctx.data, embedder, progress=progress), ctx.root)


class _Publishing:
    """The app's ingestion, published to the engine afterwards on the postgres backend (api.publish)."""

    def __init__(self, ingestor: Ingestor, root: str) -> None:
        self._ingestor, self._root = ingestor, root

    def run(self, paths: list[Path], keep_others: bool = False, remove: Iterable[str] = (),
            rebuild: bool = False) -> IngestReport:
        report = self._ingestor.run(paths, keep_others=keep_others, remove=remove, rebuild=rebuild)
        api.publish(self._root)
        return report


searcher_factory: Callable[[Context], SearcherLike | None] = real_searcher
ingestor_factory: Callable[[Context], IngestorMaker] = real_ingestor


def open_searcher(ctx: Context) -> SearcherLike | None:
    return searcher_factory(ctx)


def ingestor_maker(ctx: Context) -> IngestorMaker:
    return ingestor_factory(ctx)
