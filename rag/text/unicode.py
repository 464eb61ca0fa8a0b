"""Strings that can be stored: lone surrogates (from a bad PDF text map, a JSON "\\ud800" escape or
an undecodable file name) cannot be encoded as UTF-8, so Chroma and JSON output refuse them."""

from __future__ import annotations

import re

# A UTF-16 surrogate code point on its own (Python strings never pair them)
LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate in `text`, or None if it is valid Unicode."""
    found = LONE_SURROGATE_RE.search(text)
    return found.start() if found else None


def scrub(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (one character for one: offsets hold)."""
    return LONE_SURROGATE_RE.sub("\ufffd", text)
