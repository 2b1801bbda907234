"""The search page: query box with example questions, results as cards, under a warning when in doubt."""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass

import streamlit as st

from beleidsbron.index.records import SearchResult
from beleidsbron.ui.cards import render_card
from beleidsbron.ui.engine import SearcherLike
from beleidsbron.ui.escape import md
from beleidsbron.ui.files import DocumentFiles
from beleidsbron.ui.highlight import query_terms
from beleidsbron.ui.i18n import examples, tr
from beleidsbron.ui.results import distinct, grouped
from beleidsbron.ui.settings import SearchSettings

log = logging.getLogger("beleidsbron.app")
QUERY_KEY = "query"


@dataclass(frozen=True)
class SearchRun:
    """A search and how long it took; kept in session_state so reruns do not search again."""

    key: tuple
    result: SearchResult
    seconds: float


def _set_query(text: str) -> None:
    st.session_state[QUERY_KEY] = text


def _examples(lang: str) -> None:
    st.caption(tr(lang, "examples"))
    with st.container(horizontal=True):
        for number, question in enumerate(examples(lang)):
            st.button(question, key=f"example-{number}", on_click=_set_query, args=(question,), type="tertiary",
                      icon=":material/arrow_forward:")


def run_search(searcher: SearcherLike, query: str, settings: SearchSettings, lang: str) -> SearchRun:
    key = (query, settings, id(searcher))
    last: SearchRun | None = st.session_state.get("last_search")
    if last is not None and last.key == key:
        return last
    with st.spinner(tr(lang, "searching")):
        started = time.perf_counter()
        result = searcher.search(query, k=settings.k, mode=settings.mode, filters=settings.filters)
        seconds = time.perf_counter() - started
    log.info("search %.1f ms: mode=%s k=%d hits=%d low_confidence=%s query=%r", seconds * 1000, settings.mode,
             settings.k, len(result.hits), result.low_confidence, query[:80])
    run = SearchRun(key, result, seconds)
    st.session_state["last_search"] = run
    return run


def render(searcher: SearcherLike, settings: SearchSettings, files: DocumentFiles, lang: str) -> None:
    st.title("beleidsbron")
    st.caption(tr(lang, "tagline"))
    st.text_input(tr(lang, "query"), key=QUERY_KEY, placeholder=tr(lang, "query.placeholder"), max_chars=1000)
    _examples(lang)
    query = st.session_state.get(QUERY_KEY, "").strip()
    if not query:
        return
    run = run_search(searcher, query, settings, lang)
    result = run.result
    if result.note:
        st.caption(md(result.note))
    hits = distinct(result.hits)
    if not hits:
        st.info(tr(lang, "nohits"))
        return
    if result.low_confidence:  # the hits stay: the reader judges them, warned
        st.warning(tr(lang, "lowconf"), icon=":material/help:")
    st.caption(tr(lang, "results", n=len(hits), ms=f"{run.seconds * 1000:.0f}"))
    terms = query_terms(query)
    if settings.grouped:
        for group in grouped(hits).values():
            st.html(f"<h3 class='bb-doc'>{html.escape(group[0][1].source.title)}</h3>")
            for rank, hit in group:
                render_card(hit, rank, query, terms, lang, searcher, files)
    else:
        for rank, hit in enumerate(hits, start=1):
            render_card(hit, rank, query, terms, lang, searcher, files)
