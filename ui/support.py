"""Plain-Python helpers behind the Streamlit pages: nothing here imports streamlit.

highlight_span / highlight_spans / highlight_terms   document text as escaped HTML with <mark>s
strip_markdown, highlight_cited                       a cited sentence inside its passage, Markdown
                                                      syntax (headings, bold, list markers) taken out
paragraph_html, draft_blocks                          a draft laid out with its [n] markers and
                                                      the warnings beside the sentence they concern
group_by_document, timeline_rows                      search results by document and by date
status_note                                           why a document is kept but never drafted from
utc_time                                              a stored (naive UTC) time as the pages show it
word_diff_html, diff_html                             a word-level diff (rag.word_diff) as HTML
summary_rows, case_rows                               eval results as table rows (registry.METRICS)
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag import (
    BASELINES,
    MARKER_RE,
    METRICS,
    STOPWORDS,
    Metric,
    baseline_values,
    case_keys,
    cited_numbers,
    escape_markdown,
    human_date,
    is_non_answer,
    said,
    shorten,
    shown,
    without_to_ask,
    word_diff,
)
from rag.types import DraftRequest, DraftWarning, Passage

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


def utc_time(at: datetime) -> str:
    """A time the desk stored (naive, in UTC), to the minute: '2024-03-04 09:30 UTC'."""
    return at.strftime("%Y-%m-%d %H:%M") + " UTC"


def status_note(status: str | None, superseded_by: str | None = None) -> str:
    """Why a document from an official source is kept but never drafted from (its meta.status:
    rag.types.UNCITABLE), in words; "" for a document that is drafted from."""
    if status == "holding":
        return "Holding answer: not drafted from"
    if status == "superseded":
        return f"Superseded by {superseded_by or 'a correction'}: not drafted from"
    return ""


# ---------------------------------------------------------------------------- highlighting


def text_html(text: str) -> str:
    """Escaped text that stays literal inside st.markdown: newlines as <br>, no Markdown, HTML or LaTeX."""
    return escape_markdown(text).replace("\n", "<br>")


def stream_markdown(tokens: Sequence[str]) -> str:
    """A model's answer so far, for st.markdown while it streams: shown as text, never rendered."""
    return escape_markdown("".join(tokens))


# A [n] marker as it reads once escaped ('&#91;1&#93;'), to style it as a citation.
_SHOWN_MARKER = re.compile(MARKER_RE.pattern.replace(r"\[", escape_markdown("[")).replace(r"\]", escape_markdown("]")))


