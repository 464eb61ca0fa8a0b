"""Loading files, folders, JSONL records and pasted text; bad files become one-line Skipped reasons."""

from __future__ import annotations

import gzip
import io
import itertools
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from rag.errors import DocumentError
from rag.ingest.files import load_file, load_text
from rag.ingest.records import load_records
from rag.ingest.sources import load_paths
from rag.types import Document, Skipped

from .conftest import WQ_DATA, require

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LETTER = (
    "Your ref: P-06-1234\n\nJack Sargeant MS\nChair - Petitions committee\n\n"
    "23 September 2021\n\nDear Jack,\n\n"
    "Thank you for your letter about the petition to 'Fund more foster carers'.\n\n"
    "We are investing in Foster Wales.\n\nYours sincerely,\n\nJulie Morgan AS/MS\n"
    "Deputy Minister for Social Services\n"
)
RECORD = {
    "id": "UKWQ-1",
    "kind": "written_question",
    "ref": "12345",
    "date": "2024-01-01",
    "title": None,
    "asked_of": "Secretary of State for Education",
    "answering_body": "Department for Education",
    "question": "To ask the Secretary of State for Education, what steps she is taking on SEND. And more.",
    "answer": "We are investing £1 billion.\n\nMore follows.",
    "source_url": "https://example.invalid/q/12345",
}


# ---- helpers that build small files ---------------------------------------------------------


