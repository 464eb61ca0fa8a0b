"""JSON Lines corpora (.jsonl / .jsonl.gz): one Document per good line, a Skipped per bad one."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from rag.errors import DocumentError
from rag.ingest.files import SENTENCE_END_RE, _normalise, _strip_name, open_regular
from rag.ingest.letters import SUBJECT_MAX
from rag.text.shorten import shorten
from rag.types import DocMeta, Document, Skipped


def load_records(path: str | Path) -> Iterator[Document | Skipped]:
    """Stream a .jsonl or .jsonl.gz file: one Document per good line, a Skipped per bad one."""
    path = Path(path)
    try:
        handle = open_regular(path)
    except DocumentError as err:
        yield Skipped(str(path), _strip_name(str(err), path))
        return
    with handle, (gzip.GzipFile(fileobj=handle) if path.name.lower().endswith(".gz") else handle) as lines:
        yield from _records_from(lines, path)


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


def _scalar_text(value: Any) -> str | None:
    """A field's text: numbers and other scalars stringified, objects and lists ignored, blank = None."""
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def _record_id(value: Any) -> str:
    text = _scalar_text(value)
    if text is None:
        raise PydanticCustomError("no_id", "no 'id' field; every record needs a stable id")
    return text


FieldText = Annotated[str | None, BeforeValidator(_scalar_text)]


class CorpusRecord(BaseModel):
    """One JSON Lines corpus record: an id, and a body or a question and answer. Unknown keys are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Annotated[str, BeforeValidator(_record_id)] = Field(default=None, validate_default=True)
    body: FieldText = None
    question: FieldText = None
    answer: FieldText = None
    date: FieldText = None
    ref: FieldText = None
    title: FieldText = None
    kind: FieldText = None
    asked_of: FieldText = None
    answering_body: FieldText = None
    source_url: FieldText = None

    @model_validator(mode="after")
    def _usable(self) -> CorpusRecord:
        if not (self.body or self.question or self.answer):
            raise PydanticCustomError("no_text", "no 'question', 'answer' or 'body' text")
        return self


def _record_or_skip(raw: bytes, where: str, source: str, first: bool) -> Document | Skipped:
    try:
        return _record_document(_parse_record(raw, first), source)
    except DocumentError as err:
        return Skipped(where, str(err))


def _parse_record(raw: bytes, first: bool) -> CorpusRecord:
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
    try:
        return CorpusRecord.model_validate(record)
    except ValidationError as err:
        raise DocumentError(err.errors()[0]["msg"]) from None


def _record_text(record: CorpusRecord) -> tuple[str, str]:
    """(text, question): the body, or the question and answer with a blank line between."""
    if record.body:
        return _normalise(record.body), ""
    question = _normalise(record.question or "")
    answer = _normalise(record.answer or "")
    return "\n\n".join(p for p in (question, answer) if p), question


def _record_document(record: CorpusRecord, source: str) -> Document:
    text, question = _record_text(record)
    if "\x00" in text:
        raise DocumentError("text contains NUL characters (binary data)")
    return Document(record.id, text, _record_meta(record, text, question), source, [])


def _record_meta(record: CorpusRecord, text: str, question: str) -> DocMeta:
    answer_start = min(len(question) + 2, len(text)) if question else 0
    return DocMeta(
        kind=record.kind or "written_question",
        ref=record.ref,
        refs=[record.ref] if record.ref else [],
        date=record.date,
        answered=record.date,
        title=record.title,
        subject=shorten(record.title or _first_sentence(question or text), SUBJECT_MAX),
        author=None,
        author_role=record.asked_of,
        asked_of=record.asked_of,
        answering_body=record.answering_body,
        source_url=record.source_url,
        answer_start=answer_start,
    )


def _first_sentence(text: str) -> str:
    return SENTENCE_END_RE.split(text.strip(), maxsplit=1)[0]
