"""The shared text helpers: shortening, and writing dates in the house style."""

from __future__ import annotations

from datetime import date

import pytest

from rag.text.dates import MONTHS, format_date, human_date
from rag.text.shorten import shorten, shorten_keeping_lines


@pytest.mark.parametrize(
    ("text", "limit", "placeholder", "expected"),
    [
        ("A short subject", 200, "…", "A short subject"),
        ("  spread\n over\tlines  ", 200, "…", "spread over lines"),
        ("Hello world, foo bar", 14, "…", "Hello world…"),
        ("Hello world, foo bar", 20, "…", "Hello world, foo bar"),
        ("the well-being act is here", 12, "…", "the…"),
        ("Supercalifragilistic x", 5, "…", "Supe…"),
        ("aaa bbb ccc", 9, " …", "aaa bbb …"),
        ("abc def", 0, "…", ""),
    ],
    ids=["fits", "collapses-whitespace", "whole-words-and-comma-dropped", "exact-fit", "hyphenated-word-kept-whole",
         "long-first-word-cut", "spaced-placeholder", "no-room"],
)  # fmt: skip
def test_shorten(text: str, limit: int, placeholder: str, expected: str) -> None:
    assert shorten(text, limit, placeholder) == expected
    assert len(shorten(text, limit, placeholder)) <= limit


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("  Line one\nline two  ", 50, "Line one\nline two"),
        ("Line one\nline two and three", 20, "Line one\nline two …"),
        ("abcdefghij klm", 12, "abcdefghij …"),
        ("ab cdefghijklmnop", 10, "ab cdefghi …"),
    ],
    ids=["fits-lines-kept", "cut-at-space", "space-past-half", "mid-word-when-space-too-early"],
)
def test_shorten_keeping_lines(text: str, limit: int, expected: str) -> None:
    assert shorten_keeping_lines(text, limit) == expected


@pytest.mark.parametrize(
    ("d", "language", "expected"),
    [
        (date(2021, 9, 23), "en", "23 September 2021"),
        (date(2021, 9, 23), "cy", "23 Medi 2021"),
        (date(2022, 7, 4), "cy", "4 Gorffennaf 2022"),
        (date(2022, 5, 1), "fr", "1 May 2022"),
    ],
    ids=["english", "welsh", "welsh-long-name", "other-language-is-english"],
)
def test_format_date(d: date, language: str, expected: str) -> None:
    assert format_date(d, language) == expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [("2021-09-23", "23 September 2021"), ("2021-09-23T10:00:00", "23 September 2021"), ("soon", "soon"), (None, "")],
    ids=["iso", "timestamp", "not-a-date", "missing"],
)
def test_human_date(iso: str | None, expected: str) -> None:
    assert human_date(iso) == expected


def test_every_month_written_is_read_back() -> None:
    for language in ("en", "cy"):
        for month in range(1, 13):
            name = format_date(date(2020, month, 1), language).split()[1]
            assert MONTHS[name.lower()] == month, (language, name)
