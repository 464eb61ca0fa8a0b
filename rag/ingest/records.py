"""JSON Lines corpora (.jsonl / .jsonl.gz): one Document per good line, a Skipped per bad one."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import DocumentError
from rag.ingest.files import SENTENCE_END_RE, _normalise, _os_reason
from rag.ingest.letters import SUBJECT_MAX
from rag.text.shorten import shorten
from rag.types import DocMeta, Document, Skipped


def load_records(path: str | Path) -> Iterator[Document | Skipped]:
    """Stream a .jsonl or .jsonl.gz file: one Document per good line, a Skipped per bad one."""
    path = Path(path)
    try:
        handle = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    except OSError as err:
        yield Skipped(str(path), _os_reason(err))
        return
    with handle:
        yield from _records_from(handle, path)


# ---- records -------------------------------------------------------------------------------


def _records_from(handle: Any, path: Path) -> Iterator[Document | Skipped]:
    lineno, found = 0, 0
    try:
        for lineno, raw in enumerate(handle, 1):
            if raw.strip():
                found += 1
                yield _record_or_skip(raw, f"{path}:{lineno}", f"{path}#{lineno}", first=lineno == 1)
    except (OSError, EOFError, zlib.error):
        yield Skipped(str(path), f"compressed data is corrupt or truncated after line {lineno}; re-download it")
        return
    if not found:
        yield Skipped(str(path), "contains no records (empty file); check it is the right file")


def _record_or_skip(raw: bytes, where: str, source: str, first: bool) -> Document | Skipped:
    try:
        return _record_document(_parse_record(raw, first), source)
    except DocumentError as err:
        return Skipped(where, str(err))


def _parse_record(raw: bytes, first: bool) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as err:
        raise DocumentError(f"not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start} of the line)") from None
    try:
        record = json.loads(line)
    except ValueError as err:
        msg = getattr(err, "msg", "invalid")
        raise DocumentError(f"invalid JSON ({msg} at column {getattr(err, 'colno', '?')})") from None
    if not isinstance(record, dict):
        raise DocumentError(f"not a JSON object (found {type(record).__name__})")
    return record


def _field(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _record_text(record: dict[str, Any]) -> tuple[str, str]:
    """(text, question): the body, or the question and answer with a blank line between."""
    body = _field(record, "body")
    if body:
        return _normalise(body), ""
    question = _normalise(_field(record, "question") or "")
    answer = _normalise(_field(record, "answer") or "")
    if not (question or answer):
        raise DocumentError("no 'question', 'answer' or 'body' text")
    return "\n\n".join(p for p in (question, answer) if p), question


def _record_document(record: dict[str, Any], source: str) -> Document:
    doc_id = _field(record, "id")
    if not doc_id:
        raise DocumentError("no 'id' field; every record needs a stable id")
    text, question = _record_text(record)
    if "\x00" in text:
        raise DocumentError("text contains NUL characters (binary data)")
    return Document(doc_id, text, _record_meta(record, text, question), source, [])


def _record_meta(record: dict[str, Any], text: str, question: str) -> DocMeta:
    ref, date, title = _field(record, "ref"), _field(record, "date"), _field(record, "title")
    asked_of = _field(record, "asked_of")
    answer_start = min(len(question) + 2, len(text)) if question else 0
    return DocMeta(
        kind=_field(record, "kind") or "written_question",
        ref=ref,
        refs=[ref] if ref else [],
        date=date,
        answered=date,
        title=title,
        subject=shorten(title or _first_sentence(question or text), SUBJECT_MAX),
        author=None,
        author_role=asked_of,
        asked_of=asked_of,
        answering_body=_field(record, "answering_body"),
        source_url=_field(record, "source_url"),
        answer_start=answer_start,
    )


def _first_sentence(text: str) -> str:
    return SENTENCE_END_RE.split(text.strip(), maxsplit=1)[0]
