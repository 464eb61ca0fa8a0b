"""JSON Lines corpora (.jsonl / .jsonl.gz): one Document per good line, a Skipped per bad one.

A bad line (broken or deeply nested JSON, bad Unicode, no id, an impossible date, a line over
MAX_LINE) is one Skipped with its line number; a file that expands past MAX_EXPANDED stops there."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from rag.errors import DocumentError, InputError
from rag.ingest.files import MB, SENTENCE_END_RE, _normalise, _strip_name, open_regular
from rag.ingest.letters import SUBJECT_MAX
from rag.text.dates import parse_iso_date
from rag.text.shorten import shorten
from rag.text.unicode import lone_surrogate
from rag.types import DocMeta, Document, Skipped

MAX_LINE = 4 * MB  # longest record line read (the UK WQ corpus's longest is 21 KB); longer ones are skipped
MAX_EXPANDED = 1024 * MB  # most bytes read from one record file, after decompression (that corpus: 35 MB)
ID_MAX = 512  # longest record id kept


class _TooLarge(Exception):
    """A record file expanded past its byte limit."""


def load_records(path: str | Path, max_bytes: int = MAX_EXPANDED) -> Iterator[Document | Skipped]:
    """Stream a .jsonl or .jsonl.gz file: one Document per good line, a Skipped per bad one.
    Reading stops, with a Skipped, once `max_bytes` (decompressed) have been read."""
    path = Path(path)
    try:
        handle = open_regular(path)
    except DocumentError as err:
        yield Skipped(str(path), _strip_name(str(err), path))
        return
    with handle, gzip.GzipFile(fileobj=handle) if path.name.lower().endswith(".gz") else handle as lines:
        yield from _records_from(lines, path, max_bytes)


# ---- records -------------------------------------------------------------------------------


def _records_from(handle: Any, path: Path, max_bytes: int) -> Iterator[Document | Skipped]:
    lineno, found = 0, 0
    try:
        for lineno, raw in enumerate(_lines(handle, MAX_LINE, max_bytes), 1):
            if raw is None:
                found += 1
                yield Skipped(f"{path}:{lineno}", f"line is longer than {MAX_LINE // MB} MB; split the record")
            elif raw.strip():
                found += 1
                yield _record_or_skip(raw, f"{path}:{lineno}", f"{path}#{lineno}", first=lineno == 1)
    except (OSError, EOFError, zlib.error):
        yield Skipped(str(path), f"compressed data is corrupt or truncated after line {lineno}; re-download it")
        return
    except _TooLarge:
        yield Skipped(
            str(path),
            f"expands to more than {max_bytes / MB:g} MB; stopped at line {lineno + 1}, the lines before it read",
        )
        return
    if not found:
        yield Skipped(str(path), "contains no records (empty file); check it is the right file")


def _lines(handle: Any, max_line: int, max_bytes: int) -> Iterator[bytes | None]:
    """Each line, or None for one over `max_line` bytes (read past in pieces, never held whole);
    _TooLarge once more than `max_bytes` have been read in all."""
    total = 0
    while raw := handle.readline(max_line + 1):
        total += len(raw)
        too_long = len(raw) > max_line and not raw.endswith(b"\n")
        while too_long and raw and not raw.endswith(b"\n") and total <= max_bytes:
            raw = handle.readline(max_line)
            total += len(raw)
        if total > max_bytes:
            raise _TooLarge
        yield None if too_long else raw


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
    except RecursionError:
        raise DocumentError("JSON nested too deeply to read; flatten the record") from None
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
    _check_storable(record)
    text, question = _record_text(record)
    if "\x00" in text:
        raise DocumentError("text contains NUL characters (binary data)")
    try:
        day = parse_iso_date(record.date, "'date'")  # "2024-13-45" is refused, not stored as 20241345
    except InputError as err:
        raise DocumentError(f"{err} Fix it or leave it out.") from None
    return Document(record.id, text, _record_meta(record, text, question, day), source, [])


def _check_storable(record: CorpusRecord) -> None:
    """DocumentError if a field cannot be stored (a lone surrogate) or the id is too long to be one."""
    for name, value in record.model_dump().items():
        at = lone_surrogate(value) if isinstance(value, str) else None
        if at is not None:
            raise DocumentError(f"'{name}' is not valid Unicode (a lone surrogate at character {at}); fix the record")
    if len(record.id) > ID_MAX:
        raise DocumentError(f"id is {len(record.id)} characters long; ids are at most {ID_MAX}")


def _record_meta(record: CorpusRecord, text: str, question: str, day: str | None) -> DocMeta:
    answer_start = min(len(question) + 2, len(text)) if question else 0
    return DocMeta(
        kind=record.kind or "written_question",
        ref=record.ref,
        refs=[record.ref] if record.ref else [],
        date=day,
        answered=day,
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
