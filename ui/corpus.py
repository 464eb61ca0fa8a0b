"""Corpus: what the index holds, adding documents to it (checking what was detected), correcting
a document's metadata, removing one, and how current its official sources are (ui/sources.py).

Quick at any size: the counts and the listing come from the index's catalogue a page at a time
(rag.index.catalogue), never by reading every document; each part is an st.fragment, so a click
in the listing reruns the listing only.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from rag import Detected, DocumentQuery, detect_uploads, escape_markdown, human_date, ingest_uploads
from rag.types import DocMeta
from ui.common import EARLIEST, LATEST, assistant, date_field, reported, settings, status_badge, upload_limit_mb
from ui.sources import section as sources_section
from ui.support import KIND_LABELS, document_rows, kind_label

UPLOAD_TYPES = ["txt", "md", "pdf", "docx", "html", "htm", "jsonl", "gz"]
PAGE_ROWS = 25
KINDS = list(KIND_LABELS)  # the kinds a person may file a document under


def render() -> None:
    st.title("Corpus")
    st.caption("The precedents Ymateb drafts from: past replies, written answers and letters.")
    _statistics()
    _upload()
    _listing()
    sources_section()  # last: a status to glance at, below the work of adding and correcting


# ---------------------------------------------------------------------------- counts


def _statistics() -> None:
    stats = assistant().stats()
    docs, chunks, store, model = st.columns([1, 1, 3, 2])
    docs.metric("Documents", f"{stats['documents']:,}")
    chunks.metric("Chunks", f"{stats['chunks']:,}")
    server = bool(settings().chroma_url)
    store.metric("Store", "Chroma server" if server else "Embedded Chroma", help=stats["store"])
    store.caption(escape_markdown(stats["store"]))
    model.markdown(f"**Embedding model**  \n{escape_markdown(str(stats['embedding_model']))}")
    if stats["by_kind"]:
        rows = [{"kind": kind_label(k), **v} for k, v in sorted(stats["by_kind"].items())]
        with st.expander("By kind", expanded=False):
            st.dataframe(rows, hide_index=True, width="stretch")


# ---------------------------------------------------------------------------- adding


@st.fragment
def _upload() -> None:
    st.header("Add documents")
    generation = st.session_state.get("corpus_upload_gen", 0)
    files = st.file_uploader(
        "Files to add",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"corpus_upload_{generation}",
        max_upload_size=upload_limit_mb(),
        help="Past replies, written answers or letters: .txt, .md, .pdf, .docx, .html, or .jsonl(.gz) records. "
        f"Each file may be at most {settings().max_upload_mb:g} MB. A file with the same name replaces its "
        "earlier version.",
    )
    uploads = [(f.name, f.getvalue()) for f in files or []]
    corrections: dict[str, dict[str, Any]] = {}
    if uploads:
        corrections = _detected(generation, uploads)
    if st.button("Add to the index", type="primary", icon=":material/upload:", disabled=not files):
        with reported():
            _add(uploads, corrections)
            st.session_state["corpus_upload_gen"] = generation + 1
            st.rerun()
    results = st.session_state.get("corpus_results")
    if results:
        st.dataframe(
            results,
            hide_index=True,
            width="stretch",
            column_config={"detail": st.column_config.TextColumn("detail", width="large")},
        )


def _detected(generation: int, uploads: list[tuple[str, bytes]]) -> dict[str, dict[str, Any]]:
    """Show what was read from each upload, with fields to correct; {doc_id: the corrections}."""
    key = (generation, tuple((name, len(data)) for name, data in uploads))
    if st.session_state.get("corpus_detected_key") != key:  # read each upload once, not on every click
        st.session_state["corpus_detected"] = detect_uploads(uploads, settings().max_upload_mb)
        st.session_state["corpus_detected_key"] = key
    found: list[Detected] = st.session_state["corpus_detected"]
    st.subheader("Detected in the files: check before adding")
    corrections: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(found):
        if item.problem and not item.documents:
            st.warning(f"{escape_markdown(item.name)}: {escape_markdown(item.problem)}", icon=":material/warning:")
        for doc in item.documents:
            label = f"{item.name} · {_summary(doc.meta)}"
            with st.expander(escape_markdown(label), expanded=len(found) == 1 and len(item.documents) == 1):
                changes = _meta_fields(f"corpus_new_{generation}_{n}_{doc.doc_id}", doc.meta)
                st.caption(escape_markdown(f"Reference {doc.meta.ref or 'none found'} · document id {doc.doc_id}"))
            if changes:
                corrections[doc.doc_id] = changes
        if item.more:
            more = f"… and {item.more:,} more documents in {escape_markdown(item.name)}"
            st.caption(f"{more}: correct them after adding, from the listing.")
    return corrections


def _summary(meta: DocMeta) -> str:
    parts = [kind_label(meta.kind), meta.ref, human_date(meta.date), meta.author or meta.author_role, _title(meta)]
    return " · ".join(str(p) for p in parts if p) or "nothing detected"


def _title(meta: DocMeta) -> str:
    return meta.title or meta.subject or ""


def _add(files: list[tuple[str, bytes]], corrections: dict[str, dict[str, Any]]) -> None:
    bar = st.progress(0.0, text="Adding documents…")

    def on_file(done: int, total: int, name: str) -> None:
        bar.progress(
            done / max(total, 1), text=f"Indexing {escape_markdown(name)} ({done + 1} of {total})…" if name else "Done."
        )

    a = assistant()
    results = ingest_uploads(a.ingest, files, settings().max_upload_mb, on_file=on_file)
    held = a.store.doc_hashes(list(corrections))
    for doc_id, changes in corrections.items():
        if doc_id in held:  # as added (a skipped file has nothing to correct)
            a.update_document(doc_id, **changes)
    st.session_state["corpus_results"] = [r.to_row() for r in results]


# ---------------------------------------------------------------------------- metadata fields


def _meta_fields(prefix: str, meta: DocMeta) -> dict[str, Any]:
    """Kind, date, author, role and title fields showing `meta`; what the person changed."""
    kind_col, date_col = st.columns([3, 2])
    kind = kind_col.selectbox(
        "Kind",
        KINDS if meta.kind in KINDS else [*KINDS, meta.kind],
        index=KINDS.index(meta.kind) if meta.kind in KINDS else len(KINDS),
        format_func=kind_label,
        key=f"{prefix}_kind",
    )
    when = date_col.date_input(
        "Date",
        value=_as_date(meta.date),
        min_value=EARLIEST,
        max_value=LATEST,
        format="YYYY-MM-DD",
        key=f"{prefix}_date",
        help="The date of the reply or letter (for a written question, the day it was answered).",
    )
    author_col, role_col = st.columns(2)
    author = author_col.text_input("Author", value=meta.author or "", key=f"{prefix}_author")
    role = role_col.text_input("Author's role", value=meta.author_role or "", key=f"{prefix}_role")
    title = st.text_input("Title", value=meta.title or "", key=f"{prefix}_title", placeholder=meta.subject or "")
    shown = {
        "kind": kind,
        "date": when.isoformat() if isinstance(when, date) else None,
        "author": author.strip() or None,
        "author_role": role.strip() or None,
        "title": title.strip() or None,
    }
    return {k: v for k, v in shown.items() if v != getattr(meta, k)}


def _as_date(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------- the listing


def _query() -> DocumentQuery:
    text_col, person_col = st.columns([3, 2])
    text = text_col.text_input(
        "Search the documents", key="corpus_q", placeholder="Reference, title or author, e.g. WQ85953"
    )
    person = person_col.text_input("Author or asked of", key="corpus_person", placeholder="e.g. Education")
    kind_col, from_col, to_col = st.columns([3, 1, 1])
    kinds = kind_col.multiselect(
        "Kind", assistant().kinds(), format_func=kind_label, key="corpus_kinds", placeholder="Any"
    )
    date_field(from_col, "From", "corpus_from", "Documents dated on or after this day.")
    date_field(to_col, "To", "corpus_to", "Documents dated on or before this day.")
    dates = [st.session_state.get(k) for k in ("corpus_from", "corpus_to")]
    start, end = (d.isoformat() if isinstance(d, date) else None for d in dates)
    return DocumentQuery(text=text, kinds=tuple(kinds), date_from=start, date_to=end, person=person)


@st.fragment
def _listing() -> None:
    st.header("Documents in the index")
    done = st.session_state.pop("corpus_done", None)  # a save or a removal just made
    if done:
        st.success(escape_markdown(done))
    query = _query()
    if st.session_state.get("corpus_filters") != query:  # new filters: back to the first page
        st.session_state["corpus_filters"] = query
        st.session_state["corpus_page"] = 0
    page_no = st.session_state.get("corpus_page", 0)
    page = assistant().document_page(replace(query, offset=page_no * PAGE_ROWS, limit=PAGE_ROWS))
    pages = max(1, math.ceil(page.total / PAGE_ROWS))
    if page_no >= pages:  # the last page emptied (a removal): show the one before
        page_no = st.session_state["corpus_page"] = pages - 1
        page = assistant().document_page(replace(query, offset=page_no * PAGE_ROWS, limit=PAGE_ROWS))
    if not page.total:
        st.info("No documents match." if query != DocumentQuery() else "The index is empty.")
        return
    rows = document_rows(page.rows)
    event = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="corpus_table",
        on_select="rerun",
        selection_mode="single-row",
        column_order=["ref", "title", "kind", "date", "author", "chunks", "doc_id", "source"],
        column_config={
            "title": st.column_config.TextColumn("title", width="large"),
            "chunks": st.column_config.NumberColumn("chunks", format="%d"),
        },
    )
    _pager(page_no, pages, page.total)
    picked = [rows[i]["doc_id"] for i in event.selection.rows if i < len(rows)]  # type: ignore[attr-defined]
    if picked and picked != st.session_state.get("corpus_table_picked"):
        st.session_state["corpus_doc"] = picked[0]  # a row clicked in the table picks it below
    st.session_state["corpus_table_picked"] = picked
    _selected({r["doc_id"]: r for r in page.rows})


def _pager(page_no: int, pages: int, total: int) -> None:
    first = page_no * PAGE_ROWS + 1
    last = min(total, first + PAGE_ROWS - 1)
    info, prev, nxt = st.columns([4, 1, 1], vertical_alignment="center")
    info.caption(f"Documents {first:,}–{last:,} of {total:,} (page {page_no + 1:,} of {pages:,}), newest first.")
    if prev.button("Previous", icon=":material/chevron_left:", disabled=page_no == 0, width="stretch"):
        st.session_state["corpus_page"] = page_no - 1
        st.rerun(scope="fragment")
    if nxt.button("Next", icon=":material/chevron_right:", disabled=page_no + 1 >= pages, width="stretch"):
        st.session_state["corpus_page"] = page_no + 1
        st.rerun(scope="fragment")


def _label(row: dict[str, Any]) -> str:
    parts = [row.get("ref"), row.get("title"), human_date(row.get("date"))]
    return " · ".join(str(p) for p in parts if p) or str(row["doc_id"])


def _selected(rows: dict[str, dict[str, Any]]) -> None:
    """The document picked (from this page of the listing): correct its metadata, or remove it."""
    st.subheader("Correct or remove a document")
    if st.session_state.get("corpus_doc") not in rows:  # the listing changed: its first document
        st.session_state["corpus_doc"] = next(iter(rows))
    doc_id = st.selectbox(
        "Document",
        list(rows),
        format_func=lambda d: _label(rows[d]),
        key="corpus_doc",
        help="The documents listed above (search or filter to find another); or click a row in the table.",
    )
    doc = assistant().get_document(doc_id) if doc_id else None
    if doc is None:
        return
    status_badge(doc.meta.status, doc.meta.superseded_by)
    edit, remove = st.columns([3, 2], gap="large")
    with edit:
        saved = st.session_state.get("corpus_saved", 0)  # a new set of fields after each save
        changes = _meta_fields(f"corpus_edit_{saved}_{doc_id}", doc.meta)
        if st.button("Save changes", icon=":material/save:", disabled=not changes):
            with reported():
                assistant().update_document(doc_id, **changes)
                st.session_state["corpus_saved"] = saved + 1
                st.session_state["corpus_done"] = f"Saved the changes to {_label(rows[doc_id])}."
                st.rerun()
    with remove:
        confirm = st.checkbox(
            "Yes, remove it from the index",
            key="corpus_remove_ok",
            help="Removes the document and its passages; re-add the file to restore it.",
        )
        if st.button("Remove", icon=":material/delete:", disabled=not confirm):
            with reported():
                if assistant().remove(doc_id):
                    st.session_state["corpus_done"] = f"Removed {_label(rows[doc_id])}."
                st.session_state.pop("corpus_remove_ok", None)
                st.rerun()
