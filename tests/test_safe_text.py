"""rag.text.safe: credentials out of URLs in messages, control characters out of terminal output."""

from __future__ import annotations

import pytest

from rag.text.safe import printable, redact_urls

REDACT = [
    ("http://user:secret@host/v1", "http://***@host/v1"),
    ("https://token@llm.example:8443/v1", "https://***@llm.example:8443/v1"),
    ("http://user:p@ss@host/v1", "http://***@host/v1"),  # an unescaped @ in the password
    ("got 'http://u:s3cret@host:abc'; see", "got 'http://***@host:abc'; see"),
    ("at http://host:8000/api?api_key=s3cret&x=1", "at http://host:8000/api?api_key=***&x=1"),
    ("http://localhost:11434/v1", "http://localhost:11434/v1"),
    ("mail me@example.org about http://host/v1", "mail me@example.org about http://host/v1"),
    ("localhost:8000", "localhost:8000"),
]


@pytest.mark.parametrize(
    ("text", "expect"),
    REDACT,
    ids=["user-password", "token-only", "at-in-password", "inside-repr", "key-param", "none", "email", "bare"],
)
def test_redact_urls(text: str, expect: str) -> None:
    assert redact_urls(text) == expect


PRINTABLE = [
    ("plain\ttext\nnext line", "plain\ttext\nnext line"),
    ("\x1b[2J\x1b[31mred\x1b[0m", "red"),
    ("title\x1b]0;pwned\x07 here", "title here"),
    ("bell\x07 backspace\x08 nul\x00", "bell backspace nul"),
    ("c1 csi\x9b31m del\x7f", "c1 csi31m del"),
    ("over\rwrite", "over\nwrite"),
    ("crlf\r\nline", "crlf\nline"),
    ("bidi \u202etxt.exe\u202c", "bidi txt.exe"),
    ("Cymraeg: ŵ ŷ â — “quotes”", "Cymraeg: ŵ ŷ â — “quotes”"),
]


@pytest.mark.parametrize(
    ("text", "expect"),
    PRINTABLE,
    ids=["kept", "csi", "osc-title", "c0", "c1-del", "carriage-return", "crlf", "bidi", "unicode-kept"],
)
def test_printable(text: str, expect: str) -> None:
    assert printable(text) == expect
