"""Corpus: what the index holds, adding documents to it, and removing one."""

from __future__ import annotations

import streamlit as st

from rag import escape_markdown, ingest_uploads
from ui.common import assistant, reported, settings, upload_limit_mb
from ui.support import document_rows, kind_label

UPLOAD_TYPES = ["txt", "md", "pdf", "docx", "html", "htm", "jsonl", "gz"]


def render() -> None:
    st.title("Corpus")
    st.caption("The precedents Ymateb drafts from: past replies, written answers and letters.")
    _statistics()
    add, remove = st.columns([3, 2], gap="large")
    with add:
        _upload()
    with remove:
        _remove()
    _listing()


def _statistics() -> None:
    stats = assistant().stats()
    docs, chunks, store, model = st.columns([1, 1, 3, 2])
    docs.metric("Documents", stats["documents"])
    chunks.metric("Chunks", stats["chunks"])
    server = bool(settings().chroma_url)
    store.metric("Store", "Chroma server" if server else "Embedded Chroma", help=stats["store"])
    store.caption(stats["store"])
    model.metric("Embedding model", str(stats["embedding_model"]).split(" ")[0], help=stats["embedding_model"])
    if stats["by_kind"]:
        rows = [{"kind": kind_label(k), **v} for k, v in sorted(stats["by_kind"].items())]
        with st.expander("By kind", expanded=False):
            st.dataframe(rows, hide_index=True, width="stretch")


def _upload() -> None:
    st.subheader("Add documents")
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
    if st.button("Add to the index", type="primary", icon=":material/upload:", disabled=not files):
        with reported():
            _add([(f.name, f.getvalue()) for f in files or []])
            st.session_state["corpus_upload_gen"] = generation + 1
            st.rerun()
    results = st.session_state.get("corpus_results")
    if results:
        st.dataframe(
            results,
            hide_index=True,
            width="stretch",
            column_config={
                "detail": st.column_config.TextColumn("detail", width="large"),
            },
        )


def _add(files: list[tuple[str, bytes]]) -> None:
    bar = st.progress(0.0, text="Adding documents…")

    def on_file(done: int, total: int, name: str) -> None:
        bar.progress(
            done / max(total, 1), text=f"Indexing {escape_markdown(name)} ({done + 1} of {total})…" if name else "Done."
        )

    results = ingest_uploads(assistant().ingest, files, settings().max_upload_mb, on_file=on_file)
    st.session_state["corpus_results"] = [r.to_row() for r in results]


def _remove() -> None:
    st.subheader("Remove a document")
    docs = assistant().list_documents()
    if not docs:
        st.info("The index is empty.")
        return
    labels = {d["doc_id"]: " · ".join(str(x) for x in (d["doc_id"], d.get("ref"), d.get("date")) if x) for d in docs}
    doc_id = st.selectbox("Document", list(labels), format_func=labels.get, key="corpus_remove_id")
    confirm = st.checkbox(
        "Yes, remove it from the index",
        key="corpus_remove_ok",
        help="Removes the document and its passages; re-add the file to restore it.",
    )
    if st.button("Remove", icon=":material/delete:", disabled=not confirm):
        with reported():
            if assistant().remove(doc_id):
                st.session_state["corpus_removed"] = doc_id
            st.session_state.pop("corpus_remove_ok", None)
            st.rerun()
    removed = st.session_state.pop("corpus_removed", None)
    if removed:
        st.success(f"Removed {escape_markdown(removed)}.")


def _listing() -> None:
    st.subheader("Documents in the index")
    rows = document_rows(assistant().list_documents())
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "title": st.column_config.TextColumn("title", width="large"),
            "chunks": st.column_config.NumberColumn("chunks", format="%d"),
        },
    )
