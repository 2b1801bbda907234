"""ui/markup.py: escaped HTML with query terms and the quote marked; Markdown escaping; paths cut from errors."""

from __future__ import annotations

from beleidsbron.ui.markup import flat, mark_terms, md, no_paths, passage_html, query_terms, quote_offset


def test_query_terms_drop_stopwords_and_keep_stems():
    assert query_terms("Welke rol spelen de paramedici in het IZA?") == ("rol", "spele", "paramed", "iza")


def test_mark_terms_matches_word_starts_case_insensitively():
    out = mark_terms("Paramedische zorg en IZA-partijen; niet: aparamedisch", query_terms("paramedici IZA"))
    assert out == ("<mark>Paramedische</mark> zorg en <mark>IZA</mark>-partijen; niet: aparamedisch")


def test_mark_terms_escapes_everything_else():
    out = mark_terms("<script>alert('zorg')</script> & **zorg**", ("zorg",))
    assert out == "&lt;script&gt;alert(&#x27;<mark>zorg</mark>&#x27;)&lt;/script&gt; &amp; **<mark>zorg</mark>**"
    assert mark_terms("<b>", ()) == "&lt;b&gt;"


def test_a_query_term_with_regex_characters_is_literal():
    assert mark_terms("a+b zorg (x)", query_terms("zorg (x")) == "a+b <mark>zorg</mark> (x)"


def test_quote_offset_on_one_page_and_across_a_page_break():
    passage = "Eerste zin. Tweede zin.\fDerde zin op p. 5."
    assert quote_offset(passage, 4, 100, "Tweede zin.", 4, 112) == 12
    assert quote_offset(passage, 4, 100, "Derde zin op p. 5.", 5, 0) == 24
    assert quote_offset(passage, 4, 100, "Tweede zin.", 4, 0) == 12  # wrong offsets: found by text
    assert quote_offset(passage, 4, 100, "Niet hier.", 4, 0) is None


def test_passage_html_marks_the_quote_and_shows_page_breaks():
    passage = "Voor <b>.\fDe zorg hier. Na."
    html = passage_html(passage, 10, 13, ("zorg",))
    assert html == 'Voor &lt;b&gt;.<hr><mark class="quote">De <mark>zorg</mark> hier.</mark> Na.'
    assert passage_html("a & b", None, 0, ()) == "a &amp; b"


def test_flat_and_md():
    assert flat(" a\n b\t c ") == "a b c"
    assert md("**vet** [a](b) :red[x] $x$ <b>") == r"\*\*vet\*\* \[a\]\(b\) \:red\[x\] \$x\$ \<b\>"
    assert md("één  regel\nnog") == "één regel nog"


def test_no_paths_cuts_absolute_server_paths_to_their_last_part():
    assert no_paths("no index in /srv/team/.beleidsbron; build it") == "no index in .beleidsbron; build it"
    assert no_paths("cannot read /home/a/b/uploads/x.pdf (denied)") == "cannot read x.pdf (denied)"
    assert no_paths(r"C:\Users\a\x.pdf is damaged") == "x.pdf is damaged"
    assert no_paths("zorg en/of welzijn, 1/2 van de tijd") == "zorg en/of welzijn, 1/2 van de tijd"
