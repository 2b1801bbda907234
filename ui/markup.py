"""Text from documents, files and queries made safe to show. Pure functions.

- HTML for st.html (cards, passages): every piece of document or query text goes through
  html.escape, so text that holds HTML, <script> or Markdown shows as plain text; query
  terms and the quote are marked.
- `md` for elements that read Markdown (alerts, captions, labels): every ASCII punctuation
  character is backslash-escaped (CommonMark shows it literally), so `**x**`, `[a](b)`,
  `:red[x]`, `$x$` and `<b>` all read as typed.
- `no_paths` for error messages: absolute server paths are cut to their last part; the
  people using the app need not know where the server keeps its files.
"""

from __future__ import annotations

import html
import re
import string

from beleidsbron.ingest.records import PAGE_BREAK

WORD = re.compile(r"\w+")
STOPWORDS = frozenset("""
de het een en of van in op te voor met aan bij door naar om over uit als dat die dit deze wat wie
welke hoe waar waarom wanneer is zijn wordt worden was er ook niet wel nog maar dan al kan kunnen
moet moeten heeft hebben zou zo the a an and or of in on to for with at by from about as that this
which what who how where why when is are was were be been can could should would does do not
""".split())
MIN_TERM = 3
_PUNCTUATION = frozenset(string.punctuation)
# an absolute path (POSIX or Windows) up to its last part: "/srv/bb/uploads/x.pdf" -> "x.pdf"
_ABSOLUTE = re.compile(r"(?<![\w.~])(?:[A-Za-z]:)?[/\\](?:[^\s/\\:'\"]+[/\\])+")


def md(text: str) -> str:
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in " ".join(str(text).split()))


def no_paths(text: str) -> str:
    return _ABSOLUTE.sub("", str(text))


def query_terms(query: str) -> tuple[str, ...]:
    """Lower-cased stems of the query's content words: `paramedici` → `parame` matches `paramedische`."""
    stems = []
    for word in WORD.findall(query.lower()):
        if len(word) < MIN_TERM or word in STOPWORDS:
            continue
        stems.append(word if len(word) <= 5 else word[:max(5, len(word) - 3)])
    return tuple(dict.fromkeys(stems))


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def mark_terms(text: str, terms: tuple[str, ...]) -> str:
    """`text` escaped, with words that start with a query term wrapped in <mark>."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return html.escape(text)
    out, pos = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[pos:match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        pos = match.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def quote_offset(passage: str, page_start: int, passage_start: int, quote: str, quote_page: int,
                 quote_start: int) -> int | None:
    """Where the quote starts in the passage text, or None if it is not in it.

    A passage's offsets are relative to its first page; a passage crossing pages holds
    PAGE_BREAK where they meet.
    """
    if quote_page == page_start:
        offset = quote_start - passage_start
    else:
        breaks = [i for i, ch in enumerate(passage) if ch == PAGE_BREAK]
        step = quote_page - page_start
        offset = breaks[step - 1] + 1 + quote_start if 0 < step <= len(breaks) else -1
    if 0 <= offset and passage[offset:offset + len(quote)] == quote:
        return offset
    found = passage.find(quote)
    return found if found >= 0 else None


def passage_html(passage: str, quote_at: int | None, quote_len: int, terms: tuple[str, ...]) -> str:
    """The passage escaped, the quote in <mark class="quote">, page breaks shown as a rule."""
    if quote_at is None:
        parts = [mark_terms(passage, terms)]
    else:
        end = quote_at + quote_len
        parts = [mark_terms(passage[:quote_at], terms),
                 f'<mark class="quote">{mark_terms(passage[quote_at:end], terms)}</mark>',
                 mark_terms(passage[end:], terms)]
    return "".join(parts).replace(PAGE_BREAK, "<hr>")


def flat(text: str) -> str:
    """Whitespace collapsed: a quote as it reads in a memo."""
    return " ".join(text.split())
