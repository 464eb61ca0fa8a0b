"""Plain-Python helpers behind the Streamlit pages: nothing here imports streamlit.

highlight_span / highlight_spans / highlight_terms   document text as escaped HTML with <mark>s
paragraph_html, draft_blocks                          a draft laid out with its [n] markers and
                                                      the warnings beside the sentence they concern
group_by_document, timeline_rows                      search results by document and by date
word_diff_html                                        a word-level diff (difflib)
summary_rows, case_rows                               eval results as table rows (registry.METRICS)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag import (
    BASELINES,
    MARKER_RE,
    METRICS,
    STOPWORDS,
    Metric,
    answer_text,
    baseline_values,
    case_keys,
    escape_markdown,
    human_date,
    shorten,
    shown,
)
from rag.types import Draft, DraftRequest, DraftWarning, Passage

if TYPE_CHECKING:
    pass

_WORD = re.compile(r"[^\W_][\w'\u2019-]*", re.UNICODE)
KIND_LABELS = {
    "petition_response": "Petition response",
    "written_question": "Written question",
    "incoming_letter": "Incoming letter",
    "stakeholder_letter": "Stakeholder letter",
    "unknown": "Unknown",
}


# ---------------------------------------------------------------------------- settings, dates


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(str(kind or "unknown"), str(kind or "unknown").replace("_", " ").capitalize())


# ---------------------------------------------------------------------------- highlighting


def _text_html(text: str) -> str:
    """Escaped text that stays literal inside st.markdown: newlines as <br>, no Markdown, HTML or LaTeX."""
    return escape_markdown(text).replace("\n", "<br>")


def stream_markdown(tokens: Sequence[str]) -> str:
    """A model's answer so far, for st.markdown while it streams: shown as text, never rendered."""
    return escape_markdown("".join(tokens))


# A [n] marker as it reads once escaped ('&#91;1&#93;'), to style it as a citation.
_SHOWN_MARKER = re.compile(MARKER_RE.pattern.replace(r"\[", escape_markdown("[")).replace(r"\]", escape_markdown("]")))


def highlight_spans(text: str, spans: Iterable[tuple[int, int]], context: int | None = None) -> str:
    """`text` as HTML with each (start, end) span in <mark>; with `context`, only that many characters
    either side of the spans are kept (cut at spaces, '…' where text was left out)."""
    clean = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s and s < len(text))
    merged: list[tuple[int, int]] = []
    for s, e in clean:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    lo, hi = 0, len(text)
    if context is not None and merged:
        lo = _cut_before(text, max(0, merged[0][0] - context))
        hi = _cut_after(text, min(len(text), merged[-1][1] + context))
    out, pos = ["…" if lo > 0 else ""], lo
    for s, e in merged:
        out += [_text_html(text[pos:s]), '<mark class="ym-cited">', _text_html(text[s:e]), "</mark>"]
        pos = e
    out += [_text_html(text[pos:hi]), "…" if hi < len(text) else ""]
    return "".join(out)


def highlight_span(text: str, start: int, end: int, context: int | None = None) -> str:
    """One span highlighted: the cited passage inside its source document."""
    return highlight_spans(text, [(start, end)], context)


def _cut_before(text: str, pos: int) -> int:
    if pos <= 0 or text[pos - 1].isspace():
        return max(pos, 0)
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 40 else pos


