"""evals/scale_engine.py on a real engine, at a size where every answer is exact."""

from __future__ import annotations

import numpy as np
import pytest

from beleidsbron.evals.scale_engine import bench_engine, render_engine
from beleidsbron.evals.synthetic import SentencePool

pytestmark = pytest.mark.distributed

WORDS = ("zorg wijkverpleging huisarts gemeente ouderen wachttijd ggz jeugdhulp mantelzorg zorgverzekeraar "
         "paramedici fysiotherapie regio akkoord financiering personeel").split()


def test_the_engine_row_is_measured_and_exact_below_the_cuts() -> None:
    rng = np.random.default_rng(0)
    texts = tuple(" ".join(rng.choice(WORDS, size=8)) + "." for _ in range(80))
    vectors = rng.standard_normal((80, 16)).astype(np.float32)
    pool = SentencePool(texts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    [row] = bench_engine(pool, [400], ["wachttijd in de ggz", "mantelzorg voor ouderen", "regio akkoord"],
                         isolate=False, query_count=30)
    assert row.passages == 400
    assert row.vector_recall_at_10 >= 0.99  # an exact scan below EXACT_MAX
    assert row.bm25_recall_at_100 >= 0.99  # no term has more than PER_TERM postings (equal scores at the cut differ)
    assert 0 < row.vector_query_p50_ms <= row.vector_query_p95_ms
    assert 0 < row.bm25_query_p50_ms <= row.bm25_query_p95_ms
    assert row.engine_pss_mb > 0 and row.engine_disk_mb > 0 and row.publish_seconds > 0
    assert "400" in render_engine([row]).splitlines()[1]
