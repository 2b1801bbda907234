"""app.py, evaluation page (AppTest): the latest report as a table and a chart; its absence explained."""

from __future__ import annotations

import json

from beleidsbron.evals.report import COLUMNS

from app_fakes import fake_searcher, start_app

REPORT = {"format": 1, "created": "2024-11-20T10:00:00+00:00", "git_commit": "abcdef1234567890",
          "runs": [{"query_set": "queries-dev.jsonl", "mode": mode, "k": 10,
                    "overall": {c.key: (40 if c.unit == "count" else 0.05 if c.unit == "ms" else value)
                                for c in COLUMNS}}
                   for mode, value in (("rerank", 0.8), ("keyword", 0.5))]}


def open_page(monkeypatch, reports):
    at = start_app(monkeypatch, fake_searcher(), reports=reports)
    at.session_state["page"] = "evaluation"
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_report_yet(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path)
    assert any("nog geen evaluatierapport" in i.value for i in at.info)
    assert at.code[0].value == "beleidsbron eval"


def test_report_table_and_drawn_chart(monkeypatch, tmp_path):
    (tmp_path / "latest.json").write_text(json.dumps(REPORT))
    at = open_page(monkeypatch, tmp_path)
    table = at.dataframe[0].value
    assert list(table["mode"]) == ["rerank", "keyword"]
    assert list(table["hit@1"]) == [0.8, 0.5] and list(table["p50 ms"]) == [50.0, 50.0]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert any("abcdef123456" in c.value for c in at.caption)


def test_report_with_its_png_chart(monkeypatch, tmp_path):
    from PIL import Image

    (tmp_path / "latest.json").write_text(json.dumps(REPORT))
    Image.new("RGB", (20, 10), "white").save(tmp_path / "latest.png")
    at = open_page(monkeypatch, tmp_path)
    assert len(at.get("image")) == 1


def test_unreadable_report_counts_as_none(monkeypatch, tmp_path):
    (tmp_path / "latest.json").write_text("{not json")
    at = open_page(monkeypatch, tmp_path)
    assert any("nog geen evaluatierapport" in i.value for i in at.info)
