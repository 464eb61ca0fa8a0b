"""Desk: the team's queue of replies. A batch comes in (uploaded, read, grouped, put on the desk and
drafted), each item is opened, drafted, edited into new versions, compared, restored, assigned,
commented on and moved through review; the queue and each item's trail can be exported.

Every change goes through rag's Desk, which never overwrites a version and writes an audit entry with
it; who made the change is ui.identity.who(). The open item is kept in the address (?item=N).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from rag import (
    STATUSES,
    Desk,
    ItemRow,
    ItemView,
    VersionRow,
    Who,
    YmatebError,
    audit_csv,
    changed_words,
    docx_bytes,
    draft_batch,
    escape_markdown,
    human_date,
    import_batch,
    item_request,
    read_batch,
    recheck,
    replies_zip,
    reply_name,
    tracker_csv,
    warning_line,
    word_diff,
)
from ui.common import (
    DOCX_MIME,
    EARLIEST,
    KIND_NAMES,
    LATEST,
    assistant,
    desk,
    reported,
    scroll_box,
    settings,
    upload_limit_mb,
)
from ui.downloads import deferred, latest
from ui.identity import name_needed, who
from ui.support import diff_html, short_title, utc_time

ITEM_PARAM = "item"  # query parameter: the open item, so a reload reopens it
OPEN_KEY = "desk_open"  # session key of the "Open item" select
FLASH = "desk_flash"  # what the last change did, shown once after the rerun it causes
BATCH_TYPES = ["csv", "xlsx", "jsonl", "json", "zip", "txt", "md", "pdf", "docx"]
SORTS = {"due": "Due date", "status": "Status", "assignee": "Assignee", "updated": "Last change"}
ANYONE, UNASSIGNED = "", "\x00unassigned"
OVERDUE = "\u26a0 Overdue"  # the marker column's text: the row's state in words, not colour alone
OVERDUE_STYLE = "background-color: #fde2e2; color: #7f1d1d; font-weight: 600"
ORIGINS = {"drafted": "Drafted", "edited": "Edited", "restored": "Restored"}
PAGE_CSS = """<style>
.st-key-desk-item { scroll-margin-top: 4rem; }
</style>"""


def render() -> None:
    st.html(PAGE_CSS)
    st.title("Desk")
    st.caption(
        "The team's queue of replies: add a day's batch, draft it, then open an item to edit, compare, "
        "review and export it. Nothing is overwritten: each draft and edit is a new version, and every "
        "change is recorded with who made it."
    )
    _batch_section()
    item_id = _queue_section()
    if item_id is not None:
        st.divider()
        with st.container(key="desk-item"), reported():
            _item_section(desk().item(item_id))


# ---------------------------------------------------------------------------- actions


def _act(action: Callable[[Who], str]) -> None:
    """Run a change as the person at the desk and rerun with what it did (shown atop the open item;
    an action that reports in its own section returns ""); without a name, say one is needed; a
    failure is shown where the button is and nothing is rerun."""
    person = who()
    if person is None:
        st.warning(name_needed(), icon=":material/person:")
        return
    with reported():
        message = action(person)
        if message:
            st.session_state[FLASH] = message
        st.rerun()


def _flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(escape_markdown(message), icon=":material/check_circle:")


def _needs_name() -> str | None:
    """None when someone is named; else why a button that records an action cannot be used yet."""
    return None if who() is not None else name_needed()


# ---------------------------------------------------------------------------- batch intake


def _batch_section() -> None:
    started = any(st.session_state.get(k) for k in ("desk_upload", "desk_paste", "desk_added"))
    with st.expander("Add a batch", expanded=started or not desk().items(), icon=":material/upload_file:"):
        files = st.file_uploader(
            "Upload the day's questions, petitions or letters",
            type=BATCH_TYPES,
            accept_multiple_files=True,
            key="desk_upload",
            max_upload_size=upload_limit_mb(),
            help="A table of written questions (CSV, XLSX, JSON or JSONL export, one a row), a zip of them, or "
            f"petitions and letters (TXT, MD, PDF, DOCX). Files over {settings().max_upload_mb:g} MB are refused.",
        )
        st.text_area(
            "…or paste rows copied from a spreadsheet, with their header row",
            key="desk_paste",
            height=110,
            placeholder="UIN\tDate tabled\tMember\tQuestion text\tNamed day\n…",
            help="Rows copied from Excel or a Table Office list (tab- or comma-separated), the header row first: "
            "the same columns a CSV upload may have.",
        )
        uploads = [(f.file_id, f.name, f.getvalue) for f in files or []]
        pasted = st.session_state.get("desk_paste") or ""
        if pasted.strip():
            key = hashlib.sha1(pasted.encode("utf-8")).hexdigest()
            uploads.append((f"paste-{key}", "pasted rows.csv", lambda: pasted.encode("utf-8")))
        read = [r for key, name, data in uploads if (r := _read(key, name, data)) is not None]
        for name, batch in read:
            _batch_summary(name, batch)
        if read and st.button("Add to the desk", type="primary", icon=":material/playlist_add:"):
            _act(lambda person: _add_batches(read, person))
        _added_notes()
        _draft_batches()


def _read(key: str, name: str, data: Callable[[], bytes]) -> tuple[str, Any] | None:
    """An upload (or the pasted rows) read as a batch, once per file: the reading, or why it failed,
    is kept in the session and shown on every run while the file stays in the uploader."""
    cache = st.session_state.setdefault("desk_read", {})
    if key not in cache:
        cache[key] = None
        try:
            cache[key] = (name, read_batch(name, data(), settings().max_upload_mb))
        except YmatebError as exc:
            cache[key] = str(exc)
        except Exception:
            with reported():
                raise
    found = cache[key]
    if isinstance(found, str):
        st.error(f"{escape_markdown(name)} could not be read: {escape_markdown(found)}", icon=":material/error:")
        return None
    return found


def _batch_summary(name: str, batch: Any) -> None:
    skipped = f", {len(batch.skipped)} skipped" if batch.skipped else ""
    st.markdown(f"**{escape_markdown(name)}**: {len(batch.items)} read{skipped}.")
    if batch.items:
        st.dataframe(
            [
                {
                    "Reference": i.id,
                    "Kind": KIND_NAMES.get(i.kind, i.kind),
                    "Member": i.member or "",
                    "Tabled": i.tabled or "",
                    "Due": i.due or "",
                    "Asked of": i.asked_of or "",
                    "Text": short_title(i.title or i.text, 90),
                }
                for i in batch.items
            ],
            hide_index=True,
            width="stretch",
        )
    if batch.skipped:
        st.dataframe([{"Skipped": s.source, "Why": s.reason} for s in batch.skipped], hide_index=True, width="stretch")


def _add_batches(read: Sequence[tuple[str, Any]], person: Who) -> str:
    added = []
    for name, batch in read:
        if not batch.items:
            added.append({"name": name, "batch": None, "new": False, "items": 0})
            continue
        batch_id, new = import_batch(desk(), batch, name, person)
        added.append({"name": name, "batch": batch_id, "new": new, "items": len(desk().items(batch_id=batch_id))})
    st.session_state["desk_added"] = added
    st.session_state["desk_to_draft"] = [a["batch"] for a in added if a["batch"] is not None]
    st.session_state.pop("desk_run", None)
    return ""  # the section says what was added


def _added_notes() -> None:
    for a in st.session_state.get("desk_added") or []:
        name = escape_markdown(a["name"])
        if a["batch"] is None:
            st.warning(f"{name}: nothing in it to answer, so nothing was added.", icon=":material/info:")
        elif a["new"]:
            st.success(
                f"{name}: added as batch {a['batch']}, {a['items']} item(s) on the queue "
                "(questions on the same point share one item).",
                icon=":material/playlist_add_check:",
            )
        else:
            st.info(
                f"{name}: this batch is already on the desk (batch {a['batch']}): nothing was added again.",
                icon=":material/info:",
            )


def _draft_batches() -> None:
    """Draft the chosen batches' items that have no version yet (a stopped run picks up where it left off)."""
    d = desk()
    waiting = {b: (name, len(d.undrafted(b))) for b, name, _ in d.batches()}
    waiting = {b: v for b, v in waiting.items() if v[1]}
    run = st.session_state.get("desk_run")
    if run:
        st.success(escape_markdown(run), icon=":material/task_alt:")
    if not waiting:
        return
    default = [b for b in st.session_state.get("desk_to_draft") or [] if b in waiting] or list(waiting)[:1]
    chosen = st.multiselect(
        "Batches to draft",
        list(waiting),
        default=default,
        format_func=lambda b: f"Batch {b}: {waiting[b][0]} ({waiting[b][1]} to draft)",
        key="desk_batches_chosen",
    )
    if st.button("Draft the batch", icon=":material/edit_note:", disabled=not chosen):
        _act(lambda person: _run_batches(chosen, person))


