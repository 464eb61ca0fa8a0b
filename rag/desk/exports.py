"""What leaves the desk: a tracker CSV (one row per UIN or reference) and a zip of .docx replies.

tracker_csv(views)     UIN or reference, member, due date, status, assignee, sources, warnings ...
replies_zip(views)     one .docx per item with a draft (its newest version), and tracker.csv
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

from rag.desk.store import ItemView, sources_of
from rag.drafting.export import docx_bytes, export_name, warning_line
from rag.errors import InputError

TRACKER_COLUMNS = (
    "reference",
    "kind",
    "member",
    "tabled",
    "due",
    "status",
    "assignee",
    "item",
    "group_size",
    "version",
    "sources",
    "warnings",
    "reply_file",
)


def reply_name(view: ItemView) -> str | None:
    """The .docx name of the item's reply (None before it has a draft): item number first, so the
    replies of one batch sort as the tracker does and two on the same subject never collide."""
    latest = view.latest
    return f"{view.row.id:04d}-{export_name(latest.draft, 'docx')}" if latest else None


def tracker_rows(views: Sequence[ItemView]) -> list[list[str]]:
    rows: list[list[str]] = []
    for view in views:
        latest = view.latest
        draft = latest.draft if latest else None
        sources = "; ".join(sources_of(draft)) if draft else ""
        warnings = " | ".join(warning_line(w) for w in draft.warnings) if draft else ""
        for r in view.requests:
            due = r.due or view.row.due
            rows.append(
                [
                    r.ref,
                    r.kind,
                    r.member or "",
                    r.tabled.isoformat() if r.tabled else "",
                    due.isoformat() if due else "",
                    view.row.status,
                    view.row.assignee or "",
                    str(view.row.id),
                    str(len(view.requests)),
                    str(latest.n) if latest else "",
                    sources,
                    warnings,
                    reply_name(view) or "",
                ]
            )
    return rows


def tracker_csv(views: Sequence[ItemView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TRACKER_COLUMNS)
    writer.writerows(tracker_rows(views))
    return out.getvalue()


def reply_files(views: Sequence[ItemView]) -> list[tuple[str, bytes]]:
    """(file name, .docx bytes) for each item with a draft, from its newest version."""
    return [(name, docx_bytes(view.latest.draft)) for view in views if view.latest and (name := reply_name(view))]


def replies_zip(views: Sequence[ItemView]) -> bytes:
    """A zip of every reply (.docx) and the tracker CSV."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in reply_files(views):
            archive.writestr(name, data)
        archive.writestr("tracker.csv", tracker_csv(views))
    return buffer.getvalue()


def write_replies(directory: str | Path, views: Sequence[ItemView]) -> list[Path]:
    """Write each reply's .docx and tracker.csv into `directory`, each file whole or not at all
    (written beside, then renamed). InputError naming the file if the disk refuses."""
    folder = Path(directory)
    files = [*reply_files(views), ("tracker.csv", tracker_csv(views).encode("utf-8"))]
    written = []
    for name, data in files:
        path = folder / name
        tmp = path.with_name(f".{name}.part")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"Cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
