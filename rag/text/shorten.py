"""Shortening text for a title, a table cell or a log line: the one rule for where to cut."""

from __future__ import annotations

import textwrap

# How much of an id or a path an error message quotes (a 100,000-character id is not printed whole)
ID_SHOWN = 80
PATH_SHOWN = 160


def shorten(text: str, limit: int, placeholder: str = "…") -> str:
    """`text` on one line (whitespace collapsed) in at most `limit` characters: whole words, then
    `placeholder`, with a trailing ',;:' dropped before it. A first word longer than the limit is cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    if limit <= len(placeholder):
        return flat[: max(limit, 0)]
    # textwrap only needs the opening: nothing past limit + 1 can be kept (and this keeps it linear)
    short = textwrap.shorten(flat[: limit + 1], limit, placeholder=placeholder, break_on_hyphens=False)
    if short.endswith(placeholder):
        kept = short[: len(short) - len(placeholder)]
    else:  # the opening ended at a space and fitted whole: drop its last word to make room
        kept = short.rsplit(" ", 1)[0] if " " in short else ""
    if not kept.strip():
        kept = flat[: limit - len(placeholder)]
    return kept.rstrip(" ,;:") + placeholder


def shorten_keeping_lines(text: str, limit: int, placeholder: str = " …") -> str:
    """`text` (ends stripped, line breaks kept) cut to about `limit` characters: at the last space
    when that keeps more than half, else mid-word; then `placeholder`. For quoted multi-line text."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + placeholder
