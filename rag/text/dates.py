"""Dates in English and Welsh: the one month table, finding dates in text, writing them in the
house style ("23 September 2021", "23 Medi 2021"), and ISO/integer forms for the index.

The month names are a plain table rather than Babel's CLDR data: the parser needs the English and
Welsh names and their abbreviations anyway, and the formatter reads the same table."""

from __future__ import annotations

import re
from datetime import date

from rag.errors import InputError
from rag.text.shorten import shorten

MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    # Welsh month names, as on bilingual letters
    "cy": ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
           "Hydref", "Tachwedd", "Rhagfyr"),
}  # fmt: skip
_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Every month word the parser reads, lower case -> month number.
MONTHS: dict[str, int] = {
    **{name.lower(): i for names in MONTH_NAMES.values() for i, name in enumerate(names, start=1)},
    **_ABBREVIATIONS,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

# "23 September 2021", "4th July 2022", "10<sup>th</sup> September 2022", "23 Medi 2021"
DMY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:<sup>)?(?:st|nd|rd|th)?(?:</sup>)?\s{{0,3}}(?:of\s)?({_MONTH})\.?,?\s{{1,3}}(\d{{4}})\b",
    re.I,
)
# "September 23, 2021"
MDY_RE = re.compile(rf"\b({_MONTH})\.?\s{{1,3}}(\d{{1,2}})(?:st|nd|rd|th)?,?\s{{1,3}}(\d{{4}})\b", re.I)
# "30/08/2022" or "30.08.2022": UK order, day first
NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
# "2022-08-30"
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "Dyddiad | Date: 4th July 2022": a labelled date
DATE_LABEL_RE = re.compile(r"\b(?:Date|Dyddiad)\s{0,3}:", re.I)
# A line that holds a date and nothing else but punctuation
DATE_ONLY_RE = re.compile(
    rf"^\W{{0,3}}(?:{DMY_RE.pattern}|{MDY_RE.pattern}|{NUMERIC_DATE_RE.pattern}|{ISO_DATE_RE.pattern})\W{{0,3}}$",
    re.I,
)
DATE_ONLY_MAX = 45


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_matches(s: str) -> list[tuple[int, int, str]]:
    """Every valid full date in a string, as (start, end, ISO), in reading order."""
    found: list[tuple[int, int, str | None]] = []
    for m in DMY_RE.finditer(s):
        found.append((m.start(), m.end(), _iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))))
    for m in MDY_RE.finditer(s):
        found.append((m.start(), m.end(), _iso(int(m[3]), MONTHS[m[1].lower()], int(m[2]))))
    for m in NUMERIC_DATE_RE.finditer(s):
        found.append((m.start(), m.end(), _iso(int(m[3]), int(m[2]), int(m[1]))))
    for m in ISO_DATE_RE.finditer(s):
        found.append((m.start(), m.end(), _iso(int(m[1]), int(m[2]), int(m[3]))))
    return sorted((start, end, iso) for start, end, iso in found if iso)


def dates_in(s: str) -> list[tuple[int, str]]:
    """Every valid date in a string, as (position, ISO), in reading order."""
    return [(start, iso) for start, _, iso in date_matches(s)]


def first_date(s: str) -> str | None:
    """The first valid date in s as ISO: '4th July 2022', 'July 4, 2022', '24/08/2022',
    '10<sup>th</sup> September 2022', '4 Gorffennaf 2022'. Callers cut s to the part they mean
    (a header line, the opening of a letter)."""
    dates = dates_in(s)
    return dates[0][1] if dates else None


def is_date_line(text: str) -> bool:
    """A line that is a date and nothing else but punctuation ('23 September 2021.')."""
    if len(text) > DATE_ONLY_MAX or not any(ch.isdigit() for ch in text) or not DATE_ONLY_RE.match(text):
        return False
    return first_date(text) is not None


# ---------------------------------------------------------------------------- partial dates

# "10 September", "10th of September" with no year after it
DAY_MONTH_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s{{1,3}}(?:of\s)?({_MONTH})\b\.?(?!,?\s{{0,3}}\d{{4}}\b)", re.I
)
# "September 2022" with no day before it
MONTH_YEAR_RE = re.compile(rf"(?<!\d\s)(?<!\d)\b({_MONTH})\.?,?\s{{1,3}}(\d{{4}})\b", re.I)
# "2022/23", "2022-23", "2022–2023": a financial or academic year (the second year follows the first)
SPLIT_YEAR_RE = re.compile(r"\b(\d{4})\s?[/\u2013-]\s?(\d{4}|\d{2})\b")


def split_year(m: re.Match[str]) -> tuple[int, int] | None:
    """The two years of a SPLIT_YEAR_RE match ("2022/23" -> (2022, 2023)); None unless consecutive."""
    first, second = int(m[1]), int(m[2])
    if len(m[2]) == 2:
        second += first // 100 * 100
    return (first, second) if second == first + 1 else None


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months (negative: back), the day clamped to the month's length."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(d.day, _month_days(year, month + 1)))


def month_end(year: int, month: int) -> date:
    return date(year, month, _month_days(year, month))


def _month_days(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def next_day_month(day: int, month: int, after: date) -> date | None:
    """The first `day` `month` on or after `after` ("10 September" in a letter of 22 July 2022 ->
    10 September 2022); None for an impossible day."""
    for year in range(after.year, after.year + 5):
        iso = _iso(year, month, day)
        if iso and date.fromisoformat(iso) >= after:
            return date.fromisoformat(iso)
    return None


def to_date(iso: str | None) -> date | None:
    """'2021-09-23' (or a longer ISO timestamp) -> date; None when missing or not a date."""
    try:
        return date.fromisoformat(str(iso)[:10]) if iso else None
    except ValueError:
        return None


def iso_day(value: str | None) -> str | None:
    """'2024-01-05T00:00:00' or '2024-01-05T09:00:00.000Z' -> '2024-01-05'; None when absent or not a date."""
    day = to_date(value)
    return day.isoformat() if day else None


def format_date(d: date, language: str = "en") -> str:
    """The house style: '23 September 2021', or '23 Medi 2021' in Welsh."""
    names = MONTH_NAMES["cy" if language == "cy" else "en"]
    return f"{d.day} {names[d.month - 1]} {d.year}"


def human_date(iso: str | None, language: str = "en") -> str:
    """'2021-09-23' -> '23 September 2021'; '' for None; anything else as given."""
    d = to_date(iso)
    if d is None:
        return str(iso) if iso else ""
    return format_date(d, language)


def date_int(iso: str | None) -> int:
    """'2021-09-23' -> 20210923; unknown or impossible ('2024-13-45') -> 0, so Chroma can compare
    dates as integers."""
    d = to_date(iso)
    return d.year * 10_000 + d.month * 100 + d.day if d else 0


def parse_iso_date(value: str | None, label: str = "date") -> str | None:
    """'2022-08-30' -> '2022-08-30'; None -> None; anything else -> InputError."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise InputError(f"{label} must be a date as YYYY-MM-DD (got {shorten(value, 40)!r}).") from exc
