"""The data Ymateb passes between its stages, in one module that imports nothing heavy.

Document, DocMeta, Skipped      a stored precedent and what was read from it (ingest)
Chunk                           one indexable piece of a document (ingest -> index)
IngestSummary                   what an ingest run did
Passage                         a chunk found by a search, with its score (retrieval)
DraftRequest                    what a reply needs, parsed from incoming text (drafting)
Composition                     a backend's body and the passages it cites
Draft, Citation, DraftWarning   the reply in the house format, its sources and its flags
AskPart                         one part of the ask and whether the precedents address it
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.text.dates import date_int

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
    # Read from an official source (rag.sources); None for a file. Hashed only when set (LATER_FIELDS).
    status: str | None = None  # None: a line to draft from; else one of UNCITABLE (never drafted from)
    asked_by: str | None = None  # the member who asked (a WQ) or who started the petition
    grouped_with: str | None = None  # the UINs answered together with this one, "; "-joined
    attachments: str | None = None  # what the answer attached: "title <url>", "; "-joined
    superseded_by: str | None = None  # for a superseded answer: the document id that replaced it

    def to_dict(self) -> dict[str, Any]:
        # what asdict() returns, without its recursive deep copy (4x faster; hashed on every ingest)
        return {f: (list(v) if isinstance(v, list) else v) for f, v in vars(self).items()}


# A document with one of these statuses is kept (a clerk can find it) but never drafted from:
# "holding" (an answer that only puts the question off) and "superseded" (replaced by a correction).
UNCITABLE = ("holding", "superseded")

# DocMeta fields added after indexes were built: left out of the content hash while unset, so an
# existing index does not re-embed every document for fields it has never had.
LATER_FIELDS = ("status", "asked_by", "grouped_with", "attachments", "superseded_by")


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
        meta = {k: v for k, v in self.meta.to_dict().items() if v is not None or k not in LATER_FIELDS}
        h.update(repr(sorted(meta.items())).encode("utf-8"))
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class Skipped:
    """A file (or record) that was not ingested, with a one-line reason."""

    source: str
    reason: str


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    metadata: dict[str, Any]


def chunk_id_for(doc_id: str, content_hash: str, i: int) -> str:
    """The id of the i-th chunk of one version of a document: `doc_id:hash8:i`."""
    return f"{doc_id}:{content_hash[:8]}:{i}"


def chunk_version(chunk_id: str) -> str:
    """The version part (content hash prefix) of a chunk id made by `chunk_id_for`."""
    return chunk_id.rsplit(":", 2)[-2] if chunk_id.count(":") >= 2 else ""


SKIPPED_KEPT = 100  # skipped files/records an ingest summary lists in full; the rest are counted by reason
REASONS_KEPT = 50  # distinct reasons counted past those; any others count as OTHER_REASONS
OTHER_REASONS = "(other reasons)"


@dataclass
class IngestSummary:
    written: int = 0  # new or changed documents
    unchanged: int = 0
    repaired: int = 0  # of the written: unchanged documents redone because the store lacked chunks
    chunks: int = 0  # chunks written
    embedded: int = 0  # texts sent to the embedding model
    skipped: list[Skipped] = field(default_factory=list)  # the first SKIPPED_KEPT, in full (add with skip())
    seconds: float = 0.0
    doc_ids: list[str] = field(default_factory=list)  # documents written this run
    skipped_more: dict[str, int] = field(default_factory=dict)  # reason -> count, for those past SKIPPED_KEPT

    @property
    def documents(self) -> int:
        return self.written + self.unchanged

    def skip(self, item: Skipped) -> None:
        """Note a skipped file or record: listed in full while fewer than SKIPPED_KEPT are, then counted."""
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(item)
            return
        known = item.reason in self.skipped_more or len(self.skipped_more) < REASONS_KEPT
        reason = item.reason if known else OTHER_REASONS
        self.skipped_more[reason] = self.skipped_more.get(reason, 0) + 1

    @property
    def skipped_total(self) -> int:
        return len(self.skipped) + sum(self.skipped_more.values())

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(s.reason for s in self.skipped) + Counter(self.skipped_more))

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "written": self.written,
            "unchanged": self.unchanged,
            "repaired": self.repaired,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "skipped_total": self.skipped_total,
            "skipped_by_reason": self.skipped_by_reason(),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Passage:
    """One retrieved chunk with its document's metadata."""

    doc_id: str
    chunk_id: str
    text: str
    start: int  # character offsets into the stored document text
    end: int
    score: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)  # kind, ref, date, title, author, ...

    def to_result(self) -> dict[str, Any]:
        m = self.meta
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 6),
            "kind": m.get("kind"),
            "ref": m.get("ref") or None,
            "date": m.get("date") or None,
            "title": m.get("title") or m.get("subject") or None,
            "author": m.get("author") or m.get("author_role") or None,
            "status": m.get("status") or None,  # holding | superseded: found, never drafted from
            "superseded_by": m.get("superseded_by") or None,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


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
    as_of: str | None = None  # ISO: only precedents dated strictly before this; never read from the text
    # The fields read from the (untrusted) text rather than given by a person: shown for checking,
    # and a reply that uses an unconfirmed date says so in a warning.
    parsed_fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text")
        return d


