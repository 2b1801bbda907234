"""Index generations in PostgreSQL + pgvector: publish, swap, and the first stage of a search.
The only module that imports psycopg.

One generation is one schema, `bb_<generation>`, with these tables:
  documents(id, file)                      a passage's document by number, for filters
  passages(row, doc, embedding vector(d))  HNSW index (inner product) above EXACT_MAX rows; below it
                                           an exact scan, as the embedded index does
  lexical(row, terms, weights)             each passage's terms from the project's Dutch analyzer
                                           (Snowball stems, compound parts) with their BM25 weights from
                                           the generation's own BM25 index: the sum over a query's
                                           terms is the score the embedded index gives
  postings(term, row, weight)              the inverted index, impact-ordered (btree on term, weight):
                                           each term's PER_TERM best-weighted passages
  vocabulary(term)                         every term of the passages
The BM25 channel reads each query term's best postings (a few thousand index entries, however large the
corpus), sums them, and scores the RESCORE best sums exactly from `lexical`; the second stage gets the
exact BM25 score of every pooled candidate from there too. So the candidates are exact while no term has
more than PER_TERM passages (every corpus the tests and the evaluation use), and an approximation above;
`beleidsbron bench --scale` measures its recall against the exact BM25 top 100.
`beleidsbron_generations` lists the published schemas; `beleidsbron_current` holds the one that
searches use. Publishing writes a new schema and then swaps that one row in one transaction, so a
reader sees the old generation or the new one, never a mix; the schema before stays for readers
still on it (as DataHome keeps it), older ones are dropped.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import psycopg

from beleidsbron.ingest.errors import BeleidsbronError

KEEP = 2  # the current generation and the one before it
HNSW_M = 16  # pgvector's default links per node
EF_CONSTRUCTION = 64  # pgvector's default
# Candidates the graph search keeps. At 1M synthetic passages recall@10 was measured by
# `beleidsbron bench --scale … --backend postgres` (docs/scale-out.md).
EF_SEARCH = 200
COPY_BLOCK = 50_000  # rows per block sent to COPY
PER_TERM = 1000  # postings kept and read per term (see the module's docstring)
# candidates of the summed postings that are scored exactly; at 20k synthetic passages the exact BM25
# top 100 was recovered at 0.77 from the summed postings alone, at 0.97 with this rescoring
RESCORE = 1000
_COPY_HEADER = b"PGCOPY\n\xff\r\n\0" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_SAFE = re.compile(r"^[a-z0-9_]+$")
_UNSAFE_TERM = re.compile(r'[\s"\\{},\']')


class EngineError(BeleidsbronError):
    """The engine holds no usable generation, or refuses what is asked."""


@dataclass(frozen=True)
class Published:
    name: str  # the generation directory's name, e.g. gen-20261203T070000.123-abcd
    schema: str
    passages: int
    dimension: int


def schema_for(generation: str) -> str:
    """`bb_` + the generation's name in lower-case letters, digits and underscores."""
    name = "bb_" + re.sub(r"[^a-z0-9]+", "_", generation.lower()).strip("_")
    return name[:63]  # PostgreSQL's identifier limit


def _ident(name: str) -> str:
    if not _SAFE.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