def _cut_after(text: str, pos: int) -> int:
    if pos >= len(text) or text[pos].isspace():
        return min(pos, len(text))
    space = text.rfind(" ", max(0, pos - 40), pos)
    return space if space > 0 else pos


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting (no stop words, at least 3 letters), lower case."""
    words = {w.lower() for w in _WORD.findall(query or "")}
    return sorted(w for w in words if len(w) >= 3 and w not in STOPWORDS)


def highlight_terms(text: str, query: str, limit: int | None = 400) -> str:
    """A snippet of `text` (around the first query term, at most `limit` characters) with every
    query word, or word starting with it, in <mark>."""
    terms = query_terms(query)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE) if terms else None
    lo, hi = 0, len(text)
    if limit is not None and len(text) > limit:
        first = pattern.search(text) if pattern else None
        lo = _cut_before(text, max(0, (first.start() if first else 0) - limit // 4))
        hi = _cut_after(text, min(len(text), lo + limit))
    piece = text[lo:hi]
    spans = [(m.start(), m.end()) for m in pattern.finditer(piece)] if pattern else []
    body = highlight_spans(piece, spans) if spans else _text_html(piece)
    body = body.replace('class="ym-cited"', 'class="ym-term"')
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


# ---------------------------------------------------------------------------- a draft, laid out


@dataclass
class Block:
    """One paragraph of the reply and the warnings about sentences in it."""

    text: str
    warnings: list[DraftWarning] = field(default_factory=list)


def _squash(text: str) -> str:
    return " ".join(text.split())


def draft_blocks(text: str, warnings: Sequence[DraftWarning]) -> tuple[list[Block], list[DraftWarning]]:
    """The reply's paragraphs, each with the sentence warnings that belong to it, and the warnings
    that concern the whole draft (or a sentence no longer found in it)."""
    blocks = [Block(b.strip("\n")) for b in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")) if b.strip()]
    general: list[DraftWarning] = []
    for w in warnings:
        home = _block_of(blocks, w.sentence) if w.sentence else None
        (home.warnings if home else general).append(w)
    return blocks, general


def _block_of(blocks: list[Block], sentence: str) -> Block | None:
    needle = _squash(sentence)
    for block in blocks:
        if needle and needle in _squash(block.text):
            return block
    return None


def paragraph_html(block: Block) -> str:
    """A paragraph as HTML: [n] markers styled as citations, warned sentences underlined."""
    text = block.text
    spans = []
    for w in block.warnings:
        at = text.find(w.sentence or "\x00")
        if at >= 0:
            spans.append((at, at + len(w.sentence or "")))
    out = highlight_spans(text, spans).replace('<mark class="ym-cited">', '<mark class="ym-warned">')
    return _SHOWN_MARKER.sub(lambda m: f'<span class="ym-cite">{m.group(0)}</span>', out)


def request_fields(request: DraftRequest) -> dict[str, str]:
    """The detected fields a user may correct: kind, number, title, member, language, date (ISO)."""
    number = request.petition_number if request.kind == "petition" else request.wq_number
    return {
        "kind": request.kind,
        "number": number or "",
        "title": request.petition_title or "",
        "member": request.member or request.sender or "",
        "language": request.language,
        "date": request.letter_date or "",
    }


# The page's name for each field parse_request() may read from the text.
FIELD_NAMES = {
    "kind": "kind",
    "petition_number": "number",
    "wq_number": "number",
    "petition_title": "title",
    "member": "member",
    "sender": "member",
    "language": "language",
    "letter_date": "date",
}


def parsed_names(request: DraftRequest) -> list[str]:
    """The page's fields whose values were read from the (untrusted) text, for 'check these'."""
    return list(dict.fromkeys(FIELD_NAMES[f] for f in request.parsed_fields if f in FIELD_NAMES))


def request_overrides(fields: dict[str, Any], as_of: date | None = None) -> dict[str, Any]:
    """parse_request() keyword overrides from the (possibly corrected) fields. The date counts as
    given by the user once it is ticked as checked or differs from the one read from the text
    (`parsed_date`); until then it stays 'read from the text' and the draft says so."""
    kind = fields.get("kind") or None
    number = (fields.get("number") or "").strip() or None
    out: dict[str, Any] = {
        "kind": kind,
        "petition_number": number if kind == "petition" else None,
        "wq_number": number if kind == "written_question" else None,
        "petition_title": ((fields.get("title") or "").strip() or None) if kind == "petition" else None,
        "member": (fields.get("member") or "").strip() or None,
        "language": fields.get("language") or None,
        "as_of": as_of.isoformat() if as_of else None,
    }
    if kind == "letter":
        out["sender"] = out["member"]
    given = fields.get("date")
    if isinstance(given, date) and (fields.get("date_ok") or given.isoformat() != fields.get("parsed_date")):
        out["letter_date"] = given.isoformat()
    return {k: v for k, v in out.items() if v is not None}


def citation_label(c: Any) -> str:
    """'[2] P-06-1199 · 23 September 2021'."""
    parts = [p for p in (c.ref, human_date(c.date)) if p]
    return f"[{c.n}] " + (" · ".join(parts) or c.doc_id)


def download_name(draft: Draft, suffix: str) -> str:
    req = draft.request
    ref = (req.petition_number or req.wq_number) if req else None
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", ref or draft.kind).strip("-") or "reply"
    return f"draft-{stem}.{suffix}"


# ---------------------------------------------------------------------------- search results


@dataclass
class DocGroup:
    """The passages of one document that a search found, best first."""

    doc_id: str
    passages: list[Passage]

    @property
    def meta(self) -> dict[str, Any]:
        return self.passages[0].meta

    @property
    def score(self) -> float:
        return max(p.score for p in self.passages)

    def heading(self) -> str:
        m = self.meta
        parts = [m.get("ref") or self.doc_id, human_date(m.get("date")), kind_label(m.get("kind"))]
        author = m.get("author") or m.get("author_role")
        return " · ".join(str(p) for p in [*parts, author] if p)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.meta.get("subject") or "")


