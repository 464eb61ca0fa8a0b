"""Eval cases: a question with its real answer, read from a JSON Lines file, and the no-leak rule.

One JSON object per line (blank lines are skipped, unknown keys are ignored):

    id                required  unique case id, e.g. "UKWQ-1752868", "WQ85953", "P-06-1199"
    kind              required  "written_question" or "petition"
    date              required  ISO YYYY-MM-DD: the day (or month, as YYYY-MM-01) the answer was given
    question          required  what was asked (the drafting request)
    reference_answer  required  the real answer, body only (no letterhead, footer or signature)
    asked_of          optional  e.g. "Secretary of State for Education"
    source_url        optional
    corpus_doc_id     optional  the id of the case's own document in the precedent corpus, when it
                                is there under another id (e.g. a seed "003_3828880d9c8d13ee");
                                it is never eligible, whatever its date
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rag.errors import InputError

_REQUIRED = ("id", "kind", "date", "question", "reference_answer")
_OPTIONAL = ("asked_of", "source_url", "corpus_doc_id")


@dataclass(frozen=True)
class Case:
    """One back-test case: draft a reply to `question` as of `date`, compare with the real answer."""

    id: str
    kind: str
    date: str
    question: str
    reference_answer: str
    asked_of: str | None = None
    source_url: str | None = None
    corpus_doc_id: str | None = None


def _parse_date(value: str | None) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _case_from(record: Any) -> Case:
    """Build a Case from one decoded line; ValueError with a one-line reason if it is unusable."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    for key in _REQUIRED:
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"'{key}' is missing or not a non-empty string")
    for key in _OPTIONAL:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"'{key}' must be a string or null")
    if _parse_date(record["date"]) is None:
        raise ValueError(f"'date' is not an ISO date (YYYY-MM-DD): {record['date']!r}")
    return Case(
        id=record["id"],
        kind=record["kind"],
        date=record["date"],
        question=record["question"],
        reference_answer=record["reference_answer"],
        asked_of=record.get("asked_of"),
        source_url=record.get("source_url"),
        corpus_doc_id=record.get("corpus_doc_id"),
    )


def load_cases(path: str | Path) -> list[Case]:
    """Read a JSON Lines case file; InputError naming file:line and the reason for any bad line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the case file ({exc})") from exc
    cases: list[Case] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = _case_from(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
        except ValueError as exc:
            raise InputError(f"{path}:{lineno}: {exc}") from exc
        if case.id in seen:
            raise InputError(f"{path}:{lineno}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases


def eligible(doc_date: str | None, doc_id: str, case: Case) -> bool:
    """The no-leak rule: a precedent must be dated strictly before the case and not be the case.

    A document with an unknown or unreadable date is not eligible (we cannot show it came first).
    """
    if doc_id in (case.id, case.corpus_doc_id):
        return False
    when, case_date = _parse_date(doc_date), _parse_date(case.date)
    return when is not None and case_date is not None and when < case_date
