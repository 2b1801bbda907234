"""An ingestion run in its own process, so that a test can kill it with SIGKILL at a chosen point.

    python ingest_worker.py HOME FOLDER STOP [--model PATH] [--keep-others]

It ingests FOLDER into HOME with the tests' FakeEmbedder (or a sentence-transformers model at
PATH), prints a marker line at each stage and, at the stage named by STOP, prints it and then
sleeps so the test can kill it there:

    embedding  the first batch of passages is being embedded (the lock is held)
    store      the new generation's chunk store holds its first document
    vectors    the chunk store and chunk vectors are written; sentence vectors, BM25, manifest not yet
    swap       the generation is renamed to gen-*, the `current` link not yet swapped
    prune      `current` points at the new generation, old ones not yet pruned
    none       run to the end and print DONE
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from beleidsbron import index
from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.store import ChunkStore

from fakes import FakeEmbedder

STAGES = ("embedding", "store", "vectors", "swap", "prune", "none")


def say(marker: str, stop: str) -> None:
    print(marker, flush=True)
    if marker == stop:
        time.sleep(600)  # until killed


def install_hooks(stop: str) -> None:
    add = ChunkStore.add

    def add_then_report(self, *args, **kwargs):
        add(self, *args, **kwargs)
        say("store", stop)

    ChunkStore.add = add_then_report

    save = index.writer.VectorIndex.save

    def save_then_report(self, directory):
        save(self, directory)
        say("vectors", stop)

    index.writer.VectorIndex.save = save_then_report

    replace = os.replace

    def replace_then_report(src, dst, *args, **kwargs):
        if Path(dst).name == "current":
            say("swap", stop)
        replace(src, dst, *args, **kwargs)

    index.home.os.replace = replace_then_report

    prune = DataHome._prune

    def prune_then_report(self, *args, **kwargs):
        say("prune", stop)
        prune(self, *args, **kwargs)

    DataHome._prune = prune_then_report


class ReportingEmbedder(FakeEmbedder):
    def __init__(self, stop: str) -> None:
        super().__init__()
        self.stop = stop

    def embed_passages(self, texts: list[str]):
        say("embedding", self.stop)
        return super().embed_passages(texts)


class ReportingModel:
    """A real sentence-transformers embedder that reports its first batch."""

    def __init__(self, path: str, stop: str) -> None:
        from beleidsbron.ingest.embed import SentenceTransformerEmbedder

        self._inner = SentenceTransformerEmbedder(path)
        self.model_id = self._inner.model_id
        self.stop = stop

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def fingerprint(self) -> str:
        return self._inner.fingerprint

    def embed_passages(self, texts: list[str]):
        vectors = self._inner.embed_passages(texts)  # the model really runs before the marker
        say("embedding", self.stop)
        return vectors

    def embed_passages_with_tokens(self, texts: list[str]):
        found = self._inner.embed_passages_with_tokens(texts)
        say("embedding", self.stop)
        return found

    def embed_queries(self, texts: list[str]):
        return self._inner.embed_queries(texts)

    def embed_queries_with_tokens(self, texts: list[str]):
        return self._inner.embed_queries_with_tokens(texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("stop", choices=STAGES)
    parser.add_argument("--model")
    parser.add_argument("--keep-others", action="store_true")
    args = parser.parse_args()
    install_hooks(args.stop)
    embedder = ReportingModel(args.model, args.stop) if args.model else ReportingEmbedder(args.stop)
    print("started", flush=True)
    report = Ingestor(DataHome(args.home), embedder).run([args.folder], keep_others=args.keep_others)
    print("DONE", report.documents, report.chunks, flush=True)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
