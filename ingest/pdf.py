"""PDF → pages. The only module that imports pypdf.

Reads the file's bytes once (for the content hash and the parser), checks it is
a readable PDF, and extracts each page's text with its 1-based page number.
A page without a text layer is kept, flagged, and reported by the caller.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ingest.clean import clean_page, vocabulary
from ingest.errors import DocumentError
from ingest.records import Document, Page, Source

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
MIN_TEXT_CHARS = 3  # fewer extracted characters than this: no text layer


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open(name: str, data: bytes) -> PdfReader:
    if not data:
        raise DocumentError(name, "empty file")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(name, "not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(name, "encrypted PDF: a password is needed to read it")
        if len(reader.pages) == 0:
            raise DocumentError(name, "PDF has no pages")
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(name, "encrypted PDF: a password is needed to read it") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(name, f"corrupt or truncated PDF ({exc.__class__.__name__}: {exc})") from exc
    return reader


def _extract(name: str, reader: PdfReader) -> list[str]:
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # pypdf raises many kinds on damaged content streams
            raise DocumentError(name, f"page {number} cannot be read ({exc.__class__.__name__})") from exc
    return texts


def pdf_source(name: str, reader: PdfReader) -> Source:
    """Metadata from the PDF itself: used when sources.json has no entry."""
    meta = reader.metadata or {}
    title = str(meta.get("/Title") or "").strip() or Path(name).stem.replace("-", " ").replace("_", " ")
    return Source(file=name, title=title, publisher=str(meta.get("/Author") or "").strip(),
                  kind=str(meta.get("/Subject") or "").strip())


def read_pdf_bytes(name: str, data: bytes, source: Source | None = None) -> Document:
    """Parse and clean a PDF given as bytes. Raises DocumentError with the reason."""
    reader = _open(name, data)
    raw = _extract(name, reader)
    vocab = vocabulary(raw)
    pages = []
    for number, text in enumerate(raw, start=1):
        cleaned = clean_page(text, vocab)
        has_text = sum(ch.isalnum() for ch in cleaned) >= MIN_TEXT_CHARS
        pages.append(Page(number=number, text=cleaned if has_text else "", has_text_layer=has_text))
    if not any(p.has_text_layer for p in pages):
        raise DocumentError(name, "no text layer on any page (a scan? OCR needed)")
    return Document(source=source or pdf_source(name, reader), sha256=sha256_bytes(data), pages=tuple(pages))


def read_pdf(path: Path, source: Source | None = None) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path.name, f"cannot read file ({exc.strerror})") from exc
    return read_pdf_bytes(path.name, data, source)
