"""The peer side of evals/peers/compare.py: Haystack 2.x's tutorial hybrid pipeline, measured.

Runs inside the Haystack virtualenv that compare.py makes, where beleidsbron is not installed:
PDFs → PyPDFToDocument → DocumentCleaner → DocumentSplitter (200 words) → SentenceTransformers
embedder ("passage: " prefix) → InMemoryDocumentStore; a query → SentenceTransformers text
embedder ("query: ") + InMemoryEmbeddingRetriever and InMemoryBM25Retriever → DocumentJoiner
(reciprocal rank fusion), as in Haystack's hybrid retrieval tutorial. Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main(model: str, corpus: str, queries_file: str) -> dict:
    from haystack import Pipeline
    from haystack.components.converters import PyPDFToDocument
    from haystack.components.embedders import SentenceTransformersDocumentEmbedder, SentenceTransformersTextEmbedder
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.preprocessors import DocumentCleaner, DocumentSplitter
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.components.writers import DocumentWriter
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    store = InMemoryDocumentStore()
    passage_embedder = SentenceTransformersDocumentEmbedder(model=model, prefix="passage: ", device=None,
                                                            progress_bar=False)
    query_embedder = SentenceTransformersTextEmbedder(model=model, prefix="query: ", progress_bar=False)
    started = time.perf_counter()
    passage_embedder.warm_up()
    query_embedder.warm_up()
    load = time.perf_counter() - started

    indexing = Pipeline()
    indexing.add_component("converter", PyPDFToDocument())
    indexing.add_component("cleaner", DocumentCleaner())
    indexing.add_component("splitter", DocumentSplitter(split_by="word", split_length=200, split_overlap=0))
    indexing.add_component("embedder", passage_embedder)
    indexing.add_component("writer", DocumentWriter(store))
    indexing.connect("converter", "cleaner")
    indexing.connect("cleaner", "splitter")
    indexing.connect("splitter", "embedder")
    indexing.connect("embedder", "writer")
    pdfs = sorted(str(p) for p in Path(corpus).iterdir() if p.suffix.lower() == ".pdf")
    started = time.perf_counter()
    indexing.run({"converter": {"sources": pdfs}})
    ingest = time.perf_counter() - started

    search = Pipeline()
    search.add_component("text_embedder", query_embedder)
    search.add_component("embedding_retriever", InMemoryEmbeddingRetriever(store, top_k=10))
    search.add_component("bm25_retriever", InMemoryBM25Retriever(store, top_k=10))
    search.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=10))
    search.connect("text_embedder", "embedding_retriever")
    search.connect("bm25_retriever", "joiner")
    search.connect("embedding_retriever", "joiner")

    def ask(text: str) -> None:
        search.run({"text_embedder": {"text": text}, "bm25_retriever": {"query": text}})

    for text in ("zorg in de wijk", "wat kost de huisarts", "paramedische zorg"):
        ask(text)
    seconds = []
    for text in queries:
        started = time.perf_counter()
        ask(text)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {"system": "Haystack", "version": _version(), "model_load_seconds": load, "ingest_seconds": ingest,
            "passages": store.count_documents(), "hybrid_p50_ms": 1000 * seconds[len(seconds) // 2],
            "default_p50_ms": 1000 * seconds[len(seconds) // 2],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _version() -> str:
    from importlib.metadata import version

    return version("haystack-ai")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
