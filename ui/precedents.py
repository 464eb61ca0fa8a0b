"""Precedents: search what Government has said, grouped by document, and how the line changed over time."""

from __future__ import annotations

from typing import Any

import streamlit as st

from rag import InputError, check_search, escape_markdown, superseded_by
from rag.types import KINDS, Passage, SearchFilters
from ui.common import assistant, date_field, html, reported
from ui.support import (
    DocGroup,
    group_by_document,
    highlight_spans,
    highlight_terms,
    human_date,
    kind_label,
    timeline_rows,
)


def render() -> None:
    st.title("Precedents")
    st.caption("Search past replies, answers and letters. Filters narrow the search; results are grouped by document.")
    _search_form()
    found = st.session_state.get("prec_found")
    if not found:
        return
    query, passages = found
    if not passages:
        st.info("No precedent matches that search and those filters.")
        return
    results, timeline = st.tabs(["Results by document", "Timeline"])
    with results:
        _results(query, passages)
    with timeline:
        _timeline(passages)


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
    with st.spinner("Searching…"):
        passages = assistant().search(query, k=k, filters=filters)
    st.session_state["prec_found"] = (query, passages)
    st.session_state.pop("prec_open", None)


def _results(query: str, passages: list[Passage]) -> None:
    groups = group_by_document(passages)
    st.caption(f"{len(passages)} passage(s) in {len(groups)} document(s), best first.")
    listing, viewer = st.columns([3, 2], gap="large")
    with listing:
        for group in groups:
            _group(group, query)
    with viewer:
        opened = st.session_state.get("prec_open")
        if opened:
            _open_document(opened, [g for g in groups if g.doc_id == opened])
        else:
            st.info("Open a document to read it in full, with the matching passages highlighted.")


def _group(group: DocGroup, query: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(group.heading())}**")
        if group.title:
            st.caption(escape_markdown(group.title))
        for p in group.passages:
            html(f'<div class="ym-doc ym-snippet">{highlight_terms(p.text, query)}</div>')
        st.button(
            "Open document",
            key=f"open_{group.doc_id}",
            icon=":material/article:",
            on_click=_set_open,
            args=(group.doc_id,),
        )


def _set_open(doc_id: str) -> None:
    st.session_state["prec_open"] = doc_id


def _open_document(doc_id: str, groups: list[DocGroup]) -> None:
    with reported():
        doc = assistant().get_document(doc_id)
        if doc is None:
            st.warning("That document is no longer in the index.")
            return
        m = doc.meta
        facts = [m.ref or doc.doc_id, human_date(m.date), kind_label(m.kind), m.author or m.author_role]
        st.markdown("**" + escape_markdown(" · ".join(str(f) for f in facts if f)) + "**")
        if m.title or m.subject:
            st.caption(escape_markdown(m.title or m.subject or ""))
        spans = [(p.start, p.end) for g in groups for p in g.passages]
        with st.container(height=620, border=True):
            html(f'<div class="ym-doc">{highlight_spans(doc.text, spans)}</div>')
        st.button("Close", key="close_doc", on_click=_set_open, args=(None,))


def _timeline(passages: list[Passage]) -> None:
    rows = timeline_rows(passages, superseded_by(passages, assistant().embedder))
    dated = [r for r in rows if r["date"]]
    latest = [r for r in dated if r["line"] == "latest line"]
    if latest:
        line = latest[-1]
        said = escape_markdown(f"({human_date(line['date'])}, {line['ref']}): {line['said']}")
        st.markdown(f"**Latest line** {said}")
        gone = [r for r in dated if r["line"].startswith("superseded")]
        if gone:
            named = "; ".join(f"{r['ref']} ({human_date(r['date'])})" for r in gone)
            st.caption(escape_markdown(f"Superseded: {named}"))
    else:
        st.caption("No Government reply among these results: only letters received.")
    if dated:
        st.vega_lite_chart(_chart_spec(dated), width="stretch")
    newest_first = list(reversed(dated)) + [r for r in rows if not r["date"]]
    st.dataframe(
        [{k: v for k, v in r.items() if k != "doc_id"} for r in newest_first],
        hide_index=True,
        width="stretch",
        column_config={"said": st.column_config.TextColumn("what was said", width="large")},
    )


def _chart_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": {"values": rows},
        "height": 220,
        "mark": {"type": "point", "filled": True, "size": 140},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": "date"},
            "y": {"field": "relevance", "type": "quantitative", "title": "relevance to the query"},
            "color": {"field": "line", "type": "nominal", "title": "standing"},
            "shape": {"field": "kind", "type": "nominal"},
            "tooltip": [{"field": f} for f in ("date", "ref", "kind", "line", "author", "title")],
        },
    }