def _run_batches(batch_ids: Sequence[int], person: Who) -> str:
    d = desk()
    total = sum(len(d.undrafted(b)) for b in batch_ids)
    bar = st.progress(0.0, text=f"Drafting 0 of {total}…")
    done_before = 0
    drafted = questions = already = 0
    seconds = 0.0
    for b in batch_ids:

        def progress(done: int, _: int, base: int = done_before) -> None:
            bar.progress(min(1.0, (base + done) / max(total, 1)), text=f"Drafting {base + done} of {total}…")

        run = draft_batch(assistant(), d, b, person, progress=progress)
        d.record(person, "batch drafted", None, batch=b, **run.to_dict())
        done_before += run.drafted
        drafted, questions, already = drafted + run.drafted, questions + run.questions, already + run.already
        seconds += run.seconds
    bar.progress(1.0, text=f"Drafted {drafted} of {total}.")
    rate = questions / seconds * 60 if seconds else 0.0
    summary = (
        f"Batch drafted: {drafted} item(s) answering {questions} request(s) in {seconds:.1f} s "
        f"({rate:.0f} requests a minute); {already} item(s) had a draft already."
    )
    st.session_state["desk_run"] = summary
    st.session_state.pop("desk_added", None)
    return ""  # the section shows the summary


# ---------------------------------------------------------------------------- the queue


