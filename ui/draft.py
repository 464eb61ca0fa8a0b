"""Draft: paste or upload the incoming item, check what was detected, draft a cited reply."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from rag import docx_bytes, escape_markdown, parse_request, read_upload_text, recheck, to_markdown, warning_line
from rag.types import REQUEST_KINDS, Citation, Draft
from ui.common import assistant, date_field, html, reported, settings, upload_limit_mb
from ui.downloads import deferred, latest
from ui.support import (
    citation_label,
    download_name,
    draft_blocks,
    highlight_span,
    human_date,
    paragraph_html,
    parsed_names,
    request_fields,
    request_overrides,
    stream_markdown,
)

KIND_NAMES = {"petition": "Petition", "written_question": "Written question", "letter": "Letter"}
LANGUAGES = {"en": "English", "cy": "Cymraeg (Welsh)"}
FIELD_KEYS = ("kind", "number", "title", "member", "language", "date", "date_ok")
CONTEXT_CHARS = 300
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLACEHOLDER = (
    "Paste a petition, a written question or a letter here, e.g.\n\n"
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an "
    "urgent independent review"
)


def render() -> None:
    st.title("Draft a reply")
    st.caption(
        "Every substantive sentence of the draft cites the past ministerial reply it rests on. "
        "Choose a citation to see the passage in its source."
    )
    incoming, details = st.columns([3, 2], gap="large")
    with incoming:
        _incoming()
    with details:
        _details()
    current = st.session_state.get("draft")
    if isinstance(current, Draft):
        st.divider()
        _show(current)


# ---------------------------------------------------------------------------- input


def _incoming() -> None:
    st.subheader("Incoming item")
    uploaded = st.file_uploader(
        "Upload the petition, question or letter",
        type=["txt", "md", "pdf", "docx"],
        key="draft_upload",
        max_upload_size=upload_limit_mb(),
        help=f"Its text replaces what is in the box below. Files over {settings().max_upload_mb:g} MB are refused.",
    )
    if uploaded is not None and st.session_state.get("draft_upload_id") != uploaded.file_id:
        st.session_state["draft_upload_id"] = uploaded.file_id
        with reported():
            st.session_state["draft_text"] = read_upload_text(
                uploaded.name, uploaded.getvalue(), settings().max_upload_mb
            )
    st.text_area("…or paste its text", key="draft_text", persist_state="session", height=280, placeholder=PLACEHOLDER)


def _detect(text: str) -> None:
    """Fill the correctable fields from the text, once per distinct text."""
    if st.session_state.get("parsed_text") == text:
        return
    st.session_state["parsed_text"] = text
    with reported():
        request = parse_request(text)
        fields = request_fields(request)
        parsed_date = fields.pop("date") or None
        st.session_state["parsed_date"] = parsed_date
        st.session_state["field_date"] = date.fromisoformat(parsed_date) if parsed_date else None
        st.session_state["field_date_ok"] = False
        st.session_state["parsed_names"] = parsed_names(request)
        for key, value in fields.items():
            st.session_state[f"field_{key}"] = value


def _details() -> None:
    st.subheader("Detected details")
    text = st.session_state.get("draft_text") or ""
    if text.strip():
        _detect(text)
    st.caption("Detected from the text: correct anything that is wrong before drafting.")
    read = st.session_state.get("parsed_names") if text.strip() else None
    if read:
        st.caption(
            f"Read from the text \u2014 check: {', '.join(read)}. The text is untrusted; nothing here is verified."
        )
    kind_col, lang_col = st.columns(2)
    kind_col.selectbox("Kind", REQUEST_KINDS, key="field_kind", persist_state="session", format_func=KIND_NAMES.get)
    lang_col.selectbox(
        "Language",
        list(LANGUAGES),
        key="field_language",
        persist_state="session",
        format_func=LANGUAGES.get,
        help="Correspondence received in Welsh must be answered in Welsh.",
    )
    st.text_input(
        "Number",
        key="field_number",
        persist_state="session",
        help="Petition number (P-06-1199) or written question (WQ85953).",
    )
    st.text_input(
        "Title",
        key="field_title",
        persist_state="session",
        help="The petition's title, as quoted in the reply's opening line.",
    )
    st.text_input(
        "Member", key="field_member", persist_state="session", help="The asking member, or who sent the letter."
    )
    item_date, checked = st.columns(2)
    date_field(
        item_date,
        "Date of the item",
        "field_date",
        help="Read from the text \u2014 check it: the reply quotes it (a letter's date, a question's tabled date).",
    )
    checked.checkbox(
        "Date checked",
        key="field_date_ok",
        disabled=not st.session_state.get("parsed_date"),
        help="Tick once the date read from the text matches the original; until then the draft flags it.",
    )
    backend_col, date_col = st.columns(2)
    backends = ["offline", "openai"] if settings().llm_configured else ["offline"]
    backend_col.radio(
        "Backend",
        backends,
        key="field_backend",
        persist_state="session",
        format_func=_backend_name,
        help="Offline drafts from the precedents without any network. The OpenAI-compatible backend "
        "appears once YMATEB_LLM_BASE_URL or YMATEB_LLM_API_KEY is set.",
    )
    date_field(
        date_col,
        "As of",
        "field_as_of",
        help="Draft only from precedents dated before this day (leave empty to use everything).",
    )
    if st.button("Draft reply", type="primary", icon=":material/edit_note:", disabled=not text.strip()):
        _run_draft(text)


def _outcome(result: Draft) -> str:
    """One line on what drafting did: drafted, partly, or not at all."""
    codes = {w.code for w in result.warnings}
    if "no_precedent" in codes:
        return "No precedent answers this request: nothing was drafted."
    partly = " (part of the request has no precedent)" if "partial_answer" in codes else ""
    return f"Drafted with {len(result.citations)} citation(s){partly}."


def _backend_name(name: str) -> str:
    return "Offline (no network)" if name == "offline" else f"OpenAI-compatible ({settings().llm_model})"


def _run_draft(text: str) -> None:
    fields: dict[str, Any] = {k: st.session_state.get(f"field_{k}") for k in FIELD_KEYS}
    fields["parsed_date"] = st.session_state.get("parsed_date")
    backend = st.session_state.get("field_backend") or "offline"
    with reported():
        request = parse_request(text, **request_overrides(fields, st.session_state.get("field_as_of")))
        with st.status("Drafting from the precedents…", expanded=backend == "openai") as status:
            stream = st.empty()
            tokens: list[str] = []

            def on_token(token: str) -> None:
                tokens.append(token)
                stream.markdown(stream_markdown(tokens))

            result = assistant().draft(request, backend, on_token=on_token if backend == "openai" else None)
            stream.empty()
            status.update(label=_outcome(result), state="complete", expanded=False)
        st.session_state["draft"] = result
        st.session_state["draft_edit"] = result.text
        st.session_state.pop("cite_choice", None)


# ---------------------------------------------------------------------------- output


def _show(draft: Draft) -> None:
    reply, sources = st.columns([3, 2], gap="large")
    with reply:
        st.subheader("Draft reply")
        blocks, general = draft_blocks(draft.text, draft.warnings)
        for w in general:
            st.warning(escape_markdown(w.message), icon=":material/warning:")
        for block in blocks:
            text_col, note_col = st.columns([4, 2]) if block.warnings else (st.container(), None)
            with text_col:
                html(f'<div class="ym-letter">{paragraph_html(block)}</div>')
            if note_col is not None:
                for w in block.warnings:
                    note_col.warning(escape_markdown(w.message), icon=":material/warning:")
    with sources:
        _sources(draft)
    st.subheader("Edit and download")
    st.text_area(
        "Edit the draft",
        key="draft_edit",
        persist_state="session",
        height=420,
        help="Your edits are checked again as soon as you leave the box (or press Ctrl+Enter), by the same "
        "checks as the draft: [n] markers that name no source, statements that cite nothing or that the cited "
        "source does not support. The points to check shown below the box are the ones the downloads list.",
    )
    final = _rechecked(draft, st.session_state.get("draft_edit") or draft.text)
    if final is not None:
        _edit_checks(draft, final)
    slot = latest("draft_export")
    slot.value = final  # what a download clicked now exports, once this run is over
    unchecked = "The edit could not be checked again, so it cannot be downloaded: see the message above."
    exports = [
        ("Download .docx", docx_bytes, "docx", DOCX_MIME),
        ("Download Markdown", to_markdown, "md", "text/markdown"),
    ]
    for column, (label, export, ext, mime) in zip(st.columns([1, 1, 3]), exports):
        column.download_button(
            label,
            deferred(slot, export),
            file_name=download_name(draft, ext),
            icon=":material/download:",
            on_click="ignore",
            mime=mime,
            disabled=final is None,
            help=unchecked if final is None else None,
        )


def _rechecked(draft: Draft, text: str) -> Draft | None:
    """The draft as edited and checked again, once per distinct edit (the draft itself if unedited);
    None, with the failure shown, if the check could not run: an unchecked edit is never exported."""
    if text == draft.text:
        return draft
    cached = st.session_state.get("draft_rechecked")
    if isinstance(cached, tuple) and cached[0] is draft and cached[1] == text:
        return cached[2]
    with reported():
        final = recheck(draft, text, assistant().embedder, max_age_months=settings().precedent_max_age_months)
        st.session_state["draft_rechecked"] = (draft, text, final)
        return final
    return None


def _edit_checks(draft: Draft, final: Draft) -> None:
    """The points to check on the edited text, as the downloads will list them."""
    if final is draft:
        st.caption("The points to check shown with the draft above go into the downloads.")
        return
    n = len(final.warnings)
    st.caption(
        f"Your edits were checked again: {n} point{'s' if n != 1 else ''} to check, listed in the downloads."
        if n
        else "Your edits were checked again: nothing to flag."
    )
    for w in final.warnings:
        st.warning(escape_markdown(warning_line(w)), icon=":material/warning:")


def _sources(draft: Draft) -> None:
    st.subheader("Sources")
    if draft.related:
        _related(draft)
        return
    if not draft.citations:
        st.info("This draft cites no precedent.")
        return
    by_n = {c.n: c for c in draft.citations}
    choice = st.pills(
        "Citations",
        list(by_n),
        key="cite_choice",
        wrap=True,
        persist_state="session",
        format_func=lambda n: escape_markdown(citation_label(by_n[n])),
        help="Choose a citation to see the cited passage highlighted in its source document.",
    )
    if choice is None:
        st.caption("Choose a citation above to see the passage it rests on.")
        return
    _cited(by_n[choice])


def _related(draft: Draft) -> None:
    """No precedent answers the request: what was searched, and the closest ones, for officials to judge."""
    st.info(
        "No precedent answers this request, so nothing was drafted from one. "
        f"Searched for: \u201c{escape_markdown(draft.query)}\u201d. Possibly related, closest first:",
        icon=":material/search_off:",
    )
    for p in draft.related:
        r = p.to_result()
        label = " · ".join(str(x) for x in (r["ref"] or r["doc_id"], human_date(r["date"]), r["title"]) if x)
        with st.expander(escape_markdown(label)):
            st.markdown(escape_markdown(p.text))


def _cited(c: Citation) -> None:
    facts = [c.ref or c.doc_id, human_date(c.date), c.author]
    st.markdown(f"**\\[{c.n}\\]** " + escape_markdown(" · ".join(f for f in facts if f)))
    if c.title:
        st.caption(escape_markdown(c.title))
    doc = assistant().get_document(c.doc_id)
    if doc is None:
        st.warning("That document is no longer in the index; the cited passage was:")
        st.markdown(escape_markdown(c.quote))
        return
    whole = st.toggle("Show the whole document", key=f"whole_{c.n}", persist_state="session")
    with st.container(height=460, border=True):
        html(f'<div class="ym-doc">{highlight_span(doc.text, c.start, c.end, None if whole else CONTEXT_CHARS)}</div>')
