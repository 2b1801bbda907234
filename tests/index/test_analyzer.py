"""index/analyzer.py: Dutch text → index terms (fold, stopwords, elisions, compounds, stems)."""

from __future__ import annotations

from collections import Counter

import pytest

from beleidsbron.index.analyzer import STOPWORDS, Analyzer, CompoundSplitter, vocabulary, words

# words -------------------------------------------------------------------------------------


def test_words_are_lower_cased_and_compatibility_folded() -> None:
    # "ﬁ" is the single-character ligature a PDF often yields; NFKC turns it into "fi"
    assert words("De ﬁnanciering van de Zorg") == ["de", "financiering", "van", "de", "zorg"]


def test_words_break_at_hyphens_underscores_and_punctuation() -> None:
    assert words("Zuid-Nederland, COVID-19; e_mail!") == ["zuid", "nederland", "covid", "19", "e", "mail"]


def test_words_keep_accented_letters() -> None:
    assert words("Café één coördinatie") == ["café", "één", "coördinatie"]


@pytest.mark.parametrize("text", ["", "   ", "!!! ... –", "\n\t"])
def test_words_of_text_without_letters_is_empty(text: str) -> None:
    assert words(text) == []


# vocabulary --------------------------------------------------------------------------------


def test_vocabulary_counts_folded_words_and_skips_numbers() -> None:
    counts = vocabulary(["In 2024 groeide de Zorg.", "De zorg, de zorg!", ""])
    assert counts == Counter({"de": 3, "zorg": 3, "in": 1, "groeide": 1})
    assert "2024" not in counts


def test_vocabulary_of_nothing_is_empty() -> None:
    assert vocabulary([]) == Counter()


# stopwords and stems -----------------------------------------------------------------------


def test_stopwords_are_dropped() -> None:
    assert Analyzer().terms("De huisarts en het ziekenhuis") == ["huisarts", "ziekenhuis"]


def test_english_question_words_are_stopwords_too() -> None:
    assert {"what", "how", "the", "wat", "hoe", "welke"} <= STOPWORDS
    assert Analyzer().terms("What is the list") == ["list"]


@pytest.mark.parametrize("text", ["", "   ", "!!! ...", "de het een", "Wat is er dan nog?"])
def test_text_of_only_stopwords_or_punctuation_has_no_terms(text: str) -> None:
    assert Analyzer().terms(text) == []


@pytest.mark.parametrize("plural, singular", [
    ("huisartsen", "huisarts"),
    ("zorgverzekeraars", "zorgverzekeraar"),
    ("ziekenhuizen", "ziekenhuis"),
    ("partijen", "partij"),
])
def test_plural_and_singular_share_one_stem(plural: str, singular: str) -> None:
    analyzer = Analyzer()
    assert analyzer.terms(plural) == analyzer.terms(singular)
    assert len(analyzer.terms(plural)) == 1


def test_case_does_not_change_the_terms() -> None:
    analyzer = Analyzer()
    assert analyzer.terms("HUISARTSEN Limburg") == analyzer.terms("huisartsen limburg") == ["huisarts", "limburg"]


def test_numbers_are_kept_as_terms() -> None:
    assert Analyzer().terms("Het akkoord van 2022") == ["akkoord", "2022"]


def test_very_long_text_gives_every_term_of_every_repetition() -> None:
    analyzer = Analyzer(vocabulary(["ouderen zorg"]))
    terms = analyzer.terms("De ouderenzorg in de regio. " * 20_000)
    # per sentence: the compound, its two parts and "regio"
    assert len(terms) == 4 * 20_000
    assert Counter(terms)["zorg"] == 20_000


# compounds ---------------------------------------------------------------------------------


def test_compound_meets_its_parts() -> None:
    analyzer = Analyzer(vocabulary(["De zorg en de verplaatsing."]))
    terms = analyzer.terms("zorgverplaatsing")
    assert terms == ["zorgverplaats", "zorg", "verplaats"]  # the whole word first, then its parts
    assert set(analyzer.terms("verplaatsing")) <= set(terms)


def test_unknown_compound_is_kept_whole_without_parts() -> None:
    analyzer = Analyzer()  # no vocabulary: nothing to split against
    assert analyzer.terms("zorgverplaatsing") == ["zorgverplaats"]


def test_compound_splits_across_linking_s() -> None:
    splitter = CompoundSplitter({"welzijn": 3, "partijen": 5})
    assert splitter.split("welzijnspartijen") == ["welzijn", "partijen"]