def _queue_section() -> int | None:
    """The queue, filtered and sorted, its exports and the "Open item" select: the open item's id."""
    st.header("Queue")
    d = desk()
    statuses, assignee, overdue, sort = st.columns([3, 2, 1.4, 1.6], vertical_alignment="bottom")
    chosen = statuses.multiselect("Status", list(STATUSES), key="desk_statuses", persist_state="session")
    people = [ANYONE, UNASSIGNED, *d.assignees()]
    if st.session_state.get("desk_assignee") not in people:
        st.session_state["desk_assignee"] = ANYONE
    person = assignee.selectbox("Assignee", people, key="desk_assignee", format_func=_assignee_name)
    only_overdue = overdue.checkbox("Overdue only", key="desk_overdue", persist_state="session")
    order = sort.selectbox("Sort by", list(SORTS), key="desk_sort", format_func=SORTS.get, persist_state="session")
    rows = d.items(statuses=chosen, assignee=person if person not in (ANYONE, UNASSIGNED) else None, sort=order)
    if person == UNASSIGNED:
        rows = [r for r in rows if not r.assignee]
    today = date.today()
    if only_overdue:
        rows = [r for r in rows if r.overdue(today)]
    if not rows:
        st.info("Nothing on the queue matches." if d.items() else "The desk is empty: add a batch above.")
    else:
        _queue_table(rows, today)
    item_id = _open_item(rows)
    _queue_exports(rows)
    return item_id


def _assignee_name(value: str) -> str:
    return {ANYONE: "Anyone", UNASSIGNED: "Unassigned"}.get(value, value)


def queue_frame(rows: Sequence[ItemRow], today: date) -> pd.DataFrame:
    """The queue as a table: overdue rows say so in their first column (and are tinted)."""
    return pd.DataFrame(
        [
            {
                "Overdue": OVERDUE if r.overdue(today) else "",
                "Item": r.id,
                "Reference": ", ".join(r.refs),
                "Title": r.title,
                "Status": r.status,
                "Assignee": r.assignee or "",
                "Due": r.due.isoformat() if r.due else "",
                "Version": f"v{r.version}" if r.version else "",
                "Warnings": r.warnings,
            }
            for r in rows
        ]
    )


