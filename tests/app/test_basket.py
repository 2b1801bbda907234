"""ui/basket.py: the basket's items and pure operations."""

from __future__ import annotations

import pytest

from beleidsbron.index.records import Hit, Quote
from beleidsbron.ingest.records import Chunk, Source
from beleidsbron.ui import basket
from beleidsbron.ui.basket import BasketItem

SRC = Source("a.pdf", "Titel", "Uitgever", 2024)
A, B, C = (BasketItem(f"Citaat {n}.", n, SRC) for n in (1, 2, 3))


def test_from_hit_flattens_whitespace_and_cites_the_page():
    text = "Kop\nDe tekst  van het citaat."
    chunk = Chunk("c1", "a.pdf", text, 4, 4, 0, len(text))
    hit = Hit(chunk, SRC, 0.5, Quote(text, 4, 0, len(text)))
    item = BasketItem.from_hit(hit, "vraag")
    assert item.quote == "Kop De tekst van het citaat." and item.page == 4 and item.query == "vraag"
    assert item.citation == "Uitgever (2024). Titel, p. 4."
    assert item.quoted == "“Kop De tekst van het citaat.” (Uitgever (2024). Titel, p. 4.)"


def test_items_are_validated():
    with pytest.raises(ValueError):
        BasketItem("  ", 1, SRC)
    with pytest.raises(ValueError):
        BasketItem("x", 0, SRC)


def test_add_keeps_order_and_skips_the_same_quote():
    items = basket.add(basket.add(basket.add((), A), B), A)
    assert items == (A, B)
    assert basket.contains(items, A.key) and not basket.contains(items, C.key)


def test_remove_and_move():
    items = (A, B, C)
    assert basket.remove(items, B.key) == (A, C)
    assert basket.remove(items, "nope") == items
    assert basket.move(items, A.key, 1) == (B, A, C)
    assert basket.move(items, C.key, -1) == (A, C, B)
    assert basket.move(items, A.key, -1) == items  # clamped at the top
    assert basket.move(items, C.key, 5) == items
    assert basket.move(items, "nope", 1) == items


def test_keys_differ_per_quote_and_page():
    assert len({A.key, B.key, C.key, BasketItem("Citaat 1.", 2, SRC).key}) == 4
