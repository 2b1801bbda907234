"""Whether the hits of a search answer its query: the low-confidence flag, as one explainable rule.

The rule in one sentence: a result is flagged when its top passage matches less than FLAG_BELOW of
the query, the matched share being the IDF-weighted share of the query's tokens that find a token of
cosine MATCH_AT or more in that passage (index/tokens.py). An unanswerable question on the corpus's
own topics usually has a key word that the passage does not speak of (a tariff, a cao, a later year).

`score` can also grant long queries an allowance (LENGTH_WEIGHT × ln(tokens)): a long question in lay
words leaves more of its words unmatched even when answered. It caught more unanswerable items of our
own set but flagged short keyword queries of the development set, so it ships switched off (0); see
evals/README.md, Confidence flag. No other signal tried (margins between hits, agreement between the
BM25 and vector channels, words the corpus never uses) added anything under cross-validation.

Pure functions and a frozen record: no model, no index. evals/calibrate.py fits the numbers and
reports cross-validated flag rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A query token counts as matched when some token of the passage reaches this cosine (e5 token vectors
# from the layers below the top, index/tokens.py).
MATCH_AT = 0.6
# The allowance per ln-unit of query tokens; 0: off (fitted, it flagged 3 of dev's 28 answerable items
# instead of 1, all short keyword queries).
LENGTH_WEIGHT = 0.0
# Flagged below this share: the fit on the 272 answerable and 71 unanswerable items of both query sets
# (flags 4% of the answerable ones; cross-validated it flags 34% of the unanswerable ones).
FLAG_BELOW = 0.433


@dataclass(frozen=True)
class Signals:
    """What the flag reads from one result: the top passage's matched share of the query, and how
    many tokens the query has (those with a token vector: no punctuation, no prompt)."""

    matched_share: float
    query_tokens: int

    def __post_init__(self) -> None:
        if not 0.0 <= self.matched_share <= 1.0 + 1e-9:
            raise ValueError(f"matched_share must lie in [0, 1], got {self.matched_share}")
        if self.query_tokens < 0:
            raise ValueError(f"query_tokens must be at least 0, got {self.query_tokens}")


def score(signals: Signals, length_weight: float = LENGTH_WEIGHT) -> float:
    """The matched share with the allowance for the query's length (higher: more confident)."""
    return signals.matched_share + length_weight * math.log(max(signals.query_tokens, 1))


def low_confidence(signals: Signals, flag_below: float = FLAG_BELOW, length_weight: float = LENGTH_WEIGHT) -> bool:
    """True when no hit seems to answer the query for certain; a threshold of 0 or less never flags."""
    return flag_below > 0 and score(signals, length_weight) < flag_below
