"""Test doubles shared by the test modules: a fake embedder, tiny generated PDFs, a small corpus.

Imported by name (`from fakes import FakeEmbedder`): pytest puts tests/ on the path (pyproject's
`pythonpath`), and the subprocess workers get it through PYTHONPATH.
"""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np

TOKEN_DIMENSION = 256  # wider than the text vectors, so that two words rarely share a token vector


class FakeEmbedder:
    """Deterministic bag-of-words vectors (hashed stems), recording every call; a word's
    token vector is the one-hot of its hashed stem.

    Texts that share words get similar vectors, so search behaves sensibly,
    and no model is loaded.
    """

    model_id = "fake-embedder"
    fingerprint = "fake-fingerprint"
    dimension = 64

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.md5(word[:6].encode()).digest()
            vec[digest[0] % self.dimension] += 1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("passage", list(texts)))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("query", list(texts)))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def _tokens(self, text: str):
        from beleidsbron.ingest.records import TokenVectors

        words = re.findall(r"\w+", text.lower())
        ids = np.array([int.from_bytes(hashlib.md5(w[:6].encode()).digest()[:2], "little") for w in words], np.int32)
        vectors = np.zeros((len(words), TOKEN_DIMENSION), dtype=np.float32)
        vectors[np.arange(len(words)), ids % TOKEN_DIMENSION] = 1.0
        return TokenVectors(ids=ids, vectors=vectors)

    def embed_passages_with_tokens(self, texts: list[str]):
        return self.embed_passages(texts), [self._tokens(t) for t in texts]

    def embed_queries_with_tokens(self, texts: list[str]):
        return self.embed_queries(texts), [self._tokens(t) for t in texts]

    @property
    def passages_embedded(self) -> int:
        return sum(len(texts) for kind, texts in self.calls if kind == "passage")


def make_pdf(pages: list[str | None], title: str = "", author: str = "") -> bytes:
    """A small PDF whose pages hold the given lines of text; None makes a page with no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    for text in pages:
        if text is None:
            pdf.rect(100, 100, 200, 200, fill=1)  # a drawing, no text
        else:
            y = 800
            for line in text.split("\n"):
                pdf.drawString(50, y, line)
                y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted(data: bytes, user_password: str) -> bytes:
    """The PDF encrypted with RC4-128 (what pypdf writes without the `cryptography` package)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="eigenaar")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


TINY_CORPUS = {
    "huisartsen.pdf": (["De huisarts werkt samen met de apotheker in de wijk.",
                        "Wijkverpleging en thuiszorg voor ouderen in Limburg."], "Huisartsenzorg in de wijk"),
    "fysio.pdf": (["Fysiotherapeuten vormen een paramedisch platform.",
                   "Het platform in Zuid-Nederland groeit snel."], "Paramedische platforms"),
    "iza.pdf": (["Het Integraal Zorgakkoord maakt afspraken over passende zorg.", None,
                 "De mid-term review meet de voortgang van het akkoord."], "IZA mid-term review"),
}
