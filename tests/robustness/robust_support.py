"""Helpers for the robustness tests: hand-made hostile PDFs, a damaged-index toolkit,
subprocess ingestions that can be killed, and a tiny real sentence-transformers model.

Not a conftest (tests/conftest.py owns that name); test modules import what they need.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from beleidsbron.index.home import DataHome
from beleidsbron.index.search import Searcher, Tuning

from fakes import FakeEmbedder, encrypted

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
WORKER = Path(__file__).with_name("ingest_worker.py")
MODES = ("keyword", "semantic", "hybrid", "rerank")
NO_FLAG = Tuning(flag_below=0.0)  # the fake embedder's cosines say nothing about answerability


# hand-made PDFs ----------------------------------------------------------------------------
def raw_pdf(objects: dict[int, bytes], root: int = 1, trailer: bytes = b"") -> bytes:
    """A PDF from numbered object bodies, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _to_unicode(first: int, last: int, target: int) -> bytes:
    """A ToUnicode CMap sending the codes first..last to target, target+1, …"""
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Custom def /CMapType 2 def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n1 beginbfrange\n<%02X> <%02X> <%04X>\nendbfrange\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end" % (first, last, target))


def glyph_pdf(glyphs: bytes, target: int, first: int, last: int, readable: bytes = b"") -> bytes:
    """One page whose text is `glyphs` in a font that maps codes first..last to U+target…
    (private-use or control characters), optionally followed by a line of `readable` text."""
    content = b"BT /F1 12 Tf 50 800 Td (" + glyphs + b") Tj"
    if readable:
        content += b" /F2 12 Tf 0 -14 Td (" + readable + b") Tj"
    content += b" ET"
    return raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
           b"/Resources << /Font << /F1 4 0 R /F2 6 0 R >> >> /Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 7 0 R >>",
        5: stream(content),
        6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        7: stream(_to_unicode(first, last, target)),
    })


def private_use_pdf(readable: bytes = b"") -> bytes:
    """Glyphs that extract as private-use characters (U+E000…): a font without a Unicode mapping."""
    return glyph_pdf(b"Hfkm`qrgrfcrdjrs " * 40, 0xE000, 0x20, 0x7E, readable)


def control_char_pdf() -> bytes:
    """Glyphs that extract as C0 control characters (U+0001…U+001F)."""
    return glyph_pdf(bytes(range(0x21, 0x40)) * 30, 0x0001, 0x21, 0x3F)


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (and claims otherwise)."""
    return raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 3 >>"})


def broken_xref(data: bytes) -> bytes:
    """The same PDF with every cross-reference offset pointing at byte 1."""
    match = re.search(rb"xref\s+0 (\d+)\s+", data)
    assert match, "no classic xref table"
    start, end = match.end(), match.end() + 20 * int(match.group(1))
    return data[:start] + re.sub(rb"\d{10} 00000 n", b"0000000001 00000 n", data[start:end]) + data[end:]


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]



def _with_encrypt_dict(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def aes_encrypted(data: bytes) -> bytes:
    """An AES-128 (V4/R4, AESV2) PDF with an empty user password, as most 'protected' PDFs are.

    Forged from an RC4 file: the password check is the same algorithm, the streams then need AES.
    """
    return _with_encrypt_dict(encrypted(data, ""), b"/V 2\n/R 3\n",
                              b"/V 4\n/R 4\n/CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> "
                              b"/StmF /StdCF /StrF /StdCF\n")


def aes256_encrypted(data: bytes) -> bytes:
    """An AES-256 (V5/R6) encryption dictionary: its password check itself needs AES."""
    return _with_encrypt_dict(encrypted(data, ""), b"/V 2\n/R 3\n", b"/V 5\n/R 6\n")


def certificate_encrypted(data: bytes) -> bytes:
    """Public-key (certificate) encryption, which pypdf does not implement."""
    return _with_encrypt_dict(encrypted(data, ""), b"/Filter /Standard", b"/Filter /Adobe.PubSec")


def broken_info(data: bytes) -> bytes:
    """The trailer's /Info points at a number instead of a dictionary."""
    fixed, count = re.subn(rb"/Info \d+ 0 R", b"/Info 5", data)
    assert count == 1
    return fixed


def compressed_page_pdf(content: bytes) -> bytes:
    """One page whose content stream is `content`, Flate-compressed."""
    import zlib

    return raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
           b"/Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: stream(zlib.compress(content, 9), b"/Filter /FlateDecode"),
    })