def group_by_document(passages: Sequence[Passage]) -> list[DocGroup]:
    """Results grouped by document, documents in order of their best passage."""
    groups: dict[str, DocGroup] = {}
    for p in passages:
        groups.setdefault(p.doc_id, DocGroup(p.doc_id, [])).passages.append(p)
    return sorted(groups.values(), key=lambda g: -g.score)


LINE_KINDS = ("petition_response", "written_question", "unknown")  # what Government said (not letters it got)


def timeline_rows(
    passages: Sequence[Passage], replaced: dict[str, Passage] | None = None, snippet_chars: int = 220
) -> list[dict[str, Any]]:
    """One row per document found, oldest first: what was said on the query (the answer, not the
    question it answered), when, and its standing: the latest line, superseded by a later one on the
    same point (`replaced`: doc_id -> the passage replacing it), an earlier line, or a letter received."""
    replaced = replaced or {}
    rows = []
    for g in group_by_document(passages):
        m, best = g.meta, max(g.passages, key=lambda p: p.score)
        rows.append(
            {
                "date": str(m.get("date") or ""),
                "ref": str(m.get("ref") or g.doc_id),
                "kind": kind_label(m.get("kind")),
                "line": _standing(g.doc_id, m, replaced),
                "author": str(m.get("author") or m.get("author_role") or ""),
                "title": g.title,
                "said": shorten(answer_text(best)[0].strip() or best.text, snippet_chars, " …"),
                "relevance": round(g.score, 4),
                "doc_id": g.doc_id,
            }
        )
    dated = sorted((r for r in rows if r["date"]), key=lambda r: (r["date"], r["ref"]))
    lines = [r for r in dated if r["line"] == "earlier line"]
    if lines:
        lines[-1]["line"] = "latest line"
    return dated + [r for r in rows if not r["date"]]


def _standing(doc_id: str, meta: dict[str, Any], replaced: dict[str, Passage]) -> str:
    if meta.get("kind") not in LINE_KINDS:
        return "letter received"
    if doc_id in replaced:
        later = replaced[doc_id].meta
        return f"superseded by {later.get('ref') or replaced[doc_id].doc_id} ({human_date(later.get('date'))})"
    return "earlier line"


# ---------------------------------------------------------------------------- diff


def word_diff_html(old: str, new: str) -> str:
    """`new` against `old` word by word: removed words in <del>, added words in <ins>."""
    a, b = (old or "").split(), (new or "").split()
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(_text_html(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f'<del class="ym-del">{_text_html(" ".join(a[i1:i2]))}</del>')
        if j2 > j1:
            out.append(f'<ins class="ym-ins">{_text_html(" ".join(b[j1:j2]))}</ins>')
    return " ".join(out)


def document_rows(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus listing: one row per stored document with its metadata and chunk count."""
    return [
        {
            "doc_id": d.get("doc_id"),
            "kind": kind_label(d.get("kind")),
            "ref": d.get("ref") or "",
            "date": d.get("date") or "",
            "author": d.get("author") or d.get("author_role") or "",
            "title": d.get("title") or d.get("subject") or "",
            "chunks": int(d.get("n_chunks") or 0),
            "source": Path(str(d.get("source") or "")).name,
        }
        for d in docs
    ]


# ---------------------------------------------------------------------------- eval results


def summary_rows(summary: dict[str, Any], metrics: Sequence[Metric] = METRICS) -> list[dict[str, Any]]:
    """The summary against both baselines: metric, system, nearest precedent, oracle precedent
    (one row per registry metric; judge metrics when the run was judged)."""
    return [
        {
            "metric": m.label,
            "system": summary.get(m.key),
            **{b.label: value for b, value in zip(BASELINES, baseline_values(summary, m).values(), strict=True)},
        }
        for m in shown(metrics, summary)
    ]


def case_columns(cases: Sequence[dict[str, Any]], metrics: Sequence[Metric] = METRICS) -> list[str]:
    """The per-case metric columns: every field a registry metric reads, the judge's when judged."""
    return case_keys(shown(metrics, cases))


def case_rows(cases: Sequence[dict[str, Any]], metrics: Sequence[Metric] = METRICS) -> list[dict[str, Any]]:
    """One row per case: id, date, the question's start and every metric (sortable)."""
    columns = case_columns(cases, metrics)
    return [
        {
            "id": c.get("id"),
            "date": c.get("date") or "",
            "question": shorten(str(c.get("question") or ""), 120, " …"),
            **{k: c.get(k) for k in columns},
            "warnings": len(c.get("warnings") or []),
        }
        for c in cases
    ]
