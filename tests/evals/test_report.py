"""Report files, deltas against a previous report, the text table, the chart and the `eval` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import beleidsbron.evals.command as command
from beleidsbron.evals.harness import summarize
from beleidsbron.evals.metrics import ItemScore
from beleidsbron.evals.report import (
    COLUMNS,
    MINUS,
    ReportMeta,
    collect_meta,
    fmt_delta,
    load_previous,
    regressions,
    render_markdown,
    render_table,
    to_json,
    write_report,
)

SHA = "ab" * 32


def score(id, rank, kind="question", lang="nl", docs=("a.pdf",), seconds=0.1) -> ItemScore:
    return ItemScore(id=id, kind=kind, lang=lang, docs=docs, answerable=True, rank=rank, quote_rank=rank,
                     ndcg=1.0 if rank == 1 else 0.0, page_ok=True if rank else None, coverage=None,
                     flagged=False, seconds=seconds)


def make_run(ranks, mode="semantic", sha=SHA):
    items = [score(f"q{i}", r, kind="keyword" if i % 2 else "question") for i, r in enumerate(ranks)]
    return summarize("dev.jsonl", sha, mode, 10, items)


META = ReportMeta(created="2025-03-04T05:06:07+00:00", git_commit="c0ffee", package_version="0.1.0",
                  query_sets=({"name": "dev.jsonl", "path": "evals/dev.jsonl", "sha256": SHA, "items": 4},))


def as_previous(runs) -> dict:
    """What load_previous would return for a report of `runs` written on 2025-01-01."""
    return json.loads(json.dumps(to_json(runs, META) | {"created": "2025-01-01T00:00:00+00:00"}))


def test_table_shows_the_numbers_aligned():
    run = make_run([1, 2, None, 1])  # hit@1 = 2/4 = 0.500, hit@3 = 3/4 = 0.750, MRR (1 + .5 + 0 + 1)/4 = 0.625
    table = render_table([run])
    assert "no previous report" in table
    overall = table.split("dev.jsonl: overall\n")[1].splitlines()
    header, rule, row = overall[:3]
    assert row.split() == ["semantic", "4", "0.500", "0.750", "0.750", "0.750", "0.625", "0.500", "1.000", "–",
                           "0.500", "0.750", "–", "0.000", "100", "100"]
    assert len(header) == len(rule) == len(row)  # every column padded to the same width
    # numbers are right-aligned under their header
    assert header.index("MRR@10") + len("MRR@10") == row.index("0.625") + len("0.625")
    for breakdown in ("kind", "lang", "doc"):
        assert f"dev.jsonl: per {breakdown}" in table
    assert "keyword   semantic" in table and "a.pdf  semantic" in table


def test_deltas_and_regressions_against_the_previous_report():
    previous = as_previous([make_run([1, 2, None, 1])])
    better = make_run([1, 1, 3, 1])  # hit@1 3/4 = 0.750 (+0.250), hit@10 1.000 (+0.250)
    table = render_table([better], previous)
    assert "deltas against the previous report of 2025-01-01" in table
    assert "0.750 +0.250" in table and "1.000 +0.250" in table
    assert table.rstrip().endswith("no regressions")

    worse = make_run([2, None, None, 1])  # hit@1 1/4 = 0.250 (−0.250), hit@10 2/4 = 0.500 (−0.250)
    table = render_table([worse], previous)
    assert f"0.250 {MINUS}0.250" in table
    assert "REGRESSIONS:\n  semantic on dev.jsonl: hit@1 0.500 → 0.250" in table
    assert regressions([worse], previous)[0].count("→") >= 3  # hit@1, hit@3, hit@10, MRR, …


def test_no_delta_when_query_set_or_mode_differs():
    previous = as_previous([make_run([1, 1, 1, 1])])
    changed = make_run([None, None, None, None], sha="cd" * 32)
    assert "has no run of the same query set, mode and k" in render_table([changed], previous)
    assert "+" not in render_table([make_run([1, 1, 1, 1], mode="keyword")], previous).split("overall")[1]
    fewer = summarize("dev.jsonl", SHA, "semantic", 5, make_run([None, None, None, None]).items)
    assert regressions([fewer], previous) == []  # k=5 is not compared with k=10
    assert regressions([changed], previous) == []
    assert "regressions" not in render_table([changed], previous)  # nothing was compared


def test_fmt_delta_signs_and_units():
    rate, latency = COLUMNS[1], COLUMNS[-1]
    assert fmt_delta(rate, 0.8, 0.75) == "+0.050"
    assert fmt_delta(rate, 0.7, 0.75) == f"{MINUS}0.050"
    assert fmt_delta(rate, 0.75, 0.75) == ""
    assert fmt_delta(rate, None, 0.75) == fmt_delta(rate, 0.75, None) == ""
    assert fmt_delta(latency, 0.120, 0.100) == "+20"  # milliseconds


def test_write_report_files_and_json(tmp_path):
    runs = [make_run([1, 2, None, 1]), make_run([1, 1, 1, 1], mode="keyword")]
    files = write_report(runs, META, tmp_path / "reports", chart=True)
    assert files.json == tmp_path / "reports" / "latest.json"
    assert files.stamped_json.name == "eval-20250304T050607Z.json"
    for path in (files.json, files.markdown, files.stamped_json, files.stamped_markdown):
        assert path.stat().st_size > 0
    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["git_commit"] == "c0ffee" and data["package_version"] == "0.1.0"
    assert data["query_sets"][0]["sha256"] == SHA
    assert [(r["mode"], r["overall"]["hit1"]) for r in data["runs"]] == [("semantic", 0.5), ("keyword", 1.0)]
    assert data["runs"][0]["by_doc"]["a.pdf"]["items"] == 4
    assert data["runs"][0]["items"][2]["rank"] is None
    assert load_previous(files.json)["created"] == META.created
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "![hit@k per mode](latest.png)" in markdown
    assert "| semantic | 4 | 0.500 |" in markdown
    assert "- semantic on dev.jsonl: q2" in markdown  # the item without a hit
    assert "eval-20250304T050607Z.png" in files.stamped_markdown.read_text(encoding="utf-8")


def test_load_previous_tolerates_missing_and_broken_files(tmp_path):
    assert load_previous(tmp_path / "none.json") is None
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert load_previous(tmp_path / "broken.json") is None


def test_collect_meta_stamps_date_and_version(tmp_path):
    from beleidsbron.evals.harness import QuerySet

    qs = QuerySet(path=Path("evals/dev.jsonl"), sha256=SHA, items=())
    meta = collect_meta([qs], ["a note"], now=datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=UTC), cwd=tmp_path)
    assert meta.created == "2025-03-04T05:06:07+00:00" and meta.stamp == "20250304T050607Z"
    assert meta.git_commit is None  # tmp_path is no git repository: tolerated
    assert meta.package_version == "0.1.0"
    assert meta.query_sets == ({"name": "dev.jsonl", "path": "evals/dev.jsonl", "sha256": SHA, "items": 0},)
    assert "- note: a note" in render_markdown([make_run([1])], meta)


def test_chart_png_and_svg(tmp_path):
    pytest.importorskip("matplotlib")
    from beleidsbron.evals.chart import write_chart

    png, svg = write_chart([make_run([1, 2, None, 1]), make_run([1, 1, 3, 1], mode="keyword")], tmp_path / "c")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:1000]


# -- the command ----------------------------------------------------------------------------------------------


class Stub:
    def search(self, query, k=10, mode="semantic"):
        from beleidsbron.index.records import SearchResult

        if mode == "rerank":
            raise NotImplementedError
        return SearchResult(query=query, mode=mode, hits=())


@pytest.fixture
def invoke(monkeypatch):
    from beleidsbron import api

    monkeypatch.setattr(api, "open", lambda *args, **kwargs: Stub())
    group = click.Group(commands=[command.eval_command])

    def run(*args):
        return CliRunner().invoke(group, ["eval", *args], obj={})

    return run


QUERY = {"id": "x1", "lang": "nl", "query": "vraag", "answerable": True, "kind": "keyword",
         "relevant": [{"doc": "a.pdf", "quote": "een citaat", "page": 1}]}


def test_command_writes_reports(invoke, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERY) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("--queries", str(queries), "--out", str(out), "--no-chart")
    assert result.exit_code == 0, result.output
    assert "q.jsonl: overall" in result.stdout and "semantic" in result.stdout
    assert "skipped: mode 'rerank' is not implemented yet" in result.stderr
    assert {p.suffix for p in out.iterdir()} == {".json", ".md"}
    again = invoke("--queries", str(queries), "--out", str(out), "--mode", "semantic", "--no-chart")
    assert "deltas against the previous report" in again.stdout and "no regressions" in again.stdout


def test_command_skips_missing_defaults_and_reports_bad_lines(invoke, tmp_path, monkeypatch):
    present, absent = tmp_path / "dev.jsonl", tmp_path / "held.jsonl"
    present.write_text(json.dumps(QUERY) + "\n{oops\n", encoding="utf-8")
    monkeypatch.setattr(command, "DEFAULT_QUERIES", (present, absent))
    result = invoke("--out", str(tmp_path / "out"), "--mode", "semantic")
    assert result.exit_code == 1
    assert "held.jsonl (not there yet)" in result.stderr
    assert f"error: {present} line 2: not valid JSON" in result.stderr
    monkeypatch.setattr(command, "DEFAULT_QUERIES", (absent,))
    result = invoke("--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "no query set found" in result.stderr
