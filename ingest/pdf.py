"""PDF → pages. The only module that imports pypdf.

Reads the file's bytes once (for the content hash and the parser), checks it is
a readable PDF, and extracts each page's text with its 1-based page number.
A page without a text layer is kept, flagged, and reported by the caller.

Extraction (`extract_pdf`, pypdf's work) is kept apart from cleaning (`build_document`), so that
ingestion can run the first in a worker process with a time limit (ingest/pdf_worker.py): an 11 KB
PDF can hold a page of megabytes of compressed text. The text kept per page and per document is
capped (ReadLimits); each cut is reported in a note naming the file and the cap.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from beleidsbron.ingest.clean import clean_page, dropped_glyphs, one_line, vocabulary
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.records import Document, Page, Source

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
MIN_TEXT_CHARS = 3  # fewer extracted characters than this: no text layer
NEEDS_PASSWORD = "encrypted PDF: a password is needed to read it"
NEEDS_CRYPTOGRAPHY = "encrypted with AES: reading it needs the 'cryptography' package (pip install cryptography)"


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on the work one PDF may cause. The bundled corpus's largest page holds 4,584 characters
    and its largest document 112,410, so real documents stay far below the text caps."""

    page_chars: int = 100_000  # more than an A4 page holds legibly; a 1 MB "page" is cut here
    page_stream_bytes: int = 32 * 2**20  # a page's content, decompressed; the corpus's largest is 11 KB
    document_chars: int = 2_000_000  # a 500-page report of 4,000 characters a page
    file_bytes: int = 512 * 2**20  # larger files are refused before they are read
    page_seconds: float = 30.0  # pypdf reads ~0.1 MB of content stream a second; a real page takes < 1 s
    document_seconds: float = 600.0


@dataclass(frozen=True)
class Extracted:
    """What pypdf gives of a PDF: each page's raw text (capped), its metadata, and notes on any cut."""

    pages: list[str]
    meta: dict[str, str] = field(default_factory=dict)  # title, author, subject: one line each
    notes: list[str] = field(default_factory=list)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _why(exc: BaseException) -> str:
    """An exception as a few words on one line, for a DocumentError reason."""
    message = " ".join(str(exc).split())
    message = message if len(message) <= 120 else message[:119] + "…"
    return f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__


