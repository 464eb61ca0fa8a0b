"""Text made safe to show: credentials out of URLs (every message that names an endpoint), and
control characters out of what a terminal prints (document text can hold escape sequences)."""

from __future__ import annotations

import re

from rag.text.untrusted import visible

# scheme://userinfo@ : the userinfo runs to the last "@" before the path, so a password holding
# an unescaped "@" is hidden whole; quotes end it, for URLs shown inside a repr.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#'\"<>]*@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:api[_-]?key|key|token|access[_-]?token|password|passwd|secret|sig|signature)=)[^&\s#'\"<>]+"
)
HIDDEN = "***"

# An escape sequence whole (CSI ... final byte; OSC ... BEL or ST); what is left of control and
# format characters (bidi overrides that reorder a line among them) goes as in rag.text.untrusted.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")


def redact_urls(text: str) -> str:
    """`text` with the user name and password of every URL in it, and key-like query values, as ***."""
    text = _USERINFO.sub(rf"\g<1>{HIDDEN}@", text)
    return _SECRET_PARAM.sub(rf"\g<1>{HIDDEN}", text)


def printable(text: str) -> str:
    """`text` without terminal escape sequences or control characters; newlines and tabs kept
    (a carriage return becomes a newline, so it cannot overwrite what was printed before)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in _ESCAPE_SEQUENCE.sub("", text) if visible(ch))
