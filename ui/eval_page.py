"""The evaluation page: the latest report of `beleidsbron eval` as a table and a chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from beleidsbron.ui.escape import md
from beleidsbron.ui.eval_report import HIT_KS, hit_curve, load_report
from beleidsbron.ui.i18n import tr


def render(lang: str) -> None:
    st.title(tr(lang, "eval.title"))
    report = load_report()
    if report is None:
        st.info(tr(lang, "eval.none"))
        st.code("beleidsbron eval", language="bash")
        return
    st.caption(tr(lang, "eval.meta", created=md(report.created), commit=md(report.commit[:12] or "?")))
    st.dataframe(report.rows, hide_index=True, width="stretch")
    st.caption(tr(lang, "eval.legend"))
    st.subheader(tr(lang, "eval.chart"))
    if report.chart is not None:
        st.image(str(report.chart), width="stretch")
    else:
        curves = pd.DataFrame(hit_curve(report), index=[f"hit@{k}" for k in HIT_KS])
        st.line_chart(curves)
    if report.markdown is not None:
        with st.expander(tr(lang, "eval.full")):
            st.code(report.markdown.read_text(encoding="utf-8"), language="markdown")
