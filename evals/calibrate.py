"""Fit the low-confidence flag (index/confidence.py) and report cross-validated flag rates.

    python -m beleidsbron.evals.calibrate [--queries FILE ...] [--folds 10] [--repeats 5]

Reads the signals of every item of the query sets (default: evals/queries-dev.jsonl and
evals/queries.jsonl) in the default mode, answerable and unanswerable together. A fit chooses
LENGTH_WEIGHT from a grid, and for each weight FLAG_BELOW as the TARGET quantile of the answerable
items' scores, keeping the weight that flags most unanswerable items. Cross-validation: stratified
k-fold, repeated with other shuffles; each item is judged by the numbers fitted without it. The fit on
all items gives the numbers to ship. Figures land in evals/README.md by hand.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beleidsbron.index.confidence import Signals, score

TARGET = 0.04  # share of answerable items a fit may flag (the issue allows 5%; this leaves room)
WEIGHTS = tuple(round(0.02 * i, 2) for i in range(26))  # LENGTH_WEIGHT grid, 0 to 0.5


@dataclass(frozen=True)
class Labelled:
    id: str
    query_set: str
    answerable: bool
    signals: Signals


@dataclass(frozen=True)
class Fit:
    length_weight: float
    flag_below: float

    def flags(self, item: Labelled) -> bool:
        return score(item.signals, self.length_weight) < self.flag_below


def fit(items: Sequence[Labelled], target: float = TARGET, weights: Sequence[float] = WEIGHTS) -> Fit:
    """The (length weight, threshold) that flags most unanswerable items while flagging about `target`
    of the answerable ones; ties go to the smaller weight."""
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    if not answerable or not unanswerable:
        raise ValueError("a fit needs answerable and unanswerable items")
    best: tuple[float, Fit] | None = None
    for weight in weights:
        scores = np.array([score(i.signals, weight) for i in answerable])
        # the lowest threshold over which at most `target` of the answerable items fall below
        threshold = float(np.quantile(scores, target, method="lower"))
        candidate = Fit(weight, threshold)
        caught = sum(candidate.flags(i) for i in unanswerable) / len(unanswerable)
        if best is None or caught > best[0]:
            best = (caught, candidate)
    assert best is not None
    return best[1]


def folds(items: Sequence[Labelled], k: int, seed: int) -> list[int]:
    """A fold number per item, stratified by answerability."""
    rng = np.random.default_rng(seed)
    assigned = [0] * len(items)
    for answerable in (True, False):
        members = [n for n, i in enumerate(items) if i.answerable == answerable]
        rng.shuffle(members)
        for position, n in enumerate(members):
            assigned[n] = position % k
    return assigned


def cross_validate(items: Sequence[Labelled], k: int = 10, repeats: int = 5,
                   weights: Sequence[float] = WEIGHTS) -> list[float]:
    """How often each item was flagged by fits made without it: a share per item over the repeats."""
    flagged = np.zeros(len(items))
    for seed in range(repeats):
        fold_of = folds(items, k, seed)
        for fold in range(k):
            model = fit([i for i, f in zip(items, fold_of) if f != fold], weights=weights)
            for n, (item, f) in enumerate(zip(items, fold_of)):
                if f == fold:
                    flagged[n] += model.flags(item)
    return list(flagged / repeats)


def rates(items: Sequence[Labelled], flagged: Sequence[float]) -> tuple[float, float]:
    """(share of unanswerable items flagged, share of answerable items flagged)."""
    unans = [f for i, f in zip(items, flagged) if not i.answerable]
    ans = [f for i, f in zip(items, flagged) if i.answerable]
    return (sum(unans) / len(unans) if unans else math.nan, sum(ans) / len(ans) if ans else math.nan)


def collect(query_files: Sequence[Path]) -> list[Labelled]:
    """Signals of every item, from the index and model the settings name (loads the model)."""
    from beleidsbron import api
    from beleidsbron.evals.harness import load_queries
    from beleidsbron.settings import Settings

    settings = Settings.load()
    searcher = api.open(settings.home, settings.model, settings.reranker)
    items = []
    for path in query_files:
        for item in load_queries(path).items:
            signals = searcher.confidence_signals(item.query)
            if signals is None:
                raise SystemExit("error: the index has no token vectors; the flag cannot be calibrated")
            items.append(Labelled(item.id, path.name, item.answerable, signals))
    return items


def main(argv: Sequence[str] | None = None) -> None:
    from beleidsbron.evals.command import DEFAULT_QUERIES

    parser = argparse.ArgumentParser(prog="python -m beleidsbron.evals.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--queries", action="append", type=Path, help="JSONL query set (repeatable)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    items = collect(args.queries or [p for p in DEFAULT_QUERIES if p.exists()])
    print(f"{len(items)} items: {sum(i.answerable for i in items)} answerable, "
          f"{sum(not i.answerable for i in items)} unanswerable")
    print(f"cross-validated ({args.folds}-fold x {args.repeats}): unanswerable flagged / answerable flagged")
    for label, weights in (("matched share (shipped)", (0.0,)), ("share + length allowance", WEIGHTS)):
        flagged = cross_validate(items, args.folds, args.repeats, weights=weights)
        for name in ["all", *sorted({i.query_set for i in items})]:
            chosen = [(i, f) for i, f in zip(items, flagged) if name in ("all", i.query_set)]
            unans, ans = rates([i for i, _ in chosen], [f for _, f in chosen])
            print(f"  {label:26s} {name:20s} {unans:.3f} / {ans:.3f}")
        model = fit(items, weights=weights)
        unans, ans = rates(items, [model.flags(i) for i in items])
        print(f"  {label:26s} fit on all: LENGTH_WEIGHT = {model.length_weight}, FLAG_BELOW = "
              f"{model.flag_below:.3f} (on the same items: {unans:.3f} / {ans:.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
