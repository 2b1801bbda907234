"""The search page: the sidebar's settings, the query box with example questions, results as cards,
under a warning when no passage seems to answer the question for certain."""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass

import streamlit as st

from beleidsbron.index.records import SearchResult
from beleidsbron.index.search import Filters
from beleidsbron.ui.cards import distinct, grouped, render_card
from beleidsbron.ui.context import Context
from beleidsbron.ui.i18n import examples
from beleidsbron.ui.markup import md, query_terms

log = logging.getLogger("beleidsbron.app")
QUERY_KEY = "query"
MODES = ("rerank", "hybrid", "semantic", "keyword")  # rerank = hybrid + rerank, the default
LAYOUTS = ("list", "grouped")
MAX_K = 30
DEFAULT_K = 10
KEYS = ("f_docs", "f_publishers", "f_years", "f_kinds", "mode", "k", "layout")  # kept across pages


# the sidebar ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchSettings:
    mode: str = "rerank"
    k: int = DEFAULT_K
    grouped: bool = False
    filters: Filters = Filters()

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not 1 <= self.k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}, got {self.k}")


def _options(key: str, options: list) -> list:
    """The options, after dropping a remembered choice that is no longer one (a removed document)."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    return options


def sidebar(ctx: Context) -> SearchSettings:
    sources = ctx.index.sources

    def title(file: str) -> str:
        return sources[file].title if file in sources else file

    def choices(key: str, label: str, values: set) -> list:
        return st.multiselect(ctx.tr(label), _options(key, sorted(values)), key=key,
                              placeholder=ctx.tr("filter.all"))

    with st.sidebar:
        st.subheader(ctx.tr("filters"))
        docs = st.multiselect(ctx.tr("filter.doc"), _options("f_docs", sorted(sources, key=title)),
                              format_func=title, key="f_docs", placeholder=ctx.tr("filter.all"))
        publishers = choices("f_publishers", "filter.publisher", {s.publisher for s in sources.values() if s.publisher})
        years = choices("f_years", "filter.year", {s.year for s in sources.values() if s.year})
        kinds = choices("f_kinds", "filter.kind", {s.kind for s in sources.values() if s.kind})
        st.subheader(ctx.tr("settings"))
        mode = st.selectbox(ctx.tr("mode"), MODES, format_func=lambda m: ctx.tr(f"mode.{m}"), key="mode")
        st.session_state.setdefault("k", DEFAULT_K)
        k = st.slider(ctx.tr("k"), 1, MAX_K, key="k")
        layout = st.radio(ctx.tr("layout"), LAYOUTS, format_func=lambda v: ctx.tr(f"layout.{v}"),
                          key="layout", horizontal=True)
    filters = Filters(docs=frozenset(docs), publishers=frozenset(publishers), years=frozenset(years),
                      kinds=frozenset(kinds))
    return SearchSettings(mode=mode, k=k, grouped=layout == "grouped", filters=filters)


# the page ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchRun:
    """A search and how long it took; kept in session_state so reruns do not search again."""

    key: tuple
    result: SearchResult
    seconds: float


def _set_query(text: str) -> None:
    st.session_state[QUERY_KEY] = text


def _examples(ctx: Context) -> None:
    st.caption(ctx.tr("examples"))
    with st.container(horizontal=True):
        for number, question in enumerate(examples(ctx.lang)):
            st.button(question, key=f"example-{number}", on_click=_set_query, args=(question,), type="tertiary",
                      icon=":material/arrow_forward:")


def run_search(ctx: Context, query: str, settings: SearchSettings) -> SearchRun:
    searcher = ctx.index
    key = (query, settings, id(searcher))
    last: SearchRun | None = st.session_state.get("last_search")
    if last is not None and last.key == key:
        return last
    with st.spinner(ctx.tr("searching")):
        started = time.perf_counter()
        result = searcher.search(query, k=settings.k, mode=settings.mode, filters=settings.filters)
        seconds = time.perf_counter() - started
    log.info("search %.1f ms: mode=%s k=%d hits=%d low_confidence=%s query=%r", seconds * 1000, settings.mode,
             settings.k, len(result.hits), result.low_confidence, query[:80])
    run = SearchRun(key, result, seconds)
    st.session_state["last_search"] = run
    return run


def render(ctx: Context) -> None:
    settings = sidebar(ctx)
    st.title("beleidsbron")
    st.caption(ctx.tr("tagline"))
    st.text_input(ctx.tr("query"), key=QUERY_KEY, placeholder=ctx.tr("query.placeholder"), max_chars=1000)
    _examples(ctx)
    query = st.session_state.get(QUERY_KEY, "").strip()
    if not query:
        return
    run = run_search(ctx, query, settings)
    result = run.result
    if result.note:
        st.caption(md(result.note))
    hits = distinct(result.hits)
    if not hits:
        st.info(ctx.tr("nohits"))
        return
    if result.low_confidence:  # the hits stay: the reader judges them, warned
        st.warning(ctx.tr("lowconf"), icon=":material/help:")
    st.caption(ctx.tr("results", n=len(hits), ms=f"{run.seconds * 1000:.0f}"))
    terms = query_terms(query)
    if settings.grouped:
        for group in grouped(hits).values():
            st.html(f"<h3 class='bb-doc'>{html.escape(group[0][1].source.title)}</h3>")
            for rank, hit in group:
                render_card(ctx, hit, rank, query, terms)
    else:
        for rank, hit in enumerate(hits, start=1):
            render_card(ctx, hit, rank, query, terms)
