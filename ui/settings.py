"""The sidebar's search settings: filters, mode, number of results, layout."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from beleidsbron.index.search import Filters
from beleidsbron.ingest.records import Source
from beleidsbron.ui.i18n import tr

MODES = ("rerank", "hybrid", "semantic", "keyword")  # rerank = hybrid + rerank, the default
LAYOUTS = ("list", "grouped")
MAX_K = 30
DEFAULT_K = 10
KEYS = ("f_docs", "f_publishers", "f_years", "f_kinds", "mode", "k", "layout")


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


def sidebar(sources: dict[str, Source], lang: str) -> SearchSettings:
    def title(file: str) -> str:
        return sources[file].title if file in sources else file

    with st.sidebar:
        st.subheader(tr(lang, "filters"))
        docs = st.multiselect(tr(lang, "filter.doc"), _options("f_docs", sorted(sources, key=title)),
                              format_func=title, key="f_docs", placeholder=tr(lang, "filter.all"))
        publishers = st.multiselect(
            tr(lang, "filter.publisher"),
            _options("f_publishers", sorted({s.publisher for s in sources.values() if s.publisher})),
            key="f_publishers", placeholder=tr(lang, "filter.all"))
        years = st.multiselect(tr(lang, "filter.year"),
                               _options("f_years", sorted({s.year for s in sources.values() if s.year})),
                               key="f_years", placeholder=tr(lang, "filter.all"))
        kinds = st.multiselect(tr(lang, "filter.kind"),
                               _options("f_kinds", sorted({s.kind for s in sources.values() if s.kind})),
                               key="f_kinds", placeholder=tr(lang, "filter.all"))
        st.subheader(tr(lang, "settings"))
        mode = st.selectbox(tr(lang, "mode"), MODES, format_func=lambda m: tr(lang, f"mode.{m}"), key="mode")
        st.session_state.setdefault("k", DEFAULT_K)
        k = st.slider(tr(lang, "k"), 1, MAX_K, key="k")
        layout = st.radio(tr(lang, "layout"), LAYOUTS, format_func=lambda v: tr(lang, f"layout.{v}"),
                          key="layout", horizontal=True)
    filters = Filters(docs=frozenset(docs), publishers=frozenset(publishers), years=frozenset(years),
                      kinds=frozenset(kinds))
    return SearchSettings(mode=mode, k=k, grouped=layout == "grouped", filters=filters)
