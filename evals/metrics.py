"""Retrieval metrics over ranked lists, per the scoring rules (shared/evals-dev/README.md).

Pure functions and frozen records: no I/O, no clock, no searcher. A ranked list
is taken in the order given (equal scores keep that order; nothing is re-sorted).

Choices where the rules leave room:
- A passage's *matched quotes* are the gold quotes its normalised text contains or
  shares a longest common substring of ≥ 60% of the quote's normalised length with,
  provided the passage's document is listed in `relevant` (the rule, read literally).
- nDCG@10: binary gain. A passage gains 1 when it matches a gold quote that no
  earlier passage matched (a second passage on an already found quote adds nothing).
  The ideal list has one relevant result per distinct gold quote (distinct by
  document and normalised text), capped at 10, at ranks 1..n. So 0 ≤ nDCG ≤ 1; a
  single passage holding two gold quotes still counts as one found result.
- Page accuracy is judged on the first hit in the top 10, over the answerable items
  that have one: its page is within ±1 of the page of a gold quote it matched in
  the same document.
- The low-confidence flag: a result with `low_confidence` set, or with no hits at
  all, counts as flagged. Its hits are scored like any others (they are shown).
- Percentiles interpolate linearly between closest ranks (numpy's default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from beleidsbron.evals.normalize import normalize

KS = (1, 3, 5, 10)  # the k of hit@k
CUTOFF = 10  # MRR@10, nDCG@10, coverage@10
MIN_RUN = (3, 5)  # a shared run counts from 3/5 = 60% of the quote's normalised length


@dataclass(frozen=True)
class Gold:
    """One gold quote of a query item."""

    doc: str
    quote: str
    page: int


@dataclass(frozen=True)
class QueryItem:
    id: str
    lang: str
    query: str
    kind: str
    answerable: bool
    relevant: tuple[Gold, ...] = ()

    @property
    def docs(self) -> tuple[str, ...]:
        """The distinct documents of `relevant`, in order of first mention."""
        return tuple(dict.fromkeys(g.doc for g in self.relevant))


@dataclass(frozen=True)
class Passage:
    """One returned result, reduced to what scoring reads."""

    doc: str
    text: str
    page: int
    score: float = 0.0


@dataclass(frozen=True)
class Judged:
    """One returned result and how it was judged."""

    doc: str
    page: int
    score: float
    hit: bool
    quote_hit: bool


_norm = lru_cache(maxsize=8192)(normalize)


def longest_common_run(a: str, b: str) -> int:
    """Length of the longest common substring of a and b (exact: no junk heuristic)."""
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def text_matches(passage_text: str, quote: str) -> bool:
    """The text rule: the normalised passage contains the quote or shares a run of ≥ 60% of it."""
    q, p = _norm(quote), _norm(passage_text)
    if not q or not p:
        return False
    if q in p:
        return True
    return longest_common_run(q, p) * MIN_RUN[1] >= len(q) * MIN_RUN[0]


def matched_quotes(passage_text: str, passage_doc: str, relevant: Sequence[Gold]) -> tuple[int, ...]:
    """Indices into `relevant` of the gold quotes this passage matches (none if its doc is not listed)."""
    if passage_doc not in {g.doc for g in relevant}:
        return ()
    return tuple(i for i, g in enumerate(relevant) if text_matches(passage_text, g.quote))


def is_hit(passage_text: str, passage_doc: str, relevant: Sequence[Gold]) -> bool:
    return bool(matched_quotes(passage_text, passage_doc, relevant))


def hit_flags(passages: Sequence[Passage], relevant: Sequence[Gold]) -> tuple[bool, ...]:
    return tuple(is_hit(p.text, p.doc, relevant) for p in passages)


def first_hit_rank(flags: Sequence[bool]) -> int | None:
    """1-based rank of the first hit, or None."""
    return next((rank for rank, flag in enumerate(flags, start=1) if flag), None)


def hit_at_k(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None, cutoff: int = CUTOFF) -> float:
    return 1.0 / rank if hit_at_k(rank, cutoff) else 0.0


def _gold_key(gold: Gold) -> tuple[str, str]:
    return gold.doc, _norm(gold.quote)


def ndcg(passages: Sequence[Passage], relevant: Sequence[Gold], cutoff: int = CUTOFF) -> float:
    """nDCG@cutoff with binary, novelty-counted gains (see the module docstring)."""
    distinct = {_gold_key(g) for g in relevant if _norm(g.quote)}
    if not distinct:
        return 0.0
    seen: set[tuple[str, str]] = set()
    dcg = 0.0
    for rank, passage in enumerate(passages[:cutoff], start=1):
        keys = {_gold_key(relevant[i]) for i in matched_quotes(passage.text, passage.doc, relevant)}
        if keys - seen:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= keys
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(distinct), cutoff) + 1))
    return dcg / ideal


def page_accurate(passage: Passage, relevant: Sequence[Gold]) -> bool:
    """The passage's page is within ±1 of the page of a gold quote it matches in its own document."""
    return any(relevant[i].doc == passage.doc and abs(passage.page - relevant[i].page) <= 1
               for i in matched_quotes(passage.text, passage.doc, relevant))


