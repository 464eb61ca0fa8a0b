"""The desk: the saved queue of work, each item's draft versions, review status and comments, and an
append-only audit trail of every action, in one SQL database (rag/desk/db.py).

    desk = open_desk(settings)
    item = desk.add_item([incoming], who)                # a request on the queue (status "new")
    n = desk.save_version(item, draft, who)              # version 1, status "drafted"
    desk.save_version(item, edited, who, origin="edited", based_on=n)
    desk.restore(item, 1, who)                           # a new version, a copy of version 1
    desk.set_status(item, "approved", who, note="...")   # a note is required while warnings are open

Nothing is ever overwritten: drafting again, editing and restoring each add a version; every write
and its audit entry commit together, so a kill between them leaves neither.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from rag.desk.db import connect, database_url, reason
from rag.desk.models import STATUSES, Audit, Batch, Comment, Item, Request, SyncRun, Version
from rag.drafting.intake import without_to_ask
from rag.errors import InputError, StoreError
from rag.settings import Settings
from rag.text.dates import to_date
from rag.text.shorten import shorten
from rag.types import Draft, Incoming

DONE = ("approved", "answered")  # an item in one of these is no longer overdue
AFTER_NEW_TEXT = {"new": "drafted", "approved": "in review"}  # the status a new version moves an item to
AUDIT_COLUMNS = ("at", "who", "verified", "action", "item", "version", "detail", "sources")
RETRIES = 5  # a version number taken by another tab or process at the same moment: try the next


@dataclass(frozen=True)
class Who:
    """Who is acting: a name from the sign-in (verified) or typed by the user (unverified)."""

    name: str
    verified: bool = False

    @property
    def label(self) -> str:
        return self.name if self.verified else f"{self.name} (unverified)"


@dataclass
class ItemRow:
    """One line of the queue."""

    id: int
    kind: str
    title: str
    status: str
    assignee: str | None
    due: date | None
    refs: list[str]
    members: list[str]
    version: int | None  # the newest version's number
    warnings: int  # its open points to check
    updated_at: datetime
    batch_id: int | None = None

    def overdue(self, today: date | None = None) -> bool:
        return bool(self.due and self.due < (today or date.today()) and self.status not in DONE)


@dataclass
class RequestRow:
    id: int
    ref: str
    kind: str
    text: str
    member: str | None
    tabled: date | None
    due: date | None
    asked_of: str | None
    title: str | None
    source: str
    fields: dict[str, Any]


@dataclass
class VersionRow:
    n: int
    origin: str
    based_on: int | None
    text: str
    backend: str
    warnings: int
    created_at: datetime
    created_by: str
    record: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def draft(self) -> Draft:
        return Draft.from_record(self.record)


@dataclass
class CommentRow:
    text: str
    created_at: datetime
    created_by: str


@dataclass
class AuditRow:
    at: datetime
    who: str
    verified: bool
    action: str
    item_id: int | None
    version: int | None
    detail: dict[str, Any]
    sources: list[Any]

    def csv_row(self) -> list[str]:
        detail = json.dumps(self.detail, ensure_ascii=False, sort_keys=True) if self.detail else ""
        return [
            self.at.isoformat(timespec="seconds"),
            self.who,
            "yes" if self.verified else "no",
            self.action,
            "" if self.item_id is None else str(self.item_id),
            "" if self.version is None else str(self.version),
            detail,
            "; ".join(map(str, self.sources)),
        ]


@dataclass(frozen=True)
class SyncRunRow:
    """One run of `ymateb sync` for one source."""

    id: int
    source: str
    base_url: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running (or killed before it finished) | done | failed
    since: str | None
    cursor: str | None
    counts: dict[str, Any]
    error: str | None


@dataclass
class ItemView:
    """An item with everything on it."""

    row: ItemRow
    requests: list[RequestRow]
    versions: list[VersionRow]
    comments: list[CommentRow]

    @property
    def latest(self) -> VersionRow | None:
        return self.versions[-1] if self.versions else None


def open_desk(settings: Settings) -> Desk:
    """The desk of these settings: YMATEB_DATABASE_URL, else desk.sqlite3 under the store directory."""
    return Desk(database_url(settings))


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def sources_of(draft: Draft) -> list[str]:
    """The references a draft cites, in citation order: what the audit trail and the tracker list."""
    return list(dict.fromkeys(c.ref or c.doc_id for c in draft.citations))


class Desk:
    """The saved work of one team, in the database at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = connect(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One transaction: committed whole, or (on any error) rolled back whole."""
        try:
            with self._sessions.begin() as session:
                yield session
        except IntegrityError:
            raise
        except OperationalError as exc:
            raise StoreError(f"The desk's database could not be written: {reason(exc)}") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"The desk's database failed: {reason(exc)}") from None

    def _audit(self, s: Session, who: Who, action: str, item_id: int | None, **kw: Any) -> None:
        s.add(Audit(at=now(), who=who.name, verified=who.verified, action=action, item_id=item_id, **kw))

    def _item(self, s: Session, item_id: int, lock: bool = False) -> Item:
        """The item (not merged away); `lock` holds its row until the commit (SELECT ... FOR UPDATE on
        a server: others writing the same item wait; SQLite has one writer at a time anyway)."""
        item = s.get(Item, item_id, with_for_update=lock)
        if item is None or item.merged_into is not None:
            where = f" (merged into item {item.merged_into})" if item is not None else ""
            raise InputError(f"There is no item {item_id} on the desk{where}.")
        return item

    # -- intake ---------------------------------------------------------------------------
    def add_item(
        self, requests: Sequence[Incoming], who: Who, fields: dict[str, Any] | None = None, batch_id: int | None = None
    ) -> int:
        """A new item on the queue answering `requests` (one, or a group); `fields` are the details a
        person gave for the first (parse_request overrides). Its id."""
        if not requests:
            raise InputError("An item needs at least one request to answer.")
        with self._session() as s:
            return self._add_item(s, requests, who, fields or {}, batch_id)

    def _add_item(
        self, s: Session, requests: Sequence[Incoming], who: Who, fields: dict[str, Any], batch_id: int | None
    ) -> int:
        at = now()
        item = Item(
            kind=requests[0].kind,
            title=_title(requests),
            status="new",
            due=_earliest(r.due for r in requests),
            batch_id=batch_id,
            created_at=at,
            created_by=who.name,
            updated_at=at,
        )
        s.add(item)
        s.flush()
        for i, r in enumerate(requests):
            s.add(_request_row(item.id, i, r, fields if i == 0 else {}))
        refs = [r.id for r in requests]
        self._audit(s, who, "created", item.id, detail={"requests": refs, "source": requests[0].source})
        return item.id

    def add_batch(self, name: str, digest: str, groups: Sequence[Sequence[Incoming]], who: Who) -> tuple[int, bool]:
        """A batch of grouped requests, one item per group, all in one transaction; the same batch
        again (same digest) adds nothing. (batch id, whether it was new)."""
        with self._session() as s:
            found = s.scalar(select(Batch.id).where(Batch.digest == digest))
            if found is not None:
                return found, False
            batch = Batch(digest=digest, name=name[:300], created_at=now(), created_by=who.name)
            s.add(batch)
            s.flush()
            for group in groups:
                self._add_item(s, group, who, {}, batch.id)
            sizes = [len(g) for g in groups]
            grouped = sum(n for n in sizes if n > 1)
            detail = {"name": name, "requests": sum(sizes), "items": len(groups), "grouped": grouped}
            self._audit(s, who, "batch", None, detail=detail)
            return batch.id, True

    def offer(self, requests: Sequence[Incoming], who: Who) -> list[int]:
        """One new item per request not yet on the desk, in one transaction: what a sync found waiting
        for an answer. A request is known by its `source` (the official record's address), or by its
        kind, reference and day tabled (the same question imported from a file). The new ids."""
        wanted = {r.source: r for r in requests if r.source}
        with self._session() as s:
            rows = s.execute(
                select(Request.source, Request.kind, Request.ref, Request.tabled).where(
                    Request.source.in_(list(wanted)) | Request.ref.in_([r.id for r in wanted.values()])
                )
            ).all()
            sources = {row.source for row in rows}
            keys = {(row.kind, row.ref, row.tabled) for row in rows}
            fresh = [r for src, r in wanted.items() if src not in sources and _key(r) not in keys]
            return [self._add_item(s, [r], who, {}, None) for r in fresh]

    # -- sync runs ------------------------------------------------------------------------
    def start_sync(self, source: str, base_url: str, since: str | None) -> int:
        """A sync run begun (status "running" until finish_sync): its id."""
        with self._session() as s:
            run = SyncRun(source=source, base_url=base_url, started_at=now(), status="running", since=since)
            s.add(run)
            s.flush()
            return run.id

    def finish_sync(
        self, run_id: int, counts: dict[str, Any], cursor: str | None = None, error: str | None = None
    ) -> None:
        """A sync run ended: "done" with the cursor the next run starts from, or "failed" with its error."""
        with self._session() as s:
            run = s.get(SyncRun, run_id)
            if run is None:
                raise InputError(f"There is no sync run {run_id}.")
            run.finished_at, run.counts, run.error = now(), dict(counts), error
            run.status = "failed" if error else "done"
            run.cursor = None if error else cursor

    def sync_cursor(self, source: str, base_url: str) -> str | None:
        """Where the next sync of `source` from `base_url` starts: the cursor of its last finished run."""
        with self._session() as s:
            q = select(SyncRun.cursor).where(
                SyncRun.source == source, SyncRun.base_url == base_url, SyncRun.status == "done"
            )
            return s.scalar(q.order_by(SyncRun.id.desc()).limit(1))

    def sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRunRow]:
        """The latest sync runs, newest first: of one source, or of all."""
        with self._session() as s:
            q = select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)
            if source:
                q = q.where(SyncRun.source == source)
            return [_sync_row(r) for r in s.scalars(q)]

    # -- reading --------------------------------------------------------------------------
    def items(
        self,
        statuses: Sequence[str] = (),
        assignee: str | None = None,
        batch_id: int | None = None,
        sort: str = "due",
    ) -> list[ItemRow]:
        """The queue: items not merged away, filtered, sorted by due date (none last), status,
        assignee or last change (newest first)."""
        with self._session() as s:
            q = select(Item).where(Item.merged_into.is_(None))
            if statuses:
                q = q.where(Item.status.in_(list(statuses)))
            if assignee:
                q = q.where(Item.assignee == assignee)
            if batch_id is not None:
                q = q.where(Item.batch_id == batch_id)
            found = s.scalars(q.options(selectinload(Item.requests))).all()
            latest = _newest_versions(s, [item.id for item in found])
            rows = [_row(item, latest.get(item.id)) for item in found]
        return sorted(rows, key=SORTS.get(sort, SORTS["due"]))

    def item(self, item_id: int) -> ItemView:
        with self._session() as s:
            item = self._item(s, item_id)
            versions = s.scalars(select(Version).where(Version.item_id == item_id).order_by(Version.n))
            comments = s.scalars(select(Comment).where(Comment.item_id == item_id).order_by(Comment.id))
            return ItemView(
                row=_row(item, _newest_versions(s, [item_id]).get(item_id)),
                requests=[_request_view(r) for r in item.requests],
                versions=[_version_view(v) for v in versions],
                comments=[CommentRow(c.text, c.created_at, c.created_by) for c in comments],
            )

    def version(self, item_id: int, n: int) -> VersionRow:
        with self._session() as s:
            v = s.scalar(select(Version).where(Version.item_id == item_id, Version.n == n))
            if v is None:
                raise InputError(f"Item {item_id} has no version {n}.")
            return _version_view(v)

    def assignees(self) -> list[str]:
        with self._session() as s:
            return sorted(a for a in s.scalars(select(Item.assignee).distinct()) if a)

    def batches(self) -> list[tuple[int, str, datetime]]:
        with self._session() as s:
            return [(b.id, b.name, b.created_at) for b in s.scalars(select(Batch).order_by(Batch.id.desc()))]

    def undrafted(self, batch_id: int) -> list[int]:
        """The batch's items with no version yet, in order: what a (resumed) batch run drafts next."""
        with self._session() as s:
            drafted = select(Version.item_id)
            q = select(Item.id).where(Item.batch_id == batch_id, Item.merged_into.is_(None), Item.id.not_in(drafted))
            return list(s.scalars(q.order_by(Item.id)))

    # -- versions -------------------------------------------------------------------------
    def save_version(
        self,
        item_id: int,
        draft: Draft,
        who: Who,
        origin: str = "drafted",
        based_on: int | None = None,
        first_only: bool = False,
    ) -> int | None:
        """Add `draft` as the item's next version (never replacing one); the first moves a new item
        to "drafted", and new text on an approved item sends it back to "in review". Its number; with
        `first_only`, None (and nothing saved) if it has one already."""
        for attempt in range(RETRIES):
            try:
                with self._session() as s:
                    return self._save_version(s, item_id, draft, who, origin, based_on, first_only)
            except IntegrityError:  # another tab or process took that number at the same moment
                if attempt == RETRIES - 1:
                    raise StoreError(f"Could not save a new version of item {item_id}: try again.") from None
        raise AssertionError("unreachable")

    def _save_version(
        self, s: Session, item_id: int, draft: Draft, who: Who, origin: str, based_on: int | None, first_only: bool
    ) -> int | None:
        # Take the item's write lock before reading the next number, so two saving at once number in turn:
        # FOR UPDATE on a server; on SQLite the UPDATE itself starts the write transaction.
        item = self._item(s, item_id, lock=True)
        item.updated_at = now()
        s.flush()
        s.refresh(item)  # as it stands now that this transaction holds the lock (its status included)
        if first_only and s.scalar(select(Version.id).where(Version.item_id == item_id).limit(1)):
            return None
        n = (s.scalar(select(func.max(Version.n)).where(Version.item_id == item_id)) or 0) + 1
        s.add(
            Version(
                item_id=item_id,
                n=n,
                origin=origin,
                based_on=based_on,
                text=draft.text,
                backend=draft.backend,
                warnings=len(draft.warnings),
                record=draft.to_record(),
                created_at=now(),
                created_by=who.name,
            )
        )
        detail: dict[str, Any] = {"warnings": [w.code for w in draft.warnings]}
        if based_on is not None:
            detail["based_on"] = based_on
        if item.status in AFTER_NEW_TEXT:  # a first draft; new text on an approved reply goes back to review
            detail["status"] = [item.status, AFTER_NEW_TEXT[item.status]]
            item.status = AFTER_NEW_TEXT[item.status]
        s.flush()
        self._audit(s, who, origin, item_id, version=n, detail=detail, sources=sources_of(draft))
        return n

    def restore(self, item_id: int, n: int, who: Who) -> int:
        """Make version `n` the newest again, as a new version (the ones after it are kept)."""
        old = self.version(item_id, n)
        restored = self.save_version(item_id, old.draft, who, origin="restored", based_on=n)
        assert restored is not None
        return restored

    # -- review ---------------------------------------------------------------------------
    def set_status(self, item_id: int, status: str, who: Who, note: str = "") -> None:
        """Move the item to `status`. Approving (or marking answered) needs a version, and a note
        saying why while the newest version has open warnings."""
        if status not in STATUSES:
            raise InputError(f"Unknown status {status!r}: use one of {', '.join(STATUSES)}.")
        note = note.strip()
        with self._session() as s:
            item = self._item(s, item_id)
            latest = s.execute(
                select(Version.n, Version.warnings, Version.record)
                .where(Version.item_id == item_id)
                .order_by(Version.n.desc())
                .limit(1)
            ).first()
            if status in DONE and latest is None:
                raise InputError(f"Item {item_id} has no draft yet: draft it before it is {status}.")
            if status == "approved" and latest is not None and latest[1] and not note:
                raise InputError(
                    f"The newest version (v{latest[0]}) has {latest[1]} open point(s) to check: "
                    "resolve them, or add a note saying why it can be approved as it is."
                )
            if status == item.status:
                return
            detail: dict[str, Any] = {"status": [item.status, status]}
            if note:
                detail["note"] = note
            item.status = status
            item.updated_at = now()
            version = latest[0] if latest else None
            sources = sources_of(Draft.from_record(latest[2])) if latest else []
            self._audit(s, who, "status", item_id, version=version, detail=detail, sources=sources)
            if note:
                s.add(Comment(item_id=item_id, text=note, created_at=now(), created_by=who.name))

    def assign(self, item_id: int, assignee: str | None, who: Who) -> None:
        self._change(item_id, "assigned", "assignee", (assignee or "").strip() or None, who)

    def set_due(self, item_id: int, due: date | str | None, who: Who) -> None:
        self._change(item_id, "due", "due", to_date(due) if isinstance(due, str) else due, who)

    def _change(self, item_id: int, action: str, column: str, value: Any, who: Who) -> None:
        with self._session() as s:
            item = self._item(s, item_id)
            old = getattr(item, column)
            if old == value:
                return
            setattr(item, column, value)
            item.updated_at = now()
            self._audit(s, who, action, item_id, detail={column: [_plain(old), _plain(value)]})

    def comment(self, item_id: int, text: str, who: Who) -> None:
        if not text.strip():
            raise InputError("The comment is empty: write something first.")
        with self._session() as s:
            self._item(s, item_id).updated_at = now()
            s.add(Comment(item_id=item_id, text=text.strip(), created_at=now(), created_by=who.name))
            self._audit(s, who, "commented", item_id, detail={"text": text.strip()})

    # -- groups ---------------------------------------------------------------------------
    def split(self, item_id: int, request_ids: Sequence[int], who: Who) -> int:
        """Move these requests out of the item into a new one of their own (to be drafted); its id."""
        with self._session() as s:
            item = self._item(s, item_id)
            moving = [r for r in item.requests if r.id in set(request_ids)]
            if not moving or len(moving) == len(item.requests):
                raise InputError("Choose some, not all, of the item's requests to split off.")
            at = now()
            new = Item(
                kind=moving[0].kind,
                title=_title([_incoming(r) for r in moving]),
                status="new",
                assignee=item.assignee,
                due=item.due or _earliest(r.due for r in moving),
                batch_id=item.batch_id,
                created_at=at,
                created_by=who.name,
                updated_at=at,
            )
            s.add(new)
            s.flush()
            for r in moving:
                r.item_id = new.id
            item.updated_at = at
            s.flush()
            s.expire(item, ["requests"])
            item.title = _title([_incoming(r) for r in item.requests])
            refs = [r.ref for r in moving]
            self._audit(s, who, "split", item_id, detail={"requests": refs, "into": new.id})
            self._audit(s, who, "created", new.id, detail={"requests": refs, "split_from": item_id})
            return new.id

    def merge(self, item_id: int, others: Sequence[int], who: Who) -> None:
        """Answer the other items' requests with this item: they move here; the others leave the queue
        (their versions and history are kept)."""
        others = [o for o in dict.fromkeys(others) if o != item_id]
        if not others:
            raise InputError("Choose at least one other item to merge into this one.")
        with self._session() as s:
            item = self._item(s, item_id)
            moved: list[str] = []
            dues = [item.due]
            for other_id in others:
                other = self._item(s, other_id)
                dues.append(other.due)
                moved.extend(r.ref for r in other.requests)
                for r in list(other.requests):
                    r.item_id = item_id
                other.merged_into = item_id
                other.updated_at = now()
                self._audit(s, who, "merged", other_id, detail={"into": item_id})
            s.flush()
            s.expire(item, ["requests"])
            item.title = _title([_incoming(r) for r in item.requests])
            item.due = _earliest(dues)
            item.updated_at = now()
            self._audit(s, who, "merged", item_id, detail={"from": others, "requests": moved})

    # -- the trail ------------------------------------------------------------------------
    def record(self, who: Who, action: str, item_id: int | None = None, **detail: Any) -> None:
        """An audit entry for an action that changes nothing stored (an export, a batch run)."""
        with self._session() as s:
            self._audit(s, who, action, item_id, detail=detail)

    def audit(self, item_id: int | None = None) -> list[AuditRow]:
        """The trail, oldest first: the whole desk's, or one item's."""
        with self._session() as s:
            q = select(Audit).order_by(Audit.id)
            if item_id is not None:
                q = q.where(Audit.item_id == item_id)
            return [
                AuditRow(a.at, a.who, a.verified, a.action, a.item_id, a.version, dict(a.detail), list(a.sources))
                for a in s.scalars(q)
            ]


def audit_csv(rows: Sequence[AuditRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    writer.writerows(r.csv_row() for r in rows)
    return out.getvalue()


SORTS: dict[str, Any] = {
    "due": lambda r: (r.due is None, r.due or date.max, r.id),
    "status": lambda r: (STATUSES.index(r.status) if r.status in STATUSES else 99, r.due or date.max, r.id),
    "assignee": lambda r: (r.assignee is None, (r.assignee or "").lower(), r.due or date.max, r.id),
    "updated": lambda r: (-r.updated_at.timestamp(), r.id),
}


def _newest_versions(s: Session, item_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{item id: (its newest version's number, that version's warnings)}, in one query."""
    newest = (
        select(Version.item_id, func.max(Version.n).label("n"))
        .where(Version.item_id.in_(list(item_ids)))
        .group_by(Version.item_id)
        .subquery()
    )
    q = select(Version.item_id, Version.n, Version.warnings).join(
        newest, (Version.item_id == newest.c.item_id) & (Version.n == newest.c.n)
    )
    return {item_id: (n, warnings) for item_id, n, warnings in s.execute(q)}


def _row(item: Item, latest: tuple[int, int] | None) -> ItemRow:
    """An item as a line of the queue, with its newest version's (number, warnings)."""
    return ItemRow(
        id=item.id,
        kind=item.kind,
        title=item.title,
        status=item.status,
        assignee=item.assignee,
        due=item.due,
        refs=[r.ref for r in item.requests],
        members=list(dict.fromkeys(r.member for r in item.requests if r.member)),
        version=latest[0] if latest else None,
        warnings=latest[1] if latest else 0,
        updated_at=item.updated_at,
        batch_id=item.batch_id,
    )


def _title(requests: Sequence[Incoming]) -> str:
    first = requests[0]
    asked = without_to_ask(" ".join(first.text.split()))
    what = first.title or shorten(asked[:1].upper() + asked[1:], 120)
    more = f" (+{len(requests) - 1} more)" if len(requests) > 1 else ""
    return f"{first.id}: {what}{more}"[:300]


def _earliest(dates: Any) -> date | None:
    found = [d if isinstance(d, date) else to_date(d) for d in dates if d]
    return min((d for d in found if d), default=None)


def _request_row(item_id: int, position: int, r: Incoming, fields: dict[str, Any]) -> Request:
    return Request(
        item_id=item_id,
        position=position,
        ref=r.id[:200],
        kind=r.kind,
        text=r.text,
        member=r.member,
        tabled=to_date(r.tabled) if r.tabled else None,
        due=to_date(r.due) if r.due else None,
        asked_of=r.asked_of,
        title=r.title,
        source=r.source[:500],
        fields={k: _plain(v) for k, v in fields.items()},
    )


def _request_view(r: Request) -> RequestRow:
    return RequestRow(r.id, r.ref, r.kind, r.text, r.member, r.tabled, r.due, r.asked_of, r.title, r.source, r.fields)


def _incoming(r: Request | RequestRow) -> Incoming:
    """A stored request as the Incoming it was made from."""
    return Incoming(
        id=r.ref,
        kind=r.kind,
        text=r.text,
        member=r.member,
        tabled=r.tabled.isoformat() if r.tabled else None,
        due=r.due.isoformat() if r.due else None,
        asked_of=r.asked_of,
        title=r.title,
        source=r.source,
    )


def _key(r: Incoming) -> tuple[str, str, date | None]:
    """A request as the desk knows it when it came from elsewhere: kind, reference, day tabled."""
    return r.kind, r.id, to_date(r.tabled)


def _sync_row(r: SyncRun) -> SyncRunRow:
    return SyncRunRow(
        r.id, r.source, r.base_url, r.started_at, r.finished_at, r.status, r.since, r.cursor, dict(r.counts), r.error
    )


def _version_view(v: Version) -> VersionRow:
    return VersionRow(v.n, v.origin, v.based_on, v.text, v.backend, v.warnings, v.created_at, v.created_by, v.record)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
