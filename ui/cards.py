"""A result card: the quote with query terms marked, source, origin and page, score, copy, context, PDF page.

Also the hits as the app lists them (each quote once; one list or per document) and the CSS the
cards are drawn with.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence

import streamlit as st

from beleidsbron.index.citation import quoted
from beleidsbron.index.records import Hit
from beleidsbron.ui import basket
from beleidsbron.ui.basket import BasketItem
from beleidsbron.ui.context import Context
from beleidsbron.ui.files import Origin, origin
from beleidsbron.ui.markup import flat, mark_terms, passage_html, quote_offset
from beleidsbron.ui.pdf.view import show_page

CSS = """<style>
.bb-card { position: relative; padding-left: 2.4rem; }
.bb-rank { position: absolute; left: 0; top: .15rem; width: 1.7rem; height: 1.7rem; border-radius: 50%;
  background: #e8eef7; color: #1f4e8c; font-weight: 600; text-align: center; line-height: 1.7rem; }
.bb-quote { margin: 0 0 .4rem 0; padding: .1rem 0 .1rem .8rem; border-left: 3px solid #1f4e8c;
  font-size: 1.05rem; line-height: 1.5; white-space: pre-wrap; }
.bb-meta { color: #555; font-size: .9rem; }
.bb-page { font-weight: 600; color: #1f4e8c; }
.bb-score { color: #888; }
.bb-origin { font-size: .85rem; color: #555; }
.bb-origin.upload { color: #8a4b00; font-weight: 600; }
.bb-context { white-space: pre-wrap; line-height: 1.5; }
.bb-context mark.quote { background: #ffe58a; padding: 0 .1rem; }
h3.bb-doc { margin: 1.2rem 0 .2rem 0; font-size: 1.2rem; }
mark { background: #fff3b0; padding: 0; }
</style>"""


# the list ----------------------------------------------------------------------------------------
def quote_span(hit: Hit) -> tuple[str, int, int, int]:
    return hit.doc, hit.quote.page, hit.quote.start, hit.quote.end


def distinct(hits: Sequence[Hit]) -> tuple[Hit, ...]:
    """The hits, each quote once: a later hit with the very same quote as a better one is left out.

    (Two overlapping passages that cross a page break can yield the same quote.)
    """
    seen: set[tuple[str, int, int, int]] = set()
    out = []
    for hit in hits:
        if quote_span(hit) not in seen:
            seen.add(quote_span(hit))
            out.append(hit)
    return tuple(out)


def grouped(hits: Sequence[Hit]) -> dict[str, list[tuple[int, Hit]]]:
    """(rank, hit) per document, documents in the order of their best hit."""
    groups: dict[str, list[tuple[int, Hit]]] = {}
    for rank, hit in enumerate(hits, start=1):
        groups.setdefault(hit.doc, []).append((rank, hit))
    return groups


# one card ----------------------------------------------------------------------------------------
def hit_key(hit: Hit) -> str:
    raw = f"{hit.doc}:{hit.page}:{hit.quote.start}:{hit.quote.end}"
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def origin_html(ctx: Context, where: Origin) -> str:
    """Where the document came from: shipped with the app, or uploaded (when, under what name)."""
    if where.kind == "upload":
        text = ctx.tr("origin.upload", at=where.added_at or "?", name=where.uploaded_as)
    else:
        text = ctx.tr(f"origin.{where.kind}")
    return f'<span class="bb-origin {where.kind}">{html.escape(text)}</span>'


def card_html(ctx: Context, hit: Hit, rank: int, terms: tuple[str, ...], where: Origin | None = None) -> str:
    """The card's head as escaped HTML: rank, quote, title, publisher, year, page, score, origin."""
    source = hit.source
    meta = [f"<b>{html.escape(source.title)}</b>"]
    meta += [html.escape(v) for v in (source.publisher, str(source.year or ctx.tr("no_year"))) if v]
    meta.append(f'<span class="bb-page">p. {hit.page}</span>')
    meta.append(f'<span class="bb-score">{ctx.tr("score")} {hit.score:.3f}</span>')
    if where is not None:
        meta.append(origin_html(ctx, where))
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


def render_card(ctx: Context, hit: Hit, rank: int, query: str, terms: tuple[str, ...]) -> None:
    key = hit_key(hit)
    item = BasketItem.from_hit(hit, query)
    where = origin(ctx.index.manifest, ctx.files, ctx.data, hit.doc)
    with st.container(border=True):
        st.html(card_html(ctx, hit, rank, terms, where))
        st.code(quoted(flat(hit.quote.text), hit.source, hit.page), language=None, wrap_lines=True)
        left, right = st.columns(2)
        in_basket = basket.contains(st.session_state.get("basket", ()), item.key)
        left.button(ctx.tr("basket.added" if in_basket else "basket.add"), key=f"add-{key}", on_click=_add,
                    args=(item,), disabled=in_basket, icon=":material/bookmark_add:")
        show_pdf = right.toggle(ctx.tr("card.pdf"), key=f"pdf-{key}")
        with st.expander(ctx.tr("card.context")):
            st.html(context_html(hit, terms))
        if show_pdf:
            show_page(ctx, hit, key)
