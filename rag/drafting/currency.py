"""Is it current? Dated precedents and dated language, checked against the reply date.

    dated_precedent   the newest precedent a body cites is older than the configured age
    stale             a sentence whose dated language has gone out of date since its source was written:
                      - a date that was still to come when the source was written and is now past
                        ("will be launched at the Summit on 10 September" in a 2022 letter)
                      - a financial or academic year that is over, spoken of when it was current or
                        to come ("Funding in 2022/23 will focus on ...")
                      - relative time ("this year", "next month", "during this Senedd term",
                        "this Parliament", "recently") whose meaning has moved on
                      - a figure (count, sum, percentage) from a precedent older than the age

Each sentence is judged by the newest of the passages it cites (the latest source that vouches
for it). All functions here are pure: text, dates and passages in, messages out.

When relative time fires. Calendar words fire as soon as the calendar has moved: "this year" when
the reply falls in another year than the source, "this month" in another month, "this week" in
another week, "this financial year" in another April-March year, "this academic year" in another
September-August year; a season ("this autumn") once more than a quarter has passed. A term
("this Senedd term", "this Parliament") fires when an election in the table below falls between
the source and the reply, or when the source is older than the longest term (five years). Vague
words ("recently", "soon", "to date") have no calendar and fire when the source is older than the
configured age.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rag.text.dates import (
    DAY_MONTH_RE,
    MONTH_YEAR_RE,
    MONTHS,
    SPLIT_YEAR_RE,
    add_months,
    date_matches,
    human_date,
    month_end,
    next_day_month,
    split_year,
    to_date,
)
from rag.text.markers import cited_numbers, strip_markers
from rag.text.sentences import split_sentences
from rag.text.words import NUMBER_RE
from rag.types import DraftWarning, Passage

MAX_AGE_MONTHS = 12  # the default of settings.precedent_max_age_months
# Polling days: a term word ("this Senedd term", "this Parliament") written before one of these and
# read after it names another term.
SENEDD_ELECTIONS = (date(2011, 5, 5), date(2016, 5, 5), date(2021, 5, 6), date(2026, 5, 7))
UK_GENERAL_ELECTIONS = (date(2015, 5, 7), date(2017, 6, 8), date(2019, 12, 12), date(2024, 7, 4))
LONGEST_TERM_MONTHS = 60
SEASON_DAYS = 92


@dataclass(frozen=True)
class Source:
    """The precedent a sentence rests on: how to name it and the day it was written."""

    ref: str
    written: date

    @property
    def label(self) -> str:
        day = human_date(self.written.isoformat())
        return f"{self.ref}, {day}" if self.ref else day


def source_of(passages: list[Passage]) -> Source | None:
    """The newest dated passage among these, as a Source (None if none is dated)."""
    dated = [(d, p) for p in passages if (d := to_date(p.meta.get("date")))]
    if not dated:
        return None
    written, p = max(dated, key=lambda pair: pair[0])
    return Source(str(p.meta.get("ref") or p.doc_id), written)


def is_dated(written: date, reply: date, max_age_months: int = MAX_AGE_MONTHS) -> bool:
    """Written more than `max_age_months` before the reply date."""
    return written < add_months(reply, -max_age_months)


# ---------------------------------------------------------------------------- the warnings


def currency_warnings(
    body: str, passages: list[Passage], reply: date, max_age_months: int = MAX_AGE_MONTHS
) -> list[DraftWarning]:
    """`dated_precedent` for the body as a whole, then `stale` for each sentence that needs it."""
    out = dated_precedent(body, passages, reply, max_age_months)
    for sentence in split_sentences(body):
        valid = [passages[n - 1] for n in cited_numbers(sentence) if 1 <= n <= len(passages)]
        source = source_of(valid)
        if source is not None:
            for note in stale_notes(sentence, source, reply, max_age_months):
                out.append(DraftWarning("stale", note, sentence))
    return out


def dated_precedent(body: str, passages: list[Passage], reply: date, max_age_months: int) -> list[DraftWarning]:
    """One warning when even the newest precedent the body cites is older than the age."""
    cited = [passages[n - 1] for n in cited_numbers(body) if 1 <= n <= len(passages)]
    newest = source_of(cited)
    if newest is None or not is_dated(newest.written, reply, max_age_months):
        return []
    message = (
        f"The newest precedent this draft rests on is {newest.label}: more than {max_age_months} months "
        f"before the reply date ({human_date(reply.isoformat())}). Check that its lines are still current."
    )
    return [DraftWarning("dated_precedent", message)]


def stale_notes(sentence: str, source: Source, reply: date, max_age_months: int = MAX_AGE_MONTHS) -> list[str]:
    """What to check in one sentence written on `source.written`, read on `reply`."""
    text = strip_markers(sentence)
    notes = past_futures(text, source, reply) + past_years(text, source, reply)
    notes += relative_time(text, source, reply, max_age_months)
    if is_dated(source.written, reply, max_age_months) and has_figure(text):
        notes.append(f"figure from {human_date(source.written.isoformat())} ({source.ref}): check it is current")
    return list(dict.fromkeys(notes))


# ---------------------------------------------------------------------------- dates now past

# The clause before a year-less date says it was to come ...
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|being|to\s+be|due|planned|scheduled|expected|going\s+to|intends?|upcoming|forthcoming)\b", re.I
)
# ... unless it is told in the past.
_PAST_CUE = re.compile(r"\b(?:was|were|had|did|took\s+place)\b", re.I)
_CLAUSE_CHARS = 80
# A year on its own counts only after a word that makes it a time: "in 2023", "by the end of 2024".
_YEAR_AFTER = re.compile(r"\b(?:in|by|during|until|till|before|from|of)\s+((?:19|20)\d{2})\b(?![/\u2013-]\d)", re.I)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _was_to_come(first: date, last: date, source: Source, reply: date) -> bool:
    """A time that began after the source was written and was over by the reply date."""
    return first > source.written and last < reply


def _future_clause(text: str, start: int) -> bool:
    clause = re.split(r"[,;:()]", text[max(0, start - _CLAUSE_CHARS) : start])[-1]
    return bool(_FUTURE_CUE.search(clause)) and not _PAST_CUE.search(clause)


def _dated_spans(text: str, source: Source) -> tuple[list[tuple[str, date, date]], str]:
    """(phrase, first day, last day) of each time named in the text, and the text with them blanked.
    Year-less dates count only in a clause that speaks of the future."""
    found: list[tuple[str, date, date]] = []
    for start, end, iso in date_matches(text):
        d = date.fromisoformat(iso)
        found.append((text[start:end], d, d))
        text = _blank(text, start, end)
    for m in MONTH_YEAR_RE.finditer(text):
        year, month = int(m[2]), MONTHS[m[1].lower()]
        if year >= 1900:
            found.append((m[0], date(year, month, 1), month_end(year, month)))
        text = _blank(text, m.start(), m.end())
    for m in DAY_MONTH_RE.finditer(text):
        day = next_day_month(int(m[1]), MONTHS[m[2].lower()], source.written)
        if day is not None and _future_clause(text, m.start()):
            found.append((m[0], day, day))
        text = _blank(text, m.start(), m.end())
    for m in _YEAR_AFTER.finditer(text):
        found.append((m[1], date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)))
    return found, text


def past_futures(text: str, source: Source, reply: date) -> list[str]:
    """Dates that were still to come when the source was written and have passed by the reply date."""
    found, _ = _dated_spans(SPLIT_YEAR_RE.sub(lambda m: " " * len(m[0]), text), source)
    return [
        f"\u201c{phrase.strip().rstrip('.')}\u201d was still to come when the source ({source.label}) was written "
        "and has now passed: say what happened instead"
        for phrase, first, last in found
        if _was_to_come(first, last, source, reply)
    ]


def past_years(text: str, source: Source, reply: date) -> list[str]:
    """Financial or academic years that are over by the reply date but were not when the source was
    written: over once 31 August of the second year has passed (the later of the two year-ends), and
    current or to come when written if written before 31 March of the second year (the earlier)."""
    out = []
    for m in SPLIT_YEAR_RE.finditer(text):
        years = split_year(m)
        if years and reply > date(years[1], 8, 31) and source.written < date(years[1], 3, 31):
            out.append(
                f"{m[0]} is over, but was current or to come when the source ({source.label}) was written: "
                "check the year and what it says about it"
            )
    return out


# ---------------------------------------------------------------------------- relative time


def _years(offset: int) -> Callable[[date, date, int], str | None]:
    def meaning(written: date, reply: date, _age: int) -> str | None:
        return str(written.year + offset) if written.year != reply.year else None

    return meaning


def _months(offset: int) -> Callable[[date, date, int], str | None]:
    def meaning(written: date, reply: date, _age: int) -> str | None:
        if (written.year, written.month) == (reply.year, reply.month):
            return None
        m = add_months(written.replace(day=1), offset)
        return f"{human_date(m.isoformat()).split(' ', 1)[1]}"

    return meaning


def _weeks(offset: int) -> Callable[[date, date, int], str | None]:
    def meaning(written: date, reply: date, _age: int) -> str | None:
        if written.isocalendar()[:2] == reply.isocalendar()[:2]:
            return None
        monday = date.fromordinal(written.toordinal() - written.weekday() + 7 * offset)
        return f"the week of {human_date(monday.isoformat())}"

    return meaning


def _split_years(first_month: int) -> Callable[[date, date, int], str | None]:
    def start(d: date) -> int:
        return d.year if d.month >= first_month else d.year - 1

    def meaning(written: date, reply: date, _age: int) -> str | None:
        y = start(written)
        return f"{y}/{(y + 1) % 100:02d}" if y != start(reply) else None

    return meaning


def _season(written: date, reply: date, _age: int) -> str | None:
    return "" if (reply - written).days > SEASON_DAYS else None


def _term(elections: tuple[date, ...], body: str) -> Callable[[date, date, int], str | None]:
    def meaning(written: date, reply: date, _age: int) -> str | None:
        since = [e for e in elections if written < e <= reply]
        if not since and not is_dated(written, reply, LONGEST_TERM_MONTHS):
            return None
        if since:
            return f"the {body} before the election of {human_date(since[-1].isoformat())}"
        return f"the {body} current in {written.year}"

    return meaning


def _vague(written: date, reply: date, age: int) -> str | None:
    return "" if is_dated(written, reply, age) else None


_S = r"(?:spring|summer|autumn|winter)"
_TERM = r"\b(?:this|the\s+current)\s+{}\b"
# Each kind of relative time and what it meant when written: None while it still holds, "" when
# it has moved on but has no one meaning to name.
RELATIVE: tuple[tuple[re.Pattern[str], Callable[[date, date, int], str | None]], ...] = tuple(
    (re.compile(pattern, re.I), meaning)
    for pattern, meaning in (
        (r"\b(?:(?:later|earlier)\s+)?this\s+(?:calendar\s+)?year\b", _years(0)),
        (r"\bnext\s+(?:calendar\s+)?year\b", _years(1)),
        (r"\blast\s+(?:calendar\s+)?year\b", _years(-1)),
        (r"\b(?:(?:later|earlier)\s+)?this\s+month\b", _months(0)),
        (r"\bnext\s+month\b", _months(1)),
        (r"\blast\s+month\b", _months(-1)),
        (r"\b(?:(?:later|earlier)\s+)?this\s+week\b", _weeks(0)),
        (r"\bnext\s+week\b", _weeks(1)),
        (r"\blast\s+week\b", _weeks(-1)),
        (rf"\b(?:(?:later|earlier)\s+)?(?:this|next|last)\s+{_S}\b(?!\s+\d{{4}})", _season),
        (rf"\b(?:during|in|over|by)\s+the\s+(?:early\s+|late\s+)?{_S}\b(?!\s+\d{{4}})", _season),
        (r"\b(?:this|the\s+current)\s+financial\s+year\b", _split_years(4)),
        (r"\b(?:this|the\s+current)\s+academic\s+year\b", _split_years(9)),
        (_TERM.format(r"(?:Senedd|Assembly|Welsh\s+Parliament)(?:\s+term)?"), _term(SENEDD_ELECTIONS, "Senedd term")),
        (_TERM.format(r"Parliament(?!\s+(?:Square|Street|building))"), _term(UK_GENERAL_ELECTIONS, "Parliament")),
        (r"\b(?:recently|soon|shortly|to\s+date|so\s+far)\b", _vague),
        (r"\b(?:in|over)\s+recent\s+(?:days|weeks|months|years)\b", _vague),
        (r"\bin\s+the\s+(?:coming|next\s+few)\s+(?:days|weeks|months)\b", _vague),
    )
)


def relative_time(text: str, source: Source, reply: date, max_age_months: int = MAX_AGE_MONTHS) -> list[str]:
    """Relative time in the text whose meaning has moved on since the source was written."""
    out = []
    for pattern, meaning in RELATIVE:
        for m in pattern.finditer(text):
            meant = meaning(source.written, reply, max_age_months)
            if meant is None:
                continue
            what = f"meant {meant} in" if meant else "dates from"
            out.append(f"\u201c{m[0]}\u201d {what} the source ({source.label}): check it still holds")
    return out


# ---------------------------------------------------------------------------- figures

_MONEY_OR_SHARE = re.compile(r"[£$€]\s?\d|\d\s?(?:%|per\s?cent\b|percent\b|million\b|billion\b|bn\b)", re.I)
# Numbers that are not figures: references (WQ85953, P-06-1161, HCWS27, COVID-19), labelled numbers
# (section 151, Key Stage 2, Question 12345), years, and a list item's own number.
_NOT_FIGURES = (
    re.compile(r"\b[A-Za-z]+[-/]?\d[\w/-]*"),
    re.compile(
        r"\b(?:sections?|paragraphs?|para|clauses?|articles?|regulations?|schedules?|questions?|uin|pq|no\.?|"
        r"numbers?|chapters?|parts?|stage|level|year|phase|round|tier|annex|table|figure|page|column|volume|"
        r"step|grade|band|category|priority|option|plan)\s+\d+[\w.]*(?:\s?[-\u2013]\s?\d+[\w.]*)?",
        re.I,
    ),
    re.compile(r"\b(?:19|20)\d{2}\b"),
    re.compile(r"^\s*\d{1,2}[.)]\s"),
)


def has_figure(text: str) -> bool:
    """Does the sentence state a count, a sum or a percentage (not a date, year or reference)?"""
    text = strip_markers(text)
    if _MONEY_OR_SHARE.search(text):
        return True
    for start, end, _ in date_matches(text):
        text = _blank(text, start, end)
    for pattern in (SPLIT_YEAR_RE, MONTH_YEAR_RE, DAY_MONTH_RE, *_NOT_FIGURES):
        text = pattern.sub(lambda m: " " * len(m[0]), text)
    return bool(NUMBER_RE.search(text))
