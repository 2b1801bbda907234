"""evals/peers/compare.py: the side-by-side table (the runs themselves need Haystack's own virtualenv)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compare():
    spec = importlib.util.spec_from_file_location("peers_compare", ROOT / "evals" / "peers" / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(ingest: float, default: float, hybrid: float, rss: float) -> dict:
    return {"ingest_seconds": ingest, "default_p50_ms": default, "hybrid_p50_ms": hybrid, "peak_rss_mb": rss,
            "model_load_seconds": 1.0, "passages": 236}


def test_table_shows_each_run_and_the_ratio_of_the_means(compare) -> None:
    lines = compare.table([run(27.1, 31.4, 14.1, 1944), run(27.4, 31.7, 14.1, 2034)],
                          [run(19.8, 24.8, 24.8, 1631), run(18.8, 25.6, 25.6, 1547)]).splitlines()
    assert lines[0] == "| figure | beleidsbron | Haystack | ratio |"
    assert lines[2] == "| ingest of the corpus (model loaded), s | 27.1 / 27.4 | 19.8 / 18.8 | 1.41 |"
    assert lines[4] == "| hybrid query p50, ms | 14.1 / 14.1 | 24.8 / 25.6 | 0.56 |"
    assert lines[5] == "| peak memory, MB | 1,944 / 2,034 | 1,631 / 1,547 | 1.25 |"


def test_the_peer_side_never_imports_beleidsbron() -> None:
    source = (ROOT / "evals" / "peers" / "haystack_side.py").read_text(encoding="utf-8")
    assert "import beleidsbron" not in source and "from beleidsbron" not in source
