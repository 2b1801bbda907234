"""Text normalisation used by the scoring rules (shared/evals-dev/README.md).

NFKC, casefold, then keep only letters and digits: line-end hyphenation,
whitespace and quote marks never decide a hit.
"""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())