def _vector_copy_rows(rows: np.ndarray, docs: np.ndarray, vectors: np.ndarray) -> bytes:
    """(row int4, doc int4, embedding vector) tuples in COPY's binary format: pgvector's binary form
    is int16 dimension, int16 unused, float4 × dimension, all big-endian."""
    d = vectors.shape[1]
    layout = np.dtype([("fields", ">i2"), ("len_row", ">i4"), ("row", ">i4"), ("len_doc", ">i4"), ("doc", ">i4"),
                       ("len_vec", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("vec", ">f4", (d,))])
    out = np.empty(len(rows), layout)
    out["fields"], out["len_row"], out["row"], out["len_doc"], out["doc"] = 3, 4, rows, 4, docs
    out["len_vec"], out["dim"], out["unused"], out["vec"] = 4 + 4 * d, d, 0, vectors
    return out.tobytes()


def _array(values: Sequence[str]) -> str:
    """A text[] literal for COPY's text format. The analyzer's terms are runs of letters and digits
    (and a placeholder sign for an empty passage), so none needs escaping; anything else is refused."""
    for value in values:
        if not value or _UNSAFE_TERM.search(value):
            raise ValueError(f"index term {value!r} holds a character the engine's COPY would need escaped")
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"


class PgEngine:
    """A connection to the engine and the generations it holds."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.server: object | None = None  # a local server this engine runs on, stopped by close()
        try:
            self.conn = psycopg.connect(uri, autocommit=True)
        except psycopg.OperationalError as exc:
            raise EngineError(f"cannot connect to the engine at {uri} ({' '.join(str(exc).split())})") from exc
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        self.conn.execute("CREATE TABLE IF NOT EXISTS beleidsbron_generations (name text PRIMARY KEY, "
                          "schema text NOT NULL, passages int NOT NULL, dimension int NOT NULL, "
                          "published_at timestamptz NOT NULL DEFAULT now())")
        self.conn.execute("CREATE TABLE IF NOT EXISTS beleidsbron_current (one bool PRIMARY KEY DEFAULT true "
                          "CHECK (one), name text NOT NULL REFERENCES beleidsbron_generations(name))")

    def close(self) -> None:
        self.conn.close()
        if self.server is not None:
            self.server.stop()  # type: ignore[attr-defined]
            self.server = None

    # publishing -------------------------------------------------------------------
    def publish(self, name: str, files: Sequence[str], chunk_docs: np.ndarray, vectors: np.ndarray,
                lexical: Iterable[tuple[list[str], list[float]]],
                postings: Iterable[tuple[str, np.ndarray, np.ndarray]], exact_max: int) -> Published:
        """Write a generation as a new schema and make it current. `chunk_docs`: each passage's document
        number (into `files`); `lexical`: each passage's (terms, BM25 weights), in row order; `postings`:
        each term's best PER_TERM (rows, weights)."""
        schema = _ident(schema_for(name))
        n, d = vectors.shape
        c = self.conn
        c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # a half-written earlier try
        c.execute(f"CREATE SCHEMA {schema}")
        c.execute(f"CREATE TABLE {schema}.documents (id int PRIMARY KEY, file text NOT NULL)")
        c.execute(f"CREATE TABLE {schema}.passages (row int PRIMARY KEY, doc int NOT NULL, embedding vector({d}) "
                  "NOT NULL)")
        c.execute(f"CREATE TABLE {schema}.lexical (row int PRIMARY KEY, terms text[] NOT NULL, "
                  "weights real[] NOT NULL)")
        c.execute(f"CREATE TABLE {schema}.postings (term text NOT NULL, row int NOT NULL, weight real NOT NULL)")
        c.execute(f"CREATE TABLE {schema}.vocabulary (term text PRIMARY KEY)")
        vocabulary: list[str] = []
        with c.cursor() as cur:
            with cur.copy(f"COPY {schema}.documents (id, file) FROM STDIN") as copy:
                for i, file in enumerate(files):
                    copy.write_row((i, file))
            with cur.copy(f"COPY {schema}.passages (row, doc, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.write(_COPY_HEADER)
                for begin in range(0, n, COPY_BLOCK):
                    end = min(n, begin + COPY_BLOCK)
                    block = np.asarray(vectors[begin:end], dtype=np.float32)
                    copy.write(_vector_copy_rows(np.arange(begin, end), chunk_docs[begin:end], block))
                copy.write(_COPY_TRAILER)
            with cur.copy(f"COPY {schema}.lexical (row, terms, weights) FROM STDIN") as copy:
                for row, (terms, weights) in enumerate(lexical):
                    copy.write(f"{row}\t{_array(terms)}\t{{{','.join(map(repr, weights))}}}\n")
            with cur.copy(f"COPY {schema}.postings (term, row, weight) FROM STDIN") as copy:
                for term, rows, weights in postings:
                    _array([term])  # refuses a term COPY would need escaped
                    vocabulary.append(term)
                    copy.write("".join(f"{term}\t{r}\t{w!r}\n" for r, w in zip(rows.tolist(), weights.tolist())))
            with cur.copy(f"COPY {schema}.vocabulary (term) FROM STDIN") as copy:
                for term in vocabulary:
                    copy.write(f"{term}\n")
        c.execute(f"CREATE INDEX ON {schema}.passages (doc)")
        c.execute(f"CREATE INDEX ON {schema}.postings (term, weight DESC, row)")  # read by the index alone
        if n > exact_max:
            # the graph is built in memory when it fits maintenance_work_mem (~2.5 GB at 1M × 384-d)
            c.execute("SET maintenance_work_mem = '4GB'")
            c.execute(f"CREATE INDEX ON {schema}.passages USING hnsw (embedding vector_ip_ops) "
                      f"WITH (m = {HNSW_M}, ef_construction = {EF_CONSTRUCTION})")
            c.execute("RESET maintenance_work_mem")
        c.execute(f"ANALYZE {schema}.passages")
        c.execute(f"VACUUM ANALYZE {schema}.postings")  # the visibility map lets the index answer alone
        c.execute(f"ANALYZE {schema}.lexical")
        with c.transaction():
            c.execute("INSERT INTO beleidsbron_generations (name, schema, passages, dimension) VALUES (%s, %s, %s, %s) "
                      "ON CONFLICT (name) DO UPDATE SET schema = EXCLUDED.schema, passages = EXCLUDED.passages, "
                      "dimension = EXCLUDED.dimension, published_at = now()", (name, schema, n, d))
            c.execute("INSERT INTO beleidsbron_current (one, name) VALUES (true, %s) "
                      "ON CONFLICT (one) DO UPDATE SET name = EXCLUDED.name", (name,))
        self._prune(name)
        return Published(name, schema, n, d)

    def _prune(self, current: str) -> None:
        rows = self.conn.execute("SELECT name, schema FROM beleidsbron_generations ORDER BY published_at DESC, "
                                 "name DESC").fetchall()
        for name, schema in [r for r in rows if r[0] != current][KEEP - 1:]:
            self.conn.execute(f"DROP SCHEMA IF EXISTS {_ident(schema)} CASCADE")
            self.conn.execute("DELETE FROM beleidsbron_generations WHERE name = %s", (name,))

    def current(self) -> Published | None:
        row = self.conn.execute("SELECT g.name, g.schema, g.passages, g.dimension FROM beleidsbron_current c "
                                "JOIN beleidsbron_generations g USING (name)").fetchone()
        return Published(*row) if row else None

    def generations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM beleidsbron_generations ORDER BY published_at")]


class PgGeneration:
    """The first stage of a search, run in the engine on one published generation."""

    def __init__(self, engine: PgEngine, published: Published, ef_search: int = EF_SEARCH) -> None:
        self.engine = engine
        self.published = published
        self.schema = _ident(published.schema)
        self.conn = engine.conn
        self.conn.execute(f"SET hnsw.ef_search = {int(ef_search)}")
        # filtered graph scans go on until enough rows pass the filter (pgvector 0.8)
        self.conn.execute("SET hnsw.iterative_scan = relaxed_order")
        self.files = [r[0] for r in self.conn.execute(f"SELECT file FROM {self.schema}.documents ORDER BY id")]

    def __len__(self) -> int:
        return self.published.passages

    def doc_numbers(self, files: Sequence[str]) -> list[int]:
        wanted = set(files)
        return [i for i, f in enumerate(self.files) if f in wanted]

    def dense(self, query: np.ndarray, k: int, docs: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest passages by inner product: rows and scores, best first."""
        where = "WHERE doc = ANY(%(docs)s)" if docs is not None else ""
        found = self.conn.execute(
            f"SELECT row, -(embedding <#> %(q)s::vector) FROM {self.schema}.passages {where} "
            f"ORDER BY embedding <#> %(q)s::vector LIMIT %(k)s",
            {"q": vector_literal(query), "k": k, "docs": list(docs or ())}).fetchall()
        return _columns(found)

    def signals(self, query: np.ndarray, terms: Sequence[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inner product with the query vector and BM25 score (0 where no term matches) of the given
        rows, in the order asked: what the second stage needs of every candidate, in one round trip."""
        if not len(rows):
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        found = {r[0]: r[1:] for r in self.conn.execute(
            f"SELECT p.row, -(p.embedding <#> %(q)s::vector), {_BM25} FROM {self.schema}.passages p "
            f"JOIN {self.schema}.lexical l USING (row) WHERE p.row = ANY(%(rows)s)",
            {"q": vector_literal(query), "terms": list(terms), "rows": list(map(int, rows))}).fetchall()}
        missing = [int(r) for r in rows if int(r) not in found]
        if missing:
            raise EngineError(f"generation {self.published.name}: rows {missing[:5]} are missing in the engine")
        values = np.array([found[int(r)] for r in rows], dtype=np.float32)
        return values[:, 0], values[:, 1]

    def known(self, terms: Sequence[str]) -> set[str]:
        """The terms that occur in the generation's passages."""
        if not terms:
            return set()
        return {r[0] for r in self.conn.execute(f"SELECT term FROM {self.schema}.vocabulary WHERE term = ANY(%s)",
                                                (list(terms),))}

    def lexical(self, terms: Sequence[str], k: int, docs: Sequence[int] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """The k best passages by BM25 over the query's analysed terms (each occurrence counts, as in
        bm25s): each term's best PER_TERM postings, summed; the RESCORE best of those scored exactly."""
        if not terms:
            return _columns([])
        if docs is None:
            best = (f"SELECT row, weight FROM {self.schema}.postings WHERE term = q.t "
                    "ORDER BY weight DESC LIMIT %(per_term)s")
        else:
            best = (f"SELECT po.row, po.weight FROM {self.schema}.postings po JOIN {self.schema}.passages pa "
                    "ON pa.row = po.row WHERE po.term = q.t AND pa.doc = ANY(%(docs)s) "
                    "ORDER BY po.weight DESC LIMIT %(per_term)s")
        found = self.conn.execute(
            "WITH q AS (SELECT t, count(*) AS n FROM unnest(%(terms)s::text[]) AS t GROUP BY t), "
            f"partial AS (SELECT p.row FROM q CROSS JOIN LATERAL ({best}) p "
            "GROUP BY p.row ORDER BY sum(p.weight * q.n) DESC, p.row LIMIT %(rescore)s) "
            f"SELECT l.row, {_BM25} AS score FROM partial JOIN {self.schema}.lexical l USING (row) "
            "ORDER BY score DESC, l.row LIMIT %(k)s",
            {"terms": list(terms), "per_term": PER_TERM, "rescore": max(k, RESCORE), "k": k,
             "docs": list(docs or ())}).fetchall()
        return _columns(found)


# the BM25 score of passage l for the query's terms: its weight of each query term, times the term's
# count in the query (array_position scans the passage's ~80 terms in C: faster than unnesting them)
_BM25 = ("COALESCE((SELECT sum(l.weights[array_position(l.terms, q2.t)] * q2.n) FROM "
         "(SELECT t, count(*) AS n FROM unnest(%(terms)s::text[]) AS t GROUP BY t) AS q2 "
         "WHERE array_position(l.terms, q2.t) IS NOT NULL), 0)")


def _columns(found: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.array([r[0] for r in found], dtype=np.int64)
    scores = np.array([r[1] for r in found], dtype=np.float32)
    return rows, scores
