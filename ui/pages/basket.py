"""The quote basket page: reorder and remove quotes, copy them all, export them."""

from __future__ import annotations

import html

import streamlit as st

from beleidsbron.ui import basket
from beleidsbron.ui.basket import Basket
from beleidsbron.ui.context import Context
from beleidsbron.ui.export import FORMATS

KEY = "basket"
EXPORT_NAME = "beleidsbron-citaten"


def current() -> Basket:
    return st.session_state.get(KEY, ())


def _move(key: str, offset: int) -> None:
    st.session_state[KEY] = basket.move(current(), key, offset)


def _remove(key: str) -> None:
    st.session_state[KEY] = basket.remove(current(), key)


def _clear() -> None:
    st.session_state[KEY] = ()


def render(ctx: Context) -> None:
    st.title(ctx.tr("basket.title"))
    items = current()
    if not items:
        st.info(ctx.tr("basket.empty"))
        return
    st.caption(ctx.tr("basket.help"))
    for number, item in enumerate(items, start=1):
        with st.container(border=True):
            text, up, down, drop = st.columns([20, 1, 1, 1], vertical_alignment="center")
            text.html(f'<div class="bb-card"><div class="bb-rank">{number}</div>'
                      f'<blockquote class="bb-quote">“{html.escape(item.quote)}”</blockquote>'
                      f'<div class="bb-meta">{html.escape(item.citation)}</div></div>')
            up.button("↑", key=f"up-{item.key}", on_click=_move, args=(item.key, -1), disabled=number == 1,
                      help=ctx.tr("basket.up"))
            down.button("↓", key=f"down-{item.key}", on_click=_move, args=(item.key, 1),
                        disabled=number == len(items), help=ctx.tr("basket.down"))
            drop.button("✕", key=f"remove-{item.key}", on_click=_remove, args=(item.key,),
                        help=ctx.tr("basket.remove"))
    st.subheader(ctx.tr("basket.copy_all"))
    st.code("\n\n".join(item.quoted for item in items), language=None, wrap_lines=True)
    st.subheader(ctx.tr("basket.export"))
    for column, fmt in zip(st.columns(len(FORMATS)), FORMATS):
        column.download_button(fmt.name, data=fmt.render(items), file_name=f"{EXPORT_NAME}.{fmt.extension}",
                               mime=fmt.mime, key=f"export-{fmt.extension}", on_click="ignore",
                               icon=":material/download:", width="stretch")
    st.button(ctx.tr("basket.clear"), key="basket-clear", on_click=_clear, type="tertiary")
