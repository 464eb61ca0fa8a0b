"""Hostile and awkward inputs (issue 10): colliding names, links and FIFOs, deep or broken JSON,
big HTML, decompression bombs. Each is one Skipped with a reason; the rest of the batch goes on.
Tests that could hang on a regression carry a timeout, so they fail instead."""

from __future__ import annotations

import copy
import gzip
import json
import os
import socket
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from rag.errors import DocumentError
from rag.index.fakes import HashEmbedder, MemoryStore
from rag.index.precedents import PrecedentIndex
from rag.ingest.files import (
    DOCX_EXPANDED_MAX,
    DOCX_PARAGRAPHS_MAX,
    DOCX_XML_MAX,
    HTML_MAX,
    MB,
    PDF_PAGES_MAX,
    load_file,
)
from rag.ingest.pipeline import ingest
from rag.ingest.records import load_records
from rag.ingest.sources import load_paths
from rag.text.dates import date_int
from rag.types import SKIPPED_KEPT, Document, Skipped


def split(items: object) -> tuple[list[Document], list[Skipped]]:
    got = list(items)  # type: ignore[call-overload]
    return [d for d in got if isinstance(d, Document)], [s for s in got if isinstance(s, Skipped)]


def write(path: Path, text: str = "A reply about trees.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- ids from file names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        pytest.param("000_13427d4b3c4b56d1.txt", "000_13427d4b3c4b56d1", id="seed"),
        pytest.param("Reply to Jack (final) ✓.txt", "Reply_to_Jack_final", id="ascii-and-symbol"),
        pytest.param("Ateb â chwestiwn.txt", "Ateb_â_chwestiwn", id="welsh"),
        pytest.param("Ateb ê chwestiwn.txt", "Ateb_ê_chwestiwn", id="welsh-other-vowel"),
        pytest.param("Ateb a\u0302 chwestiwn.txt", "Ateb_â_chwestiwn", id="welsh-decomposed-is-nfc"),
        pytest.param("Απάντηση.txt", "Απάντηση", id="greek"),
        pytest.param("答复.txt", "答复", id="chinese"),
        pytest.param("✓✓.txt", "document", id="symbols-only"),
    ],
)
def test_doc_id_keeps_unicode_letters(tmp_path: Path, name: str, doc_id: str) -> None:
    assert load_file(write(tmp_path / name)).doc_id == doc_id


def test_same_id_from_another_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    store = PrecedentIndex(MemoryStore(HashEmbedder()), None)
    first = write(tmp_path / "a" / "reply.txt", "The first reply, about trees.")
    second = write(tmp_path / "b" / "reply.txt", "The second reply, about rivers.")
    assert ingest([first], store).written == 1
    summary = ingest([second], store)
    assert summary.written == 0
    (skipped,) = summary.skipped
    assert skipped.source == str(second)
    assert "reply" in skipped.reason and str(first) in skipped.reason and "rename" in skipped.reason
    kept = store.store.get_document("reply")
    assert kept is not None and kept.source == str(first) and "trees" in kept.text


def test_an_edited_file_still_updates_and_a_vanished_source_is_replaced(tmp_path: Path) -> None:
    store = PrecedentIndex(MemoryStore(HashEmbedder()), None)
    path = write(tmp_path / "a" / "reply.txt", "The first reply, about trees.")
    ingest([path], store)
    write(path, "The first reply, now about woods.")
    assert ingest([path], store).written == 1
    path.unlink()  # moved: the stored source is gone, so the new file takes its place
    moved = write(tmp_path / "b" / "reply.txt", "The moved reply.")
    assert ingest([moved], store).written == 1
    got = store.store.get_document("reply")
    assert got is not None and got.source == str(moved)


# ---- links, FIFOs and devices ---------------------------------------------------------------


