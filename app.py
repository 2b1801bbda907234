"""beleidsbron: the Streamlit app. Thin: language, navigation, the page's Context, dispatch; the pages
live in ui/pages/.

    beleidsbron app             (make app builds the index first, if needed)
"""

from __future__ import annotations

import logging
import os
from importlib.resources import files

import streamlit as st

from beleidsbron.ui import ingestion
from beleidsbron.ui.cards import CSS
from beleidsbron.ui.context import Context
from beleidsbron.ui.i18n import LANG_NAMES, LANGS, tr
from beleidsbron.ui.markup import md
from beleidsbron.ui.pages import basket, documents, evaluation, search

PAGES = {"search": search, "basket": basket, "documents": documents, "evaluation": evaluation}
NEEDS_INDEX = ("search", "documents")
# widget values that must survive a visit to another page (Streamlit forgets unrendered widgets)
KEPT = (search.QUERY_KEY, *search.KEYS)
# served by the app itself: an emoji or ":material/…" page icon is fetched from a CDN, off the machine
ICON = files("beleidsbron.ui") / "icon.png"

# One compute thread per search: the server answers each session in its own thread, and a
# query embedding split over all cores stalls as soon as anything else runs (265 ms median
# on a busy 2-core machine, against 25 ms with one thread). torch is imported later, when
# the model loads; OMP_NUM_THREADS in the environment overrides this.
os.environ.setdefault("OMP_NUM_THREADS", "1")

log = logging.getLogger("beleidsbron.app")  # search times, ingestions: on the server's stderr
if not log.handlers:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s beleidsbron.app %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)

st.set_page_config(page_title="beleidsbron", page_icon=str(ICON), layout="wide")
for key in KEPT:
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
st.html(CSS)

with st.sidebar:
    lang = st.radio("Taal / Language", LANGS, format_func=LANG_NAMES.get, key="lang", horizontal=True)
    in_basket = len(basket.current())
    page = st.radio(tr(lang, "nav"), list(PAGES), key="page", format_func=lambda p: tr(lang, f"page.{p}", n=in_basket))

try:
    ctx = Context.load(lang)
except ValueError as exc:  # a setting with a value that is not allowed: say which, once
    st.error(tr(lang, "settings.bad", error=md(str(exc))))
    st.stop()
if page in NEEDS_INDEX:
    ctx = ctx.with_searcher(ingestion.ensure_searcher(ctx))
PAGES[page].render(ctx)
