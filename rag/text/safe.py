"""Text made safe to show: credentials out of URLs (every message that names an endpoint), and
control characters out of what a terminal prints (document text can hold escape sequences)."""

from __future__ import annotations

import re

# scheme://userinfo@ : the userinfo runs to the last "@" before the path, so a password holding
# an unescaped "@" is hidden whole; quotes end it, for URLs shown inside a repr.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#'\"<>]*@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:api[_-]?key|key|token|access[_-]?token|password|passwd|secret|sig|signature)=)[^&\s#'\"<>]+"
)
HIDDEN = "***"

# An escape sequence whole (CSI ... final byte; OSC ... BEL or ST), then any control character left,
# C0 and C1 alike, keeping newline and tab; and the bidirectional overrides that reorder a line.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def redact_urls(text: str) -> str:
    """`text` with the user name and password of every URL in it, and key-like query values, as ***."""
    text = _USERINFO.sub(rf"\g<1>{HIDDEN}@", text)
    return _SECRET_PARAM.sub(rf"\g<1>{HIDDEN}", text)


def printable(text: str) -> str:
    """`text` without terminal escape sequences or control characters; newlines and tabs kept
    (a carriage return becomes a newline, so it cannot overwrite what was printed before)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
