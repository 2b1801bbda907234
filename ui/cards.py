"""A result card: the quote with query terms marked, source and page, score, copy, context, PDF page."""

from __future__ import annotations

import hashlib
import html

import streamlit as st

from beleidsbron.index.citation import quoted
from beleidsbron.index.records import Hit
from beleidsbron.ui import basket
from beleidsbron.ui.basket import BasketItem
from beleidsbron.ui.engine import SearcherLike
from beleidsbron.ui.files import DocumentFiles
from beleidsbron.ui.highlight import flat, mark_terms, passage_html, quote_offset
from beleidsbron.ui.i18n import tr
from beleidsbron.ui.pdf_view import show_page


def hit_key(hit: Hit) -> str:
    raw = f"{hit.doc}:{hit.page}:{hit.quote.start}:{hit.quote.end}"
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def card_html(hit: Hit, rank: int, terms: tuple[str, ...], lang: str) -> str:
    """The card's head as escaped HTML: rank, quote, title, publisher, year, page, score."""
    source = hit.source
    meta = [f"<b>{html.escape(source.title)}</b>"]
    meta += [html.escape(v) for v in (source.publisher, str(source.year or tr(lang, "no_year"))) if v]
    meta.append(f'<span class="bb-page">p. {hit.page}</span>')
    meta.append(f'<span class="bb-score">{tr(lang, "score")} {hit.score:.3f}</span>')
    return (f'<div class="bb-card"><div class="bb-rank">{rank}</div>'
            f'<blockquote class="bb-quote">“{mark_terms(flat(hit.quote.text), terms)}”</blockquote>'
            f'<div class="bb-meta">{" · ".join(meta)}</div></div>')


def context_html(hit: Hit, terms: tuple[str, ...]) -> str:
    chunk = hit.chunk
    at = quote_offset(chunk.text, chunk.page_start, chunk.start, hit.quote.text, hit.quote.page, hit.quote.start)
    pages = f"p. {chunk.page_start}" + (f"–{chunk.page_end}" if chunk.page_end != chunk.page_start else "")
    return (f'<div class="bb-context"><div class="bb-meta">{pages}</div>'
            f"{passage_html(chunk.text, at, len(hit.quote.text), terms)}</div>")


def _add(item: BasketItem) -> None:
    st.session_state["basket"] = basket.add(st.session_state.get("basket", ()), item)


def render_card(hit: Hit, rank: int, query: str, terms: tuple[str, ...], lang: str, searcher: SearcherLike,
                files: DocumentFiles) -> None:
    key = hit_key(hit)
    item = BasketItem.from_hit(hit, query)
    with st.container(border=True):
        st.html(card_html(hit, rank, terms, lang))
        st.code(quoted(flat(hit.quote.text), hit.source, hit.page), language=None, wrap_lines=True)
        left, right = st.columns(2)
        in_basket = basket.contains(st.session_state.get("basket", ()), item.key)
        left.button(tr(lang, "basket.added" if in_basket else "basket.add"), key=f"add-{key}", on_click=_add,
                    args=(item,), disabled=in_basket, icon=":material/bookmark_add:")
        show_pdf = right.toggle(tr(lang, "card.pdf"), key=f"pdf-{key}")
        with st.expander(tr(lang, "card.context")):
            st.html(context_html(hit, terms))
        if show_pdf:
            show_page(hit, searcher, files, lang, key)
