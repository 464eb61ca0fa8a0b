"""Untrusted text shown literally wherever Markdown is rendered: nothing in it can become an image,
a link, HTML, a heading or emphasis.

`escape_markdown` is the one helper for the Streamlit pages (entities: they read the same inside
Markdown and inside the HTML blocks the pages build) and for the .md export (backslashes, which a
person reading the raw file can still read).
"""

from __future__ import annotations

import re

# Markdown and HTML syntax characters; an '_' only where it could start or end emphasis (not
# inside a word such as a document id).
_SYNTAX = re.compile(r"[\\`*\[\]<>&#|~$\"]|(?<![^\W_])_|_(?![^\W_])")
# Where a bare URL or e-mail address would become a link by itself (GFM autolinks): before the
# '://' of a scheme, the '.' of 'www.' and an '@'. Renderers find these in the text after entities
# are decoded, so escaping cannot stop them: an invisible WORD JOINER there breaks the pattern.
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=\bwww)(?=\.)|(?<=\w)(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape_markdown(text: str, *, entities: bool = True) -> str:
    """`text` with every Markdown/HTML syntax character escaped: as `&#NN;` entities (default,
    safe in Markdown and in HTML) or, with `entities=False`, as backslash escapes; and no bare URL
    or address left to be linked."""
    text = _AUTOLINK.sub(WORD_JOINER, text or "")
    if entities:
        return _SYNTAX.sub(lambda m: f"&#{ord(m.group(0))};", text)
    return _SYNTAX.sub(lambda m: "\\" + m.group(0), text)
