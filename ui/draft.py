"""Draft: paste or upload the incoming item, check what was detected, draft a cited reply."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import streamlit as st

from rag import (
    Who,
    cited_sentences,
    docx_bytes,
    escape_markdown,
    export_name,
    incoming_for,
    parse_request,
    read_upload_text,
    recheck,
    to_markdown,
    warning_line,
)
from rag.types import REQUEST_KINDS, Citation, Draft, Passage
from ui.common import (
    CHOSEN,
    DOCX_MIME,
    KIND_NAMES,
    assistant,
    date_field,
    desk,
    html,
    reported,
    scroll_box,
    settings,
    upload_limit_mb,
)
from ui.downloads import deferred, latest
from ui.identity import who
from ui.support import (
    citation_labels,
    date_given,
    draft_blocks,
    highlight_cited,
    human_date,
    paragraph_html,
    parsed_names,
    passage_html,
    ref_label,
    request_fields,
    request_overrides,
    short_title,
    stream_markdown,
)

LANGUAGES = {"en": "English", "cy": "Cymraeg (Welsh)"}
FIELD_KEYS = ("kind", "number", "title", "member", "language", "date", "date_ok")
CONTEXT_CHARS = 300
PLACEHOLDER = (
    "Paste a petition, a written question or a letter here, e.g.\n\n"
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an "
    "urgent independent review"
)


EMPTY = "There is nothing to reply to yet: paste the petition, question or letter into the box (or upload it) first."
PAGE_CSS = """<style>
.st-key-ym-scripts { display: none; }
.st-key-ym-reply { scroll-margin-top: 4rem; }
span.ym-cite[data-cite] { cursor: pointer; text-decoration: underline dotted; text-underline-offset: 2px; }
span.ym-cite[data-cite]:hover, span.ym-cite[data-cite]:focus { background: #dbeafe; border-radius: 2px; }
span.ym-passage { background: #f3f4f6; box-shadow: inset 3px 0 0 #d1d5db; }
mark.ym-cited { background: #fde047; font-weight: 600; }
/* Citation pills wrap rather than cut a reference or title short on a 1366-wide screen. */
.st-key-cite_choice [role="radio"] { height: auto; max-width: 100%; text-align: left; }
.st-key-cite_choice [role="radio"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
</style>"""
# Clicking a [n] marker in the draft (or Enter / Space on it) selects citation n in the Sources panel:
# the pill is clicked as a person would, so Streamlit reruns with the session as it is.
CITE_SCRIPT = """<script>
(() => {
  if (window.ymCiteInstalled) return;
  window.ymCiteInstalled = true;
  const pick = (marker) => {
    const pills = [...document.querySelectorAll('.st-key-cite_choice [role="radio"]')];
    const pill = pills.find((b) => b.innerText.trim().startsWith(`[${marker.dataset.cite}]`));
    if (pill && pill.getAttribute("aria-checked") !== "true") pill.click();
  };
  const marker = (e) => e.target.closest && e.target.closest(".ym-cite[data-cite]");
  document.addEventListener("click", (e) => { const m = marker(e); if (m) { e.preventDefault(); pick(m); } });
  document.addEventListener("keydown", (e) => {
    const m = marker(e);
    if (m && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); pick(m); }
  });
})();
</script>"""
# Bring an element into view once it is drawn: SELECTOR, then (in its own scroll box) the mark in it.
SHOW_SCRIPT = """<script>
(() => {
  let tries = 0;
  const go = () => {
    const target = document.querySelector(SELECTOR);
    if (!target) { if (tries++ < 50) setTimeout(go, 100); return; }
    let box = target.parentElement;
    while (box && box !== document.body) {
      const style = getComputedStyle(box).overflowY;
      if (box.scrollHeight > box.clientHeight + 1 && (style === "auto" || style === "scroll")) break;
      box = box.parentElement;
    }
    if (INNER && box && box !== document.body) {
      box.scrollIntoView({ block: "nearest" });  // the whole box in the window, if it fits
      const r = target.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollTop += r.top - b.top - Math.max(0, (b.height - r.height) / 2);
    }
    target.scrollIntoView({ block: INNER ? "nearest" : "start" });
  };
  go();
})();
</script>"""


NO_NAME = Who("(no name given)")  # who saved a draft when nobody typed a name or signed in


def render() -> None:
    html(PAGE_CSS)
    _reopen()
    st.title("Draft a reply")
    st.caption(
        "Every substantive sentence of the draft cites the past ministerial reply it rests on. "
        "Choose a citation, or click a [n] in the draft, to see the sentence it rests on in its source."
    )
    incoming, details = st.columns([3, 2], gap="large")
    with incoming:
        _upload()
    with details:  # before the button: a click drafts with the details detected from the text it sends
        _details()
    with incoming:
        _paste_and_draft()
    current = st.session_state.get("draft")
    if isinstance(current, Draft):
        st.divider()
        _show(current)
    with st.container(key="ym-scripts"):
        st.html(CITE_SCRIPT, unsafe_allow_javascript=True)
        for selector, inner, nonce in st.session_state.pop("ym_show", []):
            _show_script(selector, inner, nonce)


def _show_script(selector: str, inner: bool, nonce: int) -> None:
    """Scroll `selector` (a trusted CSS selector) into view once drawn; `inner`: centred in its box.
    The nonce makes each request a new element, so the browser runs it even if one just like it ran."""
    script = SHOW_SCRIPT.replace("SELECTOR", json.dumps(selector)).replace("INNER", "true" if inner else "false")
    st.html(f"{script}<!-- {nonce} -->", unsafe_allow_javascript=True)


def _bring_into_view(selector: str, inner: bool = False) -> None:
    """After this run, scroll `selector` into view (once)."""
    nonce = st.session_state["ym_nonce"] = int(st.session_state.get("ym_nonce") or 0) + 1
    st.session_state.setdefault("ym_show", []).append((selector, inner, nonce))


# ---------------------------------------------------------------------------- input


def _upload() -> None:
    st.header("Incoming item")
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


def _paste_and_draft() -> None:
    st.text_area("…or paste its text", key="draft_text", persist_state="session", height=220, placeholder=PLACEHOLDER)
    # Never disabled: the first click after pasting (which also takes the text from the box) drafts.
    if st.button("Draft reply", type="primary", icon=":material/edit_note:"):
        text = st.session_state.get("draft_text") or ""
        if text.strip():
            _run_draft(text)
        else:
            st.warning(EMPTY, icon=":material/edit_note:")
    _chosen_list()


def _chosen_list() -> None:
    """The precedents an official sent here from the Precedents page, each removable."""
    entries = [e for e in st.session_state.get(CHOSEN) or [] if isinstance(e, dict) and e.get("doc_id")]
    if not entries:
        return
    st.subheader("Chosen precedents")
    st.caption(
        "Drafted from first, ahead of what the search finds, but under the same checks: one that does not "
        "address the request (or is a letter received, or dated on or after \u201cAs of\u201d) is not cited."
    )
    with reported():
        passages = assistant().chosen_passages(entries)
        for entry in entries:
            row = st.container(horizontal=True, vertical_alignment="center", key=f"chosen_{_entry_key(entry)}")
            row.markdown(escape_markdown(_chosen_label(entry, passages)))
            row.button(
                "Remove",
                key=f"unchoose_{_entry_key(entry)}",
                icon=":material/close:",
                on_click=_unchoose,
                args=(entry,),
                help="Draft without this precedent (the search may still find it).",
            )


def _entry_key(entry: dict[str, Any]) -> str:
    return hashlib.sha1(f"{entry.get('doc_id')}|{entry.get('chunk_id')}".encode()).hexdigest()[:12]


def _chosen_label(entry: dict[str, Any], passages: list[Passage]) -> str:
    mine = [p for p in passages if p.doc_id == entry["doc_id"]]
    if not mine:
        return f"{entry['doc_id']} \u2014 no longer in the index"
    m = mine[0].meta
    parts = [ref_label(m.get("ref"), entry["doc_id"]), short_title(m.get("title") or m.get("subject"), 60)]
    parts.append(human_date(m.get("date")))
    what = "one passage" if entry.get("chunk_id") else "whole document"
    return " \u00b7 ".join(p for p in parts if p) + f" ({what})"


def _unchoose(entry: dict[str, Any]) -> None:
    st.session_state[CHOSEN] = [e for e in st.session_state.get(CHOSEN) or [] if e != entry]


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
    st.header("Detected details")
    text = st.session_state.get("draft_text") or ""
    if text.strip():
        _detect(text)
    st.caption("Detected from the text: correct anything that is wrong before drafting.")
    read = list(st.session_state.get("parsed_names") or []) if text.strip() else []
    if "date" in read and date_given(_fields()):
        read.remove("date")
        st.caption("Date checked by you: the draft no longer flags it.")
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


def _outcome(result: Draft) -> str:
    """One line on what drafting did: drafted, partly, or not at all."""
    codes = {w.code for w in result.warnings}
    if "no_precedent" in codes:
        return "No precedent answers this request: nothing was drafted."
    partly = " (part of the request has no precedent)" if "partial_answer" in codes else ""
    return f"Drafted with {len(result.citations)} citation(s){partly}."


def _backend_name(name: str) -> str:
    return "Offline (no network)" if name == "offline" else f"OpenAI-compatible ({settings().llm_model})"


def _fields() -> dict[str, Any]:
    """The detected-details fields as the official left them, with the date read from the text."""
    fields: dict[str, Any] = {k: st.session_state.get(f"field_{k}") for k in FIELD_KEYS}
    fields["parsed_date"] = st.session_state.get("parsed_date")
    return fields


def _run_draft(text: str) -> None:
    fields = _fields()
    backend = st.session_state.get("field_backend") or "offline"
    with reported():
        request = parse_request(text, **request_overrides(fields, st.session_state.get("field_as_of")))
        with st.status("Drafting from the precedents…", expanded=backend == "openai") as status:
            stream = st.empty()
            tokens: list[str] = []

            def on_token(token: str) -> None:
                tokens.append(token)
                stream.markdown(stream_markdown(tokens))

            entries = list(st.session_state.get(CHOSEN) or [])
            chosen = assistant().chosen_passages(entries) if entries else []
            sink = on_token if backend == "openai" else None
            result = assistant().draft(request, backend, on_token=sink, chosen=chosen)
            stream.empty()
            status.update(label=_outcome(result), state="complete", expanded=False)
        _land_on_desk(text, request, result, request_overrides(fields, st.session_state.get("field_as_of")))
        st.session_state["draft"] = result
        st.session_state["draft_serial"] = _serial() + 1
        st.session_state["cited_spans"] = {}
        st.session_state["draft_chosen"] = [(e, _chosen_label(e, chosen)) for e in entries]
        st.session_state["draft_edit"] = result.text
        st.session_state.pop("cite_choice", None)
        _bring_into_view(".st-key-ym-reply")


# ---------------------------------------------------------------------------- the desk


def _land_on_desk(text: str, request: Any, result: Draft, fields: dict[str, Any]) -> None:
    """Save the draft on the desk: a new version of this page's item when the text is the one it
    answers, else a new item. The item's number goes in the address, so a reload reopens it."""
    item = st.session_state.get("desk_item")
    person = who() or NO_NAME
    with reported():
        if item is None or st.session_state.get("desk_text") != text:
            item = desk().add_item([incoming_for(request)], person, fields=fields)
        n = desk().save_version(item, result, person)
        st.session_state.update(desk_item=item, desk_version=n, desk_text=text, desk_saved=result.text)
        st.query_params["item"] = str(item)


def _save_edit(final: Draft) -> None:
    """Keep an edit (once checked) as the item's next version, once per distinct text: never over one."""
    item = st.session_state.get("desk_item")
    if item is None or final.text == st.session_state.get("desk_saved"):
        return
    with reported():
        n = desk().save_version(
            item, final, who() or NO_NAME, origin="edited", based_on=st.session_state.get("desk_version")
        )
        st.session_state.update(desk_version=n, desk_saved=final.text)


def _reopen() -> None:
    """After a reload (a new session), reopen the item in the address: its text, its newest version
    (an edit included) and its details; nothing typed into the page is lost."""
    wanted = st.query_params.get("item")
    if not wanted or st.session_state.get("desk_item") is not None:
        return
    with reported():
        view = desk().item(int(wanted)) if wanted.isdigit() else None
        if view is None or view.latest is None:
            return
        latest = view.latest
        first = view.requests[0]
        st.session_state.update(
            desk_item=view.row.id, desk_version=latest.n, desk_text=first.text, desk_saved=latest.text,
            draft=latest.draft, draft_text=first.text, draft_edit=latest.text, draft_serial=_serial() + 1,
            cited_spans={},
        )  # fmt: skip


def _desk_note() -> None:
    item = st.session_state.get("desk_item")
    if item is None:
        return
    unnamed = "" if who() else " without a name (type yours in the sidebar, or sign in, to be recorded)"
    version = st.session_state.get("desk_version")
    st.caption(f"Saved on the desk as item {item}, version {version}{unnamed}; every edit is kept as a new version.")
    st.page_link(
        "views/desk.py", label="Open it on the Desk", icon=":material/inbox:", query_params={"item": str(item)}
    )


# ---------------------------------------------------------------------------- output


def _show(draft: Draft) -> None:
    reply, sources = st.columns([3, 2], gap="large")
    with reply, st.container(key="ym-reply"):
        st.header("Draft reply")
        _chosen_notes(draft)
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
    st.header("Edit and download")
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
        _save_edit(final)
        _edit_checks(draft, final)
    _desk_note()
    slot = latest("draft_export")
    slot.value = final  # what a download clicked now exports, once this run is over
    unchecked = "The edit could not be checked again, so it cannot be downloaded: see the message above."
    row = st.container(horizontal=True, vertical_alignment="center")
    keep = latest("draft_export_markers")  # read when a download is made, so a tick just made counts
    exports = [
        ("Download .docx", lambda d: docx_bytes(d, markers=keep.value is not False), "docx", DOCX_MIME),
        ("Download Markdown", lambda d: to_markdown(d, markers=keep.value is not False), "md", "text/markdown"),
    ]
    for label, export, ext, mime in exports:
        row.download_button(
            label,
            deferred(slot, export),
            file_name=export_name(draft, ext),
            icon=":material/download:",
            on_click="ignore",
            mime=mime,
            disabled=final is None,
            help=unchecked if final is None else None,
            width="content",
        )
    keep.value = row.checkbox(
        "Keep the [n] markers in the letter",
        value=True,
        key="draft_markers",
        help="Untick to export the letter without its [n] markers; its sources are still listed at the end.",
    )
    if not keep.value:
        st.caption("The downloads leave the [n] markers out of the letter; the sources stay listed at the end.")


def _chosen_notes(draft: Draft) -> None:
    """Which chosen precedents the draft does not cite, and why that can be."""
    cited = {c.doc_id for c in draft.citations}
    left_out = [label for entry, label in st.session_state.get("draft_chosen") or [] if entry["doc_id"] not in cited]
    if not left_out:
        return
    st.info(
        "Chosen but not cited: " + "; ".join(escape_markdown(label) for label in left_out) + ". The checks found "
        "no part of the request it addresses, or it is a letter received, superseded by a later line or dated "
        "on or after \u201cAs of\u201d, so it was not forced into the reply.",
        icon=":material/info:",
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
    st.header("Sources")
    if draft.related:
        _related(draft)
        return
    if not draft.citations:
        st.info("This draft cites no precedent.")
        return
    by_n = {c.n: c for c in draft.citations}
    labels = citation_labels(draft.citations)
    choice = st.pills(
        "Citations",
        list(by_n),
        key="cite_choice",
        wrap=True,
        persist_state="session",
        format_func=lambda n: escape_markdown(labels[n]),
        help="Choose a citation (or click a [n] in the draft) to see the sentence it rests on, in its source.",
    )
    if choice is None:
        st.caption("Choose a citation above, or click a [n] in the draft, to see the sentence it rests on.")
        return
    _cited(draft, by_n[choice])


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
            html(f'<div class="ym-doc">{passage_html(p.text)}</div>')


def _cited(draft: Draft, c: Citation) -> None:
    facts = [ref_label(c.ref, c.doc_id), human_date(c.date), c.author]
    st.markdown(f"**\\[{c.n}\\]** " + escape_markdown(" · ".join(f for f in facts if f)))
    if c.title:
        st.caption(escape_markdown(c.title))
    doc = assistant().get_document(c.doc_id)
    if doc is None:
        st.warning("That document is no longer in the index; the cited passage was:")
        st.markdown(escape_markdown(c.quote))
        return
    whole = st.toggle("Show the whole document", key=f"whole_{c.n}", persist_state="session")
    sentences = _cited_spans(draft, c)
    view = f"ym-view-{_serial()}-{c.n}-{int(whole)}"
    st.caption(
        "The sentence the draft rests on is marked; the rest of the cited passage is shaded."
        if sentences
        else "The cited passage is shaded."
    )
    body = highlight_cited(doc.text, (c.start, c.end), sentences, None if whole else CONTEXT_CHARS)
    scroll_box(f'<div class="ym-doc {view}">{body}</div>', f"Citation [{c.n}] in its source", "460px", "ym-source")
    if st.session_state.get("ym_viewed") != view:  # once per citation shown, not on every rerun
        st.session_state["ym_viewed"] = view
        target = f".{view} mark.ym-cited" if sentences else f".{view} span.ym-passage"
        _bring_into_view(target, inner=True)


def _serial() -> int:
    return int(st.session_state.get("draft_serial") or 0)


def _cited_spans(draft: Draft, c: Citation) -> list[tuple[int, int]]:
    """The document offsets of the sentences citation [n] rests on, worked out once per draft."""
    cache = st.session_state.setdefault("cited_spans", {})
    key = (_serial(), c.n)
    if key not in cache:
        passage = Passage(c.doc_id, c.chunk_id, c.quote, c.start, c.end)
        cache[key] = cited_sentences(draft.body, c.n, passage, assistant().embedder)
    return list(cache[key])
