"""`beleidsbron bench --hostile`: the hostile files of issue 17, each ingested alone, with figures.

Three generated one-page PDFs, each ingested into an empty temporary data directory with the real
model, so the caps and limits of ingest/pdf.py and index/build.py are measured, not asserted:
- bomb-3mb.pdf: ~11 KB on disk, one page of 3 MB of one repeated sentence (compressed);
- stream-60mb.pdf: ~200 KB on disk, a 60 MB content stream of numbered lines;
- page-1mb.pdf: one page of 1 MB of Dutch words in a seeded random order, so no two passages are alike
  (evals/README.md's "1 MB page"; no embedding is saved by identical texts).
"""

from __future__ import annotations

import random
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from beleidsbron.index.build import Ingestor
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import Manifest
from beleidsbron.ingest.embed import Embedder

WORDS = ("de huisarts werkt samen met de apotheker in de wijk aan passende zorg voor ouderen in de regio "
         "volgens de afspraken van het akkoord").split()


def _pdf(content: bytes) -> bytes:
    """One A4 page whose content stream is `content`, Flate-compressed, with a correct xref table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    packed = zlib.compress(content, 9)
    objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text_page(lines: list[bytes]) -> bytes:
    return b"BT /F1 6 Tf 8 TL 20 830 Td\n" + b"".join(b"(%s) Tj T*\n" % line for line in lines) + b"ET"


def hostile_files() -> dict[str, bytes]:
    sentence = b"De huisarts werkt samen met de apotheker in de wijk aan passende zorg voor ouderen."
    numbered, size, i = [], 0, 0
    while size < 60_000_000:
        line = b"Regel %d: de huisarts werkt samen met de apotheker." % (i // 50)
        numbered.append(line)
        size, i = size + len(line) + 9, i + 1
    varied, size, rng = [], 0, random.Random(17)
    while size < 1_000_000:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize().encode() + b"."
        varied.append(line)
        size += len(line) + 1
    return {"bomb-3mb.pdf": _pdf(_text_page([sentence] * (3_000_000 // (len(sentence) + 9)))),
            "stream-60mb.pdf": _pdf(_text_page(numbered)),
            "page-1mb.pdf": _pdf(_text_page(varied))}


@dataclass(frozen=True)
class HostileRow:
    file: str
    bytes_on_disk: int
    seconds: float
    outcome: str  # "indexed", "cut: …" or "failed: …"
    passages: int
    sentences: int
    embedded: int


def bench_hostile(embedder: Embedder) -> list[HostileRow]:
    rows = []
    for name, data in hostile_files().items():
        with tempfile.TemporaryDirectory(prefix="beleidsbron-hostile-") as tmp:
            folder, home = Path(tmp) / "docs", DataHome(Path(tmp) / "home")
            folder.mkdir()
            (folder / name).write_bytes(data)
            started = time.perf_counter()
            report = Ingestor(home, embedder).run([folder])
            seconds = time.perf_counter() - started
            outcome = (f"failed: {report.failures[0].reason}" if report.failures else
                       f"cut: {report.warnings[0].split(': ', 1)[1]}" if report.warnings else "indexed")
            manifest = Manifest.read(home.current()) if home.current() else None
            rows.append(HostileRow(name, len(data), seconds, outcome, manifest.chunks if manifest else 0,
                                   manifest.sentences if manifest else 0, report.embedded))
    return rows


def render_hostile(rows: list[HostileRow]) -> str:
    lines = ["Hostile files (issue 17), each ingested alone into an empty data directory with the real model:",
             f"{'file':<16} {'on disk':>9} {'seconds':>8} {'passages':>9} {'sentences':>10} {'embedded':>9}  outcome"]
    for r in rows:
        lines.append(f"{r.file:<16} {r.bytes_on_disk / 1024:>6.0f} KB {r.seconds:>8.1f} {r.passages:>9,} "
                     f"{r.sentences:>10,} {r.embedded:>9,}  {r.outcome}")
    return "\n".join(lines)
