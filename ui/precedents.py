"""Precedents: search what Government has said, grouped by document, and how the line changed over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from rag import Assistant, InputError, check_search, escape_markdown, on_point, said, superseded_by
from rag.types import KINDS, DocMeta, Passage, SearchFilters
from ui.common import assistant, choose_precedent, date_field, html, reported, scroll_box, status_badge
from ui.reading import DOC_HEIGHT, document_html
from ui.support import (
    EARLIER,
    HOLDING,
    LATEST,
    LETTER,
    DocGroup,
    group_by_document,
    highlight_terms,
    human_date,
    kind_label,
    timeline_rows,
)

CSS = """<style>
div.ym-viewer mark.ym-term { background: #fcd34d; font-weight: 600; }
</style>"""


def render() -> None:
    html(CSS)
    st.title("Precedents")
    st.caption("Search past replies, answers and letters. Filters narrow the search; results are grouped by document.")
    _search_form()
    found = st.session_state.get("prec_found")
    if not found:
        return
    if not found.passages:
        st.info("No precedent matches that search and those filters.")
        return
    results, timeline = st.tabs(["Results by document", "Timeline"])
    with results:
        _results(found)
    with timeline:
        _timeline(found)
    opened = st.session_state.get("prec_open")
    if opened:
        _viewer(opened, found)


@dataclass(frozen=True)
class Found:
    """One search and what the page worked out from it once (not on every rerun)."""

    query: str
    passages: list[Passage]
    on_point: set[str]  # the documents that answer the query (rag.drafting.lines.on_point)
    replaced: dict[str, Passage]  # superseded doc_id -> the passage replacing it, among those
    answers: dict[str, str]  # what a document said, where none of its found passages reaches the reply


def _search_form() -> None:
    with st.form("prec_search", border=True):
        st.text_input(
            "Search",
            key="prec_query",
            persist_state="session",
            placeholder="e.g. independent review of children's services",
        )
        kinds, start, end, author, k = st.columns([3, 2, 2, 3, 2])
        kinds.multiselect(
            "Kind", KINDS, key="prec_kinds", persist_state="session", format_func=kind_label, placeholder="Any kind"
        )
        date_field(start, "From", "prec_from", help="Dated on or after this day.")
        date_field(end, "To", "prec_to", help="Dated on or before this day.")
        author.text_input(
            "Author or department",
            key="prec_author",
            persist_state="session",
            help="Matches part of the author's name, role or department, e.g. 'Julie Morgan' or 'Social Services'.",
        )
        k.number_input(
            "Passages",
            1,
            100,
            value=20,
            key="prec_k",
            persist_state="session",
            help="How many passages to retrieve at most.",
        )
        submitted = st.form_submit_button("Search", type="primary", icon=":material/search:")
    if submitted:
        with reported():
            _search()


def _search() -> None:
    k = st.session_state.get("prec_k")
    k = 20 if k is None else int(k)
    query = check_search(st.session_state.get("prec_query") or "", k, k_label="Passages")
    start, end = st.session_state.get("prec_from"), st.session_state.get("prec_to")
    if start and end and start > end:
        raise InputError("The 'From' date is after the 'To' date: swap them or clear one.")
    filters = SearchFilters(
        kinds=list(st.session_state.get("prec_kinds") or []) or None,
        date_from=start.isoformat() if start else None,
        date_to=end.isoformat() if end else None,
        author=(st.session_state.get("prec_author") or "").strip() or None,
    )
    with st.spinner("Searching, and checking which results answer the search…"):
        st.session_state["prec_found"] = _found(assistant(), query, filters, k)
    st.session_state.pop("prec_open", None)


def _found(a: Assistant, query: str, filters: SearchFilters, k: int) -> Found:
    passages = a.search(query, k=k, filters=filters)
    keep = on_point(query, passages, a.embedder, lambda terms: a.term_counts(terms, filters))
    lines = [p for p in passages if p.doc_id in keep]
    answers = {d: said(a.doc_passages(d)) for d in keep if not said([p for p in lines if p.doc_id == d])}
    return Found(query, passages, keep, superseded_by(lines, a.embedder), answers)


def _results(found: Found) -> None:
    groups = group_by_document(found.passages)
    st.caption(f"{len(found.passages)} passage(s) in {len(groups)} document(s), best first.")
    for group in groups:
        _group(group, found.query)


def _group(group: DocGroup, query: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(group.heading())}**")
        status_badge(group.meta.get("status"), group.meta.get("superseded_by"))
        if group.title:
            st.caption(escape_markdown(group.title))
        for p in group.passages:
            html(f'<div class="ym-doc ym-snippet">{highlight_terms(p.text, query)}</div>')
            if st.button(
                "Use this passage in a draft", key=f"use_{p.chunk_id}", icon=":material/post_add:", type="tertiary"
            ):
                choose_precedent(group.doc_id, p.chunk_id)
        st.button(
            "Open document",
            key=f"open_{group.doc_id}",
            icon=":material/article:",
            on_click=_set_open,
            args=(group.doc_id,),
        )


def _set_open(doc_id: str | None) -> None:
    st.session_state["prec_open"] = doc_id


def _close() -> None:
    st.session_state.pop("prec_open", None)


# The document opens scrolled to its first highlighted match. A constant script (nothing from the
# document is in it), run once the dialog is drawn: Markdown cannot scroll, and the match may lie
# thousands of pixels down a letter.
SCROLL_TO_MATCH = """<script>
(() => {
  let tries = 0;
  const go = () => {
    const doc = document.querySelector('[role="dialog"] div.ym-viewer');
    const mark = doc && (doc.querySelector("mark.ym-term") || doc.querySelector("mark"));
    if (mark) mark.scrollIntoView({ block: "center" });
    else if (tries++ < 100) setTimeout(go, 50);
  };
  go();
})();
</script>"""


def _viewer(doc_id: str, found: Found) -> None:
    a = assistant()
    with reported():
        doc = a.get_document(doc_id)
        if doc is None:
            _close()
            st.warning("That document is no longer in the index.")
            return
        m = doc.meta
        facts = [m.ref or doc.doc_id, human_date(m.date), kind_label(m.kind), m.author or m.author_role]
        title = escape_markdown(" · ".join(str(f) for f in facts if f))
        spans = [(p.start, p.end) for p in found.passages if p.doc_id == doc_id]
        st.dialog(title, width="large", icon=":material/article:", on_dismiss=_close)(_document)(
            doc.doc_id, m.title or m.subject or "", document_html(doc.text, spans, found.query), m
        )


def _document(doc_id: str, title: str, body: str, meta: DocMeta) -> None:
    if title:
        st.caption(escape_markdown(title))
    status_badge(meta.status, meta.superseded_by)
    with st.container(horizontal=True):
        if st.button("Use this document in a draft", key="use_doc", type="primary", icon=":material/post_add:"):
            _close()
            choose_precedent(doc_id)
        if st.button("Back to the results", key="close_doc", icon=":material/arrow_back:"):
            _close()
            st.rerun()
    st.caption("The passages the search found are highlighted, the query's words more strongly.")
    # The screen's height less the dialog's heading and buttons, and never under half DOC_HEIGHT.
    height = f"max({DOC_HEIGHT // 2}px, calc(100vh - 350px))"
    scroll_box(f'<div class="ym-doc ym-viewer">{body}</div>', f"{title or 'The document'}, in full", height)
    st.html(SCROLL_TO_MATCH, unsafe_allow_javascript=True, width="content")


def _timeline(found: Found) -> None:
    rows = timeline_rows(found.passages, found.replaced, on_point=found.on_point, answers=found.answers)
    lines = [r for r in rows if r["line"] != LETTER]
    letters = [r for r in rows if r["line"] == LETTER]
    left_out = len(group_by_document(found.passages)) - len(rows)
    latest = [r for r in lines if r["line"] == LATEST]
    if latest:
        line = latest[-1]
        said_then = escape_markdown(f"({human_date(line['date'])}, {line['ref']}): {line['said']}")
        st.markdown(f"**Latest line** {said_then}")
        gone = [r for r in lines if r["line"].startswith("superseded")]
        if gone:
            named = "; ".join(f"{r['ref']} ({human_date(r['date'])})" for r in gone)
            st.caption(escape_markdown(f"Superseded: {named}"))
    elif lines:
        st.caption("No dated Government reply among the results that answer this search.")
    else:
        st.info("None of the results answers this search well enough to show as a line: try other words.")
    if left_out:
        st.caption(
            f"{left_out} result(s) left out: they come up in the search but do not answer it (the test the "
            "Draft page uses before it drafts from a precedent)."
        )
    dated = [r for r in lines if r["date"]]
    if dated:
        st.vega_lite_chart(_chart_spec(dated), width="stretch")
    if lines:
        _table(list(reversed(dated)) + [r for r in lines if not r["date"]])
    if letters:
        st.markdown("**Letters received** (what others asked for, not lines Government took)")
        _table(letters, "what they wrote")


COLUMNS = ("date", "ref", "line", "said", "rank", "author", "title", "kind")
# The chart's legend: one word a standing (the table and the "Latest line" heading give it in full).
STANDINGS = {
    LATEST: ("latest", "#15803d"),
    "superseded": ("superseded", "#9ca3af"),
    EARLIER: ("earlier", "#2563eb"),
    HOLDING: ("holding reply", "#d97706"),
}


def _table(rows: list[dict[str, Any]], said_label: str = "what was said") -> None:
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_order=COLUMNS,
        column_config={
            "line": st.column_config.TextColumn("standing"),
            "rank": st.column_config.NumberColumn("match rank", help="1 = the best match of the search"),
            "said": st.column_config.TextColumn(said_label, width="large"),
        },
    )


def _standing(line: str) -> str:
    return "superseded" if line.startswith("superseded") else line


def _chart_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each line at its date, the best matches at the top, coloured by standing."""
    values = [{**r, "standing": STANDINGS[_standing(r["line"])][0]} for r in rows]
    return {
        "data": {"values": values},
        "height": 200,
        "mark": {"type": "point", "filled": True, "size": 160},
        "encoding": {
            "x": {
                "field": "date",
                "type": "temporal",
                "title": "date",
                "scale": {"padding": 24},
                "axis": {"format": "%b %Y"},
            },
            "y": {
                "field": "rank",
                "type": "quantitative",
                "title": "match rank (1 = best)",
                "scale": {"reverse": True, "zero": False, "nice": False, "padding": 16},
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "standing",
                "type": "nominal",
                "title": "standing",
                "scale": {"domain": [w for w, _ in STANDINGS.values()], "range": [c for _, c in STANDINGS.values()]},
            },
            "tooltip": [{"field": f} for f in ("date", "ref", "line", "rank", "author", "title")],
        },
    }
