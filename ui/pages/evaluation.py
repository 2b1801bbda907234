"""The evaluation page: the latest report of `beleidsbron eval` (<reports>/latest.json) as a table
and a chart.

The report may not exist yet (`beleidsbron eval` writes it), or be unreadable: `load_report`
then returns None and the page says how to make one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from beleidsbron.evals.report import COLUMNS, LATEST
from beleidsbron.ui.context import Context
from beleidsbron.ui.markup import md

HIT_KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class EvalReport:
    created: str
    commit: str
    rows: tuple[dict, ...]  # one per run: query set, mode, then a value per COLUMNS label
    chart: Path | None  # latest.png, when it was drawn
    markdown: Path | None


def _value(column, raw):
    if not isinstance(raw, (int, float)) or isinstance(raw, bool):
        return None
    if column.unit == "ms":
        return round(raw * 1000, 1)
    return raw if column.unit == "count" else round(float(raw), 3)


def run_row(run: dict) -> dict:
    overall = run.get("overall") or {}
    row = {"query set": str(run.get("query_set", "?")), "mode": str(run.get("mode", "?"))}
    row |= {c.label: _value(c, overall.get(c.key)) for c in COLUMNS}
    return row


def load_report(folder: Path) -> EvalReport | None:
    path = folder / f"{LATEST}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        return None
    chart, markdown = folder / f"{LATEST}.png", folder / f"{LATEST}.md"
    return EvalReport(created=str(data.get("created", "")), commit=str(data.get("git_commit") or ""),
                      rows=tuple(run_row(r) for r in runs if isinstance(r, dict)),
                      chart=chart if chart.is_file() else None, markdown=markdown if markdown.is_file() else None)


def hit_curve(report: EvalReport) -> dict[str, list[float | None]]:
    """Per `query set / mode`: hit@1, hit@3, hit@5, hit@10 (for a chart drawn by the app)."""
    return {f"{r['query set']} / {r['mode']}": [r.get(f"hit@{k}") for k in HIT_KS] for r in report.rows}


def render(ctx: Context) -> None:
    st.title(ctx.tr("eval.title"))
    report = load_report(ctx.settings.reports)
    if report is None:
        st.info(ctx.tr("eval.none"))
        st.code("beleidsbron eval", language="bash")
        return
    st.caption(ctx.tr("eval.meta", created=md(report.created), commit=md(report.commit[:12] or "?")))
    st.dataframe(report.rows, hide_index=True, width="stretch")
    st.caption(ctx.tr("eval.legend"))
    st.subheader(ctx.tr("eval.chart"))
    if report.chart is not None:
        st.image(str(report.chart), width="stretch")
    else:
        curves = pd.DataFrame(hit_curve(report), index=[f"hit@{k}" for k in HIT_KS])
        st.line_chart(curves)
    if report.markdown is not None:
        with st.expander(ctx.tr("eval.full")):
            st.code(report.markdown.read_text(encoding="utf-8"), language="markdown")
