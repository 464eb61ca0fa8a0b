"""Petitions from the e-petitions application (alphagov/e-petitions) that both the UK Parliament
(petition.parliament.uk) and the Senedd (petitions.senedd.wales; in Welsh, deisebau.senedd.cymru)
run: `/petitions.json?state=...`, paged by its `links.next`.

Each record is `{"type": "petition", "id": N, "links": {...}, "attributes": {...}}` with action,
background, additional_details, state, signature_count, the dates, and on the UK site a
`government_response` {responded_on, summary, details, created_at, updated_at}.

    a Government response   -> a Document, kind petition_response (id UKPET-N / SENPET-N): the
                               action and background as the question side, the response as the reply
    awaiting a response     -> an Incoming petition offered to the desk: on the UK site the
                               `awaiting_response` petitions (past 10,000 signatures); on the Senedd's,
                               those referred to its Petitions Committee (past 250, `referred_at`)

The Senedd's fork publishes no Government response in its JSON (its spec lists referral and debate
fields instead): the Welsh Government's reply is a letter to the Committee, which `senedd-letters`
reads. Its text fields carry the language of the host read (English or Welsh); where a record
holds both (`action_en`, `action_cy` ...), the English is read and the Welsh kept after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from rag.errors import SourceError
from rag.ingest.files import plain_text
from rag.sources.base import Page, Window
from rag.sources.http import Fetcher
from rag.text.dates import iso_day
from rag.text.shorten import shorten
from rag.types import DocMeta, Document, Incoming, Skipped

MAX_PAGES = 10_000  # a `next` chain longer than this is a loop, not a listing


class Response(BaseModel):
    model_config = ConfigDict(extra="ignore")

    responded_on: str | None = None
    summary: str | None = None
    details: str | None = None
    created_at: str | None = None


class Petition(BaseModel):
    """The attributes of one petition record that we read; anything else is ignored."""

    model_config = ConfigDict(extra="allow")

    action: str | None = None
    background: str | None = None
    additional_details: str | None = None
    state: str | None = None
    signature_count: int | None = None
    creator_name: str | None = None
    opened_at: str | None = None
    open_at: str | None = None  # the older name of opened_at
    created_at: str | None = None
    government_response_at: str | None = None
    response_threshold_reached_at: str | None = None
    referral_threshold_reached_at: str | None = None
    referred_at: str | None = None
    government_response: Response | None = None
    departments: list[dict[str, Any]] | None = None

    def text_of(self, name: str) -> str:
        """A text field; where the record is bilingual (`name_en`, `name_cy`), the English then the Welsh."""
        extra = self.model_extra or {}
        main = str(getattr(self, name, None) or extra.get(f"{name}_en") or "").strip()
        welsh = str(extra.get(f"{name}_cy") or "").strip()
        return "\n\n".join(dict.fromkeys(t for t in (main, welsh) if t))

    def asked(self) -> str:
        """What the petition asks: its action, background and additional details."""
        return "\n\n".join(t for t in map(self.text_of, ("action", "background", "additional_details")) if t)


@dataclass(frozen=True)
class EPetitions:
    """One e-petitions site: where it is, and how it names its responses and its waiting petitions."""

    name: str
    base_url: str
    about: str
    prefix: str  # of document ids: UKPET-, SENPET-
    government: str  # who responds: the answering body of its documents
    answered_state: str | None  # the listing of petitions with a response (None: the site has none)
    waiting_state: str  # the listing of petitions awaiting a response
    waiting_mark: str  # the attribute set once a petition awaits one (a threshold reached, a referral)

    def pages(self, fetcher: Fetcher, window: Window) -> Iterator[Page]:
        """Every listed petition (the listings take no date): what has not changed since the last
        run is unchanged in the index and already on the desk, so a rerun writes nothing."""
        if self.answered_state:
            yield from self._listing(fetcher, self.answered_state, waiting=False)
        yield from self._listing(fetcher, self.waiting_state, waiting=True)

    def _listing(self, fetcher: Fetcher, state: str, waiting: bool) -> Iterator[Page]:
        url: str | None = f"/petitions.json?state={state}"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            data = fetcher.json(url)
            records, url = _records(data, fetcher)
            page = Page(read=len(records))
            for raw in records:
                self._add(page, raw, fetcher, waiting)
            yield page

    def _add(self, page: Page, raw: Any, fetcher: Fetcher, waiting: bool) -> None:
        pid = raw.get("id") if isinstance(raw, dict) else None
        try:
            p = Petition.model_validate(raw.get("attributes") if isinstance(raw, dict) else None)
        except ValidationError as exc:
            page.skipped.append(
                Skipped(f"{fetcher.host} petition {pid}", f"not a petition record ({exc.errors()[0]['msg']})")
            )
            return
        record = _self_link(raw) or fetcher.url(f"/petitions/{pid}.json")
        site = record.removesuffix(".json")  # the petition's page: the address its record gives
        if pid is None or not p.text_of("action"):
            page.skipped.append(Skipped(site, "a petition record with no id or no action; not ingested"))
            return
        response = p.government_response
        if response and (response.summary or response.details):
            page.documents.append(self.document(pid, p, response, site, record))
        elif waiting and getattr(p, self.waiting_mark, None):
            page.waiting.append(self.incoming(pid, p, site))

    def document(self, pid: Any, p: Petition, r: Response, site: str, source: str) -> Document:
        question = p.asked()
        reply = "\n\n".join(plain_text(t) for t in (r.summary, r.details) if t and t.strip())
        day = iso_day(r.responded_on) or iso_day(p.government_response_at) or iso_day(r.created_at)
        department = next((d.get("name") for d in p.departments or [] if isinstance(d, dict) and d.get("name")), None)
        meta = DocMeta(
            kind="petition_response",
            ref=str(pid),
            refs=[str(pid)],
            date=day,
            author_role=department or self.government,
            subject=shorten(p.text_of("action"), 200),
            title=p.text_of("action"),
            answering_body=department or self.government,
            asked_of=self.government,
            source_url=site,
            answer_start=len(question) + 2,
            asked_by=p.creator_name,
        )
        return Document(f"{self.prefix}{pid}", f"{question}\n\n{reply}", meta, source=source)

    def incoming(self, pid: Any, p: Petition, site: str) -> Incoming:
        return Incoming(
            id=str(pid),
            kind="petition",
            text=p.asked(),
            member=p.creator_name,
            tabled=iso_day(getattr(p, self.waiting_mark, None)) or iso_day(p.opened_at or p.open_at),
            asked_of=self.government,
            title=shorten(p.text_of("action"), 300),
            source=site,
        )


def _self_link(raw: dict[str, Any]) -> str | None:
    """The record's own address (`links.self`, on the site that published it), when it gives one."""
    links = raw.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    return link if isinstance(link, str) and link.startswith(("https://", "http://")) else None


