"""A result's PDF page with its quote highlighted, and the PDF to download."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from beleidsbron.index.records import Hit
from beleidsbron.ui.engine import SearcherLike
from beleidsbron.ui.escape import md
from beleidsbron.ui.files import DocumentFiles
from beleidsbron.ui.i18n import tr
from beleidsbron.ui.locate import locate
from beleidsbron.ui.page_image import highlighted_png
from beleidsbron.ui.pdf_render import render_page

log = logging.getLogger("beleidsbron.app")
IMAGE_WIDTH = 640  # pixels on screen: the whole A4 page nearly fits in view


@st.cache_data(show_spinner=False, max_entries=64)
def page_png(path: str, mtime_ns: int, page: int, quote: str, before: str) -> tuple[bytes, bool]:
    """PNG of the page with the quote marked, and whether the quote was found on it.

    `mtime_ns` is part of the cache key only: a replaced file is rendered again.
    """
    rendered = render_page(Path(path), page)
    indices = locate(rendered.chars, quote, before)
    return highlighted_png(rendered.image, rendered.boxes(indices)), bool(indices)


def document_sha(searcher: SearcherLike, file: str) -> str:
    return next((d.sha256 for d in searcher.manifest.documents if d.file == file), "")


def show_page(hit: Hit, searcher: SearcherLike, files: DocumentFiles, lang: str, key: str) -> None:
    path = files.find(hit.doc, document_sha(searcher, hit.doc))
    if path is None:
        st.warning(tr(lang, "pdf.missing", file=md(hit.doc)))
        return
    try:
        before = searcher.store.page_text(hit.doc, hit.page)[:hit.quote.start]
        png, found = page_png(str(path), path.stat().st_mtime_ns, hit.page, hit.quote.text, before)
    except Exception as exc:  # pdfium raises its own errors on damaged files
        log.warning("cannot render %s p. %d: %s", hit.doc, hit.page, exc)
        st.warning(tr(lang, "pdf.failed", file=md(hit.doc), page=hit.page))
        return
    st.image(png, caption=tr(lang, "pdf.caption", page=hit.page), width=IMAGE_WIDTH)
    if not found:
        st.caption(tr(lang, "pdf.notfound"))
    st.download_button(tr(lang, "pdf.download"), data=path.read_bytes, file_name=path.name,
                       mime="application/pdf", key=f"dl-{key}", on_click="ignore")
