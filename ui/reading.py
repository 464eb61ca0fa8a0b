"""A whole document to read, as escaped HTML without its Markdown syntax: the passages a search found
marked, the query's words more strongly inside them (plain Python, no streamlit)."""

from __future__ import annotations

from collections.abc import Iterable

from ui.support import highlight_terms, merged, strip_markdown, text_html

DOC_HEIGHT = 420  # px of document in the viewer: with its heading and buttons it fits a 768 px screen


def document_html(text: str, spans: Iterable[tuple[int, int]], query: str) -> str:
    """All of `text`, its Markdown syntax taken out, each found passage (start, end) in
    <mark class="ym-cited"> and the query's words inside those in <mark class="ym-term">; the first
    such mark is the first match to show."""
    clean, at = strip_markdown(text)
    moved = [(at[max(0, min(s, len(text)))], at[max(0, min(e, len(text)))]) for s, e in spans]
    out, pos = [], 0
    for s, e in merged(moved, len(clean)):
        out += [text_html(clean[pos:s]), '<mark class="ym-cited">']
        out += [highlight_terms(clean[s:e], query, limit=None), "</mark>"]
        pos = e
    out.append(text_html(clean[pos:]))
    return "".join(out)
