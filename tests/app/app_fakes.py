"""A small fake Searcher over records, a fake Ingestor, and helpers to run the app in AppTest.

The fake searcher scores each page by the share of query word stems it holds and
quotes the best sentence, so results behave sensibly without a model or an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from beleidsbron.index.build import IngestReport
from beleidsbron.index.home import DataHome
from beleidsbron.index.manifest import DocumentEntry, Manifest
from beleidsbron.index.records import Hit, Quote, SearchResult
from beleidsbron.index.search import Filters
from beleidsbron.ingest.records import Chunk, Source

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
WORD = re.compile(r"\w+")


def stems(text: str) -> set[str]:
    return {w[:5] for w in WORD.findall(text.lower()) if len(w) > 2}


@dataclass(frozen=True)
class FakeDoc:
    source: Source
    pages: tuple[str, ...]  # cleaned text per page; "" for a page without text layer
    sha256: str = "0" * 64


DEFAULT_FLAG_BELOW = 0.5  # what flag_below=None stands for, as in index.search.Tuning


@dataclass
class FakeTuning:
    flag_below: float | None = 0.0


class FakeStore:
    def __init__(self, docs: list[FakeDoc]) -> None:
        self._pages = {(d.source.file, n): text for d in docs for n, text in enumerate(d.pages, start=1)}

    def page_text(self, doc: str, number: int) -> str:
        return self._pages[(doc, number)]


class FakeSearcher:
    def __init__(self, docs: list[FakeDoc], flag_below: float | None = 0.0) -> None:
        self.docs = docs
        self.tuning = FakeTuning(flag_below)
        self.store = FakeStore(docs)
        self.sources = {d.source.file: d.source for d in docs}
        self.calls: list[tuple[str, int, str, Filters]] = []
        self.manifest = Manifest(
            model_id="fake", dimension=8, model_fingerprint="fake", chunk_size=800, chunk_overlap=100,
            vector_index="flat", chunks=sum(len([p for p in d.pages if p]) for d in docs), sentences=0,
            built_at="2024-11-01T12:00:00Z",
            documents=[DocumentEntry(d.source.file, d.sha256, d.source.title, len(d.pages),
                                     [n for n, p in enumerate(d.pages, start=1) if not p], len(d.pages))
                       for d in docs])

    def _hit(self, doc: FakeDoc, number: int, text: str, query: set[str]) -> Hit | None:
        sentences = [m for m in re.finditer(r"[^.!?]+[.!?]?", text) if m.group().strip()]
        if not sentences or not query:
            return None
        best = max(sentences, key=lambda m: len(stems(m.group()) & query))
        score = len(stems(text) & query) / len(query)
        if score == 0:
            return None
        start = best.start() + len(best.group()) - len(best.group().lstrip())
        end = best.end() - (len(best.group()) - len(best.group().rstrip()))
        chunk = Chunk(id=f"{doc.source.file}-{number}", doc=doc.source.file, text=text, page_start=number,
                      page_end=number, start=0, end=len(text))
        return Hit(chunk=chunk, source=doc.source, score=score,
                   quote=Quote(text=text[start:end], page=number, start=start, end=end))

    def search(self, query: str, k: int = 10, mode: str = "rerank", filters: Filters = Filters()) -> SearchResult:
        self.calls.append((query, k, mode, filters))
        terms = stems(query)
        hits = [hit for doc in self.docs if filters.admits(doc.source)
                for number, text in enumerate(doc.pages, start=1) if text
                if (hit := self._hit(doc, number, text, terms)) is not None]
        hits.sort(key=lambda h: -h.score)
        threshold = self.tuning.flag_below
        threshold = DEFAULT_FLAG_BELOW if threshold is None else threshold
        doubtful = bool(hits) and hits[0].score < threshold
        return SearchResult(query=query, mode=mode, hits=tuple(hits[:k]), low_confidence=doubtful)


IZA = Source("iza.pdf", "Mid-term review Integraal Zorgakkoord", "IZA-partijen", 2024, "mid-term review")
PPN = Source("ppn.pdf", "Een plek aan tafel voor de paramedici", "Paramedisch Platform Nederland", None, "interview")
ROBUUST = Source("robuust.pdf", "Paramedische platforms in Zuid-Nederland", "Robuust", 2023, "regionaal rapport")

DOCS = [
    FakeDoc(IZA, ("Samenvatting\nHet Integraal Zorgakkoord gaat over passende zorg. De paramedici doen mee.",
                  "",
                  "Passende zorg vraagt samenwerking in de regio. Het IZA zet in op de eerste lijn.")),
    FakeDoc(PPN, ("Paramedici en andere zorgverleners zitten in de buitenring van het IZA. Dat moet anders.",)),
    FakeDoc(ROBUUST, ("Succesfactoren\nRegionale paramedische platforms werken als aanspreekpunt voor gemeenten.",
                      "Een platform groeit door vertrouwen en een vaste coördinator.")),
]


def fake_searcher(flag_below: float | None = 0.0, docs: list[FakeDoc] | None = None) -> FakeSearcher:
    return FakeSearcher(list(DOCS if docs is None else docs), flag_below)


@dataclass
class FakeIngestor:
    """Records runs; returns a given report, or raises a given error."""

    home: DataHome
    progress: object
    report: IngestReport = field(default_factory=IngestReport)
    error: Exception | None = None
    runs: list[dict] = field(default_factory=list)
    seen: dict[str, bytes] = field(default_factory=dict)  # file name → bytes, read during the run
    on_run: object = None  # called with the ingestor at the start of each run

    def run(self, paths, keep_others=False, remove=(), rebuild=False) -> IngestReport:
        self.runs.append({"paths": list(paths), "keep_others": keep_others, "remove": list(remove),
                          "rebuild": rebuild})
        if callable(self.on_run):
            self.on_run(self)
        for path in paths:
            if Path(path).is_file():
                self.seen[Path(path).name] = Path(path).read_bytes()
        if self.error is not None:
            error, self.error = self.error, None  # one failure; the next run succeeds
            raise error
        self.progress.pages(3)
        self.progress.embedded("chunks", 2, 2)
        self.progress.embedded("sentences", 5, 5)
        return self.report


def start_app(monkeypatch, searcher: FakeSearcher | None, corpus: Path | None = None,
              ingestor: FakeIngestor | None = None, reports: Path | None = None):
    """An AppTest of app.py with the fakes in place (not yet run)."""
    from streamlit.testing.v1 import AppTest

    from beleidsbron.settings import ENV_CORPUS, ENV_REPORTS
    from beleidsbron.ui import context

    monkeypatch.setattr(context, "searcher_factory", lambda ctx: searcher)
    if ingestor is not None:
        monkeypatch.setattr(context, "ingestor_factory",
                            lambda ctx: lambda progress: _bind(ingestor, ctx.data, progress))
    if corpus is not None:
        monkeypatch.setenv(ENV_CORPUS, str(corpus))
    if reports is not None:
        monkeypatch.setenv(ENV_REPORTS, str(reports))
    return AppTest.from_file(APP, default_timeout=30)


def _bind(ingestor: FakeIngestor, home: DataHome, progress) -> FakeIngestor:
    ingestor.home, ingestor.progress = home, progress
    return ingestor


def search(at, query: str):
    at.text_input(key="query").set_value(query).run()
    assert not at.exception, at.exception
    return at


def html_text(at) -> str:
    return "\n".join(h.value for h in at.html)


def markdown_text(at) -> str:
    """Everything rendered through Markdown: markdown, captions, alerts."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.error, at.warning, at.info, at.success) for a in kind]
    return "\n".join(parts)


def cards(at) -> list[str]:
    """The HTML of the result (or basket) cards, in order."""
    return [h.value for h in at.html if 'class="bb-card"' in h.value]