def test_compound_splits_across_linking_en() -> None:
    splitter = CompoundSplitter({"huisarts": 3, "zorg": 9})
    assert splitter.split("huisartsenzorg") == ["huisarts", "zorg"]


def test_compound_of_three_parts_splits_recursively() -> None:
    splitter = CompoundSplitter({"huisarts": 5, "zorg": 5, "akkoord": 5})
    assert splitter.split("huisartsenzorgakkoord") == ["huisarts", "zorg", "akkoord"]


def test_split_prefers_fewer_parts_when_they_are_words() -> None:
    splitter = CompoundSplitter({"huisarts": 5, "zorg": 5, "akkoord": 5, "zorgakkoord": 5})
    assert splitter.split("huisartsenzorgakkoord") == ["huisarts", "zorgakkoord"]


@pytest.mark.parametrize("counts, expected", [
    ({"ouderen": 10, "ouder": 3, "zorg": 50}, ["ouderen", "zorg"]),
    ({"ouderen": 3, "ouder": 10, "zorg": 50}, ["ouder", "zorg"]),
])
def test_split_prefers_the_better_attested_parts(counts: dict[str, int], expected: list[str]) -> None:
    assert CompoundSplitter(counts).split("ouderenzorg") == expected


def test_parts_shorter_than_four_letters_are_not_split_off() -> None:
    splitter = CompoundSplitter({"jeugd": 5, "wet": 5})
    assert "wet" not in splitter.vocab
    assert splitter.split("jeugdwet") == []


def test_word_that_is_itself_in_the_vocabulary_still_splits_when_parts_are() -> None:
    assert CompoundSplitter({"ouderenzorg": 2, "ouderen": 5, "zorg": 5}).split("ouderenzorg") == ["ouderen", "zorg"]


def test_split_gives_up_beyond_four_parts() -> None:
    splitter = CompoundSplitter({"zorg": 1})
    assert splitter.split("zorg" * 4) == ["zorg"] * 4
    assert splitter.split("zorg" * 5) == []


def test_split_of_unknown_or_empty_word_is_empty() -> None:
    splitter = CompoundSplitter({"zorg": 5})
    assert splitter.split("") == []
    assert splitter.split("onbekendwoord") == []


def test_stopword_parts_are_not_added() -> None:
    # "alle" is a stopword of four letters, so it can be a part but must not become a term
    analyzer = Analyzer({"alle": 9, "maal": 9})
    assert analyzer.splitter.split("allemaal") == ["alle", "maal"]
    assert analyzer.terms("allemaal") == analyzer.terms("allemaal")[:1] + analyzer.terms("maal")


# elided compounds --------------------------------------------------------------------------


ELISION_VOCAB = vocabulary(["zorg welzijn partijen ouderen gehandicapten"])


@pytest.mark.parametrize("conjunction", ["en", "of", "tot"])
def test_elided_compound_yields_the_implied_compound(conjunction: str) -> None:
    text = f"zorg- {conjunction} welzijnspartijen"
    assert Analyzer(ELISION_VOCAB).expand_elisions(text) == f"{text} zorgpartijen"


def test_elided_compound_is_found_whatever_the_case() -> None:
    expanded = Analyzer(ELISION_VOCAB).expand_elisions("Zorg- en Welzijnspartijen")
    assert expanded == "Zorg- en Welzijnspartijen zorgpartijen"


def test_elided_care_sector_matches_a_query_for_the_full_compound() -> None:
    analyzer = Analyzer(ELISION_VOCAB)
    passage = analyzer.terms("Afspraken over ouderen- en gehandicaptenzorg.")
    assert set(analyzer.terms("ouderenzorg")) <= set(passage)
    assert set(analyzer.terms("zorgpartijen")) <= set(analyzer.terms("zorg- en welzijnspartijen"))


def test_elision_with_unsplittable_tail_leaves_the_text_alone() -> None:
    analyzer = Analyzer(ELISION_VOCAB)
    assert analyzer.expand_elisions("zorg- en welzijn") == "zorg- en welzijn"
    assert analyzer.expand_elisions("zorg- en onbekendwoord") == "zorg- en onbekendwoord"


def test_text_without_elision_is_returned_unchanged() -> None:
    text = "De zorg-professional en de welzijnswerker."
    assert Analyzer(ELISION_VOCAB).expand_elisions(text) == text
