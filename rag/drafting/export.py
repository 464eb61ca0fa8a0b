"""A draft as Markdown or as a Word document: the reply as laid out in the house format,
a numbered list of the sources it cites, the checks still open, and an AI-draft notice (in
Welsh on a Welsh reply). `markers=False` leaves the [n] markers out of the letter; the sources
are listed all the same. The Word file is A4 with its own title, author and dates, and
`export_name` names either file from the reference, the subject and the reply date."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from rag.drafting.checks import reply_date
from rag.drafting.intake import without_to_ask
from rag.errors import InputError
from rag.text.dates import human_date
from rag.text.markdown import escape_markdown
from rag.text.markers import strip_markers
from rag.text.shorten import shorten
from rag.text.words import STOPWORDS
from rag.types import Citation, Draft, DraftWarning

APP_NAME = "Ymateb"  # the Word file's author: the official who edits it is not known to the app
PAGE_MM = (210, 297)  # A4
MARGIN_MM = 25
SLUG_WORDS = 6  # a file name holds at most this many words of the subject
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Wording:
    """The export's own words in one language."""

    notice: str
    sources: str
    checks: str
    title: str  # "Draft reply to {subject}"


WORDING = {
    "en": Wording(
        "AI-assisted draft \u2014 check every statement against its source before use.",
        "Sources",
        "Points to check before use",
        "Draft reply to {subject}",
    ),
    "cy": Wording(
        "Drafft gyda chymorth AI \u2014 gwiriwch bob datganiad yn erbyn ei ffynhonnell cyn ei ddefnyddio.",
        "Ffynonellau",
        "Pwyntiau i\u2019w gwirio cyn ei ddefnyddio",
        "Ymateb drafft i {subject}",
    ),
}
AI_NOTICE, SOURCES_HEADING, CHECKS_HEADING = WORDING["en"].notice, WORDING["en"].sources, WORDING["en"].checks


def wording(draft: Draft) -> Wording:
    """The export's words in the reply's language (English unless the request is Welsh)."""
    return WORDING["cy" if draft.request is not None and draft.request.language == "cy" else "en"]


def letter_text(draft: Draft, markers: bool = True) -> str:
    """The reply as exported: with its [n] markers, or without them."""
    return draft.text if markers else strip_markers(draft.text)


# ---------------------------------------------------------------------------- names and properties


def reference(draft: Draft) -> str | None:
    """The petition or written-question number the reply answers, if known."""
    req = draft.request
    return (req.petition_number or req.wq_number) if req is not None else None


def subject(draft: Draft) -> str:
    """What the reply is about: the petition's title, else the question asked (without its
    "To ask the ..." opening), else the first line of the incoming text."""
    req = draft.request
    if req is None:
        return ""
    found = req.petition_title or without_to_ask(req.ask or "") or next(iter(req.text.strip().splitlines()), "")
    return " ".join(found.split())


def slug(text: str, words: int = SLUG_WORDS) -> str:
    """'Place Cardiff Children's Services into special measures' -> 'place-cardiff-childrens-services-
    special-measures': the first `words` content words, lower case, ASCII (Welsh accents folded)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    found = [w.replace("'", "") for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", ascii_text)]
    return "-".join([w for w in found if w not in STOPWORDS][:words])


def export_name(draft: Draft, suffix: str) -> str:
    """'P-06-1199-place-cardiff-childrens-services-special-measures-2021-09-23.docx': reference,
    subject and reply date; an unnumbered reply is named by its subject and date alone."""
    ref = re.sub(r"[^A-Za-z0-9-]+", "-", reference(draft) or "").strip("-")
    parts = [ref, slug(subject(draft)), reply_date(draft.request).isoformat()]
    if not ref and not parts[1]:
        parts[0] = draft.kind.replace("_", "-")
    return "-".join(p for p in parts if p) + f".{suffix}"


def title(draft: Draft) -> str:
    """'Draft reply to P-06-1199: Place Cardiff Children's Services into special measures'."""
    about = ": ".join(p for p in (reference(draft), shorten(subject(draft), 160)) if p)
    return wording(draft).title.format(subject=about or draft.kind.replace("_", " "))


def source_line(c: Citation) -> str:
    """'[2] P-06-1199, 23 September 2021, Julie Morgan: 'Place Cardiff ...'' (missing parts left out)."""
    parts = [p for p in (c.ref, human_date(c.date), c.author) if p]
    head = ", ".join(parts) or c.doc_id
    return f"[{c.n}] {head}: \u2018{c.title}\u2019" if c.title else f"[{c.n}] {head}"


