"""A chart of evaluation runs: hit@k curves per mode and hit@10 per kind, as PNG and SVG.

matplotlib is imported inside `write_chart` and drawn on an Agg canvas without pyplot,
so importing this module costs nothing and no global backend state changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from beleidsbron.evals.harness import EvalRun
from beleidsbron.evals.metrics import KS


def write_chart(runs: Sequence[EvalRun], stem: Path) -> tuple[Path, Path]:
    """Draw one row per query set (hit@k curves | hit@10 per kind) to <stem>.png and <stem>.svg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not runs:
        raise ValueError("no runs to chart")
    names = list(dict.fromkeys(r.query_set for r in runs))
    figure = Figure(figsize=(11, 3.8 * len(names)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(names), 2, squeeze=False)
    for row, name in enumerate(names):
        subset = [r for r in runs if r.query_set == name]
        _curves(axes[row][0], subset, name)
        _kind_bars(axes[row][1], subset, name)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    figure.savefig(png, dpi=110, metadata={"Software": None})
    figure.savefig(svg, metadata={"Date": None})
    return png, svg


def _curves(ax, runs: Sequence[EvalRun], name: str) -> None:
    for run in runs:
        values = [run.overall.hit_at(k) for k in KS]
        ax.plot(KS, [v if v is not None else float("nan") for v in values], marker="o", label=run.mode)
    ax.set(title=f"{name}: hit@k", xlabel="k", ylabel="share of answerable items", ylim=(0, 1.02),
           xticks=KS)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def _kind_bars(ax, runs: Sequence[EvalRun], name: str) -> None:
    kinds = sorted({kind for r in runs for kind, agg in r.by_kind.items() if agg.hit10 is not None})
    width = 0.8 / max(len(runs), 1)
    for i, run in enumerate(runs):
        heights = [(run.by_kind.get(kind).hit10 or 0.0) if kind in run.by_kind else 0.0 for kind in kinds]
        ax.bar([x + i * width - 0.4 + width / 2 for x in range(len(kinds))], heights, width, label=run.mode)
    ax.set_xticks(range(len(kinds)), kinds, rotation=20, ha="right")
    ax.set(title=f"{name}: hit@10 per kind", ylabel="hit@10", ylim=(0, 1.2), yticks=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncols=max(len(runs), 1), fontsize="small", frameon=False)