@pytest.mark.timeout(30)
def test_links_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside" / "shadow.txt", "root:$6$secret-hash:19000:0:99999:7:::")
    corpus = tmp_path / "corpus"
    write(corpus / "reply.txt")
    write(corpus / "sub" / "inner.txt", "An inner reply.")
    (corpus / "shadow_link.txt").symlink_to(secret)
    (corpus / "sub" / "relative_escape.txt").symlink_to(Path("..") / ".." / "outside" / "shadow.txt")
    (corpus / "inner_link.txt").symlink_to(corpus / "sub" / "inner.txt")
    (corpus / "etc").symlink_to(tmp_path / "outside", target_is_directory=True)
    docs, skipped = split(load_paths([corpus]))
    assert sorted(d.doc_id for d in docs) == ["inner", "inner_link", "reply"]
    assert all("secret-hash" not in d.text for d in docs)
    reasons = {s.source: s.reason for s in skipped}
    assert reasons.keys() == {str(corpus / n) for n in ("shadow_link.txt", "sub/relative_escape.txt", "etc")}
    assert "link to a folder; not followed" in reasons.pop(str(corpus / "etc"))
    assert all("link to a file outside" in r and "not followed" in r for r in reasons.values())


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "reply.txt")
    os.mkfifo(corpus / "pipe.txt")
    os.mkfifo(corpus / "pipe.jsonl")
    docs, skipped = split(load_paths([corpus]))
    assert [d.doc_id for d in docs] == ["reply"]
    assert sorted(s.source for s in skipped) == [str(corpus / "pipe.jsonl"), str(corpus / "pipe.txt")]
    assert all("FIFO" in s.reason and "not a regular file" in s.reason for s in skipped)
    with pytest.raises(DocumentError, match="FIFO"):
        load_file(corpus / "pipe.txt")


@pytest.mark.timeout(30)
def test_a_device_named_as_text_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")  # named explicitly, the link is followed, but to a device: refused
    with pytest.raises(DocumentError, match="character device"):
        load_file(link)


@pytest.mark.timeout(30)
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        (skipped,) = list(load_paths([path]))
    assert isinstance(skipped, Skipped) and "socket" in skipped.reason


# ---- JSON Lines: one bad record is one Skipped ----------------------------------------------


def good_record(rid: str) -> str:
    return json.dumps({"id": rid, "date": "2024-01-31", "question": "What about trees?", "answer": "We plant them."})


