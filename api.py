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
from pathlib import Path

from beleidsbron.index.build import Ingestor, IngestReport, Progress
from beleidsbron.index.home import DataHome
from beleidsbron.index.search import Searcher
from beleidsbron.ingest.embed import DEFAULT_MODEL, CrossEncoderScorer, SentenceTransformerEmbedder
from beleidsbron.settings import Settings


def data_home(home: Path | str | None = None) -> DataHome:
    return DataHome(Settings.load(home=home).home)


def make_embedder(home: Path | str | None = None, model: str | None = None) -> SentenceTransformerEmbedder:
    """The embedding model, loaded lazily on first use; converted models are kept under the data home."""
    settings = Settings.load(home=home, model=model)
    return SentenceTransformerEmbedder(settings.model or DEFAULT_MODEL, models_dir=DataHome(settings.home).models_dir)


def open(home: Path | str | None = None, model: str | None = None, reranker: str | None = None,  # noqa: A001
         embedder: SentenceTransformerEmbedder | None = None) -> Searcher:
    """The searcher over the current index generation; raises BeleidsbronError when there is none or it is damaged.

    `embedder` lets a caller share one loaded model between searchers (the app keeps one per process).
    """
    settings = Settings.load(home=home, model=model, reranker=reranker)
    scorer = CrossEncoderScorer(settings.reranker) if settings.reranker else None
    return Searcher.open(DataHome(settings.home), embedder or make_embedder(settings.home, settings.model),
                         reranker=scorer)


def build_index(paths: Iterable[Path | str] | None = None, home: Path | str | None = None, model: str | None = None,
           progress: Progress | None = None, keep_others: bool = False, rebuild: bool = False,
           embedder: SentenceTransformerEmbedder | None = None) -> IngestReport:
    """Index the PDFs in `paths` (files or folders; default: the corpus folder) as a new index generation.

    Documents already indexed and not among `paths` are removed unless `keep_others`. A bad file is
    reported in the returned report's failures; the rest is indexed.
    """
    settings = Settings.load(home=home, model=model)
    targets = [Path(p) for p in paths] if paths is not None else [settings.corpus]
    ingestor = Ingestor(DataHome(settings.home), embedder or make_embedder(settings.home, settings.model),
                        progress=progress)
    return ingestor.run(targets, keep_others=keep_others, rebuild=rebuild)
