"""Raw extracted page text → cleaned page text.

What cleaning does, in order:
- normalise ligatures (ﬁ → fi), read every line boundary as a newline and every
  other space character as a space, and drop replacement, private-use, control
  and soft-hyphen characters;
- undo line-end hyphenation when the halves form one word (`huis-` / `artsen`
  → `huisartsen`), but keep the hyphen of an elided compound (`zorg- en
  welzijnspartijen`), of a word that really has one (`IZA-partijen`,
  `Noord-Brabant`, `zee-egel`);
- join the lines of a paragraph with a space, keep a newline after a heading
  or before a list item, and collapse runs of whitespace.

Cleaned text is what every offset later refers to: chunks and quotes slice it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# words after which a line-end hyphen marks an elided compound ("zorg- en welzijn")
ELISION_WORDS = frozenset({"en", "of", "tot", "noch", "als", "and", "or", "to", "en/of"})
VOWELS = frozenset("aeiouyáéíóúëïöüè")
HEADING_MAX = 60  # a line this short without closing punctuation reads as a heading
LIST_ITEM = re.compile(r"^(?:[•→▪◦\-–*]|\d{1,2}[.)]\s)")
HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")
WORD = re.compile(r"\w+")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: what a terminal may act on
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines breaks on


def _keep_char(ch: str) -> bool:
    if ch in "\n\t ":
        return True
    category = unicodedata.category(ch)
    return category not in {"Co", "Cs", "Cc", "Cf"} and ch != "\ufffd"


def _plain_space(ch: str) -> str:
    """A line boundary (\\f, \\v, U+2028 …) reads as a newline, any other space (U+2003 …) as " "."""
    if ch in LINE_BREAKS:
        return "\n"
    return " " if ch.isspace() else ch


def strip_glyphs(text: str) -> str:
    """Normalise ligatures and spaces, and drop characters that carry no text."""
    text = "".join(LIGATURES.get(ch, ch) for ch in text.replace("\r\n", "\n"))
    return "".join(ch for ch in map(_plain_space, text) if _keep_char(ch))


def one_line(text: str) -> str:
    """Metadata (a title, an author) as one clean line: control and format characters dropped, every
    run of spaces or line breaks one space. A PDF's /Title can hold ESC[2J or a BEL-ended window title."""
    return " ".join("".join(ch for ch in map(_plain_space, text) if _keep_char(ch)).split())


def neutralise_controls(text: str, keep: str = "\n\t") -> str:
    """Text safe for a terminal or an export: each C0 or C1 control character or DEL (but those in `keep`)
    becomes a visible `\\x1b`-style escape, so nothing is lost and nothing is interpreted."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else f"\\x{ord(m.group()):02x}", text)


def dropped_glyphs(text: str) -> int:
    """How many characters `strip_glyphs` drops as carrying no text (private-use glyphs, control characters …)."""
    return sum(1 for ch in text if not ch.isspace() and not _keep_char(ch))


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words of a text, including hyphenated forms, for dehyphenation."""
    words: set[str] = set()
    for text in texts:
        flat = HYPHEN_BREAK.sub(" ", text)
        words.update(w.lower() for w in WORD.findall(flat))
        words.update(m.lower() for m in re.findall(r"\w+(?:-\w+)+", flat))
    return frozenset(words)


def _join_hyphenated(left: str, right: str, vocab: frozenset[str]) -> str:
    """Decide how `left-⏎right` reads as running text."""
    if right.lower() in ELISION_WORDS:
        return f"{left}- {right}"
    if right[0].isupper() or left[-1].isupper() or left[-1].isdigit() or right[0].isdigit():
        return f"{left}-{right}"
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if joined in vocab:
        return left + right
    if hyphenated in vocab:
        return f"{left}-{right}"
    if left[-1].lower() in VOWELS and right[0].lower() in VOWELS:
        return f"{left}-{right}"  # Dutch keeps the hyphen where vowels clash: zee-egel
    return left + right


def dehyphenate(text: str, vocab: frozenset[str] = frozenset()) -> str:
    # Repeat until stable: matches do not overlap, so in `gezondheids-⏎zorg-⏎verzekeraar`
    # the second break is only seen once the first is joined. Each pass removes a newline.
    while True:
        joined = HYPHEN_BREAK.sub(lambda m: _join_hyphenated(m.group(1), m.group(2), vocab), text)
        if joined == text:
            return joined
        text = joined


def _line_break(line: str, next_line: str) -> str:
    """A newline after headings and before list items, a space inside paragraphs."""
    if LIST_ITEM.match(next_line):
        return "\n"
    ends_sentence = line.endswith((".", "!", "?", ":", "”", '"', "’"))
    if not ends_sentence and len(line) <= HEADING_MAX and next_line[:1].isupper():
        return "\n" if not line[-1:].islower() or len(line.split()) <= 6 else " "
    return " "


def join_lines(text: str) -> str:
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        out.append(_line_break(prev, line))
        out.append(line)
    return "".join(out)


def clean_page(raw: str, vocab: frozenset[str] = frozenset()) -> str:
    """Cleaned text of one page; `vocab` (from `vocabulary`) guides dehyphenation."""
    return join_lines(dehyphenate(strip_glyphs(raw), vocab))