def _queue_table(rows: Sequence[ItemRow], today: date) -> None:
    frame = queue_frame(rows, today)
    styled = frame.style.apply(lambda row: [OVERDUE_STYLE if row["Overdue"] else ""] * len(row), axis=1)
    overdue = sum(1 for r in rows if r.overdue(today))
    st.caption(
        f"{len(rows)} item(s){f', {overdue} overdue (marked {OVERDUE})' if overdue else ''}. "
        "Click a row (or choose below) to open it."
    )
    event = st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key="desk_queue",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Title": st.column_config.TextColumn("Title", width="medium"),
            "Item": st.column_config.NumberColumn("Item", format="%d", width="small"),
            "Warnings": st.column_config.NumberColumn("Warnings", format="%d"),
        },
    )
    picked = [rows[i].id for i in event.selection.rows if i < len(rows)]  # type: ignore[attr-defined]
    if picked and picked != st.session_state.get("desk_queue_picked"):
        st.session_state[OPEN_KEY] = picked[0]  # a row clicked in the table opens it
    st.session_state["desk_queue_picked"] = picked


def _open_item(rows: Sequence[ItemRow]) -> int | None:
    """The "Open item" select over the queue as filtered (plus the open item); synced with ?item=N."""
    if OPEN_KEY not in st.session_state:
        st.session_state[OPEN_KEY] = _param_item()
    current = st.session_state.get(OPEN_KEY)
    labels = {r.id: _item_label(r) for r in rows}
    if current is not None and current not in labels:
        with reported():
            labels[current] = _item_label(desk().item(current).row)
        if current not in labels:  # gone (merged away) or never there
            current = st.session_state[OPEN_KEY] = None
    options: list[int | None] = [None, *labels]
    st.selectbox(
        "Open item",
        options,
        key=OPEN_KEY,
        format_func=lambda i: "(none)" if i is None else labels[i],
        placeholder="Choose an item to open",
        help="Or click its row in the table.",
    )
    item_id = st.session_state.get(OPEN_KEY)
    if item_id is None:
        st.query_params.pop(ITEM_PARAM, None)
    else:
        st.query_params[ITEM_PARAM] = str(item_id)
    return item_id


def _param_item() -> int | None:
    value = st.query_params.get(ITEM_PARAM, "")
    return int(value) if value.isdigit() else None


def _item_label(r: ItemRow) -> str:
    """An item as the select lists it: number, references, subject, status."""
    return f"{r.id} \u00b7 {_refs(r)} \u00b7 {short_title(_subject(r), 60)} ({r.status})"


def _refs(r: ItemRow) -> str:
    return ", ".join(r.refs[:3]) + (f" +{len(r.refs) - 3}" if len(r.refs) > 3 else "")


def _subject(r: ItemRow) -> str:
    """The item's title without the reference it opens with (shown beside it anyway)."""
    return r.title.split(": ", 1)[-1] if r.refs and r.title.startswith(f"{r.refs[0]}: ") else r.title


def _queue_exports(rows: Sequence[ItemRow]) -> None:
    """The replies and tracker of the queue as filtered, and the whole desk's audit trail."""
    ids = latest("desk_export_ids")
    ids.value = [r.id for r in rows]
    d, person = desk(), who()
    why = _needs_name()
    row = st.container(horizontal=True, vertical_alignment="center")
    exports = [
        ("Download replies (.zip)", "replies.zip", "application/zip", "replies zip", replies_zip),
        ("Download tracker (.csv)", "tracker.csv", "text/csv", "tracker csv", tracker_csv),
    ]
    for label, name, mime, what, export in exports:
        row.download_button(
            label,
            deferred(ids, _recorded(d, person, what, lambda chosen, e=export: e([d.item(i) for i in chosen]))),
            file_name=name,
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            disabled=why is not None or not rows,
            help=why or "The items in the table above, as filtered: each reply's newest version.",
            width="content",
        )
    row.download_button(
        "Download the desk's audit trail (.csv)",
        deferred(ids, _recorded(d, person, "audit csv", lambda _: audit_csv(d.audit()))),
        file_name="desk-audit.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/history:",
        disabled=why is not None,
        help=why or "Every action on the desk, oldest first.",
        width="content",
    )
    if why:
        st.caption(escape_markdown(why))


