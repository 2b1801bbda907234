"""beleidsbron: the Streamlit app. Thin: language, navigation and page dispatch; the pages live in ui/.

    streamlit run app.py        (make app builds the index first, if needed)
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from beleidsbron.ui import basket_page, documents_page, engine, eval_page, search_page, settings, startup
from beleidsbron.ui.files import DocumentFiles, uploads_dir
from beleidsbron.ui.i18n import LANG_NAMES, LANGS, tr
from beleidsbron.ui.style import CSS

PAGES = ("search", "basket", "documents", "evaluation")
# widget values that must survive a visit to another page (Streamlit forgets unrendered widgets)
KEPT = (search_page.QUERY_KEY, *settings.KEYS)

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

st.set_page_config(page_title="beleidsbron", page_icon=":material/menu_book:", layout="wide")
for key in KEPT:
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
st.html(CSS)

with st.sidebar:
    lang = st.radio("Taal / Language", LANGS, format_func=LANG_NAMES.get, key="lang", horizontal=True)
    in_basket = len(basket_page.current())
    page = st.radio(tr(lang, "nav"), PAGES, key="page", format_func=lambda p: tr(lang, f"page.{p}", n=in_basket))

data = engine.home()
files = DocumentFiles((engine.corpus_dir(), uploads_dir(data)))
if page == "evaluation":
    eval_page.render(lang)
elif page == "basket":
    basket_page.render(lang)
else:
    searcher = startup.ensure_searcher(data, lang)
    if page == "search":
        search_page.render(searcher, settings.sidebar(searcher.sources, lang), files, lang)
    else:
        documents_page.render(searcher, data, files, lang)
