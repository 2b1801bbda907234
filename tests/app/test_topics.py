"""ui/topics.py: closest topics when the search abstains."""

from __future__ import annotations

from beleidsbron.index.search import Filters
from beleidsbron.ui.topics import glossary_topics, heading, nearest_topics

from app_fakes import fake_searcher


def test_heading_is_the_first_line_when_it_reads_as_one():
    assert heading("Succesfactoren\nRegionale platforms werken goed.") == "Succesfactoren"
    assert heading("Een gewone zin die eindigt.\nVolgende.") == "Een gewone zin die eindigt. Volgende."
    long = " ".join(f"woord{i}" for i in range(30))
    assert heading(long) == " ".join(f"woord{i}" for i in range(10)) + " …"


def test_nearest_topics_search_without_abstention_and_leave_the_searcher_alone():
    searcher = fake_searcher(abstain_below=0.99)
    assert searcher.search("regionale platforms parkeren").abstained
    topics = nearest_topics(searcher, "regionale platforms parkeren")
    assert topics and topics[0].label == "Succesfactoren" and topics[0].page == 1
    assert searcher.tuning.abstain_below == 0.99
    assert searcher.calls[-1][2] == "hybrid"


def test_nearest_topics_respect_filters_and_are_distinct():
    searcher = fake_searcher()
    topics = nearest_topics(searcher, "passende zorg", Filters(docs=frozenset({"iza.pdf"})))
    assert {t.title for t in topics} == {"Mid-term review Integraal Zorgakkoord"}
    assert len({t.label.lower() for t in topics}) == len(topics)


def test_glossary_topics_share_a_word_with_the_query():
    searcher = fake_searcher()
    assert glossary_topics(searcher, "Wat is het zorgakkoord?") == ["IZA — Integraal Zorgakkoord"]
    assert glossary_topics(searcher, "parkeren") == []
    assert glossary_topics(object(), "zorgakkoord") == []


def test_the_default_threshold_counts_as_on():
    searcher = fake_searcher(abstain_below=None)  # None: the library's default threshold
    assert searcher.search("regionale platforms parkeren vergunning kosten").abstained
    assert nearest_topics(searcher, "regionale platforms parkeren vergunning kosten")
    assert searcher.tuning.abstain_below is None
