"""The search on the PostgreSQL backend: the first stage runs in the engine, the rest as in Searcher.

What scales with the corpus runs in the engine: the nearest passages by vector (pgvector HNSW),
the best passages by BM25 over the Dutch-analysed terms (GIN), the document filters, and the two
first-stage signals of each candidate. The query's analysis (stems, compounds, acronyms) and the
whole second stage (rerank, quotes, citations, merging, abstention) are Searcher's own code, run on
the engine's candidates with the generation's files (chunk store, sentence and token vectors),
which are read by row for those candidates only. So the FAISS index and the BM25 matrix, the
two parts that grow with every passage, are never loaded here.
"""

from __future__ import annotations

from pathlib import Path

from beleidsbron.index.analyzer import STOPWORDS, Analyzer, words
from beleidsbron.index.backends.postgres import PgEngine, PgGeneration
from beleidsbron.index.generation import Generation, open_generation, reading
from beleidsbron.index.home import DataHome
from beleidsbron.index.lexical import load_analyzer
from beleidsbron.index.manifest import REBUILD_HINT, Manifest, UnusableIndexError
from beleidsbron.index.ranking import Channels, pool
from beleidsbron.index.search import Filters, Reranker, Searcher, Tuning
from beleidsbron.ingest.embed import Embedder


class EngineLexical:
    """The query side of the lexical channel: the analyzer of the generation, and which terms the
    engine knows (for the coverage that weighs BM25 against the vectors)."""

    def __init__(self, analyzer: Analyzer, generation: PgGeneration) -> None:
        self.analyzer = analyzer
        self.generation = generation

    def terms(self, text: str) -> list[str]:
        return self.analyzer.terms(text)

    def coverage(self, query: str) -> float:
        """As LexicalIndex.coverage: share of the query's content words that occur in the corpus."""
        content = [w for w in words(query) if w not in STOPWORDS and not w.isdigit()]
        if not content:
            return 0.0
        firsts = {w: (self.analyzer.terms(w) or [""])[0] for w in content}
        known = self.generation.known([t for t in firsts.values() if t])
        found = [w in self.analyzer.splitter.vocab or firsts[w] in known for w in content]
        return sum(found) / len(found)


class EngineSearcher(Searcher):
    """Searcher whose first stage is the engine's; see the module's docstring."""

    def __init__(self, files: Generation, embedder: Embedder, generation: PgGeneration,
                 tuning: Tuning = Tuning(), reranker: Reranker | None = None) -> None:
        self.generation = generation
        super().__init__(files, embedder, tuning, reranker)

    def _first_stage(self, directory: Path, manifest: Manifest) -> None:
        self.vectors = self.generation  # its len() is the passage count
        self.lexical = EngineLexical(load_analyzer(directory), self.generation)

    @classmethod
    def open_engine(cls, home: DataHome, engine: PgEngine, embedder: Embedder, tuning: Tuning = Tuning(),
                    reranker: Reranker | None = None) -> EngineSearcher:
        """The generation the engine serves, with its files from `home`."""
        published = engine.current()
        if published is None:
            raise UnusableIndexError(f"the engine at {engine.uri} serves no index yet; publish one with: "
                              "beleidsbron ingest (with BELEIDSBRON_BACKEND=postgres)")
        directory = home.index_root / published.name
        if not directory.is_dir():
            raise UnusableIndexError(f"the engine serves generation {published.name}, which {home.index_root} does not "
                              f"hold; {REBUILD_HINT}")
        files = open_generation(directory, embedder)
        manifest = files.manifest
        if published.passages != manifest.chunks or published.dimension != manifest.dimension:
            raise UnusableIndexError(f"the engine's generation {published.name} holds {published.passages} passages of "
                              f"{published.dimension} dimensions, its manifest {manifest.chunks} of "
                              f"{manifest.dimension}; {REBUILD_HINT}")
        with reading(directory):
            return cls(files, embedder, PgGeneration(engine, published), tuning, reranker)

    # first stage, in the engine ---------------------------------------------------
    def _mask(self, filters: Filters) -> list[int] | None:  # type: ignore[override]
        """The admitted documents' numbers in the engine, or None for no filter."""
        if filters == Filters():
            return None
        return self.generation.doc_numbers([f for f in self._files if filters.admits(self.sources[f])])

    def _channels(self, text: str, mode: str, mask: list[int] | None) -> Channels:  # type: ignore[override]
        """As Searcher._channels: each channel's top candidates, pooled, with both raw scores."""
        depth = self.tuning.candidates
        terms = self.lexical.terms(self._lexical_query(text))
        pools = []
        if mode != "semantic":
            pools.append(self.generation.lexical(terms, depth, mask)[0])
        query = self._embed_query(text)
        if mode != "keyword":
            pools.append(self.generation.dense(query, depth, mask)[0])
        rows = pool(pools)
        dense, lexical = self.generation.signals(query, terms if mode != "semantic" else [], rows)
        return Channels(rows, dense if mode != "keyword" else None, lexical if mode != "semantic" else None)