def pdf_bytes(lines: list[str]) -> bytes:
    """A minimal one-page PDF with Helvetica text, xref offsets computed."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"] + [f"({ln}) Tj T*" for ln in lines] + ["ET"]
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf(user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Secret reply text"]))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Dear Jack,")
    document.add_paragraph("Thank you for your letter about the petition.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Region", (0, 1): "Funding", (1, 0): "Gwent", (1, 1): "£2m"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("Yours sincerely,")
    document.save(str(path))
    return path


def write_jsonl(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def split(items: object) -> tuple[list[Document], list[Skipped]]:
    got = list(items)  # type: ignore[call-overload]
    return [d for d in got if isinstance(d, Document)], [s for s in got if isinstance(s, Skipped)]


# ---- formats --------------------------------------------------------------------------------


def test_seed_folder_loads_with_ids_and_metadata() -> None:
    docs, skipped = split(load_paths([SEEDS]))
    assert skipped == []
    assert [d.doc_id for d in docs][:1] == ["000_13427d4b3c4b56d1"]
    assert [d.meta.kind for d in docs] == [
        "petition_response", "incoming_letter", "petition_response", "written_question", "stakeholder_letter",
    ]  # fmt: skip
    first = docs[0]
    assert first.text == (SEEDS / "000_13427d4b3c4b56d1.txt").read_text(encoding="utf-8")
    assert first.source == str(SEEDS / "000_13427d4b3c4b56d1.txt")
    assert first.boilerplate and first.meta.ref == "P-06-1199"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param("letter.txt", LETTER.encode(), "We are investing in Foster Wales.", id="txt"),
        pytest.param("notes.md", b"# Heading\n\nSome *markdown* text.\n", "Some *markdown* text.", id="md"),
        pytest.param("bom.txt", b"\xef\xbb\xbfHello \xe2\x80\x94 Cymru\n", "Hello \u2014 Cymru", id="utf8-bom"),
        pytest.param("crlf.txt", b"Line one\r\nLine two\rLine three\r\n", "Line one\nLine two\nLine three", id="crlf"),
        pytest.param(
            "page.html",
            b"<html><head><title>T</title><style>p{}</style></head><body><h1>Reply</h1>"
            b"<p>First <b>para</b>.</p><p>Second<br>line.</p><script>x()</script>"
            b"<table><tr><td>A</td><td>B</td></tr></table></body></html>",
            "Reply\n\nFirst para.\n\nSecond\nline.\n\nA | B",
            id="html",
        ),
        pytest.param("scan.htm", b"<p>Short &amp; sweet</p>", "Short & sweet", id="htm"),
        pytest.param("reply.pdf", pdf_bytes(["Dear Jack,", "Thank you for your letter."]), "Thank you", id="pdf"),
        pytest.param("owner-only.pdf", encrypted_pdf(user_password=""), "Secret reply text", id="pdf-owner-pw"),
    ],
)
def test_formats_ingest(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    doc = load_file(path)
    assert expected in doc.text
    assert "\r" not in doc.text
    assert doc.doc_id == path.stem and doc.source == str(path)


def test_html_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(
        b"<html><head><title>T</title></head><body><h1>Reply</h1><p>First <b>para</b>.</p>"
        b"<p>Second<br>line.</p><script>x()</script><table><tr><td>A</td><td>B</td></tr></table></body></html>"
    )
    assert load_file(path).text == "Reply\n\nFirst para.\n\nSecond\nline.\n\nA | B"


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    doc = load_file(write_docx(tmp_path / "reply.docx"))
    assert doc.text == (
        "Dear Jack,\n\nThank you for your letter about the petition.\n\n"
        "Region | Funding\nGwent | £2m\n\nYours sincerely,"
    )
    assert doc.meta.kind != "unknown"


def test_txt_gets_metadata_and_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "reply.txt"
    path.write_text(LETTER, encoding="utf-8")
    doc = load_file(path)
    assert (doc.meta.kind, doc.meta.ref, doc.meta.date) == ("petition_response", "P-06-1234", "2021-09-23")
    assert doc.meta.title == "Fund more foster carers"
    assert doc.text[doc.meta.answer_start :].startswith("Thank you for your letter")
    assert all(doc.text[s:e] != "We are investing in Foster Wales." for s, e in doc.boilerplate)


def test_doc_id_is_sanitised(tmp_path: Path) -> None:
    path = tmp_path / "Reply to Jack (final) ✓.txt"
    path.write_text("Some text.", encoding="utf-8")
    assert load_file(path).doc_id == "Reply_to_Jack_final"


def test_load_text_normalises_newlines() -> None:
    doc = load_text("Dear Minister,\r\n\r\nPlease fund it.\r\n", doc_id="req-1", source="ui")
    assert doc.text == "Dear Minister,\n\nPlease fund it.\n"
    assert (doc.doc_id, doc.source) == ("req-1", "ui")
    assert doc.text[doc.meta.answer_start :].startswith("Please fund it.")


def test_load_text_refuses_blank() -> None:
    with pytest.raises(DocumentError, match="empty"):
        load_text(" \n\t ")


# ---- folders --------------------------------------------------------------------------------


def test_folder_walk_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zed text.", encoding="utf-8")
    (tmp_path / "a.md").write_text("Ay text.", encoding="utf-8")
    (tmp_path / "README.md").write_text("About this folder.", encoding="utf-8")
    (tmp_path / "Notes.txt").write_text("Notes text.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / ".git" / "x.txt").write_text("Git.", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    docs, skipped = split(load_paths([tmp_path]))
    assert [d.doc_id for d in docs] == ["Notes", "a", "z"]
    assert skipped == []


def test_readme_loads_when_named(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("About this folder.", encoding="utf-8")
    assert [d.doc_id for d in load_paths([path])] == ["README"]  # type: ignore[union-attr]


def test_explicit_unsupported_file_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG")
    (skipped,) = list(load_paths([path]))
    assert isinstance(skipped, Skipped)
    assert skipped.source == str(path)
    assert "unsupported file type (.png)" in skipped.reason


def test_a_single_path_string_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("One.", encoding="utf-8")
    assert [d.doc_id for d in load_paths(str(path))] == ["one"]  # type: ignore[union-attr]


# ---- bad files ------------------------------------------------------------------------------


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, a phrase the one-line reason must contain)."""
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "not a word document")
    good = pdf_bytes(["Some reply text that is long enough"])
    files = {
        "missing.txt": (None, "not found"),
        "dangling.txt": (b"link", "not found"),
        "empty.txt": (b"", "empty"),
        "blank.md": (b"  \n\t\n", "empty"),
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        "latin1.txt": ("Caf\u00e9 ar agor".encode("latin-1"), "byte 0xe9 at offset 3"),
        "utf16.txt": ("Helo".encode("utf-16"), "UTF-16"),
        "locked.pdf": (encrypted_pdf(user_password="secret"), "encrypted"),
        "scanned.pdf": (blank_pdf(), "no extractable text"),
        "garbage.pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 4, "corrupt"),
        "truncated.pdf": (good[: len(good) // 3], "corrupt"),
        "notpdf.pdf": (b"hello there, not a pdf", "not a PDF"),
        "garbage.docx": (b"PK\x03\x04" + b"\x00garbage" * 50, "corrupt"),
        "wrongzip.docx": (zipped.getvalue(), "corrupt"),
        "text.docx": (b"just text", "not a valid .docx"),
        "legacy.docx": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "password-protected or an old .doc"),
    }
    out = {}
    for name, (content, phrase) in files.items():
        path = tmp_path / name
        if name == "dangling.txt":
            path.symlink_to(tmp_path / "nowhere.txt")
        elif content is not None:
            path.write_bytes(content)
        out[name] = (path, phrase)
    return out


def test_bad_files_raise_one_line_reasons(tmp_path: Path) -> None:
    for name, (path, phrase) in _bad_files(tmp_path).items():
        with pytest.raises(DocumentError) as caught:
            load_file(path)
        message = str(caught.value)
        assert phrase in message, (name, message)
        assert message.startswith(f"{name}: ") and "\n" not in message, message


def test_folder_given_as_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "looks-like.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match="is a folder"):
        load_file(folder)


def test_batch_continues_past_bad_files(tmp_path: Path) -> None:
    bad = _bad_files(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text("A good reply.", encoding="utf-8")
    paths = [path for path, _ in bad.values()] + [good]
    docs, skipped = split(load_paths(paths))
    assert [d.doc_id for d in docs] == ["good"]
    assert len(skipped) == len(bad)
    for item, (path, phrase) in zip(skipped, bad.values()):
        assert item.source == str(path)
        assert phrase in item.reason and "\n" not in item.reason
        assert not item.reason.startswith(path.name)


# ---- JSONL ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["records.jsonl", "records.jsonl.gz"])
def test_jsonl_records(tmp_path: Path, name: str) -> None:
    lines = [
        json.dumps(RECORD),
        "",
        "{not json",
        json.dumps({**RECORD, "id": None}),
        json.dumps({"id": "X-1", "question": "", "answer": None}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "X-2", "kind": "petition_response", "body": "A body\r\nof text.", "title": "Trees"}),
    ]
    path = write_jsonl(tmp_path / name, lines)
    got = list(load_paths([path]))
    docs = [g for g in got if isinstance(g, Document)]
    skipped = {g.source: g.reason for g in got if isinstance(g, Skipped)}
    assert [d.doc_id for d in docs] == ["UKWQ-1", "X-2"]
    assert skipped.keys() == {f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6"}
    assert "invalid JSON" in skipped[f"{path}:3"]
    assert "no 'id'" in skipped[f"{path}:4"]
    assert "no 'question', 'answer' or 'body'" in skipped[f"{path}:5"]
    assert "not a JSON object" in skipped[f"{path}:6"]
    assert all("\n" not in r for r in skipped.values())

    wq, body = docs
    assert wq.text == RECORD["question"] + "\n\n" + RECORD["answer"]
    assert wq.text[wq.meta.answer_start :] == RECORD["answer"]
    assert wq.source == f"{path}#1" and wq.boilerplate == []
    m = wq.meta
    assert (m.kind, m.ref, m.refs, m.date, m.answered) == (
        "written_question",
        "12345",
        ["12345"],
        "2024-01-01",
        "2024-01-01",
    )
    assert (m.author, m.author_role, m.asked_of) == (None, "Secretary of State for Education", m.author_role)
    assert m.answering_body == "Department for Education" and m.source_url == RECORD["source_url"]
    assert m.subject == "To ask the Secretary of State for Education, what steps she is taking on SEND."
    assert (body.text, body.meta.kind, body.meta.subject, body.meta.answer_start) == (
        "A body\nof text.", "petition_response", "Trees", 0,
    )  # fmt: skip


def test_jsonl_long_question_subject_is_shortened(tmp_path: Path) -> None:
    question = "To ask the Minister " + "about many things " * 30
    path = write_jsonl(tmp_path / "r.jsonl", [json.dumps({"id": "L", "question": question, "answer": "Yes."})])
    (doc,) = list(load_paths([path]))
    assert isinstance(doc, Document)
    assert doc.meta.subject is not None and len(doc.meta.subject) <= 200 and doc.meta.subject.endswith("…")
    assert doc.meta.kind == "written_question"


def test_jsonl_bad_utf8_line_and_truncated_gzip(tmp_path: Path) -> None:
    raw = (json.dumps(RECORD) + "\n").encode() + b'{"id": "B", "question": "caf\xe9"}\n'
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(gzip.compress(raw * 200)[:-40])
    got = list(load_records(path))
    assert isinstance(got[0], Document)
    assert isinstance(got[1], Skipped) and "not UTF-8 (byte 0xe9" in got[1].reason
    assert isinstance(got[-1], Skipped) and got[-1].source == str(path) and "truncated" in got[-1].reason


def test_empty_jsonl_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n\n")
    (skipped,) = list(load_paths([path]))
    assert isinstance(skipped, Skipped) and "no records" in skipped.reason


def test_load_file_refuses_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [json.dumps(RECORD)])
    with pytest.raises(DocumentError, match="many records"):
        load_file(path)


def test_real_wq_data_streams_first_50_records(tmp_path: Path) -> None:
    require(WQ_DATA.exists(), f"{WQ_DATA} is missing")
    head = list(itertools.islice(load_paths([WQ_DATA]), 50))
    assert len(head) == 50 and all(isinstance(d, Document) for d in head)
    docs = [d for d in head if isinstance(d, Document)]
    assert all(d.doc_id.startswith("UKWQ-") and d.meta.kind == "written_question" for d in docs)
    assert all(d.meta.subject and len(d.meta.subject) <= 200 and d.meta.author_role for d in docs)
    assert all(0 < d.meta.answer_start < len(d.text) for d in docs)

    with gzip.open(WQ_DATA, "rt", encoding="utf-8") as src:  # the same 50, through a small gz of our own
        small = write_jsonl(tmp_path / "small.jsonl.gz", [line.rstrip("\n") for line in itertools.islice(src, 50)])
    again, skipped = split(load_paths([tmp_path]))
    assert skipped == [] and [d.doc_id for d in again] == [d.doc_id for d in docs]
    assert again[0].source == f"{small}#1"