def _recorded(
    d: Desk, person: Who | None, what: str, export: Callable[[Any], bytes | str]
) -> Callable[[Any], bytes | str]:
    """`export`, recorded in the audit trail as it is made. Downloads run outside any page run, on a
    thread of their own, so everything they use is passed in (never looked up in the session)."""

    def run(value: Any) -> bytes | str:
        data = export(value)
        if person is not None:
            items = value if isinstance(value, list) else [value] if isinstance(value, int) else []
            d.record(person, "exported", value if isinstance(value, int) else None, what=what, items=items)
        return data

    return run


# ---------------------------------------------------------------------------- one item


def _item_section(view: ItemView) -> None:
    r = view.row
    st.header(f"Item {r.id} \u00b7 {escape_markdown(_refs(r))}: {escape_markdown(short_title(_subject(r), 80))}")
    _flash()
    facts = [
        escape_markdown(KIND_NAMES.get(r.kind, r.kind)),
        f"status **{escape_markdown(r.status)}**",
        f"assigned to {escape_markdown(r.assignee or 'nobody')}",
        f"due {human_date(r.due.isoformat())}" if r.due else "no due date",
    ]
    if r.overdue():
        facts.append(f"**{OVERDUE}**")
    st.markdown(" \u00b7 ".join(facts))
    work, review = st.columns([3, 2], gap="large")
    with work:
        _requests(view)
        _drafting(view)
    with review:
        _review(view)
        _comments(view)
    _versions(view)
    _groups(view)
    _item_exports(view)
    _audit(view)


def _requests(view: ItemView) -> None:
    st.subheader("Requests" if len(view.requests) > 1 else "Request")
    st.dataframe(
        [
            {
                "Reference": q.ref,
                "Member": q.member or "",
                "Tabled": q.tabled.isoformat() if q.tabled else "",
                "Due": q.due.isoformat() if q.due else "",
                "Asked of": q.asked_of or "",
                "Text": " ".join(q.text.split()),
            }
            for q in view.requests
        ],
        hide_index=True,
        width="stretch",
        column_config={"Text": st.column_config.TextColumn("Text", width="large")},
    )


def _drafting(view: ItemView) -> None:
    st.subheader("Reply")
    newest = view.latest
    again = newest is not None
    if st.button(
        "Draft again" if again else "Draft",
        icon=":material/edit_note:",
        type="secondary" if again else "primary",
        key=f"desk_draft_{view.row.id}",
        help="Draft from the precedents; it is saved as a new version (the ones before are kept)."
        if again
        else "Draft a cited reply from the precedents, saved as version 1.",
    ):
        _act(lambda person: _draft(view, person))
    if newest is None:
        st.caption("No draft yet.")
        return
    _edit(view, newest)


def _draft(view: ItemView, person: Who) -> str:
    with st.spinner("Drafting from the precedents…"):
        draft = assistant().draft(item_request(view))
    n = desk().save_version(view.row.id, draft, person)
    return f"Drafted version {n} ({_points(len(draft.warnings))})."


def _points(n: int) -> str:
    return f"{n} point{'s' if n != 1 else ''} to check" if n else "nothing to flag"


def _edit(view: ItemView, newest: VersionRow) -> None:
    key = f"desk_edit_{view.row.id}_{newest.n}"
    if key not in st.session_state:
        st.session_state[key] = newest.text
    st.text_area(
        f"Edit version {newest.n}",
        key=key,
        height=380,
        help="Saving checks the edit again (markers, uncited or unsupported statements) and keeps it as a new "
        "version; the version edited stays as it was.",
    )
    st.caption(f"Version {newest.n}: {_points(newest.warnings)}.")
    for w in newest.draft.warnings:
        st.warning(escape_markdown(warning_line(w)), icon=":material/warning:")
    if st.button("Save as new version", icon=":material/save:", key=f"desk_save_{view.row.id}"):
        text = st.session_state.get(key) or ""
        if text == newest.text:
            st.info(f"Nothing has changed since version {newest.n}: there is nothing new to save.")
        elif not text.strip():
            st.warning("The reply is empty: write something before saving it.", icon=":material/warning:")
        else:
            _act(lambda person: _save_edit(view, newest, text, person))


def _save_edit(view: ItemView, newest: VersionRow, text: str, person: Who) -> str:
    s = settings()
    edited = recheck(newest.draft, text, assistant().embedder, max_age_months=s.precedent_max_age_months)
    n = desk().save_version(view.row.id, edited, person, origin="edited", based_on=newest.n)
    return f"Saved your edit of version {newest.n} as version {n} ({_points(len(edited.warnings))})."


