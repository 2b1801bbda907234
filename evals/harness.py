"""Run a searcher over query sets and score every item (see evals/metrics.py).

The searcher is a black box: anything with `search(query, k=, mode=) -> SearchResult`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from beleidsbron.evals.metrics import Aggregate, Gold, ItemScore, Passage, QueryItem, aggregate, score_item
from beleidsbron.evals.normalize import normalize
from beleidsbron.index.records import MODES, SearchResult
from beleidsbron.ingest.errors import BeleidsbronError

KINDS = ("keyword", "question", "paraphrase", "crosslingual", "multi", "unanswerable")
DEFAULT_K = 10


class QuerySetError(BeleidsbronError):
    """A query set file is missing or has a malformed line; the message names file and line."""


class ModeUnavailable(BeleidsbronError):
    """The searcher does not implement a mode (it raised NotImplementedError)."""


class Searchable(Protocol):
    def search(self, query: str, k: int = ..., mode: str = ...) -> SearchResult: ...


@dataclass(frozen=True)
class QuerySet:
    path: Path
    sha256: str
    items: tuple[QueryItem, ...]

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class EvalRun:
    """One query set, searched in one mode, scored item by item and in groups."""

    query_set: str
    sha256: str
    mode: str
    k: int
    items: tuple[ItemScore, ...]
    overall: Aggregate
    by_kind: Mapping[str, Aggregate] = field(default_factory=dict)
    by_lang: Mapping[str, Aggregate] = field(default_factory=dict)
    by_doc: Mapping[str, Aggregate] = field(default_factory=dict)
    seconds: float = 0.0

    def breakdowns(self) -> dict[str, Mapping[str, Aggregate]]:
        return {"kind": self.by_kind, "lang": self.by_lang, "doc": self.by_doc}


def _require(obj: dict, key: str, kind: type, where: str):
    if key not in obj:
        raise QuerySetError(f"{where}: missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise QuerySetError(f"{where}: field {key!r} must be {kind.__name__}, got {type(value).__name__}")
    return value


def _gold(obj, where: str) -> Gold:
    if not isinstance(obj, dict):
        raise QuerySetError(f"{where}: each entry of 'relevant' must be an object")
    gold = Gold(doc=_require(obj, "doc", str, where), quote=_require(obj, "quote", str, where),
                page=_require(obj, "page", int, where))
    if not gold.doc:
        raise QuerySetError(f"{where}: 'doc' must not be empty")
    if not normalize(gold.quote):
        raise QuerySetError(f"{where}: quote has no letters or digits")
    if gold.page < 1:
        raise QuerySetError(f"{where}: 'page' is 1-based, got {gold.page}")
    return gold


def parse_item(obj, where: str) -> QueryItem:
    """One query set line (already JSON-decoded) → QueryItem; QuerySetError naming `where` if malformed."""
    if not isinstance(obj, dict):
        raise QuerySetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    relevant = _require(obj, "relevant", list, where)
    item = QueryItem(id=_require(obj, "id", str, where), lang=_require(obj, "lang", str, where),
                     query=_require(obj, "query", str, where), kind=_require(obj, "kind", str, where),
                     answerable=_require(obj, "answerable", bool, where),
                     relevant=tuple(_gold(g, where) for g in relevant))
    if not item.id or not item.lang or not item.query.strip():
        raise QuerySetError(f"{where}: 'id', 'lang' and 'query' must not be empty")
    if item.kind not in KINDS:
        raise QuerySetError(f"{where}: kind must be one of {', '.join(KINDS)}, got {item.kind!r}")
    if item.answerable != bool(item.relevant):
        raise QuerySetError(f"{where}: answerable items need quotes in 'relevant', unanswerable ones none")
    if (item.kind == "unanswerable") == item.answerable:
        raise QuerySetError(f"{where}: kind 'unanswerable' goes with answerable false, and only with it")
    return item


def load_queries(path: Path) -> QuerySet:
    """Read and validate a JSONL query set (blank lines are skipped)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuerySetError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    items: list[QueryItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuerySetError(f"{where}: not valid JSON ({exc.msg})") from exc
        item = parse_item(obj, where)
        if item.id in seen:
            raise QuerySetError(f"{where}: id {item.id!r} already used on line {seen[item.id]}")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise QuerySetError(f"{path}: no query items")
    return QuerySet(path=path, sha256=hashlib.sha256(data).hexdigest(), items=tuple(items))


def to_passages(result: SearchResult) -> tuple[tuple[Passage, ...], tuple[Passage, ...]]:
    """The ranked hits twice: judged on the passage text, and on the displayed quote."""
    passages = tuple(Passage(h.doc, h.chunk.text, h.page, h.score) for h in result.hits)
    quotes = tuple(Passage(h.doc, h.quote.text, h.quote.page, h.score) for h in result.hits)
    return passages, quotes


def _search(searcher: Searchable, query: str, k: int, mode: str) -> SearchResult:
    try:
        return searcher.search(query, k=k, mode=mode)
    except NotImplementedError as exc:
        raise ModeUnavailable(f"mode {mode!r} is not implemented yet{f' ({exc})' if str(exc) else ''}") from exc


def run_item(searcher: Searchable, item: QueryItem, mode: str, k: int = DEFAULT_K,
             clock: Callable[[], float] = time.perf_counter) -> ItemScore:
    started = clock()
    result = _search(searcher, item.query, k, mode)
    seconds = clock() - started
    passages, quotes = to_passages(result)
    return score_item(item, passages, quotes, flagged=result.low_confidence, seconds=seconds)


def group(scores: Iterable[ItemScore], keys: Callable[[ItemScore], Iterable[str]]) -> dict[str, Aggregate]:
    """Aggregate per key; an item with several keys (e.g. documents) counts in each group."""
    groups: dict[str, list[ItemScore]] = {}
    for score in scores:
        for key in keys(score):
            groups.setdefault(key, []).append(score)
    return {key: aggregate(groups[key]) for key in sorted(groups)}


def summarize(query_set: str, sha256: str, mode: str, k: int, scores: Sequence[ItemScore],
              seconds: float = 0.0) -> EvalRun:
    scores = tuple(scores)
    return EvalRun(query_set=query_set, sha256=sha256, mode=mode, k=k, items=scores,
                   overall=aggregate(scores),
                   by_kind=group(scores, lambda s: [s.kind]),
                   by_lang=group(scores, lambda s: [s.lang]),
                   by_doc=group(scores, lambda s: s.docs),
                   seconds=seconds)


def evaluate(searcher: Searchable, query_set: QuerySet, mode: str, k: int = DEFAULT_K,
             warmup: bool = True, clock: Callable[[], float] = time.perf_counter) -> EvalRun:
    """Search every item of `query_set` in `mode` and score it.

    With `warmup`, one untimed query first, so lazy model loading does not land in
    the first item's latency.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if warmup and query_set.items:
        _search(searcher, query_set.items[0].query, k, mode)
    started = clock()
    scores = [run_item(searcher, item, mode, k, clock) for item in query_set.items]
    return summarize(query_set.name, query_set.sha256, mode, k, scores, seconds=clock() - started)


def evaluate_all(searcher: Searchable, query_sets: Sequence[QuerySet], modes: Sequence[str],
                 k: int = DEFAULT_K, warmup: bool = True) -> tuple[list[EvalRun], list[str]]:
    """Every query set in every mode. A mode the searcher lacks is skipped with a note."""
    runs: list[EvalRun] = []
    notes: list[str] = []
    for mode in modes:
        try:
            runs.extend(evaluate(searcher, qs, mode, k, warmup) for qs in query_sets)
        except ModeUnavailable as exc:
            notes.append(f"skipped: {exc}")
            runs = [r for r in runs if r.mode != mode]
    return runs, notes
