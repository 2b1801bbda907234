"""index/quotes.py: the quote window (1–3 consecutive sentences on one page, about 300 characters
at most, grown around the best sentence) and the verbatim quote sliced from the page text."""

from __future__ import annotations

import numpy as np
import pytest

from beleidsbron.index.quotes import MAX_CHARS, MAX_SENTENCES, make_quote, quote_window
from beleidsbron.index.records import Quote
from beleidsbron.ingest.records import Sentence

# three of these fit in one quote (MAX_CHARS)
HUISBEZOEK = "De wijkverpleegkundige legt een huisbezoek af om de zorgvraag in kaart te brengen."
INDICATIE = "Zij stelt de indicatie voor persoonlijke verzorging en verpleging zelf vast."
GEMEENTE = "De gemeente blijft verantwoordelijk voor huishoudelijke hulp via de Wmo."
EVALUATIE = "Na drie maanden evalueert de wijkverpleegkundige het zorgplan met de cliënt."
MANTELZORG = "Ook de mantelzorger wordt gevraagd hoe het met de eigen belasting gaat."


def sentences_of(page_text: str, parts: list[str], page: int = 1, doc: str = "wijkverpleging.pdf") -> list[Sentence]:
    """The Sentence records of `parts`, found in order in the page text."""
    found, cursor = [], 0
    for part in parts:
        start = page_text.index(part, cursor)
        found.append(Sentence(doc, page, start, start + len(part), part))
        cursor = start + len(part)
    return found


def window(parts: list[str], scores: list[float], **limits) -> tuple[int, int]:
    return quote_window(sentences_of(" ".join(parts), parts), np.array(scores), **limits)


# quote_window -----------------------------------------------------------------------------
def test_a_single_sentence_is_its_own_quote() -> None:
    assert window([HUISBEZOEK], [0.4]) == (0, 1)


def test_the_best_scoring_sentence_is_the_core_of_the_quote() -> None:
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE], [0.2, 0.9, 0.1], max_sentences=1) == (1, 2)
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE, EVALUATIE], [0.1, 0.2, 0.3, 0.9], max_sentences=1) == (3, 4)


def test_neighbours_join_while_the_quote_fits() -> None:
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE], [0.2, 0.9, 0.1]) == (0, 3)
    assert window([HUISBEZOEK, INDICATIE], [0.9, 0.0]) == (0, 2)


def test_the_better_neighbour_is_taken_first() -> None:
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE], [0.78, 0.8, 0.79], max_sentences=2) == (1, 3)
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE], [0.79, 0.8, 0.78], max_sentences=2) == (0, 2)


def test_short_closing_sentences_join() -> None:
    assert window([HUISBEZOEK, "Dat is hoopvol."], [0.9, 0.0]) == (0, 2)
    assert window([HUISBEZOEK, "Werkt dat?"], [0.9, 0.0]) == (0, 2)
    assert window([HUISBEZOEK, "“Dat is hoopvol.”"], [0.9, 0.0]) == (0, 2)


def test_a_heading_or_list_line_does_not_join() -> None:
    assert window(["Wijkverpleging", HUISBEZOEK], [0.0, 0.9]) == (1, 2)
    assert window(["3.2 Indicatiestelling", HUISBEZOEK], [0.0, 0.9]) == (1, 2)
    assert window([HUISBEZOEK, "- huishoudelijke hulp", INDICATIE], [0.9, 0.0, 0.8]) == (0, 1)


def test_a_quote_holds_at_most_three_sentences() -> None:
    parts = ["Zorg thuis.", "Zorg dichtbij.", "Zorg samen.", "Zorg op maat.", "Zorg met aandacht."]
    assert MAX_SENTENCES == 3
    assert window(parts, [0.5] * 5) == (0, 3)  # the first of equals is the best; it grows to the right
    assert window(parts, [0.1, 0.5, 0.5, 0.5, 0.5]) == (1, 4)


def test_max_sentences_of_one_gives_just_the_best_sentence() -> None:
    assert window([HUISBEZOEK, INDICATIE, GEMEENTE], [0.8, 0.8, 0.8], max_sentences=1) == (0, 1)


def test_a_neighbour_that_would_make_the_quote_too_long_stays_out() -> None:
    first = "Wijkverpleging " + "en zorg " * 16 + "thuis."  # 150 characters
    second = "Huishoudelijke hulp " + "en steun " * 14 + "thuis."  # 152 characters
    assert len(first) + 1 + len(second) > MAX_CHARS
    assert window([first, second], [0.8, 0.8]) == (0, 1)