def _records(data: Any, fetcher: Fetcher) -> tuple[list[Any], str | None]:
    """A listing's records and the next page (on the configured host: a `next` link is followed by
    its path, so a sync pointed at a mirror or a test server stays there)."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise SourceError(f"{fetcher.host} answered without a 'data' list; is --base-url an e-petitions site?")
    links = data.get("links")
    following = links.get("next") if isinstance(links, dict) and isinstance(links.get("next"), str) else None
    if following:
        parts = urlsplit(following)
        following = parts.path + (f"?{parts.query}" if parts.query else "")
    return data["data"], following


UK_PETITIONS = EPetitions(
    name="uk-petitions",
    base_url="https://petition.parliament.uk",
    about="UK Parliament petitions: Government responses, and petitions awaiting one",
    prefix="UKPET-",
    government="UK Government",
    answered_state="with_response",
    waiting_state="awaiting_response",
    waiting_mark="response_threshold_reached_at",
)

SENEDD_PETITIONS = EPetitions(
    name="senedd-petitions",
    base_url="https://petitions.senedd.wales",
    about="Senedd petitions referred to its Petitions Committee (the replies are letters: senedd-letters)",
    prefix="SENPET-",
    government="Welsh Government",
    answered_state=None,
    waiting_state="referred",
    waiting_mark="referred_at",
)
