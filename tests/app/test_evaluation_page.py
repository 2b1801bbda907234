"""ui/pages/evaluation.py: reading evals/reports/latest.json into table rows."""

from __future__ import annotations

import json

from beleidsbron.ui.pages.evaluation import hit_curve, load_report, run_row


def test_run_row_labels_values_and_milliseconds():
    row = run_row({"query_set": "q.jsonl", "mode": "hybrid",
                   "overall": {"items": 10, "hit1": 0.123456, "hit10": None, "latency_p50": 0.0123, "mrr": True}})
    assert row["query set"] == "q.jsonl" and row["mode"] == "hybrid"
    assert row["n"] == 10 and row["hit@1"] == 0.123 and row["hit@10"] is None and row["p50 ms"] == 12.3
    assert row["MRR@10"] is None  # not a number


def test_load_report_and_curve(tmp_path):
    data = {"created": "2024-01-01T00:00:00+00:00", "git_commit": None,
            "runs": [{"query_set": "q", "mode": "rerank", "overall": {"hit1": 0.5, "hit3": 0.6, "hit5": 0.7,
                                                                      "hit10": 0.8}}, "junk"]}
    (tmp_path / "latest.json").write_text(json.dumps(data))
    report = load_report(tmp_path)
    assert report.commit == "" and report.chart is None and report.markdown is None
    assert len(report.rows) == 1
    assert hit_curve(report) == {"q / rerank": [0.5, 0.6, 0.7, 0.8]}
    (tmp_path / "latest.png").write_bytes(b"png")
    assert load_report(tmp_path).chart == tmp_path / "latest.png"


def test_missing_or_malformed_report(tmp_path):
    assert load_report(tmp_path) is None
    (tmp_path / "latest.json").write_text("[1, 2]")
    assert load_report(tmp_path) is None
    (tmp_path / "latest.json").write_text('{"runs": 3}')
    assert load_report(tmp_path) is None
