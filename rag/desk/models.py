"""The desk's tables (SQLAlchemy 2 declarative). The schema itself is made by the Alembic migrations in
rag/desk/migrations; tests/test_desk.py checks that they and these models agree.

    Batch    one intake (a file, a folder, a paste), recognised again by its digest when rerun
    Item     one reply to draft: a status, an assignee, a due date; answers one or more requests
    Request  one incoming question, petition or letter (a UIN keeps its own record in a group)
    Version  one version of the item's reply: a whole Draft, drafted, edited or restored
    Comment  a note on an item
    Audit    an append-only trail of every action (the migration forbids UPDATE and DELETE on it)
    SyncRun  one run of `ymateb sync` for one source: when, what came in, and the cursor it reached
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

STATUSES = ("new", "drafted", "in review", "approved", "answered")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    assignee: Mapped[str | None] = mapped_column(String(200), index=True)
    due: Mapped[date | None] = mapped_column(Date, index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    merged_into: Mapped[int | None] = mapped_column(Integer)  # set when merged away: the item it went into
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    requests: Mapped[list[Request]] = relationship(back_populates="item", order_by="Request.position")


class Request(Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in its batch (or 0)
    ref: Mapped[str] = mapped_column(String(200))  # UIN, petition number, reference or file name
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    member: Mapped[str | None] = mapped_column(String(200))
    tabled: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    asked_of: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(500), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the details a person gave (request overrides)

    item: Mapped[Item] = relationship(back_populates="requests")


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("item_id", "n", name="one_number_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    n: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per item
    origin: Mapped[str] = mapped_column(String(20))  # drafted | edited | restored
    based_on: Mapped[int | None] = mapped_column(Integer)  # the version edited or restored
    text: Mapped[str] = mapped_column(Text)  # the whole reply, as it reads
    backend: Mapped[str] = mapped_column(String(40))
    warnings: Mapped[int] = mapped_column(Integer)  # open points to check
    record: Mapped[dict[str, Any]] = mapped_column()  # Draft.to_record()
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Audit(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    who: Mapped[str] = mapped_column(String(200))
    verified: Mapped[bool] = mapped_column(Boolean)  # signed in (OpenID Connect) or a typed name
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what changed: {"status": ["new", "drafted"]} ...
    sources: Mapped[list[Any]] = mapped_column(default=list)  # the references cited by the version


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)  # parliament-wq, uk-petitions ...
    base_url: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed (a killed run stays running)
    since: Mapped[str | None] = mapped_column(String(10))  # the first day asked for (ISO)
    cursor: Mapped[str | None] = mapped_column(String(40))  # where the next run starts, set when done
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # new, updated, superseded, skipped, queued ...
    error: Mapped[str | None] = mapped_column(Text)
