"""One sync of one official source: read what is new since its cursor, index it, offer what waits
for an answer to the desk, and record the run.

    summary = sync_source("parliament-wq", assistant, desk, body="60")

Incremental: each finished run saves a cursor (the day it began) in the desk's database; the next
reads from the day before it, so an answer published the day a run began is not missed, and what it
reads again is unchanged (same content hash) and costs nothing. Kill-safe: documents are written a
page at a time by the crash-safe ingest (a document is whole or absent), requests are offered in one
transaction per page, and the cursor moves only when the run finishes, so a rerun reads the same
window again and writes only what the killed run had not.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from tqdm import tqdm

from rag.errors import InputError, YmatebError
from rag.sources.base import Page, Source, Window
from rag.sources.http import Fetcher
from rag.types import Document, Incoming, Skipped

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.desk.store import Desk, Who

FIRST_DAYS = 7  # a source never synced before is read from this many days back (--since reads further)
OVERLAP = timedelta(days=1)  # each run rereads the day its predecessor began


@dataclass
class SyncSummary:
    source: str
    base_url: str
    since: str
    cursor: str | None = None  # where the next run starts (set when this one finished)
    read: int = 0  # records read from the source
    new: int = 0  # documents the index did not have
    updated: int = 0  # documents it had in another version (an answer given after a holding one ...)
    superseded: int = 0  # originals kept as superseded by a correction (new ones)
    unchanged: int = 0
    queued: int = 0  # requests put on the desk's queue
    waiting: list[Incoming] = field(default_factory=list)  # requests awaiting an answer (all, queued or not)
    skipped: list[Skipped] = field(default_factory=list)
    requests: int = 0  # HTTP requests sent, retries included
    seconds: float = 0.0
    run_id: int | None = None

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "new": self.new,
            "updated": self.updated,
            "superseded": self.superseded,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "waiting": len(self.waiting),
            "queued": self.queued,
            "requests": self.requests,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "base_url": self.base_url,
            "since": self.since,
            "cursor": self.cursor,
            **self.counts(),
            "skipped_records": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "waiting_requests": [
                {"ref": w.id, "kind": w.kind, "title": w.title, "tabled": w.tabled, "source": w.source}
                for w in self.waiting
            ],
            "seconds": round(self.seconds, 2),
        }


def official_sources() -> dict[str, Source]:
    """Every source `ymateb sync` knows, by name."""
    from rag.sources.letters import SeneddLetters
    from rag.sources.petitions import SENEDD_PETITIONS, UK_PETITIONS
    from rag.sources.wq import ParliamentWQ

    found: list[Source] = [ParliamentWQ(), UK_PETITIONS, SENEDD_PETITIONS, SeneddLetters()]
    return {s.name: s for s in found}


def source_named(name: str) -> Source:
    known = official_sources()
    if name not in known:
        raise InputError(f"There is no source {name!r}; the sources are: {', '.join(known)}.")
    return known[name]


def sync_source(
    name: str,
    assistant: Assistant,
    desk: Desk | None,
    *,
    since: date | None = None,
    body: str | None = None,
    base_url: str | None = None,
    folder: str | None = None,
    who: Who | None = None,
    fetcher: Fetcher | None = None,
    progress: bool = False,
    today: date | None = None,
) -> SyncSummary:
    """Bring the index up to date with one source, and offer what waits for an answer to `desk`
    (None: only listed in the summary). SourceError, with the run recorded as failed, when the
    source cannot be read; whatever was written before then stays written."""
    source = source_named(name)
    folder_of_source = Path(assistant.settings.store) / "sources"
    folder_of_source.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder_of_source / f"{name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise InputError(
            f"Another `ymateb sync {name}` is running on this store; let it finish (or stop it) and run this again."
        ) from None
    try:
        return _sync(source, assistant, desk, since, body, base_url, folder, who, fetcher, progress, today)
    finally:
        lock.release()


def _sync(
    source: Source,
    assistant: Assistant,
    desk: Desk | None,
    since: date | None,
    body: str | None,
    base_url: str | None,
    folder: str | None,
    who: Who | None,
    fetcher: Fetcher | None,
    progress: bool,
    today: date | None,
) -> SyncSummary:
    name = source.name
    base = (base_url or source.base_url).rstrip("/")
    started = time.perf_counter()
    today = today or datetime.now(UTC).date()
    start = since or _after_cursor(desk, name, base, today)
    summary = SyncSummary(name, base, start.isoformat())
    summary.run_id = desk.start_sync(name, base, summary.since) if desk is not None else None
    own = fetcher is None
    fetcher = fetcher or Fetcher(base, contact=assistant.settings.sync_contact)
    sent = fetcher.requests
    bar = tqdm(desc=f"Syncing {name}", unit="record", disable=not progress, leave=False, file=sys.stderr)
    try:
        saved = Path(assistant.settings.store) / "sources" / name
        window = Window(start, body, folder, saved, stored=assistant.store.doc_records)
        for page in source.pages(fetcher, window):
            _take(page, summary, assistant, desk, who)
            bar.total = page.total if page.total is not None else bar.total
            bar.update(page.read)
        summary.cursor = today.isoformat()
    except (YmatebError, KeyboardInterrupt) as exc:
        summary.requests = fetcher.requests - sent
        _finish(desk, summary, error=_why(exc))
        raise
    finally:
        bar.close()
        if own:
            fetcher.close()
        summary.seconds = time.perf_counter() - started
    summary.requests = fetcher.requests - sent
    _finish(desk, summary)
    return summary


def _after_cursor(desk: Desk | None, name: str, base: str, today: date) -> date:
    cursor = desk.sync_cursor(name, base) if desk is not None else None
    if cursor:
        return date.fromisoformat(cursor) - OVERLAP
    return today - timedelta(days=FIRST_DAYS)


def _take(page: Page, summary: SyncSummary, assistant: Assistant, desk: Desk | None, who: Who | None) -> None:
    """Index one page's documents and offer its waiting requests, counting what each was."""
    summary.read += page.read
    summary.unchanged += page.unchanged
    summary.skipped.extend(page.skipped)
    if page.documents:
        before = assistant.store.doc_hashes([d.doc_id for d in page.documents])
        written = assistant.ingest([], items=page.documents)
        summary.skipped.extend(written.skipped)
        _count(page.documents, before, set(written.doc_ids), summary)
    if page.waiting:
        summary.waiting.extend(page.waiting)
        if desk is not None:
            summary.queued += len(desk.offer(page.waiting, who or sync_who()))


def _count(docs: list[Document], before: dict[str, str], written: set[str], summary: SyncSummary) -> None:
    """Count each document by what the index held before: unchanged, or (written now) updated, a
    superseded original, or new. One the ingest skipped is not counted."""
    for doc in docs:
        if before.get(doc.doc_id) == doc.content_hash:
            summary.unchanged += 1
        elif doc.doc_id not in written:
            continue
        elif doc.doc_id in before:
            summary.updated += 1
        elif doc.meta.status == "superseded":
            summary.superseded += 1
        else:
            summary.new += 1


def sync_who() -> Who:
    """Who the audit trail says offered a request, when no one is named (`--who`)."""
    from rag.desk.store import Who

    return Who("ymateb sync")


def _finish(desk: Desk | None, summary: SyncSummary, error: str | None = None) -> None:
    if desk is None or summary.run_id is None:
        return
    try:
        desk.finish_sync(summary.run_id, summary.counts(), cursor=summary.cursor, error=error)
    except YmatebError:
        if error is None:
            raise  # the run itself succeeded: that its record failed must be said


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "stopped (interrupted) before it finished; the next run reads the same days again"
    return str(exc)
