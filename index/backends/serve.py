"""The postgres backend's entry points for the front door (api.py): open a searcher on the engine,
publish the data directory's current generation to it.

Without a URI the engine is a PostgreSQL server started under `<home>/postgres` (index/backends/
pgserver.py) for as long as this process uses it; with one, it is the shared server it names.
"""

from __future__ import annotations

from beleidsbron.index.backends.engine_search import EngineSearcher
from beleidsbron.index.backends.postgres import PgEngine, Published
from beleidsbron.index.backends.publish import publish
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import UnusableIndexError
from beleidsbron.index.search import Reranker, Tuning
from beleidsbron.ingest.embed import Embedder

SERVER_DIR = "postgres"


def connect(home: DataHome, uri: str | None = None) -> PgEngine:
    """The engine at `uri`, or the one under the data directory, started if it is not running."""
    if uri is not None:
        return PgEngine(uri)
    from beleidsbron.index.backends.pgserver import LocalServer

    server = LocalServer(home.root / SERVER_DIR)
    engine = PgEngine(server.start())
    engine.server = server  # kept running while the engine is in use; stopped by engine.close() or at exit
    return engine


def open_searcher(home: DataHome, embedder: Embedder, uri: str | None = None, tuning: Tuning = Tuning(),
                  reranker: Reranker | None = None) -> EngineSearcher:
    engine = connect(home, uri)
    try:
        return EngineSearcher.open_engine(home, engine, embedder, tuning, reranker)
    except Exception:
        engine.close()
        raise


def publish_current(home: DataHome, uri: str | None = None) -> Published:
    """Publish the data directory's current generation and make the engine serve it."""
    current = home.current()
    if current is None:
        raise UnusableIndexError(f"no index in {home.root} to publish; build it with: beleidsbron ingest")
    engine = connect(home, uri)
    try:
        published = engine.current()
        if published is not None and published.name == current.name:
            return published  # served already: an ingestion that changed nothing
        return publish(engine, current)
    finally:
        engine.close()
