"""The front door: open a searcher, index documents. The CLI, the app, evals and bench all come in here.

    import beleidsbron
    searcher = beleidsbron.open()                    # the index in $BELEIDSBRON_HOME or ./.beleidsbron
    result = searcher.search("Wat zegt het IZA over paramedici?", k=3)
    for hit in result.hits:
        print(hit.page, hit.quote.text, hit.citation)

Settings not given here come from the environment (see settings.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from beleidsbron.index.home import DataHome
from beleidsbron.index.search import Searcher
from beleidsbron.ingest.embed import (
    DEFAULT_MODEL,
    CrossEncoderScorer,
    E5Embedder,
    Embedder,
    SentenceTransformerEmbedder,
)
from beleidsbron.settings import Settings

if TYPE_CHECKING:  # ingestion's modules (pypdf and the rest: a third of a cold search's imports) load when used
    from beleidsbron.index.build import IngestReport, Progress


def data_home(home: Path | str | None = None) -> DataHome:
    return DataHome(Settings.load(home=home).home)


def make_embedder(home: Path | str | None = None, model: str | None = None) -> Embedder:
    """The embedding model, loaded lazily on first use: the bundled e5 runs with numpy (E5Embedder: a cold
    search without torch); any other model with sentence-transformers, kept under the data home."""
    settings = Settings.load(home=home, model=model)
    if (settings.model or DEFAULT_MODEL) == DEFAULT_MODEL:
        return E5Embedder()
    return SentenceTransformerEmbedder(settings.model, models_dir=DataHome(settings.home).models_dir)


def open(home: Path | str | None = None, model: str | None = None, reranker: str | None = None,  # noqa: A001
         embedder: Embedder | None = None) -> Searcher:
    """The searcher over the current index generation; raises BeleidsbronError when there is none or it is damaged.

    `embedder` lets a caller share one loaded model between searchers (the app keeps one per process).
    """
    settings = Settings.load(home=home, model=model, reranker=reranker)
    scorer = CrossEncoderScorer(settings.reranker) if settings.reranker else None
    embedder = embedder or make_embedder(settings.home, settings.model)
    if settings.backend == "postgres":  # the first stage in the engine (docs/scale-out.md)
        from beleidsbron.index.backends.serve import open_searcher

        return open_searcher(DataHome(settings.home), embedder, settings.engine_uri, reranker=scorer)
    return Searcher.open(DataHome(settings.home), embedder, reranker=scorer)


def publish(home: Path | str | None = None) -> None:
    """On the postgres backend, make the current generation the engine's (a no-op on the embedded one).

    Every ingestion ends here, the CLI's, the library's and the app's, so the engine never serves an older
    index than the files."""
    settings = Settings.load(home=home)
    data = DataHome(settings.home)
    if settings.backend == "postgres" and data.current() is not None:
        from beleidsbron.index.backends.serve import publish_current

        publish_current(data, settings.engine_uri)


def build_index(paths: Iterable[Path | str] | None = None, home: Path | str | None = None, model: str | None = None,
                progress: Progress | None = None, keep_others: bool = False, rebuild: bool = False,
                embedder: Embedder | None = None, workers: int = 0) -> IngestReport:
    """Index the PDFs in `paths` (files or folders; default: the corpus folder) as a new index generation.

    Documents already indexed and not among `paths` are removed unless `keep_others`. A bad file is
    reported in the returned report's failures; the rest is indexed. `workers` > 0: reading and embedding
    run on a local Dask cluster of that many processes (index/distributed.py). On the postgres backend
    the new generation is then published to the engine.
    """
    settings = Settings.load(home=home, model=model)
    targets = [Path(p) for p in paths] if paths is not None else [settings.corpus]
    data = DataHome(settings.home)
    embedder = embedder or make_embedder(settings.home, settings.model)
    if workers > 0:
        from beleidsbron.index.distributed import DistributedIngestor, local_cluster

        with local_cluster(workers) as client:
            report = DistributedIngestor(data, embedder, client, partial(make_embedder, settings.home, settings.model),
                                         progress=progress).run(targets, keep_others=keep_others, rebuild=rebuild)
    else:
        from beleidsbron.index.build import Ingestor

        report = Ingestor(data, embedder, progress=progress).run(targets, keep_others=keep_others, rebuild=rebuild)
    publish(settings.home)
    return report
