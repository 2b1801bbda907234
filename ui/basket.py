"""The quote basket: quotes collected across searches, in the user's order. Pure functions.

The basket is a tuple of BasketItem kept in st.session_state; every operation
returns a new tuple.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from beleidsbron.index.citation import citation, quoted
from beleidsbron.index.records import Hit
from beleidsbron.ingest.records import Source
from beleidsbron.ui.markup import flat


@dataclass(frozen=True)
class BasketItem:
    """One quote with everything needed to cite it."""

    quote: str
    page: int
    source: Source
    query: str = ""

    def __post_init__(self) -> None:
        if not self.quote.strip():
            raise ValueError("BasketItem.quote must not be empty")
        if self.page < 1:
            raise ValueError(f"BasketItem.page is 1-based, got {self.page}")

    @classmethod
    def from_hit(cls, hit: Hit, query: str = "") -> BasketItem:
        return cls(quote=flat(hit.quote.text), page=hit.page, source=hit.source, query=query)

    @property
    def key(self) -> str:
        digest = hashlib.sha1(self.quote.encode()).hexdigest()[:10]
        return f"{self.source.file}:{self.page}:{digest}"

    @property
    def citation(self) -> str:
        return citation(self.source, self.page)

    @property
    def quoted(self) -> str:
        """“quote” (citation): ready to paste."""
        return quoted(self.quote, self.source, self.page)


Basket = tuple[BasketItem, ...]


def add(basket: Basket, item: BasketItem) -> Basket:
    """The basket with `item` at the end; unchanged if the same quote is already in it."""
    return basket if any(i.key == item.key for i in basket) else (*basket, item)


def remove(basket: Basket, key: str) -> Basket:
    return tuple(i for i in basket if i.key != key)


def move(basket: Basket, key: str, offset: int) -> Basket:
    """The item moved `offset` places (−1 up, +1 down), clamped to the ends."""
    keys = [i.key for i in basket]
    if key not in keys:
        return basket
    old = keys.index(key)
    new = min(max(old + offset, 0), len(basket) - 1)
    items = list(basket)
    items.insert(new, items.pop(old))
    return tuple(items)


def contains(basket: Basket, key: str) -> bool:
    return any(i.key == key for i in basket)
