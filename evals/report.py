"""Evaluation reports: an aligned text table, JSON and Markdown files, deltas against the previous report.

Files under the output directory: latest.json / latest.md (overwritten each run) and a
timestamped copy eval-YYYYmmddTHHMMSSZ.json / .md. A delta compares a run with the run
of the previous latest.json for the same query set (name and sha256), mode and k.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from beleidsbron.evals.harness import EvalRun, QuerySet

FORMAT = 1
LATEST = "latest"
MINUS = "\u2212"
DELTA = "Δ"


@dataclass(frozen=True)
class Column:
    key: str  # an Aggregate field
    label: str
    better: int  # +1 higher is better, -1 lower is better, 0 not judged (counts, latency)
    unit: str = "rate"  # rate | count | ms


COLUMNS = (
    Column("items", "n", 0, "count"), Column("hit1", "hit@1", 1), Column("hit3", "hit@3", 1),
    Column("hit5", "hit@5", 1), Column("hit10", "hit@10", 1), Column("mrr", "MRR@10", 1),
    Column("ndcg", "nDCG@10", 1), Column("page_accuracy", "page±1", 1), Column("coverage", "cov@10", 1),
    Column("quote_hit1", "qhit@1", 1), Column("quote_hit10", "qhit@10", 1),
    Column("flagged_unanswerable", "flag-unans", 1), Column("flagged_answerable", "flag-ans", -1),
    Column("latency_p50", "p50 ms", 0, "ms"), Column("latency_p95", "p95 ms", 0, "ms"),
)


@dataclass(frozen=True)
class ReportMeta:
    created: str  # ISO 8601, UTC
    git_commit: str | None
    package_version: str | None
    query_sets: tuple[dict, ...]  # {name, path, sha256, items}
    notes: tuple[str, ...] = ()

    @property
    def stamp(self) -> str:
        return datetime.fromisoformat(self.created).strftime("%Y%m%dT%H%M%SZ")


def git_commit(cwd: Path | None = None) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def package_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("beleidsbron")
    except PackageNotFoundError:
        return None


def collect_meta(query_sets: Sequence[QuerySet], notes: Sequence[str] = (), now: datetime | None = None,
                 cwd: Path | None = None) -> ReportMeta:
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    sets = tuple({"name": qs.name, "path": str(qs.path), "sha256": qs.sha256, "items": len(qs.items)}
                 for qs in query_sets)
    return ReportMeta(created=now.isoformat(), git_commit=git_commit(cwd), package_version=package_version(),
                      query_sets=sets, notes=tuple(notes))


def _run_json(run: EvalRun) -> dict:
    """A run as JSON: aggregates and per-item scores, without the per-result rows (they would be megabytes)."""
    data = asdict(run)
    for item in data["items"]:
        del item["judged"]
    return data


def to_json(runs: Sequence[EvalRun], meta: ReportMeta) -> dict:
    return {"format": FORMAT, **asdict(meta), "runs": [_run_json(run) for run in runs]}


def load_previous(path: Path) -> dict | None:
    """A previous JSON report, or None if there is none or it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("runs"), list) else None


def previous_run(previous: dict | None, run: EvalRun) -> dict | None:
    """The previous report's run of the same query set (same content), mode and k."""
    for old in (previous or {}).get("runs", []):
        if (isinstance(old, dict) and old.get("query_set") == run.query_set and old.get("sha256") == run.sha256
                and old.get("mode") == run.mode and old.get("k") == run.k):
            return old
    return None


def _old_value(old: dict | None, breakdown: str | None, name: str | None, key: str):
    if old is None:
        return None
    section = old.get("overall") if breakdown is None else (old.get(f"by_{breakdown}") or {}).get(name)
    value = (section or {}).get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def fmt_value(column: Column, value) -> str:
    if value is None:
        return "–"
    if column.unit == "count":
        return str(value)
    if column.unit == "ms":
        return f"{value * 1000:.0f}"
    return f"{value:.3f}"


def fmt_delta(column: Column, value, old) -> str:
    """'+0.033' / '−0.050' (with a real minus sign); '' when unchanged or not comparable."""
    if value is None or old is None:
        return ""
    diff = (value - old) * (1000 if column.unit == "ms" else 1)
    text = f"{diff:+.0f}" if column.unit in ("ms", "count") else f"{diff:+.3f}"
    if float(text) == 0:
        return ""
    return text.replace("-", MINUS)


def _cells(run: EvalRun, old: dict | None, deltas: bool, breakdown: str | None = None,
           name: str | None = None) -> list[str]:
    """A row's metric cells; with `deltas`, each value is followed by its delta cell."""
    agg = run.overall if breakdown is None else run.breakdowns()[breakdown][name]
    cells = []
    for column in COLUMNS:
        value = getattr(agg, column.key)
        cells.append(fmt_value(column, value))
        if deltas and column.unit != "count":
            cells.append(fmt_delta(column, value, _old_value(old, breakdown, name, column.key)))
    return cells


def _header(deltas: bool) -> list[str]:
    return [cell for c in COLUMNS for cell in ([c.label, DELTA] if deltas and c.unit != "count" else [c.label])]


