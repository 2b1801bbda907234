"""A result's PDF page with its quote marked, and the PDF to download."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import streamlit as st

from beleidsbron.index.records import Hit
from beleidsbron.ui.context import Context
from beleidsbron.ui.markup import md
from beleidsbron.ui.pdf.locate import locate
from beleidsbron.ui.pdf.render import render_page

log = logging.getLogger("beleidsbron.app")
IMAGE_WIDTH = 640  # pixels on screen: the whole A4 page nearly fits in view


@st.cache_data(show_spinner=False, max_entries=64)
def page_png(path: str, mtime_ns: int, page: int, quote: str, before: str) -> tuple[bytes, bool]:
    """PNG of the page with the quote marked, and whether the quote was found on it.

    `mtime_ns` is part of the cache key only: a replaced file is rendered again.
    """
    rendered = render_page(Path(path), page, partial(locate, quote=quote, before=before))
    return rendered.png, bool(rendered.marked)


def show_page(ctx: Context, hit: Hit, key: str) -> None:
    sha = next((d.sha256 for d in ctx.index.manifest.documents if d.file == hit.doc), "")
    path = ctx.files.find(hit.doc, sha)
    if path is None:
        st.warning(ctx.tr("pdf.missing", file=md(hit.doc)))
        return
    try:
        before = ctx.index.store.page_text(hit.doc, hit.page)[:hit.quote.start]
        png, found = page_png(str(path), path.stat().st_mtime_ns, hit.page, hit.quote.text, before)
        st.image(png, caption=ctx.tr("pdf.caption", page=hit.page), width=IMAGE_WIDTH)
    except Exception as exc:  # pdfium and Pillow raise their own errors on damaged or hostile files
        log.warning("cannot render %s p. %d: %s: %s", hit.doc, hit.page, exc.__class__.__name__, exc)
        st.warning(ctx.tr("pdf.failed", file=md(hit.doc), page=hit.page))
        return
    if not found:
        st.caption(ctx.tr("pdf.notfound"))
    st.download_button(ctx.tr("pdf.download"), data=path.read_bytes, file_name=path.name,
                       mime="application/pdf", key=f"dl-{key}", on_click="ignore")
