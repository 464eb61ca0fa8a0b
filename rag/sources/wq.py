"""UK Parliament written questions: the Written Questions API (questions-statements-api.parliament.uk).

Three passes over `/api/writtenquestions/questions`, each paged with skip/take:

    answered    answeredWhenFrom=since    answered questions (holding answers included)
    corrected   correctedWhenFrom=since   answers corrected since
    waiting     answered=Unanswered, tabledWhenFrom=since   only with a body: offered to the desk

A record's text is cut short in a list ("...") as the API does; it is then read whole from
`/api/writtenquestions/questions/{id}`. Each answered question becomes one Document, id `UKWQ-{id}`
(the id the UK WQ corpus in ../shared/data uses, so the two meet rather than duplicate):

    uin -> ref; dateTabled, dateAnswered; asking member -> asked_by; answering member -> author;
    answeringBodyName -> answering_body; heading -> title; questionText + answerText (HTML -> text,
    paragraphs kept) -> text; groupedQuestions -> grouped_with; attachments -> attachments; the
    official record's address -> source_url.

isWithdrawn: not ingested (skipped, with the reason). answerIsHolding: stored with status "holding",
never drafted from (rag.drafting.lines). answerIsCorrection: the corrected answer is the document;
the original answer is kept beside it as `UKWQ-{id}-original` with status "superseded".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rag.errors import SourceError
from rag.ingest.files import plain_text
from rag.ingest.layout import TO_ASK_RE
from rag.sources.base import Page, Window
from rag.sources.http import Fetcher
from rag.text.dates import iso_day
from rag.text.shorten import shorten
from rag.types import DocMeta, Document, Incoming, Skipped

BASE_URL = "https://questions-statements-api.parliament.uk"
LIST = "/api/writtenquestions/questions"
RECORD_SITE = "https://questions-statements.parliament.uk/written-questions/detail"
TAKE = 100  # records per page
TRUNCATED = "..."  # how the list endpoint ends a text it cut short


class Member(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None


class Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str | None = None
    url: str | None = None


class GroupedDate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    questionUin: str | None = None  # noqa: N815 - the API's names


class WrittenQuestion(BaseModel):
    """One record of the API, the fields we read (its names); anything else is ignored."""

    model_config = ConfigDict(extra="ignore")

    id: int
    uin: str
    house: str | None = None
    dateTabled: str  # noqa: N815
    dateForAnswer: str | None = None  # noqa: N815
    questionText: str  # noqa: N815
    heading: str | None = None
    askingMember: Member | None = None  # noqa: N815
    answeringBodyId: int | None = None  # noqa: N815
    answeringBodyName: str | None = None  # noqa: N815
    isWithdrawn: bool = False  # noqa: N815
    groupedQuestions: list[str] = []  # noqa: N815, RUF012 - pydantic copies defaults
    answerIsHolding: bool | None = None  # noqa: N815
    answerIsCorrection: bool | None = None  # noqa: N815
    answeringMember: Member | None = None  # noqa: N815
    dateAnswered: str | None = None  # noqa: N815
    answerText: str | None = None  # noqa: N815
    originalAnswerText: str | None = None  # noqa: N815
    dateAnswerCorrected: str | None = None  # noqa: N815
    attachments: list[Attachment] = []  # noqa: RUF012

    @property
    def record_url(self) -> str:
        """The question on Parliament's site: the official record a clerk cites."""
        return f"{RECORD_SITE}/{self.dateTabled[:10]}/{self.uin}"

    @property
    def truncated(self) -> bool:
        return any((t or "").rstrip().endswith(TRUNCATED) for t in (self.questionText, self.answerText))


class ParliamentWQ:
    name = "parliament-wq"
    base_url = BASE_URL
    about = "UK Parliament written questions and answers (Written Questions API)"

    def pages(self, fetcher: Fetcher, window: Window) -> Iterator[Page]:
        since = window.since.isoformat()
        passes: list[dict[str, Any]] = [{"answeredWhenFrom": since}, {"correctedWhenFrom": since}]
        if window.body:
            passes.append({"answered": "Unanswered", "tabledWhenFrom": since})
        seen: set[int] = set()  # a question answered and corrected in the window is read once
        for params in passes:
            yield from self._pass(fetcher, params | _body_param(window.body), window, seen)

    def _pass(self, fetcher: Fetcher, params: dict[str, Any], window: Window, seen: set[int]) -> Iterator[Page]:
        skip = 0
        while True:
            data = fetcher.json(LIST, params | {"expandMember": "true", "skip": skip, "take": TAKE})
            results, total = _results(data, fetcher.host)
            page = Page(read=len(results), total=total)
            stored = window.stored([f"UKWQ-{_id(raw)}" for raw in results])
            for raw in results:
                _add(page, raw, fetcher, window.body, seen, stored)
            yield page
            skip += len(results)
            if not results or skip >= total:
                return


def _body_param(body: str | None) -> dict[str, Any]:
    """A numeric body is the API's answering body id, sent; a name is matched on each record."""
    return {"answeringBodies": body} if body and body.isdigit() else {}


