"""The shapes a draft takes: the request it answers, its citations and warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.retrieval import Passage

REQUEST_KINDS = ("petition", "written_question", "letter")


@dataclass
class DraftRequest:
    """What the reply needs, parsed from the incoming text; every field can be overridden."""

    text: str
    kind: str = "letter"  # one of REQUEST_KINDS
    ask: str = ""  # the actual question or request, used as the retrieval query
    petition_number: str | None = None
    petition_title: str | None = None
    wq_number: str | None = None
    member: str | None = None  # asking member or letter sender
    sender: str | None = None
    letter_date: str | None = None  # ISO
    language: str = "en"  # "en" or "cy"
    as_of: str | None = None  # ISO: only precedents dated strictly before this

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text")
        return d


@dataclass
class Citation:
    n: int
    doc_id: str
    chunk_id: str
    ref: str | None
    date: str | None
    author: str | None
    quote: str
    start: int = 0  # offsets of the cited passage in the stored document text
    end: int = 0
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DraftWarning:
    code: str  # "uncited" | "unsupported" | "invalid_citation" | "no_precedent" | "welsh" | ...
    message: str
    sentence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Draft:
    kind: str
    backend: str
    text: str  # the whole reply in the house format, with [n] markers
    body: str  # the body paragraphs only
    citations: list[Citation] = field(default_factory=list)
    warnings: list[DraftWarning] = field(default_factory=list)
    request: DraftRequest | None = None
    passages: list[Passage] = field(default_factory=list)  # numbered 1..n as given to the backend

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "backend": self.backend,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "warnings": [w.to_dict() for w in self.warnings],
            "request": self.request.to_dict() if self.request else {},
        }