@dataclass
class AskPart:
    """One part of the ask and whether the precedents address it (rag.drafting.answerability)."""

    text: str
    covered: bool
    score: float
    missing: list[str] = field(default_factory=list)  # key terms no usable precedent mentions
    terms: int = 0  # how many key terms it has

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Assessment:
    """How far the precedents address the ask: the whole ask, then each of its parts."""

    whole: AskPart
    parts: list[AskPart] = field(default_factory=list)  # empty when the ask is a single part
    addressed: bool = False  # is anything drafted (answerability.addressed)

    @property
    def uncovered(self) -> list[AskPart]:
        """The parts left unaddressed when the rest are addressed (empty when nothing is)."""
        return [p for p in self.parts if not p.covered] if self.addressed else []

    def to_dict(self) -> dict[str, Any]:
        return {"whole": self.whole.to_dict(), "parts": [p.to_dict() for p in self.parts], "addressed": self.addressed}


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
    # "uncited" | "unsupported" | "invalid_citation" | "no_precedent" | "partial_answer" | "welsh"
    # | "unconfirmed_date" | "instruction_in_source"
    # | "dated_precedent" (the newest cited precedent is older than the configured age)
    # | "stale" (a sentence's dated language or figure needs checking against the reply date)
    # | "superseded" (an earlier precedent set aside for a later one from the same body on the same point)
    code: str
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
    query: str = ""  # what was searched
    assessment: Assessment | None = None  # whether the precedents address the ask, part by part
    related: list[Passage] = field(default_factory=list)  # the closest precedents, when none answers

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "backend": self.backend,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "warnings": [w.to_dict() for w in self.warnings],
            "request": self.request.to_dict() if self.request else {},
            "query": self.query,
            "assessment": self.assessment.to_dict() if self.assessment else None,
            "related": [p.to_result() for p in self.related],
        }


    def to_record(self) -> dict[str, Any]:
        """Everything in the draft, as JSON-ready data that `Draft.from_record` reads back whole
        (the desk saves each version so; a restored one is re-checked and exported as it was)."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Draft:
        r = dict(record)
        request = r.pop("request", None)
        assessment = r.pop("assessment", None)
        if request is not None:
            request = DraftRequest(**{**request, "parsed_fields": tuple(request.get("parsed_fields") or ())})
        if assessment is not None:
            assessment = Assessment(
                whole=AskPart(**assessment["whole"]),
                parts=[AskPart(**p) for p in assessment.get("parts") or []],
                addressed=bool(assessment.get("addressed")),
            )
        return cls(
            **{k: v for k, v in r.items() if k not in ("citations", "warnings", "passages", "related")},
            citations=[Citation(**c) for c in r.get("citations") or []],
            warnings=[DraftWarning(**w) for w in r.get("warnings") or []],
            passages=[Passage(**p) for p in r.get("passages") or []],
            related=[Passage(**p) for p in r.get("related") or []],
            request=request,
            assessment=assessment,
        )


@dataclass
class Composition:
    body: str
    passages: list[Passage]  # numbered 1..n as cited in the body
    reused_doc: str | None = None
    warnings: list[DraftWarning] = field(default_factory=list)  # the backend's own flags


@dataclass
class SearchFilters:
    """Which chunks may be returned. Dates are ISO strings (YYYY-MM-DD)."""

    kinds: list[str] | None = None
    date_from: str | None = None  # inclusive
    date_to: str | None = None  # inclusive
    as_of: str | None = None  # only documents dated strictly before this day
    author: str | None = None  # case-insensitive substring of author, role or department
    exclude_doc_ids: set[str] = field(default_factory=set)


def flat_metadata(doc: Document) -> dict[str, Any]:
    """Document metadata as Chroma accepts it: scalars only, no None; dates also as integers."""
    meta = doc.meta.to_dict()
    meta["refs"] = "; ".join(meta.get("refs") or [])
    out: dict[str, Any] = {k: v for k, v in meta.items() if v not in (None, "")}
    out["doc_id"] = doc.doc_id
    out["date_int"] = date_int(doc.meta.date)
    out["author_key"] = author_key(doc)
    return out


def author_key(doc: Document) -> str:
    """Lower-cased author, role and body in one field, for the author/department filter."""
    m = doc.meta
    parts = [m.author, m.author_role, m.answering_body, m.asked_of]
    return " | ".join(p.lower() for p in parts if p)


@dataclass
class Incoming:
    """One item of a batch as read from a file (rag.desk.intake): a written question, a petition or a letter."""

    id: str  # the UIN, petition number or reference; else the file name or row number (unique in a batch)
    kind: str  # one of REQUEST_KINDS
    text: str  # the question's text, or the whole petition or letter
    member: str | None = None  # the asking member, or who sent it
    tabled: str | None = None  # ISO: the day it was tabled or received (a question's `date`)
    due: str | None = None  # ISO: the named day or date for answer
    asked_of: str | None = None  # the answering body, or whom it asks ("Secretary of State for Education")
    title: str | None = None  # the heading or petition title
    source: str = ""  # the file (and row) it came from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
