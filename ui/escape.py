"""Escaping for Streamlit elements that read Markdown (alerts, captions, labels).

html.escape is for st.html; `md` is for text from documents, file names or queries
that ends up in an element rendering Markdown: every ASCII punctuation character
is backslash-escaped (CommonMark shows it literally), so `**x**`, `[a](b)`,
`:red[x]`, `$x$` and `<b>` all read as typed.
"""

from __future__ import annotations

import string

_PUNCTUATION = frozenset(string.punctuation)


def md(text: str) -> str:
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in " ".join(str(text).split()))
