"""Dates in English and Welsh: finding them in text, and ISO/integer forms for the index."""

from __future__ import annotations

import re
from datetime import date
from datetime import date as _date

from rag.errors import InputError
from rag.ingest.layout import DIGIT_RE

SHORT = 300


# ---- dates ---------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # Welsh month names, as on bilingual letters
    "ionawr": 1, "chwefror": 2, "mawrth": 3, "ebrill": 4, "mai": 5, "mehefin": 6,
    "gorffennaf": 7, "awst": 8, "medi": 9, "hydref": 10, "tachwedd": 11, "rhagfyr": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

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
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


def _dates_in(s: str) -> list[tuple[int, str]]:
    """Every valid date in a short string, as (position, ISO)."""
    found: list[tuple[int, str | None]] = []
    for m in DMY_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))))
    for m in MDY_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))))
    for m in NUMERIC_DATE_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), int(m[2]), int(m[1]))))
    for m in ISO_DATE_RE.finditer(s):
        found.append((m.start(), _iso(int(m[1]), int(m[2]), int(m[3]))))
    return sorted((pos, iso) for pos, iso in found if iso)


def _first_date(s: str) -> str | None:
    dates = _dates_in(s[:SHORT])
    return dates[0][1] if dates else None


def _is_date_line(text: str) -> bool:
    if len(text) > DATE_ONLY_MAX or not DIGIT_RE.search(text) or not DATE_ONLY_RE.match(text):
        return False
    return _first_date(text) is not None


def date_int(iso: str | None) -> int:
    """'2021-09-23' -> 20210923; unknown -> 0 (so Chroma can compare dates as integers)."""
    if not iso:
        return 0
    try:
        return int(iso[:10].replace("-", ""))
    except ValueError:
        return 0


def parse_iso_date(value: str | None, label: str = "date") -> str | None:
    """'2022-08-30' -> '2022-08-30'; None -> None; anything else -> InputError."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise InputError(f"{label} must be a date as YYYY-MM-DD (got {value!r}).") from exc
