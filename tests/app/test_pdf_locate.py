"""ui/pdf/locate.py: finding cleaned quote text in a page's raw characters."""

from __future__ import annotations

from beleidsbron.ui.pdf.locate import locate, reduce


def test_reduce_keeps_letters_and_digits_with_their_origin():
    reduced = reduce(list("Zorg- en\r\nwel\ufffezijn ﬁ 12"))
    assert reduced.text == "zorgenwelzijnfi12"
    assert reduced.origin[:4] == (0, 1, 2, 3) and reduced.origin[-4:] == (19, 19, 21, 22)


def test_locate_a_dehyphenated_quote_in_raw_text():
    raw = "De huis\ufffe\r\nartsen werken samen met de apo-\r\ntheker.\r\nVolgende zin."
    indices = locate(list(raw), "De huisartsen werken samen met de apotheker.")
    assert "".join(raw[i] for i in indices) == "Dehuisartsenwerkensamenmetdeapotheker"
    assert indices == sorted(indices)


def test_locate_prefers_the_occurrence_nearest_the_quote_position():
    raw = "Zorg is goed. Tussenstuk met veel woorden. Zorg is goed."
    first = locate(list(raw), "Zorg is goed.")
    last = locate(list(raw), "Zorg is goed.", before="Zorg is goed. Tussenstuk met veel woorden. ")
    assert first[0] == 0 and last[0] == raw.rindex("Zorg")


def test_locate_fuzzily_when_the_text_order_differs():
    raw = "kolom twee begint hier\r\nHet platform werkt als aanspreekpunt\r\nvoor gemeenten en verzekeraars"
    quote = "Het platform werkt als aanspreekpunt voor de gemeenten en verzekeraars"
    indices = locate(list(raw), quote)
    found = "".join(raw[i] for i in indices)
    assert found.startswith("Hetplatformwerktalsaanspreekpunt") and "verzekeraars" in found


def test_locate_gives_up_on_text_that_is_not_there():
    assert locate(list("Iets heel anders op deze pagina."), "Paramedici vormen een sleutel tot passende zorg.") == []
    assert locate([], "x") == [] and locate(list("abc"), "…") == []