def test_bad_records_are_skipped_one_by_one(tmp_path: Path) -> None:
    lines = [
        good_record("G1"),
        '{"id": "DEEP", "body": "x", "extra": ' + "[" * 200_000 + "]" * 200_000 + "}",
        '{"id": "SUR", "body": "bad \\ud800 text"}',
        '{"id": "\\udc80", "body": "an id that cannot be stored"}',
        json.dumps({"id": "DATE", "date": "2024-13-45", "body": "A body."}),
        json.dumps({"id": "I" * 100_000, "body": "A body."}),
        good_record("G2"),
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, skipped = split(load_records(path))
    assert [d.doc_id for d in docs] == ["G1", "G2"]
    reasons = {s.source: s.reason for s in skipped}
    assert list(reasons) == [f"{path}:{n}" for n in (2, 3, 4, 5, 6)]
    assert "nested too deeply" in reasons[f"{path}:2"]
    assert "'body'" in reasons[f"{path}:3"] and "not valid Unicode" in reasons[f"{path}:3"]
    assert "'id'" in reasons[f"{path}:4"] and "not valid Unicode" in reasons[f"{path}:4"]
    assert "'2024-13-45'" in reasons[f"{path}:5"] and "YYYY-MM-DD" in reasons[f"{path}:5"]
    assert "id is 100000 characters" in reasons[f"{path}:6"]
    assert all(len(r) < 300 for r in reasons.values())


@pytest.mark.parametrize(
    ("iso", "number"),
    [("2024-01-31", 20240131), ("2024-01-31T10:00:00", 20240131), ("2024-13-45", 0), ("", 0), (None, 0)],
    ids=["date", "timestamp", "impossible", "empty", "none"],
)
def test_date_int_compares_only_real_dates(iso: str | None, number: int) -> None:
    assert date_int(iso) == number


def gzip_stream(path: Path, parts: list[tuple[bytes, int]]) -> Path:
    """A .gz written on the fly: each (piece, times) repeated, so a big expansion costs no memory."""
    with gzip.open(path, "wb", compresslevel=1) as out:
        for piece, times in parts:
            for _ in range(times):
                out.write(piece)
    return path


@pytest.mark.timeout(60)
def test_gzip_with_a_huge_line_skips_that_line_only(tmp_path: Path) -> None:
    path = gzip_stream(
        tmp_path / "bomb.jsonl.gz",
        [(good_record("G1").encode() + b"\n", 1), (b'{"id": "BIG", "body": "', 1), (b"a" * MB, 50), (b'"}\n', 1),
         (good_record("G2").encode() + b"\n", 1)],
    )  # fmt: skip
    docs, skipped = split(load_records(path))
    assert [d.doc_id for d in docs] == ["G1", "G2"]
    (big,) = skipped
    assert big.source == f"{path}:2" and "longer than" in big.reason and "MB" in big.reason


@pytest.mark.timeout(60)
def test_gzip_expanding_past_the_limit_stops_with_a_reason(tmp_path: Path) -> None:
    path = gzip_stream(tmp_path / "many.jsonl.gz", [(good_record("G").encode() + b"\n", 1), (b"\n" * 1000, 1000)])
    docs, skipped = split(load_records(path, max_bytes=100_000))
    assert [d.doc_id for d in docs] == ["G"]
    (stop,) = skipped
    assert stop.source == str(path) and "expands to more than" in stop.reason


# ---- HTML -----------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_megabyte_of_paragraphs_parses_in_one_pass(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(b"<html><body>" + b"<p>x</p>" * (MB // 8) + b"</body></html>")
    assert load_file(path).text == "\n\n".join(["x"] * (MB // 8))


def test_html_over_the_cap_is_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_bytes(b"<p>" + b"word " * (HTML_MAX // 5) + b"</p>")
    with pytest.raises(DocumentError, match="MB of HTML, over the"):
        load_file(path)


# ---- decompression bombs and work per file -------------------------------------------------


def docx_with(path: Path, member: str, megabytes: int) -> Path:
    """A real .docx plus one member that expands to `megabytes` MB (written in pieces, compressed)."""
    document = docx.Document()
    document.add_paragraph("Dear Jack,")
    document.save(str(path))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        with package.open(member, "w", force_zip64=True) as out:
            for _ in range(megabytes):
                out.write(b" " * MB)
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("member", "megabytes", "phrase"),
    [
        pytest.param("word/media/image1.png", DOCX_EXPANDED_MAX // MB + 20, "expands to", id="whole-package"),
        pytest.param("word/footer9.xml", DOCX_XML_MAX // MB + 10, "MB of XML", id="xml-parts"),
    ],
)
def test_a_docx_that_expands_too_far_is_refused_from_its_directory(
    tmp_path: Path, member: str, megabytes: int, phrase: str
) -> None:
    path = docx_with(tmp_path / "bomb.docx", member, megabytes)
    with pytest.raises(DocumentError, match=phrase) as caught:
        load_file(path)
    assert "over the" in str(caught.value)


@pytest.mark.timeout(60)
def test_a_docx_of_too_many_paragraphs_is_refused(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("x")._p
    for _ in range(DOCX_PARAGRAPHS_MAX):
        document.element.body.append(copy.deepcopy(paragraph))
    path = tmp_path / "long.docx"
    document.save(str(path))
    with pytest.raises(DocumentError, match=f"{DOCX_PARAGRAPHS_MAX + 1} paragraphs, over the"):
        load_file(path)


@pytest.mark.timeout(60)
def test_a_pdf_of_too_many_pages_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(PDF_PAGES_MAX + 1):
        writer.add_blank_page(width=612, height=792)
    path = tmp_path / "long.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    with pytest.raises(DocumentError, match=f"{PDF_PAGES_MAX + 1} pages, over the"):
        load_file(path)


# ---- messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        pytest.param("utf-16", "UTF-16", id="utf16"),
        pytest.param("utf-16-be", "UTF-16", id="utf16-be"),
        pytest.param("utf-32", "UTF-32", id="utf32"),
        pytest.param("utf-32-be", "UTF-32", id="utf32-be"),
    ],
)
def test_utf16_and_utf32_are_told_apart(tmp_path: Path, encoding: str, named: str) -> None:
    path = tmp_path / "wide.txt"
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + "Helo, Cymru".encode(encoding))
    with pytest.raises(DocumentError) as caught:
        load_file(path)
    assert f"is {named} text" in str(caught.value)


def test_messages_say_what_to_do_not_which_function_to_call(tmp_path: Path) -> None:
    records = write(tmp_path / "r.jsonl", '{"id": "A", "body": "x"}\n')
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    for path in (records, folder):
        with pytest.raises(DocumentError) as caught:
            load_file(path)
        assert "load_" not in str(caught.value) and "ingest" in str(caught.value)


def test_the_skipped_list_is_bounded_with_counts_by_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "empty-objects.jsonl", "{}\n" * 5000 + '{"id": "G", "body": "A body."}\n')
    summary = ingest([path], PrecedentIndex(MemoryStore(HashEmbedder()), None))
    assert summary.written == 1
    assert len(summary.skipped) == SKIPPED_KEPT and summary.skipped_total == 5000
    assert summary.skipped[0] == Skipped(f"{path}:1", "no 'id' field; every record needs a stable id")
    out = summary.to_dict()
    assert out["skipped_total"] == 5000 and len(out["skipped"]) == SKIPPED_KEPT  # type: ignore[arg-type]
    assert out["skipped_by_reason"] == {"no 'id' field; every record needs a stable id": 5000}
    assert len(json.dumps(out)) < 20_000
