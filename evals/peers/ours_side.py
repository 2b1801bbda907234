"""Our side of evals/peers/compare.py: beleidsbron on the same corpus, measured the same way.

Loads the model first (so ingestion is timed with it loaded, as Haystack's), ingests the corpus into
a temporary data directory, then times the default mode (rerank) and hybrid over the queries, each
on a searcher of its own (so no query vector is cached from the other mode). Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def main(corpus: str, queries_file: str) -> dict:
    from beleidsbron import api
    from beleidsbron.index.build import Ingestor
    from beleidsbron.index.home import DataHome
    from beleidsbron.index.search import Searcher

    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="beleidsbron-peers-") as tmp:
        home = DataHome(Path(tmp))
        embedder = api.make_embedder(tmp)
        started = time.perf_counter()
        embedder.embed_passages(["opwarmen van het model"])
        embedder.embed_queries(["opwarmen"])
        load = time.perf_counter() - started
        started = time.perf_counter()
        report = Ingestor(home, embedder).run([Path(corpus)])
        ingest = time.perf_counter() - started
        p50 = {}
        for mode in ("rerank", "hybrid"):
            searcher = Searcher.open(home, embedder)
            for text in ("zorg in de wijk", "wat kost de huisarts", "paramedische zorg"):
                searcher.search(text, 10, mode)
            seconds = []
            for text in queries:
                started = time.perf_counter()
                searcher.search(text, 10, mode)
                seconds.append(time.perf_counter() - started)
            seconds.sort()
            p50[mode] = 1000 * seconds[len(seconds) // 2]
    return {"system": "beleidsbron", "model_load_seconds": load, "ingest_seconds": ingest, "passages": report.chunks,
            "default_p50_ms": p50["rerank"], "hybrid_p50_ms": p50["hybrid"],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
