"""Eval cases: a question with its real answer, read from a JSON Lines file, and the no-leak rule.

One JSON object per line (blank lines are skipped, unknown keys are ignored):

    id                required  unique case id, e.g. "UKWQ-1752868", "WQ85953", "P-06-1199"
    kind              required  "written_question" or "petition"
    date              required  ISO YYYY-MM-DD: the day (or month, as YYYY-MM-01) the answer was given
    question          required  what was asked (the drafting request)
    reference_answer  required  the real answer, body only (no letterhead, footer or signature)
    asked_of          optional  e.g. "Secretary of State for Education"
    source_url        optional
    answerable        optional  true (default), or false: the corpus holds no answer to it, so a drafted
                                body is a false-confident draft (the refusal check)
    corpus_doc_id     optional  the id of the case's own document in the precedent corpus, when it
                                is there under another id (e.g. a seed "003_3828880d9c8d13ee");
                                it is never eligible, whatever its date

The Case model (models.py) holds these rules; load_cases adds the file, line and duplicate checks.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from rag.errors import InputError
from rag.evaluation.models import Case, case_error, parse_date

__all__ = ["Case", "eligible", "load_cases"]


def load_cases(*paths: str | Path) -> list[Case]:
    """Read JSON Lines case files, in order; InputError naming file:line and the reason for any bad
    line, or a case id repeated in any of them."""
    cases: list[Case] = []
    seen: set[str] = set()
    for path in paths:
        cases.extend(_read_cases(Path(path), seen))
    return cases


def _read_cases(path: Path, seen: set[str]) -> list[Case]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the case file ({exc})") from exc
    cases: list[Case] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            raise InputError(f"{path}:{lineno}: {case_error(exc)}") from None
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
    when, case_date = parse_date(doc_date), parse_date(case.date)
    return when is not None and case_date is not None and when < case_date