def _open(name: str, data: bytes) -> PdfReader:
    if not data:
        raise DocumentError(name, "empty file")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(name, "not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(name, NEEDS_PASSWORD)
        if len(reader.pages) == 0:
            raise DocumentError(name, "PDF has no pages")
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(name, NEEDS_PASSWORD) from exc
    except DependencyError as exc:  # AES-256 needs `cryptography` even to check the password
        raise DocumentError(name, NEEDS_CRYPTOGRAPHY) from exc
    except NotImplementedError as exc:  # e.g. certificate (public-key) or an unknown encryption version
        encrypted = b"/Encrypt" in data  # pypdf may refuse before a reader exists to ask
        what = "encrypted with a method that cannot be read" if encrypted else "uses a feature that cannot be read"
        raise DocumentError(name, f"{what} ({_why(exc)})") from exc
    except Exception as exc:  # pypdf raises many kinds (and RecursionError) on a damaged file
        raise DocumentError(name, f"corrupt or truncated PDF ({_why(exc)})") from exc
    return reader


class _PageFull(Exception):
    """Raised from pypdf's text visitor once a page has given more text than the cap."""


def _page_text(name: str, reader: PdfReader, number: int, limits: ReadLimits) -> tuple[str, bool]:
    """The page's raw text, and whether it was cut at the cap. The text is gathered through pypdf's
    visitor (its pieces make up exactly what extract_text returns: all 105 pages of the bundled corpus),
    so that extraction stops at the cap: a page of 3 MB of text is left after 2 s, not 18 s. A content
    stream above its cap is refused before pypdf parses it (60 MB took 41 s to fail in pypdf)."""
    cap = limits.page_chars
    pieces: list[str] = []
    size = 0

    def visit(text: str, *_: object) -> None:
        nonlocal size
        pieces.append(text)
        size += len(text)
        if size > cap:
            raise _PageFull

    try:
        page = reader.pages[number - 1]
        contents = page.get_contents()
        stream = len(contents.get_data()) if contents is not None else 0
        if stream > limits.page_stream_bytes:
            raise DocumentError(name, f"p. {number}: a content stream of {stream / 2**20:,.0f} MB, above the cap of "
                                      f"{limits.page_stream_bytes / 2**20:,.0f} MB per page; not read")
        return page.extract_text(visitor_text=visit) or "", False
    except DocumentError:
        raise
    except _PageFull:
        return _cut("".join(pieces), cap), True
    except DependencyError as exc:  # AES-128 streams: the password check passed, decryption cannot
        reason = NEEDS_CRYPTOGRAPHY if reader.is_encrypted else f"page {number} cannot be read ({_why(exc)})"
        raise DocumentError(name, reason) from exc
    except Exception as exc:  # pypdf raises many kinds on damaged content streams
        raise DocumentError(name, f"page {number} cannot be read ({_why(exc)})") from exc


def _cut(text: str, limit: int) -> str:
    """The text up to `limit` characters, ending at a space when one is near, so no word is halved."""
    if len(text) <= limit:
        return text
    space = max(text.rfind(" ", limit - 200, limit), text.rfind("\n", limit - 200, limit))
    return text[:space if space > 0 else limit]


def _metadata(reader: PdfReader) -> dict[str, str]:
    try:
        meta = reader.metadata or {}
    except Exception:  # a damaged /Info dictionary: the text may still be fine, so fall back to the name
        meta = {}
    # one line each, control characters dropped: a title may hold terminal escapes (ESC[2J …)
    return {key: one_line(str(meta.get(f"/{key.capitalize()}") or "")) for key in ("title", "author", "subject")}


def extract_pdf(name: str, data: bytes, limits: ReadLimits = ReadLimits(),
                on_page: Callable[[int], None] | None = None) -> Extracted:
    """pypdf's part: open the PDF and extract each page's raw text, within the text caps.
    `on_page(number)` is called after each page (the worker's heartbeat). Raises DocumentError."""
    reader = _open(name, data)
    texts: list[str] = []
    notes: list[str] = []
    count, total = len(reader.pages), 0
    for number in range(1, count + 1):
        text, cut = _page_text(name, reader, number, limits)
        if cut:
            notes.append(f"{name}: p. {number}: text cut at {limits.page_chars:,} characters (the cap per page); "
                         "the rest of the page is not read")
        room = limits.document_chars - total
        if len(text) >= room:
            texts.append(_cut(text, room))
            rest = f"; pages {number + 1}–{count} not read" if number < count else ""
            notes.append(f"{name}: text cut at {limits.document_chars:,} characters (the cap per document) "
                         f"on p. {number}{rest}")
            break
        texts.append(text)
        total += len(text)
        if on_page is not None:
            on_page(number)
    return Extracted(texts, _metadata(reader), notes)


def source_from_meta(name: str, meta: dict[str, str]) -> Source:
    """Metadata from the PDF itself: used when sources.json has no entry."""
    title = meta.get("title") or Path(name).stem.replace("-", " ").replace("_", " ")
    return Source(file=name, title=title, publisher=meta.get("author", ""), kind=meta.get("subject", ""))


def pdf_source(name: str, reader: PdfReader) -> Source:
    return source_from_meta(name, _metadata(reader))


def build_document(name: str, sha256: str, extracted: Extracted, source: Source | None = None) -> Document:
    """Clean the extracted pages into a Document. Raises DocumentError when no page has text."""
    raw = extracted.pages
    vocab = vocabulary(raw)
    pages = []
    for number, text in enumerate(raw, start=1):
        cleaned = clean_page(text, vocab)
        has_text = sum(ch.isalnum() for ch in cleaned) >= MIN_TEXT_CHARS
        pages.append(Page(number=number, text=cleaned if has_text else "", has_text_layer=has_text))
    if not any(p.has_text_layer for p in pages):
        if sum(map(dropped_glyphs, raw)) >= MIN_TEXT_CHARS:
            raise DocumentError(name, "text layer has no readable characters (only private-use or control "
                                      "glyphs: fonts without a Unicode mapping; OCR needed)")
        raise DocumentError(name, "no text layer on any page (a scan? OCR needed)")
    return Document(source=source or source_from_meta(name, extracted.meta), sha256=sha256, pages=tuple(pages))


def read_pdf_bytes(name: str, data: bytes, source: Source | None = None,
                   limits: ReadLimits = ReadLimits()) -> Document:
    """Parse and clean a PDF given as bytes, in this process. Raises DocumentError with the reason."""
    return build_document(name, sha256_bytes(data), extract_pdf(name, data, limits), source)


def read_pdf(path: Path, source: Source | None = None) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path.name, f"cannot read file ({exc.strerror})") from exc
    return read_pdf_bytes(path.name, data, source)
