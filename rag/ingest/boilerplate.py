"""Boilerplate: what an index should not embed (letterheads, footers, addresses, signatures)."""

from __future__ import annotations

from rag.ingest.layout import COMMITTEE_LINE_RE, SHORT, _is_contact_line, _is_footer_line, _Layout, _layout
from rag.text.dates import is_date_line
from rag.text.refs import REF_LINE_RE


def _is_boilerplate_line(text: str) -> bool:
    if not text:
        return False
    if _is_footer_line(text):
        return True
    if len(text) > SHORT:
        return False
    return (
        _is_contact_line(text)
        or bool(REF_LINE_RE.match(text))
        or bool(COMMITTEE_LINE_RE.match(text))
        or is_date_line(text)
    )


def _structural_lines(layout: _Layout) -> set[int]:
    """Header up to the salutation, WQ header lines, the closing and signature block."""
    marked: set[int] = set()
    if layout.salutation is not None:
        marked.update(i for i in range(layout.salutation + 1) if layout.lines[i].short)
    for idx in (layout.wq_header, layout.answered):
        if idx is not None:
            marked.add(idx)
    if layout.closing is not None:
        marked.update(i for i in range(layout.closing, len(layout.lines)) if layout.lines[i].short)
    return marked


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of letterheads, footers, addresses, signatures."""
    layout = _layout(text)
    marked = _structural_lines(layout)
    marked.update(i for i, ln in enumerate(layout.lines) if i not in marked and _is_boilerplate_line(ln.text))
    spans = []
    lines = [layout.lines[i] for i in sorted(marked)]
    spans = [(ln.start, ln.start + len(ln.text)) for ln in lines]
    return _merge(spans, text)