def table_rows(runs: Sequence[EvalRun], previous: dict | None) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each table: per query set the overall one, then per kind, lang and doc.

    When some run has a previous counterpart, a delta column (DELTA) follows every metric.
    """
    tables = []
    for name in dict.fromkeys(r.query_set for r in runs):
        subset = [r for r in runs if r.query_set == name]
        olds = [previous_run(previous, r) for r in subset]
        deltas = any(old is not None for old in olds)
        tables.append((f"{name}: overall", ["mode", *_header(deltas)],
                       [[r.mode, *_cells(r, old, deltas)] for r, old in zip(subset, olds)]))
        for breakdown in ("kind", "lang", "doc"):
            keys = sorted({key for r in subset for key in r.breakdowns()[breakdown]})
            rows = [[key, r.mode, *_cells(r, old, deltas, breakdown, key)]
                    for key in keys for r, old in zip(subset, olds) if key in r.breakdowns()[breakdown]]
            tables.append((f"{name}: per {breakdown}", [breakdown, "mode", *_header(deltas)], rows))
    return tables


def _drop_empty_deltas(header: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[list[str], list[list[str]]]:
    keep = [i for i, h in enumerate(header) if h != DELTA or any(row[i] for row in rows)]
    return [header[i] for i in keep], [[row[i] for i in keep] for row in rows]


def align(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain-text table: text columns left-aligned, numbers right-aligned, each delta one space after its value.

    Delta columns with nothing in them are left out.
    """
    header, rows = _drop_empty_deltas(header, rows)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    texts = {i for i, h in enumerate(header) if h in ("mode", "kind", "lang", "doc", DELTA)}

    def line(cells: Sequence[str]) -> str:
        out = ""
        for i, (cell, width) in enumerate(zip(cells, widths)):
            gap = "" if i == 0 else " " if header[i] == DELTA else "  "
            out += gap + (cell.ljust(width) if i in texts else cell.rjust(width))
        return out.rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def regressions(runs: Sequence[EvalRun], previous: dict | None) -> list[str]:
    """One line per run whose overall quality got worse than in the previous report."""
    lines = []
    for run in runs:
        old = previous_run(previous, run)
        worse = []
        for column in COLUMNS:
            before, now = _old_value(old, None, None, column.key), getattr(run.overall, column.key)
            if column.better and before is not None and now is not None and (now - before) * column.better < -5e-4:
                worse.append(f"{column.label} {fmt_value(column, before)} → {fmt_value(column, now)}")
        if worse:
            lines.append(f"{run.mode} on {run.query_set}: " + ", ".join(worse))
    return lines


def _comparison(runs: Sequence[EvalRun], previous: dict | None) -> str:
    if previous is None:
        return "no previous report to compare with"
    compared = sum(previous_run(previous, r) is not None for r in runs)
    since = previous.get("created", "?")
    if not compared:
        return f"previous report ({since}) has no run of the same query set, mode and k"
    return f"deltas against the previous report of {since} ({compared} of {len(runs)} runs comparable)"


def render_table(runs: Sequence[EvalRun], previous: dict | None = None) -> str:
    k = ", ".join(sorted({str(r.k) for r in runs}))
    parts = [f"Evaluation (k={k}); {_comparison(runs, previous)}"]
    parts += [f"{title}\n{align(header, rows)}" for title, header, rows in table_rows(runs, previous)]
    worse = regressions(runs, previous)
    if worse:
        parts.append("REGRESSIONS:\n" + "\n".join(f"  {w}" for w in worse))
    elif any(previous_run(previous, r) is not None for r in runs):
        parts.append("no regressions")
    return "\n\n".join(parts) + "\n"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    header, rows = _drop_empty_deltas(header, rows)

    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)])


def render_markdown(runs: Sequence[EvalRun], meta: ReportMeta, previous: dict | None = None,
                    chart: str | None = None) -> str:
    out = [f"# Evaluation report {meta.created}", "",
           f"- commit: `{meta.git_commit or 'unknown'}`; beleidsbron {meta.package_version or 'unknown'}",
           *[f"- query set `{q['name']}`: {q['items']} items, sha256 `{q['sha256'][:12]}`" for q in meta.query_sets],
           f"- {_comparison(runs, previous)}", *[f"- note: {n}" for n in meta.notes], ""]
    worse = regressions(runs, previous)
    if worse:
        out += ["**Regressions**", "", *[f"- {w}" for w in worse], ""]
    if chart:
        out += [f"![hit@k per mode]({chart})", ""]
    for title, header, rows in table_rows(runs, previous):
        out += [f"## {title}", "", _md_table(header, rows), ""]
    out += ["## Items without a hit in the top 10", ""]
    for run in runs:
        missed = [s.id for s in run.items if s.answerable and (s.rank is None or s.rank > 10)]
        out.append(f"- {run.mode} on {run.query_set}: {', '.join(missed) or 'none'}")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    markdown: Path
    stamped_json: Path
    stamped_markdown: Path


def write_report(runs: Sequence[EvalRun], meta: ReportMeta, out_dir: Path, previous: dict | None = None,
                 chart: bool = False) -> ReportFiles:
    """Write latest.json/.md and a timestamped copy. With `chart`, the Markdown links <stem>.png."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(to_json(runs, meta), ensure_ascii=False, indent=1)
    stamped = f"eval-{meta.stamp}"
    files = ReportFiles(out_dir / f"{LATEST}.json", out_dir / f"{LATEST}.md",
                        out_dir / f"{stamped}.json", out_dir / f"{stamped}.md")
    for json_path, md_path, stem in ((files.stamped_json, files.stamped_markdown, stamped),
                                     (files.json, files.markdown, LATEST)):
        json_path.write_text(payload + "\n", encoding="utf-8")
        md_path.write_text(render_markdown(runs, meta, previous, f"{stem}.png" if chart else None),
                           encoding="utf-8")
    return files