def doc_coverage(passages: Sequence[Passage], relevant: Sequence[Gold], cutoff: int = CUTOFF) -> float:
    """Share of the distinct relevant documents that have a hit among the first `cutoff` passages."""
    docs = {g.doc for g in relevant}
    if not docs:
        return 0.0
    covered = {p.doc for p in passages[:cutoff] if is_hit(p.text, p.doc, relevant)}
    return len(covered & docs) / len(docs)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100), linear between closest ranks; None for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class ItemScore:
    """How one query item fared in one mode."""

    id: str
    kind: str
    lang: str
    docs: tuple[str, ...]
    answerable: bool
    rank: int | None  # first passage hit among all results returned, 1-based
    quote_rank: int | None  # the same, judged on the displayed quote instead of the passage
    ndcg: float | None  # None for unanswerable items
    page_ok: bool | None  # None unless answerable with a hit in the top 10
    coverage: float | None  # multi items only
    flagged: bool  # low-confidence, or no hits at all
    seconds: float
    judged: tuple[Judged, ...] = ()


def score_item(item: QueryItem, passages: Sequence[Passage], quotes: Sequence[Passage],
               flagged: bool, seconds: float) -> ItemScore:
    """Score one ranked list. `quotes[i]` is result i with its displayed quote as text."""
    flags = hit_flags(passages, item.relevant)
    quote_flags = hit_flags(quotes, item.relevant)
    rank = first_hit_rank(flags)
    page_ok = None
    if item.answerable and hit_at_k(rank, CUTOFF):
        page_ok = page_accurate(passages[rank - 1], item.relevant)
    judged = tuple(Judged(p.doc, p.page, p.score, f, qf) for p, f, qf in zip(passages, flags, quote_flags))
    return ItemScore(
        id=item.id, kind=item.kind, lang=item.lang, docs=item.docs, answerable=item.answerable,
        rank=rank, quote_rank=first_hit_rank(quote_flags),
        ndcg=ndcg(passages, item.relevant) if item.answerable else None,
        page_ok=page_ok,
        coverage=doc_coverage(passages, item.relevant) if item.kind == "multi" else None,
        flagged=flagged or not passages, seconds=seconds, judged=judged)


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def flagged_unanswerable_rate(scores: Sequence[ItemScore]) -> float | None:
    """Share of the unanswerable items that the engine flagged low-confidence (higher is better)."""
    return _share([s.flagged for s in scores if not s.answerable])


def flagged_answerable_rate(scores: Sequence[ItemScore]) -> float | None:
    """Share of the answerable items that the engine flagged low-confidence (lower is better)."""
    return _share([s.flagged for s in scores if s.answerable])


@dataclass(frozen=True)
class Aggregate:
    """Metrics over a group of items; None where the group has nothing to measure."""

    items: int
    answerable: int
    unanswerable: int
    multi: int
    found: int  # answerable items with a hit in the top 10 (page accuracy's base)
    hit1: float | None
    hit3: float | None
    hit5: float | None
    hit10: float | None
    mrr: float | None
    ndcg: float | None
    page_accuracy: float | None
    coverage: float | None
    quote_hit1: float | None
    quote_hit10: float | None
    flagged_unanswerable: float | None
    flagged_answerable: float | None
    latency_p50: float | None  # seconds
    latency_p95: float | None

    def hit_at(self, k: int) -> float | None:
        if k not in KS:
            raise ValueError(f"k must be one of {', '.join(map(str, KS))}, got {k}")
        return getattr(self, f"hit{k}")


def aggregate(scores: Sequence[ItemScore]) -> Aggregate:
    answerable = [s for s in scores if s.answerable]
    hits = {k: _share([hit_at_k(s.rank, k) for s in answerable]) for k in KS}
    seconds = [s.seconds for s in scores]
    return Aggregate(
        items=len(scores), answerable=len(answerable), unanswerable=len(scores) - len(answerable),
        multi=sum(s.coverage is not None for s in scores),
        found=sum(hit_at_k(s.rank, CUTOFF) for s in answerable),
        hit1=hits[1], hit3=hits[3], hit5=hits[5], hit10=hits[10],
        mrr=_mean([reciprocal_rank(s.rank) for s in answerable]),
        ndcg=_mean([s.ndcg for s in answerable if s.ndcg is not None]),
        page_accuracy=_share([s.page_ok for s in answerable if s.page_ok is not None]),
        coverage=_mean([s.coverage for s in scores if s.coverage is not None]),
        quote_hit1=_share([hit_at_k(s.quote_rank, 1) for s in answerable]),
        quote_hit10=_share([hit_at_k(s.quote_rank, CUTOFF) for s in answerable]),
        flagged_unanswerable=flagged_unanswerable_rate(scores), flagged_answerable=flagged_answerable_rate(scores),
        latency_p50=percentile(seconds, 50), latency_p95=percentile(seconds, 95))
