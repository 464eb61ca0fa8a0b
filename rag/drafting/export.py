"""A draft as Markdown or as a Word document: the reply as laid out in the house format,
a numbered list of the sources it cites, the checks still open, and an AI-draft notice."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import IO

from rag.errors import InputError
from rag.text.dates import human_date
from rag.text.markdown import escape_markdown
from rag.types import Citation, Draft, DraftWarning

AI_NOTICE = "AI-assisted draft \u2014 check every statement against its source before use."
SOURCES_HEADING = "Sources"
CHECKS_HEADING = "Points to check before use"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def to_markdown(draft: Draft) -> str:
    out = [f"> **{AI_NOTICE}**", ""]
    for block in paragraphs(draft.text):
        out += ["  \n".join(_md_escape_line(ln) for ln in block), ""]
    if draft.citations:
        sources = [f"- {_md_escape_line(source_line(c))}" for c in draft.citations]
        out += [f"## {SOURCES_HEADING}", ""] + sources + [""]
    if draft.warnings:
        checks = [f"- {_md_escape_line(warning_line(w))}" for w in draft.warnings]
        out += [f"## {CHECKS_HEADING}", ""] + checks + [""]
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


def _build_docx(draft: Draft):  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.shared import RGBColor

    doc = Document()
    doc.core_properties.title = f"Draft {draft.kind.replace('_', ' ')} reply"
    doc.core_properties.comments = AI_NOTICE
    notice = doc.add_paragraph().add_run(AI_NOTICE)
    notice.bold, notice.italic = True, True
    notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    for block in paragraphs(draft.text):
        _add_block(doc, block)
    if draft.citations:
        doc.add_heading(SOURCES_HEADING, level=2)
        for c in draft.citations:
            doc.add_paragraph(xml_safe(source_line(c)))
    if draft.warnings:
        doc.add_heading(CHECKS_HEADING, level=2)
        for w in draft.warnings:
            doc.add_paragraph(xml_safe(warning_line(w)), style="List Bullet")
    return doc


def to_docx(draft: Draft, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write the draft as a .docx file (a path) or into a binary buffer."""
    doc = _build_docx(draft)
    target = str(path_or_buffer) if isinstance(path_or_buffer, Path) else path_or_buffer
    try:
        doc.save(target)
    except OSError as exc:
        raise InputError(f"Cannot write the Word file {path_or_buffer}: {exc.strerror or exc}") from exc


def docx_bytes(draft: Draft) -> bytes:
    """The .docx file's bytes (for a download button)."""
    buf = io.BytesIO()
    to_docx(draft, buf)
    return buf.getvalue()