def test_a_neighbour_that_fits_exactly_in_max_chars_joins() -> None:
    first = "A" * 149 + "."
    second = "B" * 149 + "."
    assert len(first) + 1 + len(second) == MAX_CHARS + 1
    assert window([first, second], [0.8, 0.8], max_chars=MAX_CHARS + 1) == (0, 2)
    assert window([first, second], [0.8, 0.8], max_chars=MAX_CHARS) == (0, 1)


def test_a_best_sentence_longer_than_the_limit_is_quoted_whole_and_alone() -> None:
    long = "Het Integraal Zorgakkoord " + "maakt afspraken over passende zorg, " * 12 + "voor iedereen."
    assert len(long) > MAX_CHARS
    assert window([long, "Dat is hoopvol."], [0.9, 0.9]) == (0, 1)


def test_a_quote_does_not_cross_to_another_page() -> None:
    page_one, page_two = HUISBEZOEK, INDICATIE
    sentences = sentences_of(page_one, [HUISBEZOEK], page=1) + sentences_of(page_two, [INDICATIE], page=2)
    assert quote_window(sentences, np.array([0.8, 0.8])) == (0, 1)
    assert quote_window(sentences, np.array([0.1, 0.8])) == (1, 2)


def test_a_short_sentence_on_the_next_page_does_not_join() -> None:
    closing = "Dat is hoopvol."
    sentences = sentences_of(HUISBEZOEK, [HUISBEZOEK], page=4) + sentences_of(closing, [closing], page=5)
    assert quote_window(sentences, np.array([0.9, 0.0])) == (0, 1)


def test_the_window_grows_on_both_sides_of_the_best_sentence() -> None:
    parts = [HUISBEZOEK, INDICATIE, GEMEENTE, EVALUATIE, MANTELZORG]
    assert window(parts, [0.1, 0.79, 0.8, 0.78, 0.1]) == (1, 4)
    assert window(parts, [0.1, 0.2, 0.8, 0.7, 0.1]) == (1, 4)  # right first (0.7), then left (0.2 > 0.1)


def test_no_sentences_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one sentence"):
        quote_window([], np.array([]))


# make_quote -------------------------------------------------------------------------------
PAGE = f"Wijkverpleging\n{HUISBEZOEK}  {INDICATIE}\n{GEMEENTE}"


def test_a_quote_of_one_sentence_is_that_sentence_with_its_offsets() -> None:
    start = PAGE.index(INDICATIE)
    quote = make_quote(PAGE, sentences_of(PAGE, [INDICATIE], page=7))
    assert quote == Quote(text=INDICATIE, page=7, start=start, end=start + len(INDICATIE))


def test_a_quote_of_several_sentences_keeps_the_page_text_between_them() -> None:
    quote = make_quote(PAGE, sentences_of(PAGE, [HUISBEZOEK, INDICATIE, GEMEENTE]))
    assert quote.text == f"{HUISBEZOEK}  {INDICATIE}\n{GEMEENTE}"  # double space and line break kept
    assert PAGE[quote.start:quote.end] == quote.text
    assert quote.page == 1


def test_every_window_of_a_page_gives_an_exact_substring() -> None:
    sentences = sentences_of(PAGE, ["Wijkverpleging", HUISBEZOEK, INDICATIE, GEMEENTE], page=3)
    for first in range(len(sentences)):
        for last in range(first + 1, len(sentences) + 1):
            quote = make_quote(PAGE, sentences[first:last])
            assert PAGE[quote.start:quote.end] == quote.text
            assert (quote.start, quote.end, quote.page) == (sentences[first].start, sentences[last - 1].end, 3)


def test_sentences_from_two_pages_are_refused() -> None:
    sentences = sentences_of(PAGE, [HUISBEZOEK], page=1) + sentences_of(PAGE, [INDICATIE], page=2)
    with pytest.raises(AssertionError, match="one page"):
        make_quote(PAGE, sentences)


def test_offsets_that_do_not_slice_the_page_are_refused() -> None:
    sentences = sentences_of(PAGE, [HUISBEZOEK])
    changed = PAGE.replace("huisbezoek", "telefoontje")
    with pytest.raises(AssertionError, match="slice the page"):
        make_quote(changed, sentences)