# ---------------------------------------------------------------------------- review


def _review(view: ItemView) -> None:
    st.subheader("Review")
    r = view.row
    key = f"desk_status_{r.id}"
    status = st.selectbox("Status", list(STATUSES), index=STATUSES.index(r.status), key=f"{key}_{r.status}")
    newest = view.latest
    note_needed = status == "approved" and newest is not None and newest.warnings > 0
    note = ""
    if note_needed:
        note = st.text_area(
            "Note (why it can be approved with open points to check)",
            key=f"{key}_note",
            height=90,
            help=f"Version {newest.n} has {_points(newest.warnings)}: say why it can go as it is.",
        )
    if st.button("Change status", key=f"{key}_go", disabled=status == r.status):
        _act(lambda person: _set_status(r.id, status, note, person))
    _assign(view)
    _due(view)


def _set_status(item_id: int, status: str, note: str, person: Who) -> str:
    desk().set_status(item_id, status, person, note=note)
    return f"Status changed to {status}."


def _assign(view: ItemView) -> None:
    r = view.row
    key = f"desk_assignee_{r.id}_{r.assignee or ''}"
    if key not in st.session_state:
        st.session_state[key] = r.assignee or ""
    name = st.text_input("Assignee", key=key, max_chars=200, help="Leave empty to unassign.")
    if st.button("Assign", key=f"desk_assign_{r.id}", disabled=(name or "").strip() == (r.assignee or "")):
        _act(lambda person: _assigned(r.id, name, person))


def _assigned(item_id: int, name: str, person: Who) -> str:
    desk().assign(item_id, name.strip() or None, person)
    return f"Assigned to {name.strip()}." if name.strip() else "Unassigned."


def _due(view: ItemView) -> None:
    r = view.row
    due = st.date_input(
        "Due",
        value=r.due,
        min_value=EARLIEST,
        max_value=LATEST,
        key=f"desk_due_{r.id}_{r.due}",
        format="YYYY-MM-DD",
        help="Leave empty for no due date.",
    )
    if st.button("Set due date", key=f"desk_due_go_{r.id}", disabled=due == r.due):
        _act(lambda person: _set_due(r.id, due, person))


def _set_due(item_id: int, due: Any, person: Who) -> str:
    desk().set_due(item_id, due if isinstance(due, date) else None, person)
    return f"Due date set to {human_date(due.isoformat())}." if isinstance(due, date) else "Due date cleared."


def _comments(view: ItemView) -> None:
    st.subheader("Comments")
    key = f"desk_comment_{view.row.id}_{len(view.comments)}"
    text = st.text_area("Add a comment", key=key, height=90)
    if st.button("Add comment", key=f"desk_comment_go_{view.row.id}"):
        if not (text or "").strip():
            st.warning("The comment is empty: write something first.", icon=":material/comment:")
        else:
            _act(lambda person: _commented(view.row.id, text, person))
    for c in reversed(view.comments):
        st.markdown(f"**{escape_markdown(c.created_by)}**, {utc_time(c.created_at)}: {escape_markdown(c.text)}")


def _commented(item_id: int, text: str, person: Who) -> str:
    desk().comment(item_id, text, person)
    return "Comment added."


# ---------------------------------------------------------------------------- versions


def _versions(view: ItemView) -> None:
    if not view.versions:
        return
    st.subheader("Versions")
    st.dataframe(
        [
            {
                "Version": v.n,
                "Origin": ORIGINS.get(v.origin, v.origin) + (f" from v{v.based_on}" if v.based_on else ""),
                "By": v.created_by,
                "When": utc_time(v.created_at),
                "Warnings": v.warnings,
                "Backend": v.backend,
            }
            for v in reversed(view.versions)
        ],
        hide_index=True,
        width="stretch",
    )
    if len(view.versions) > 1:
        _compare(view)
    _restore(view)