def warning_line(w: DraftWarning) -> str:
    return f"{w.message} \u2014 \u201c{w.sentence}\u201d" if w.sentence else w.message


def xml_safe(text: str) -> str:
    """Drop the control characters Word files cannot hold."""
    return _XML_BAD.sub("", text)


def paragraphs(text: str) -> list[list[str]]:
    """The reply's paragraphs (separated by one or more blank lines), each a list of its lines."""
    text = xml_safe(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = re.split(r"\n(?:[ \t]*\n)+", text)
    return [[ln.rstrip() for ln in b.split("\n")] for b in blocks if b.strip()]


# ---------------------------------------------------------------------------- Markdown


def _md_escape_line(line: str) -> str:
    """Keep a line literal: its Markdown and HTML escaped (the reply quotes precedents and the
    incoming text, both untrusted), and a leading '-', '+' or '1.' kept from becoming a list."""
    line = escape_markdown(line, entities=False)
    if re.match(r"\s*(?:[+-]|\d+[.)])", line):
        return "\\" + line.lstrip()
    return line


def to_markdown(draft: Draft, *, markers: bool = True) -> str:
    """The draft as Markdown (`markers=False`: the letter without its [n] markers)."""
    words = wording(draft)
    out = [f"> **{words.notice}**", ""]
    for block in paragraphs(letter_text(draft, markers)):
        out += ["  \n".join(_md_escape_line(ln) for ln in block), ""]
    if draft.citations:
        sources = [f"- {_md_escape_line(source_line(c))}" for c in draft.citations]
        out += [f"## {words.sources}", ""] + sources + [""]
    if draft.warnings:
        checks = [f"- {_md_escape_line(warning_line(w))}" for w in draft.warnings]
        out += [f"## {words.checks}", ""] + checks + [""]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------- Word


def _add_block(doc, block: list[str]) -> None:  # type: ignore[no-untyped-def]
    para = doc.add_paragraph()
    for i, line in enumerate(block):
        if i:
            para.add_run().add_break()
        heading = line.lstrip().startswith("#")
        run = para.add_run(line.lstrip().lstrip("#").strip() if heading else line)
        run.bold = heading or None


def _page(doc) -> None:  # type: ignore[no-untyped-def]
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN_MM))


PROPERTY_CHARS = 255  # Word's limit on a core property (title, subject, keywords): python-docx refuses longer


def _property(text: str) -> str:
    return shorten(xml_safe(text), PROPERTY_CHARS)


def _properties(doc, draft: Draft, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The file's own title, author and dates, in place of python-docx's template values."""
    props = doc.core_properties
    props.title = _property(title(draft))
    props.subject = _property(subject(draft))
    props.author = props.last_modified_by = APP_NAME
    props.comments = wording(draft).notice
    props.keywords = _property(reference(draft) or "")
    props.language = "cy-GB" if wording(draft) is WORDING["cy"] else "en-GB"
    props.created = props.modified = now.replace(microsecond=0)
    props.revision = 1


def _build_docx(draft: Draft, markers: bool, now: datetime):  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.shared import RGBColor

    words = wording(draft)
    doc = Document()
    _page(doc)
    _properties(doc, draft, now)
    notice = doc.add_paragraph().add_run(words.notice)
    notice.bold, notice.italic = True, True
    notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    for block in paragraphs(letter_text(draft, markers)):
        _add_block(doc, block)
    if draft.citations:
        doc.add_heading(words.sources, level=2)
        for c in draft.citations:
            doc.add_paragraph(xml_safe(source_line(c)))
    if draft.warnings:
        doc.add_heading(words.checks, level=2)
        for w in draft.warnings:
            doc.add_paragraph(xml_safe(warning_line(w)), style="List Bullet")
    return doc


def to_docx(
    draft: Draft, path_or_buffer: str | Path | IO[bytes], *, markers: bool = True, now: datetime | None = None
) -> None:
    """Write the draft as a .docx file (a path) or into a binary buffer (`markers=False`: the
    letter without its [n] markers; `now`: the file's created and modified time, default now)."""
    doc = _build_docx(draft, markers, now or datetime.now(timezone.utc))
    target = str(path_or_buffer) if isinstance(path_or_buffer, Path) else path_or_buffer
    try:
        doc.save(target)
    except OSError as exc:
        raise InputError(f"Cannot write the Word file {path_or_buffer}: {exc.strerror or exc}") from exc


def docx_bytes(draft: Draft, *, markers: bool = True, now: datetime | None = None) -> bytes:
    """The .docx file's bytes (for a download button)."""
    buf = io.BytesIO()
    to_docx(draft, buf, markers=markers, now=now)
    return buf.getvalue()