def _results(data: Any, host: str) -> tuple[list[Any], int]:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise SourceError(f"{host} answered without a 'results' list; is --base-url the Written Questions API?")
    total = data.get("totalResults")
    return data["results"], total if isinstance(total, int) else len(data["results"])


def _id(raw: Any) -> Any:
    value = raw.get("value") if isinstance(raw, dict) else None
    return value.get("id") if isinstance(value, dict) else None


def _add(
    page: Page, raw: Any, fetcher: Fetcher, body: str | None, seen: set[int], stored: dict[str, dict[str, Any]]
) -> None:
    """One record into the page: documents, a waiting request, or a Skipped (or, for a record the
    index holds as it is, nothing: counted unchanged, not fetched whole again)."""
    value = raw.get("value") if isinstance(raw, dict) else None
    try:
        q = WrittenQuestion.model_validate(value)
    except ValidationError as exc:
        where = f"{fetcher.host} record {value.get('id') if isinstance(value, dict) else '?'}"
        page.skipped.append(Skipped(where, f"not a written question record ({exc.errors()[0]['msg']})"))
        return
    if q.id in seen or not _for_body(q, body):
        return
    seen.add(q.id)
    if q.isWithdrawn:
        page.skipped.append(Skipped(q.record_url, "withdrawn by the member; not ingested"))
        return
    if q.truncated and _as_stored(q, stored.get(f"UKWQ-{q.id}")):
        page.unchanged += 1
        return
    if q.truncated:
        q = _whole(fetcher, q)
    if not (q.answerText or "").strip():
        page.waiting.append(_incoming(q))
        return
    page.documents.extend(documents(q))


def _as_stored(q: WrittenQuestion, record: dict[str, Any] | None) -> bool:
    """Whether the index already holds this answer as the list shows it: the same answer date and
    status, and not a correction (a correction, or a holding answer replaced, changes these; the
    answer's text is otherwise never changed in place). Then it need not be fetched whole again."""
    if record is None or q.answerIsCorrection or not (q.answerText or "").strip():
        return False
    status = "holding" if q.answerIsHolding else None
    return record.get("answered") == iso_day(q.dateAnswered) and record.get("status") == status


def _for_body(q: WrittenQuestion, body: str | None) -> bool:
    if not body:
        return True
    if body.isdigit():
        return q.answeringBodyId is None or str(q.answeringBodyId) == body
    return body.strip().lower() in (q.answeringBodyName or "").lower()


def _whole(fetcher: Fetcher, q: WrittenQuestion) -> WrittenQuestion:
    """The record read on its own, where the list cut its text short."""
    data = fetcher.json(f"{LIST}/{q.id}", {"expandMember": "true"})
    value = data.get("value", data) if isinstance(data, dict) else None
    try:
        return WrittenQuestion.model_validate(value)
    except ValidationError:
        return q  # what the list gave, rather than nothing


def documents(q: WrittenQuestion) -> list[Document]:
    """The answered question as a Document; with a correction, the original kept as superseded."""
    main = _document(q, f"UKWQ-{q.id}", q.answerText or "", "holding" if q.answerIsHolding else None)
    if not (q.answerIsCorrection and (q.originalAnswerText or "").strip()):
        return [main]
    original = _document(q, f"UKWQ-{q.id}-original", q.originalAnswerText or "", "superseded")
    original.meta.superseded_by = main.doc_id
    return [main, original]


def _document(q: WrittenQuestion, doc_id: str, answer: str, status: str | None) -> Document:
    question = plain_text(q.questionText)
    reply = plain_text(answer)
    text = f"{question}\n\n{reply}"
    to_ask = TO_ASK_RE.match(question)
    asked_of = to_ask[1].strip() if to_ask else q.answeringBodyName
    answered = iso_day(q.dateAnswered)
    meta = DocMeta(
        kind="written_question",
        ref=q.uin,
        refs=[q.uin],
        date=answered,
        tabled=iso_day(q.dateTabled),
        answered=answered,
        author=q.answeringMember.name if q.answeringMember else None,
        author_role=asked_of,
        subject=shorten(q.heading or question, 200),
        title=q.heading,
        answering_body=q.answeringBodyName,
        asked_of=asked_of,
        source_url=q.record_url,
        answer_start=len(question) + 2,
        status=status,
        asked_by=q.askingMember.name if q.askingMember else None,
        grouped_with="; ".join(q.groupedQuestions) or None,
        attachments="; ".join(f"{a.title or 'attachment'} <{a.url}>" for a in q.attachments if a.url) or None,
    )
    return Document(doc_id, text, meta, source=f"{BASE_URL}{LIST}/{q.id}")


def _incoming(q: WrittenQuestion) -> Incoming:
    return Incoming(
        id=q.uin,
        kind="written_question",
        text=plain_text(q.questionText),
        member=q.askingMember.name if q.askingMember else None,
        tabled=iso_day(q.dateTabled),
        due=iso_day(q.dateForAnswer),
        asked_of=q.answeringBodyName,
        title=q.heading,
        source=q.record_url,
    )