def _compare(view: ItemView) -> None:
    numbers = [v.n for v in view.versions]
    old_col, new_col = st.columns(2)
    old = old_col.selectbox("Compare version", numbers, index=len(numbers) - 2, key=f"desk_cmp_a_{view.row.id}")
    new = new_col.selectbox("with version", numbers, index=len(numbers) - 1, key=f"desk_cmp_b_{view.row.id}")
    by_n = {v.n: v for v in view.versions}
    pieces = word_diff(by_n[old].text, by_n[new].text)
    removed, added = changed_words(pieces)
    st.caption(
        f"Version {old} \u2192 {new}: {removed} word(s) removed (struck through, red), {added} added (green)."
        if pieces and (removed or added)
        else f"Versions {old} and {new} read the same."
    )
    scroll_box(diff_html(pieces), f"Changes from version {old} to {new}", "22rem", "ym-doc")


def _restore(view: ItemView) -> None:
    older = [v.n for v in view.versions[:-1]]
    if not older:
        return
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    n = pick.selectbox("Restore version", older, index=len(older) - 1, key=f"desk_restore_{view.row.id}")
    if go.button("Restore", key=f"desk_restore_go_{view.row.id}", help="Saved as a new version; none is removed."):
        _act(lambda person: _restored(view.row.id, n, person))


def _restored(item_id: int, n: int, person: Who) -> str:
    m = desk().restore(item_id, n, person)
    return f"Restored version {n} as version {m}."


# ---------------------------------------------------------------------------- groups


def _groups(view: ItemView) -> None:
    others = [r for r in desk().items() if r.id != view.row.id and r.kind == view.row.kind]
    if len(view.requests) < 2 and not others:
        return
    st.subheader("Group")
    split, merge = st.columns(2, gap="large")
    if len(view.requests) > 1:
        refs = {q.id: q.ref for q in view.requests}
        chosen = split.multiselect(
            "Requests to split off", list(refs), format_func=refs.get, key=f"desk_split_{view.row.id}"
        )
        if split.button("Split off", key=f"desk_split_go_{view.row.id}", disabled=not chosen):
            with split:
                _act(lambda person: _split(view.row.id, chosen, person))
    if others:
        labels = {r.id: _item_label(r) for r in others}
        chosen_items = merge.multiselect(
            "Items to merge into this one", list(labels), format_func=labels.get, key=f"desk_merge_{view.row.id}"
        )
        if merge.button("Merge", key=f"desk_merge_go_{view.row.id}", disabled=not chosen_items):
            with merge:
                _act(lambda person: _merge(view.row.id, chosen_items, person))


def _split(item_id: int, request_ids: Sequence[int], person: Who) -> str:
    new = desk().split(item_id, list(request_ids), person)
    return f"Split off as item {new} (to be drafted)."


def _merge(item_id: int, others: Sequence[int], person: Who) -> str:
    desk().merge(item_id, list(others), person)
    return f"Merged item(s) {', '.join(map(str, others))} into this one: draft it again to answer them all."


# ---------------------------------------------------------------------------- exports, trail


def _item_exports(view: ItemView) -> None:
    newest = view.latest
    if newest is None:
        return
    d = desk()
    slot = latest("desk_item_export")
    slot.value = view.row.id
    why = _needs_name()
    st.download_button(
        f"Download version {newest.n} (.docx)",
        deferred(slot, _recorded(d, who(), "docx", lambda item_id: _newest_docx(d, item_id))),
        file_name=reply_name(view) or "reply.docx",
        mime=DOCX_MIME,
        on_click="ignore",
        icon=":material/download:",
        disabled=why is not None,
        help=why or "The newest version, as a letter.",
    )


def _newest_docx(d: Desk, item_id: int) -> bytes:
    newest = d.item(item_id).latest
    if newest is None:
        raise RuntimeError(f"item {item_id} has no version to export")
    return docx_bytes(newest.draft)


def _audit(view: ItemView) -> None:
    st.subheader("Audit trail")
    d = desk()
    rows = d.audit(view.row.id)
    st.dataframe(
        [
            dict(zip(("When", "Who", "Verified", "Action", "Item", "Version", "Detail", "Sources"), r.csv_row()))
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    slot = latest("desk_audit_export")
    slot.value = view.row.id
    why = _needs_name()
    st.download_button(
        "Download this item's trail (.csv)",
        deferred(slot, _recorded(d, who(), "item audit csv", lambda item_id: audit_csv(d.audit(item_id)))),
        file_name=f"item-{view.row.id}-audit.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/history:",
        disabled=why is not None,
        help=why,
    )