def repeated_text_bomb(size: int = 3_000_000) -> bytes:
    """Issue 17's hostile file: ~11 KB holding one page of `size` bytes of one repeated sentence."""
    line = b"(De huisarts werkt samen met de apotheker in de wijk aan passende zorg voor ouderen.) Tj T*\n"
    return compressed_page_pdf(b"BT /F1 6 Tf 8 TL 20 830 Td\n" + line * (size // len(line)) + b"ET")


def huge_page_text(chars: int = 1_000_000) -> str:
    words = ("de huisarts werkt samen met de apotheker in de wijk aan passende zorg voor ouderen in de regio "
             "volgens de afspraken van het akkoord").split()
    lines, total, i = [], 0, 0
    while total < chars:
        line = " ".join(words[(i + j) % len(words)] for j in range(12)).capitalize() + "."
        lines.append(line)
        total += len(line) + 1
        i += 7
    return "\n".join(lines)


# searching ---------------------------------------------------------------------------------
Answer = tuple[tuple[str, int, str, float], ...]


def answers(searcher: Searcher, queries: list[str], modes: tuple[str, ...] = MODES) -> dict[tuple[str, str], Answer]:
    """Every hit of every query in every mode, as (doc, page, quote, score): to compare two indexes."""
    return {(q, m): tuple((h.doc, h.page, h.quote.text, round(h.score, 5))
                          for h in searcher.search(q, k=5, mode=m).hits)
            for q in queries for m in modes}


def open_searcher(home: DataHome) -> Searcher:
    return Searcher.open(home, FakeEmbedder(), NO_FLAG)


# killable ingestions -----------------------------------------------------------------------
@dataclass
class Worker:
    """An ingestion in a subprocess (tests/robustness/ingest_worker.py) that stops at a named point."""

    process: subprocess.Popen
    markers: list[str] = field(default_factory=list)
    _lines: queue.Queue = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, home: DataHome, folder: Path, stop: str, *extra: str) -> Worker:
        env = {**os.environ, "PYTHONPATH": str(TESTS),
               "PYTHONUNBUFFERED": "1", "BELEIDSBRON_HOME": str(home.root)}
        process = subprocess.Popen([sys.executable, str(WORKER), str(home.root), str(folder), stop, *extra],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        worker = cls(process)
        threading.Thread(target=worker._pump, daemon=True).start()
        return worker

    def _pump(self) -> None:
        """Stdout lines into a queue, so waiting for a marker can time out; None at the end."""
        for line in self.process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def wait_for(self, marker: str, timeout: float = 60) -> None:
        """Read the worker's output until it prints `marker` (it then sleeps there)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                self.process.wait(timeout=30)
                pytest.fail(f"worker ended before {marker!r}; said {self.markers}, "
                            f"stderr:\n{self.process.stderr.read()}")
            self.markers.append(line)
            if line == marker:
                return
        self.kill()
        pytest.fail(f"worker did not reach {marker!r} in {timeout} s; said {self.markers}")

    def kill(self) -> None:
        """SIGKILL, as `kill -9` does: no cleanup, no finally blocks, no atexit."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process.stderr.close()

    def finish(self, timeout: float = 60) -> str:
        """Wait for a worker that runs to the end; its output after what wait_for read."""
        self.process.wait(timeout=timeout)
        err = self.process.stderr.read()
        self.process.stderr.close()
        assert self.process.returncode == 0, err
        lines = []
        while (line := self._lines.get(timeout=30)) is not None:
            lines.append(line)
        return "\n".join(lines)


# a tiny real sentence-transformers model (random weights, no download) -------------------
TINY_WORDS = ("zorg huisarts apotheker wijk thuiszorg ouderen limburg fysiotherapeuten platform paramedisch "
              "zuid nederland integraal zorgakkoord afspraken passende voortgang akkoord review de het een van en "
              "in met voor over").split()


def build_tiny_model(target: Path) -> Path:
    """A one-layer BERT with a WordPiece vocabulary, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *TINY_WORDS, *letters, *(f"##{c}" for c in letters)]
    raw = target / "hf"
    raw.mkdir(parents=True)
    (raw / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    try:  # sentence-transformers 6 moved the modules
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer
    word = Transformer(str(raw), max_seq_length=64)
    dimension = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    model = SentenceTransformer(modules=[word, Pooling(dimension(), "mean")], device="cpu")
    model.save(str(target / "st"))
    return target / "st"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))
