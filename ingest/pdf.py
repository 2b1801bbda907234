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
from pypdf.errors import DependencyError, FileNotDecryptedError

from beleidsbron.ingest.clean import clean_page, dropped_glyphs, vocabulary
from beleidsbron.ingest.errors import DocumentError
from beleidsbron.ingest.records import Document, Page, Source

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
MIN_TEXT_CHARS = 3  # fewer extracted characters than this: no text layer
NEEDS_PASSWORD = "encrypted PDF: a password is needed to read it"
NEEDS_CRYPTOGRAPHY = "encrypted with AES: reading it needs the 'cryptography' package (pip install cryptography)"


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


def _extract(name: str, reader: PdfReader) -> list[str]:
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except DependencyError as exc:  # AES-128 streams: the password check passed, decryption cannot
            reason = NEEDS_CRYPTOGRAPHY if reader.is_encrypted else f"page {number} cannot be read ({_why(exc)})"
            raise DocumentError(name, reason) from exc
        except Exception as exc:  # pypdf raises many kinds on damaged content streams
            raise DocumentError(name, f"page {number} cannot be read ({_why(exc)})") from exc
    return texts


def pdf_source(name: str, reader: PdfReader) -> Source:
    """Metadata from the PDF itself: used when sources.json has no entry."""
    try:
        meta = reader.metadata or {}
    except Exception:  # a damaged /Info dictionary: the text may still be fine, so fall back to the name
        meta = {}
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
        if sum(map(dropped_glyphs, raw)) >= MIN_TEXT_CHARS:
            raise DocumentError(name, "text layer has no readable characters (only private-use or control "
                                      "glyphs: fonts without a Unicode mapping; OCR needed)")
        raise DocumentError(name, "no text layer on any page (a scan? OCR needed)")
    return Document(source=source or pdf_source(name, reader), sha256=sha256_bytes(data), pages=tuple(pages))


def read_pdf(path: Path, source: Source | None = None) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path.name, f"cannot read file ({exc.strerror})") from exc
    return read_pdf_bytes(path.name, data, source)
