"""ui/i18n.py: every text exists in Dutch and English, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from beleidsbron.ui.i18n import EXAMPLES, LANGS, TEXTS, examples, tr


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_both_languages_with_the_same_placeholders(key):
    nl, en = TEXTS[key]
    assert nl.strip() and en.strip()
    assert fields(nl) == fields(en)


def test_tr_fills_in_values_and_checks_the_language():
    assert tr("nl", "results", n=3, ms="12") == "3 resultaten in 12 ms"
    assert tr("en", "results", n=3, ms="12") == "3 results in 12 ms"
    with pytest.raises(ValueError, match="nl, en"):
        tr("de", "results")


def test_examples_per_language():
    assert set(EXAMPLES) == set(LANGS)
    assert len(examples("nl")) == len(examples("en")) >= 3
