"""Untrusted text shown literally wherever Markdown is rendered: nothing in it can become an image,
a link, HTML, a heading or emphasis.

`escape_markdown` is the one helper for the Streamlit pages (entities: they read the same inside
Markdown and inside the HTML blocks the pages build) and for the .md export (backslashes, which a
person reading the raw file can still read).
"""

from __future__ import annotations

import re

# Markdown and HTML syntax characters (an '_' only where it could start or end emphasis: not inside
# a word such as a document id), and the two places a bare URL would become a link on its own (GFM
# autolinks): the ':' of '://' and the '.' of 'www.'; '@' for bare e-mail addresses.
_SYNTAX = re.compile(r"[\\`*\[\]<>&#|~$@\"]|(?<![^\W_])_|_(?![^\W_])|(?<=[A-Za-z]):(?=//)|(?<=\bwww)\.", re.IGNORECASE)


def escape_markdown(text: str, *, entities: bool = True) -> str:
    """`text` with every Markdown/HTML syntax character escaped: as `&#NN;` entities (default,
    safe in Markdown and in HTML) or, with `entities=False`, as backslash escapes."""
    if entities:
        return _SYNTAX.sub(lambda m: f"&#{ord(m.group(0))};", text or "")
    return _SYNTAX.sub(lambda m: "\\" + m.group(0), text or "")
