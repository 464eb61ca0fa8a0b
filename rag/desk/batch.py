"""A day's batch: read, grouped, put on the desk as one item per group, and drafted one group at a time.

    batch_id, new = import_batch(desk, read_batch_path("day.csv", 20), "day.csv", who)
    run = draft_batch(assistant, desk, batch_id, who, progress=lambda done, total: ...)

Each group's draft commits with its audit entry as it is made, and a group that has a version is
never drafted again: a run killed halfway and started again drafts only what is left.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rag.desk.grouping import group_items
from rag.desk.store import Desk, ItemView, RequestRow, Who
from rag.drafting.intake import parse_request, without_to_ask
from rag.text.refs import petition_numbers
from rag.types import DraftRequest, Incoming

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.desk.intake import Batch

Progress = Callable[[int, int], None]  # (groups drafted so far in this run, groups to draft in this run)
_UIN = re.compile(r"(?:WQ|HL|UIN)?[ -]?\d{1,7}[A-Z]?", re.IGNORECASE)


@dataclass
class BatchRun:
    """What one run of draft_batch did."""

    drafted: int = 0  # groups drafted in this run
    already: int = 0  # groups an earlier run had drafted
    questions: int = 0  # requests answered by the groups drafted in this run
    seconds: float = 0.0

    @property
    def per_minute(self) -> float:
        return self.questions / self.seconds * 60 if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "questions_per_minute": round(self.per_minute, 1)}


def import_batch(desk: Desk, batch: Batch, name: str, who: Who) -> tuple[int, bool]:
    """Group the batch's items and put one desk item per group: (batch id, whether it was new); the
    same batch again (by its digest) adds nothing."""
    by_id = {item.id: item for item in batch.items}
    groups = [[by_id[i] for i in ids] for ids in group_items(batch.items)]
    return desk.add_batch(name, batch.digest, groups, who)


def draft_batch(
    assistant: Assistant,
    desk: Desk,
    batch_id: int,
    who: Who,
    *,
    as_of: str | None = None,
    backend: str | None = None,
    progress: Progress | None = None,
) -> BatchRun:
    """Draft every group of the batch that has no version yet, in order, each saved as it is made."""
    run = BatchRun()
    todo = desk.undrafted(batch_id)
    run.already = len(desk.items(batch_id=batch_id)) - len(todo)
    start = time.perf_counter()
    for i, item_id in enumerate(todo, 1):
        view = desk.item(item_id)
        draft = assistant.draft(item_request(view, as_of), backend)
        if desk.save_version(item_id, draft, who, first_only=True) is not None:
            run.drafted += 1
            run.questions += len(view.requests)
        run.seconds = time.perf_counter() - start
        if progress:
            progress(i, len(todo))
    return run


def batch_groups(desk: Desk, batch_id: int) -> list[dict[str, Any]]:
    """The batch as it stands on the desk (after any split or merge): each item's request ids and its
    newest draft (Draft.to_json) or None: every request of the batch in exactly one group."""
    views = [desk.item(row.id) for row in sorted(desk.items(batch_id=batch_id), key=lambda r: r.id)]
    return [
        {"ids": [r.ref for r in v.requests], "item": v.row.id, "draft": v.latest.draft.to_json() if v.latest else None}
        for v in views
    ]


def incoming_for(request: DraftRequest, source: str = "Draft page") -> Incoming:
    """A request drafted one-off (the Draft page) as the desk keeps it: its reference (or what it is,
    and when) as its id, its member, date and title."""
    ref = request.wq_number or request.petition_number
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    return Incoming(
        id=ref or f"{request.kind.replace('_', ' ')} {stamp}",
        kind=request.kind,
        text=request.text,
        member=request.member or request.sender,
        tabled=request.letter_date,
        title=request.petition_title,
        source=source,
    )


def item_request(view: ItemView, as_of: str | None = None) -> DraftRequest:
    """The request an item's reply answers: its one request as parsed (with the details a person or
    the export gave), or for a group of written questions all of them, answered once."""
    first = view.requests[0]
    if len(view.requests) == 1:
        return parse_request(first.text, **_given(first, as_of))
    asks = [parse_request(r.text, kind=r.kind).ask or without_to_ask(r.text) for r in view.requests]
    text = "\n\n".join(f"{r.ref}: {r.text.strip()}" for r in view.requests)
    members = list(dict.fromkeys(r.member for r in view.requests if r.member))
    overrides = _given(first, as_of) | {"ask": " ".join(asks), "member": ", ".join(members) or None}
    refs = [r.ref for r in view.requests if _is_reference(r)]
    if first.kind == "written_question" and refs:
        overrides["wq_number"] = ", ".join(refs)
    return parse_request(text, **overrides)


def _given(r: RequestRow, as_of: str | None) -> dict[str, Any]:
    """The details known from the export or given by a person, as parse_request overrides."""
    given: dict[str, Any] = {"kind": r.kind, "member": r.member, "as_of": as_of}
    if r.tabled:
        given["letter_date"] = r.tabled.isoformat()
    if _is_reference(r):
        given["wq_number" if r.kind == "written_question" else "petition_number"] = r.ref
    if r.kind == "petition" and r.title:
        given["petition_title"] = r.title
    if r.kind == "letter":
        given["sender"] = r.member
    return given | {k: v for k, v in r.fields.items() if v not in (None, "")}


def _is_reference(r: RequestRow) -> bool:
    """Whether the request's id is a real reference (a UIN, a petition number), not a made-up one."""
    if r.kind == "petition":
        return bool(petition_numbers(r.ref))
    return r.kind == "written_question" and bool(_UIN.fullmatch(r.ref.strip()))
