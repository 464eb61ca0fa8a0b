"""The records Ymateb stores: a document (one past reply, letter or question) and its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

KINDS = ("petition_response", "written_question", "incoming_letter", "stakeholder_letter")


@dataclass
class DocMeta:
    """Metadata extracted from a document's text (or given by a JSONL record)."""

    kind: str = "unknown"
    ref: str | None = None  # the main reference: petition number, WQ number, else "Our ref"
    refs: list[str] = field(default_factory=list)  # every reference found, main one first
    date: str | None = None  # ISO YYYY-MM-DD: the date of the reply/letter (for a WQ: answered)
    tabled: str | None = None  # WQ only
    answered: str | None = None  # WQ only
    author: str | None = None  # e.g. "Julie Morgan"
    author_role: str | None = None  # e.g. "Deputy Minister for Social Services"
    addressee: str | None = None  # e.g. "Jack Sargeant MS, Chair - Petitions committee"
    subject: str | None = None  # subject line, the petition title, or the question
    title: str | None = None  # the petition title or a record's heading
    answering_body: str | None = None
    asked_of: str | None = None
    source_url: str | None = None
    answer_start: int = 0  # offset of the reply proper (after a WQ's question) in the text

    def to_dict(self) -> dict[str, Any]:
        # what asdict() returns, without its recursive deep copy (4x faster; hashed on every ingest)
        return {f: (list(v) if isinstance(v, list) else v) for f, v in vars(self).items()}


@dataclass
class Document:
    """One stored document: full text as read (boilerplate included), metadata, provenance."""

    doc_id: str
    text: str
    meta: DocMeta
    source: str = ""  # path or "file.jsonl.gz#line"
    boilerplate: list[tuple[int, int]] = field(default_factory=list)  # spans kept out of chunks

    @property
    def content_hash(self) -> str:
        """Changes whenever the text or the metadata we index changes."""
        h = hashlib.sha256(self.text.encode("utf-8"))
        h.update(repr(sorted(self.meta.to_dict().items())).encode("utf-8"))
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class Skipped:
    """A file (or record) that was not ingested, with a one-line reason."""

    source: str
    reason: str


def date_int(iso: str | None) -> int:
    """'2021-09-23' -> 20210923; unknown -> 0 (so Chroma can compare dates as integers)."""
    if not iso:
        return 0
    try:
        return int(iso[:10].replace("-", ""))
    except ValueError:
        return 0