def merged(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans clipped to a text of `length`, sorted, overlapping ones joined, empty ones dropped."""
    out: list[tuple[int, int]] = []
    for s, e in sorted((max(0, s), min(length, e)) for s, e in spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def highlight_spans(text: str, spans: Iterable[tuple[int, int]], context: int | None = None) -> str:
    """`text` as HTML with each (start, end) span in <mark>; with `context`, only that many characters
    either side of the spans are kept (cut at spaces, '…' where text was left out)."""
    marks = merged(spans, len(text))
    lo, hi = 0, len(text)
    if context is not None and marks:
        lo = _cut_before(text, max(0, marks[0][0] - context))
        hi = _cut_after(text, min(len(text), marks[-1][1] + context))
    out, pos = ["…" if lo > 0 else ""], lo
    for s, e in marks:
        out += [text_html(text[pos:s]), '<mark class="ym-cited">', text_html(text[s:e]), "</mark>"]
        pos = e
    out += [text_html(text[pos:hi]), "…" if hi < len(text) else ""]
    return "".join(out)


def highlight_span(text: str, start: int, end: int, context: int | None = None) -> str:
    """One span highlighted: the cited passage inside its source document."""
    return highlight_spans(text, [(start, end)], context)


# Markdown syntax an untrusted passage may hold (UK answers converted from HTML do): a heading's
# '#'s, a list item's marker, '**' / '__' around bold text, a link's brackets and address.
_MARKDOWN = re.compile(
    r"(?m)^[ \t]{0,3}(?P<heading>#{1,6}[ \t]+)"
    r"|^[ \t]*(?P<bullet>[-*+][ \t]+)"
    r"|(?P<bold>\*\*|__)(?=\S)(?P<boldtext>.+?)(?<=\S)(?P=bold)"
    r"|\[(?P<linktext>[^\]\n]+)\]\((?P<url>[^)\s]+)\)"
)


def strip_markdown(text: str) -> tuple[str, list[int]]:
    """`text` without Markdown syntax (headings, list markers as '• ', bold, links as their text),
    and where each offset of `text` (0..len) lands in the result, to carry highlight spans over."""
    pieces: list[str] = []
    at: list[int] = []
    size = 0  # length of the result so far

    def keep(lo: int, hi: int) -> None:
        nonlocal size
        at.extend(range(size, size + hi - lo))
        pieces.append(text[lo:hi])
        size += hi - lo

    def drop(lo: int, hi: int, replacement: str = "") -> None:
        nonlocal size
        at.extend([size] * (hi - lo))
        pieces.append(replacement)
        size += len(replacement)

    pos = 0
    for m in _MARKDOWN.finditer(text):
        keep(pos, m.start())
        if m.group("heading"):
            drop(m.start(), m.end())
        elif m.group("bullet"):
            drop(m.start(), m.end(), "\u2022 ")
        else:
            inner = "boldtext" if m.group("bold") else "linktext"
            drop(m.start(), m.start(inner))
            keep(m.start(inner), m.end(inner))
            drop(m.end(inner), m.end())
        pos = m.end()
    keep(pos, len(text))
    at.append(size)
    return "".join(pieces), at


def passage_html(text: str) -> str:
    """An untrusted passage as escaped HTML, its Markdown syntax taken out."""
    return text_html(strip_markdown(text)[0])


def highlight_cited(
    text: str, passage: tuple[int, int], sentences: Sequence[tuple[int, int]], context: int | None = None
) -> str:
    """A document as HTML, Markdown syntax taken out: the cited passage lightly marked
    (<span class="ym-passage">), the sentences cited in it strongly (<mark class="ym-cited">); with
    `context`, only that many characters either side of the passage are kept."""
    clean, at = strip_markdown(text)
    ps, pe = at[max(0, min(passage[0], len(text)))], at[max(0, min(passage[1], len(text)))]
    mapped = ((at[max(ps, min(s, len(text)))], at[max(0, min(e, len(text)))]) for s, e in sentences)
    marks = merged(((max(s, ps), min(e, pe)) for s, e in mapped), len(clean))
    lo, hi = 0, len(clean)
    if context is not None:
        lo = _cut_before(clean, max(0, ps - context))
        hi = _cut_after(clean, min(len(clean), pe + context))
    out = ["\u2026" if lo > 0 else "", text_html(clean[lo:ps]), '<span class="ym-passage">']
    pos = ps
    for s, e in marks:
        out += [text_html(clean[pos:s]), '<mark class="ym-cited">', text_html(clean[s:e]), "</mark>"]
        pos = e
    out += [text_html(clean[pos:pe]), "</span>", text_html(clean[pe:hi]), "\u2026" if hi < len(clean) else ""]
    return "".join(out)


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
    """A snippet of `text` (around the first query term, at most `limit` characters; all of it with
    limit=None) with every query word, or word starting with it, in <mark>; Markdown syntax taken out."""
    text = strip_markdown(text)[0]
    terms = query_terms(query)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE) if terms else None
    lo, hi = 0, len(text)
    if limit is not None and len(text) > limit:
        first = pattern.search(text) if pattern else None
        lo = _cut_before(text, max(0, (first.start() if first else 0) - limit // 4))
        hi = _cut_after(text, min(len(text), lo + limit))
    piece = text[lo:hi]
    spans = [(m.start(), m.end()) for m in pattern.finditer(piece)] if pattern else []
    body = highlight_spans(piece, spans) if spans else text_html(piece)
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
    return _SHOWN_MARKER.sub(_marker_html, out)


def _marker_html(m: re.Match[str]) -> str:
    """A [n] marker that shows its source when clicked (or Enter pressed on it): the Draft page's
    script selects citation n (the first number of '[1, 3]') in the Sources panel."""
    n = cited_numbers(html_lib.unescape(m.group(0)))[0]
    return (
        f'<span class="ym-cite" data-cite="{n}" role="button" tabindex="0" '
        f'title="Show source {n} in the Sources panel">{m.group(0)}</span>'
    )


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
    """parse_request() keyword overrides from the (possibly corrected) fields; the date only once
    `date_given`."""
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
    if date_given(fields):
        out["letter_date"] = fields["date"].isoformat()
    return {k: v for k, v in out.items() if v is not None}


def date_given(fields: dict[str, Any]) -> bool:
    """Whether the item's date counts as given by the user: ticked as checked, or changed from the
    one read from the text (`parsed_date`). Until then the draft flags it as read from the text."""
    given = fields.get("date")
    return isinstance(given, date) and bool(fields.get("date_ok") or given.isoformat() != fields.get("parsed_date"))


def ref_label(ref: str | None, doc_id: str) -> str:
    """A precedent's reference as officials say it: a bare number is a UK question's UIN ('WQ 12345');
    with no reference, the document id."""
    ref = (ref or "").strip()
    return f"WQ {ref}" if ref.isdigit() else ref or doc_id


def short_title(title: str | None, limit: int = 38) -> str:
    """A title (or a question, without its 'To ask the ...,' opening) on one line, cut short."""
    plain = without_to_ask(" ".join((title or "").split())).strip()
    return shorten(plain[:1].upper() + plain[1:], limit)


def citation_label(c: Any) -> str:
    """'[2] P-06-1199 · Place Cardiff Children's Services… · 23 September 2021'."""
    parts = [ref_label(c.ref, c.doc_id), short_title(c.title), human_date(c.date)]
    return f"[{c.n}] " + " · ".join(p for p in parts if p)


def citation_labels(citations: Sequence[Any]) -> dict[int, str]:
    """Each citation's label by n; citations that would read alike (passages of one document) are
    told apart by where they are in it ('passage 1 of 2', in text order)."""
    labels = {c.n: citation_label(c) for c in citations}
    alike: dict[str, list[Any]] = {}
    for c in citations:
        alike.setdefault(labels[c.n].partition(" ")[2], []).append(c)
    for group in alike.values():
        if len(group) > 1:
            for i, c in enumerate(sorted(group, key=lambda c: (c.start, c.n)), 1):
                labels[c.n] += f" · passage {i} of {len(group)}"
    return labels


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
LETTER = "letter received"
LATEST, EARLIER, HOLDING = "latest line", "earlier line", "holding reply"


def timeline_rows(
    passages: Sequence[Passage],
    replaced: dict[str, Passage] | None = None,
    *,
    on_point: set[str] | None = None,
    answers: dict[str, str] | None = None,
    snippet_chars: int = 220,
) -> list[dict[str, Any]]:
    """One row per document found, oldest first (undated last): what it said on the query (its reply,
    not the question it answered: rag.drafting.lines.said, or `answers[doc_id]` when none of its
    found passages reaches the reply), when, its rank in the search (1 = the best match) and its
    standing: the latest line, superseded by a later one on the same point (`replaced`: doc_id -> the
    passage replacing it), an earlier line, a holding reply, or a letter received. With `on_point`,
    only those documents (the ones that answer the query) get a row; ranks still count them all."""
    replaced, answers = replaced or {}, answers or {}
    rows = []
    for rank, g in enumerate(group_by_document(passages), start=1):
        if on_point is not None and g.doc_id not in on_point:
            continue
        m = g.meta
        text = said(g.passages) or answers.get(g.doc_id, "") or g.passages[0].text
        rows.append(
            {
                "date": str(m.get("date") or ""),
                "ref": str(m.get("ref") or g.doc_id),
                "kind": kind_label(m.get("kind")),
                "line": _standing(g.doc_id, m, text, replaced),
                "rank": rank,
                "author": str(m.get("author") or m.get("author_role") or ""),
                "title": g.title,
                "said": shorten(" ".join(text.split()), snippet_chars, " …"),
                "doc_id": g.doc_id,
            }
        )
    dated = sorted((r for r in rows if r["date"]), key=lambda r: (r["date"], r["ref"]))
    lines = [r for r in dated if r["line"] == EARLIER]
    if lines:
        lines[-1]["line"] = LATEST
    return dated + [r for r in rows if not r["date"]]


def _standing(doc_id: str, meta: dict[str, Any], text: str, replaced: dict[str, Passage]) -> str:
    if meta.get("kind") not in LINE_KINDS:
        return LETTER
    if meta.get("status") == "superseded":  # replaced by a correction (rag.sources)
        return f"superseded by {meta.get('superseded_by') or 'a correction'}"
    if meta.get("status") == "holding":
        return HOLDING
    if doc_id in replaced:
        later = replaced[doc_id].meta
        return f"superseded by {later.get('ref') or replaced[doc_id].doc_id} ({human_date(later.get('date'))})"
    return HOLDING if is_non_answer(text) else EARLIER


# ---------------------------------------------------------------------------- diff


def word_diff_html(old: str, new: str) -> str:
    """`new` against `old` word by word: removed words in <del>, added words in <ins>."""
    return diff_html(word_diff(old or "", new or ""))


def diff_html(pieces: Sequence[tuple[str, str]]) -> str:
    """A word diff (rag.word_diff) as HTML, every piece escaped (untrusted text): removed in <del>,
    added in <ins>, the spaces around a change left outside its tags."""
    tags = {"removed": ("<del class=\"ym-del\">", "</del>"), "added": ("<ins class=\"ym-ins\">", "</ins>")}
    out = []
    for op, text in pieces:
        if op not in tags:
            out.append(text_html(text))
            continue
        core = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        out.append(f"{text_html(lead)}{tags[op][0]}{text_html(core)}{tags[op][1]}{text_html(trail)}")
    return "".join(out)


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
