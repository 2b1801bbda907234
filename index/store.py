"""The chunk store: documents, cleaned pages and chunks in one SQLite file.

Row i of the `chunks` table is vector i of the vector index, row i of `sentences` is
sentence vector i; each chunk records the [sent_lo, sent_hi) range of its sentences. The schema carries
its version in SQLite's user_version and evolves through numbered migrations.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from beleidsbron.ingest.records import Chunk, Document, Page, Sentence, Source

STORE_FILE = "chunks.sqlite"

MIGRATIONS = [
    """
    CREATE TABLE documents (file TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL,
        publisher TEXT NOT NULL, year INTEGER, kind TEXT NOT NULL);
    CREATE TABLE pages (doc TEXT NOT NULL, number INTEGER NOT NULL, text TEXT NOT NULL,
        has_text_layer INTEGER NOT NULL, PRIMARY KEY (doc, number));
    CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL, text TEXT NOT NULL,
        page_start INTEGER NOT NULL, page_end INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        sent_lo INTEGER NOT NULL, sent_hi INTEGER NOT NULL);
    CREATE INDEX chunks_doc ON chunks (doc);
    CREATE TABLE sentences (row INTEGER PRIMARY KEY, doc TEXT NOT NULL, page INTEGER NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL);
    """,
]

_CHUNK_COLUMNS = 'id, doc, text, page_start, page_end, start, "end"'


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {number}")


class ChunkStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def create(cls, directory: Path) -> ChunkStore:
        conn = sqlite3.connect(directory / STORE_FILE, check_same_thread=False)
        _migrate(conn)
        return cls(conn)

    @classmethod
    def open(cls, directory: Path) -> ChunkStore:
        path = directory / STORE_FILE
        if not path.is_file():
            raise FileNotFoundError(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # a truncated or overwritten file: "disk image is malformed"
            conn.close()
            raise ValueError(f"{path}: not a readable chunk store ({exc})") from exc
        if version != len(MIGRATIONS):
            conn.close()
            raise ValueError(f"{path}: store schema {version}, expected {len(MIGRATIONS)}")
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    # writing ------------------------------------------------------------------
    def add(self, doc: Document, chunks: list[Chunk], sentences: list[Sentence],
            ranges: list[tuple[int, int]]) -> None:
        """Store a document; `ranges` are each chunk's sentence indices into `sentences`."""
        src = doc.source
        base = self._conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        with self._conn:
            self._conn.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                               (src.file, doc.sha256, src.title, src.publisher, src.year, src.kind))
            self._conn.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)",
                                   [(src.file, p.number, p.text, int(p.has_text_layer)) for p in doc.pages])
            self._conn.executemany(
                f"INSERT INTO chunks ({_CHUNK_COLUMNS}, sent_lo, sent_hi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.id, c.doc, c.text, c.page_start, c.page_end, c.start, c.end, base + lo, base + hi)
                 for c, (lo, hi) in zip(chunks, ranges, strict=True)])
            self._conn.executemany('INSERT INTO sentences (doc, page, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                                   [(x.doc, x.page, x.start, x.end, x.text) for x in sentences])

    # reading ------------------------------------------------------------------
    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def chunks(self, rows: list[int]) -> list[Chunk]:
        """Chunks at the given vector rows, in the order asked."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {r[0]: Chunk(*r[1:]) for r in self._conn.execute(
            f"SELECT row, {_CHUNK_COLUMNS} FROM chunks WHERE row IN ({marks})", [r + 1 for r in rows])}
        return [found[r + 1] for r in rows]

    def iter_chunks(self, doc: str | None = None) -> Iterator[tuple[int, Chunk]]:
        """(vector row, chunk) pairs, in row order, optionally of one document."""
        where, args = ("WHERE doc = ?", (doc,)) if doc else ("", ())
        for row in self._conn.execute(f"SELECT row, {_CHUNK_COLUMNS} FROM chunks {where} ORDER BY row", args):
            yield row[0] - 1, Chunk(*row[1:])

    def chunk_docs(self) -> list[str]:
        """Each chunk's document, in row order (one column: no chunk text is read)."""
        return [r[0] for r in self._conn.execute("SELECT doc FROM chunks ORDER BY row")]

    def sentence_count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    def sentence_ranges(self) -> np.ndarray:
        """(chunks, 2) array: each chunk's [first, last) sentence rows."""
        rows = self._conn.execute("SELECT sent_lo, sent_hi FROM chunks ORDER BY row").fetchall()
        return np.asarray(rows, dtype=np.int64).reshape(-1, 2)

    def chunk_ranges(self, doc: str) -> list[tuple[int, int]]:
        """Each chunk of a document (in row order): its [first, last) sentences, as indices into the
        document's own sentences (as `add` was given them)."""
        base = self._conn.execute("SELECT MIN(row) - 1 FROM sentences WHERE doc = ?", (doc,)).fetchone()[0] or 0
        return [(lo - base, hi - base) for lo, hi in self._conn.execute(
            "SELECT sent_lo, sent_hi FROM chunks WHERE doc = ? ORDER BY row", (doc,))]

    def sentences(self, first: int, last: int) -> list[Sentence]:
        """Sentences at rows [first, last), in order."""
        return [Sentence(*r) for r in self._conn.execute(
            'SELECT doc, page, start, "end", text FROM sentences WHERE row > ? AND row <= ? ORDER BY row',
            (first, last))]

    def iter_sentences(self, doc: str) -> Iterator[tuple[int, Sentence]]:
        for row in self._conn.execute('SELECT row, doc, page, start, "end", text FROM sentences WHERE doc = ? '
                                      "ORDER BY row", (doc,)):
            yield row[0] - 1, Sentence(*row[1:])

    def sources(self) -> dict[str, Source]:
        return {r[0]: Source(file=r[0], title=r[1], publisher=r[2], year=r[3], kind=r[4]) for r in
                self._conn.execute("SELECT file, title, publisher, year, kind FROM documents ORDER BY file")}

    def document(self, file: str) -> Document:
        row = self._conn.execute("SELECT sha256 FROM documents WHERE file = ?", (file,)).fetchone()
        if row is None:
            raise KeyError(file)
        pages = tuple(Page(number=n, text=t, has_text_layer=bool(h)) for n, t, h in self._conn.execute(
            "SELECT number, text, has_text_layer FROM pages WHERE doc = ? ORDER BY number", (file,)))
        return Document(source=self.sources()[file], sha256=row[0], pages=pages)

    def page_text(self, doc: str, number: int) -> str:
        row = self._conn.execute("SELECT text FROM pages WHERE doc = ? AND number = ?", (doc, number)).fetchone()
        if row is None:
            raise KeyError(f"{doc} p. {number}")
        return row[0]
