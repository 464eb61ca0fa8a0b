"""Batch intake for the answering desk (rag.desk.intake): tables, API exports, letters, zips and folders."""

from __future__ import annotations

import io
import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from rag.desk.intake import Batch, read_batch, read_batch_path
from rag.errors import InputError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PETITION_1199 = SEEDS / "000_13427d4b3c4b56d1.txt"
PETITION_1161 = SEEDS / "002_013fdf69bcaa1894.txt"
MAX_MB = 5.0

ASK = "To ask the Secretary of State for Education, what steps she is taking to recruit more teachers."
ASK_2 = "To ask the Secretary of State for Education, how many schools have RAAC."

TABLE_OFFICE_CSV = (
    "UIN,Date tabled,Asking member,Answering body,Heading,Question text,Named day\n"
    f'12345,14/01/2025,Jane Smith MP,Department for Education,Teachers: Recruitment,"{ASK}",14 January 2025\n'
    f'12346,2025-01-15,John Jones MP,Department for Education,Schools: RAAC,"{ASK_2}",\n'
)
NO_IDS_CSV = f'Question,Member\n"{ASK}",Jane Smith MP\n"{ASK_2}",\n'.encode()
API_HEADER_CSV = (
    "uin;dateTabled;askingMemberName;answeringBodyName;heading;questionText;dateForAnswer\n"
    f"12345;2025-01-14T00:00:00;Jane Smith MP;Department for Education;Teachers: Recruitment;{ASK};"
    "2025-01-20T00:00:00\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _two_sheet_xlsx() -> bytes:
    """A workbook whose first sheet is a cover note and whose second holds the questions."""
    book = openpyxl.Workbook()
    book.active.append(["Written questions for answer, week of 13 January"])
    questions = book.create_sheet("Questions")
    questions.append(["Reference", "Question text", "Date tabled"])
    questions.append(["WQ1", ASK, datetime(2025, 1, 13, 9, 30)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _api_value(uin: str, text: str, *, withdrawn: bool = False) -> dict[str, object]:
    """One result's "value" as the Written Questions API returns it."""
    return {
        "id": 1_700_000 + int(uin),
        "askingMemberId": 4500,
        "askingMember": {"id": 4500, "listAs": "Smith, Jane", "name": "Jane Smith", "party": "Labour"},
        "house": "Commons",
        "memberHasInterest": False,
        "dateTabled": "2025-01-14T00:00:00",
        "dateForAnswer": "2025-01-20T00:00:00",
        "uin": uin,
        "questionText": text,
        "answeringBodyId": 60,
        "answeringBodyName": "Department for Education",
        "isWithdrawn": withdrawn,
        "isNamedDay": False,
        "groupedQuestions": [],
        "answerIsHolding": None,
        "heading": "Teachers: Recruitment",
    }


def _api_json(values: list[dict[str, object]], total: int | None = None) -> bytes:
    results = [{"value": v, "links": []} for v in values]
    return json.dumps({"results": results, "totalResults": len(values) if total is None else total}).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _lying_zip(name: str, actual: bytes, declared: int) -> bytes:
    """A zip whose member claims to expand to `declared` bytes but expands to len(actual)."""
    data = bytearray(_zip({name: actual}))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


# ---- what is read --------------------------------------------------------------------------

FIRST_QUESTION = {
    "id": "12345",
    "kind": "written_question",
    "text": ASK,
    "member": "Jane Smith MP",
    "tabled": "2025-01-14",
    "due": "2025-01-14",
    "asked_of": "Department for Education",
    "title": "Teachers: Recruitment",
}

READ_CASES: list[tuple[str, bytes, int, dict[str, object]]] = [
    ("questions.csv", TABLE_OFFICE_CSV.encode(), 2, FIRST_QUESTION),
    ("questions.csv", TABLE_OFFICE_CSV.encode("cp1252"), 2, FIRST_QUESTION),
    ("questions.csv", b"\xef\xbb\xbf" + TABLE_OFFICE_CSV.encode(), 2, FIRST_QUESTION),
    ("api.csv", API_HEADER_CSV.encode(), 1, {**FIRST_QUESTION, "due": "2025-01-20"}),
    (
        "export.csv",
        (
            "Written questions tabled 14 January 2025\n\n"
            f'Reference,Tabled by,Department,Question\nA1,Jane Smith MP,DfE,"{ASK}"\n'
        ).encode(),
        1,
        {"id": "A1", "member": "Jane Smith MP", "asked_of": "DfE", "text": ASK, "tabled": None},
    ),
    (
        "questions.xlsx",
        _xlsx(
            [
                ["UIN", "Date tabled", "Member", "Department", "Question text", "Date for answer"],
                [12345, datetime(2025, 1, 14), "Jane Smith MP", "Department for Education", ASK, date(2025, 1, 20)],
                [12346, "15/01/2025", "John Jones MP", "Department for Education", ASK_2, None],
            ]
        ),
        2,
        {"id": "12345", "tabled": "2025-01-14", "due": "2025-01-20", "member": "Jane Smith MP", "text": ASK},
    ),
    (
        "questions.jsonl",
        (
            json.dumps({"uin": "12345", "questionText": ASK, "dateTabled": "2025-01-14", "askingMember": "Jane Smith"})
            + "\n\n"
            + json.dumps({"ref": "12346", "question": ASK_2, "date": "15 January 2025"})
            + "\n"
        ).encode(),
        2,
        {"id": "12345", "text": ASK, "tabled": "2025-01-14", "member": "Jane Smith", "due": None},
    ),
    (
        "wqs.json",
        _api_json([_api_value("12345", f"<p>{ASK}</p><p>And if she will make a statement.</p>")]),
        1,
        {
            "id": "12345",
            "text": f"{ASK}\n\nAnd if she will make a statement.",
            "member": "Jane Smith",
            "tabled": "2025-01-14",
            "due": "2025-01-20",
            "asked_of": "Department for Education",
            "title": "Teachers: Recruitment",
        },
    ),
    (
        "unicode-text.csv",
        ("UIN\tQuestion text\tAsking member\n12345\t" + ASK + "\tSiân Gwenllian MS\n").encode("utf-16"),
        1,
        {"id": "12345", "text": ASK, "member": "Siân Gwenllian MS"},
    ),
    ("sheets.xlsx", _two_sheet_xlsx(), 1, {"id": "WQ1", "text": ASK, "tabled": "2025-01-13"}),
    (
        "wqs.json",
        _api_json(
            [_api_value("1", "To ask the Secretary of State for Education, what support for pupils &amp; parents.")]
        ),
        1,
        {"text": "To ask the Secretary of State for Education, what support for pupils & parents."},
    ),
    (
        "list.json",
        json.dumps([{"Question number": "HL1234", "Question text": ASK, "Named day": "2025-01-20"}]).encode(),
        1,
        {"id": "HL1234", "text": ASK, "due": "2025-01-20", "source": "list.json item 1"},
    ),
    (
        "P-06-1199.txt",
        PETITION_1199.read_bytes(),
        1,
        {
            "id": "P-06-1199",
            "kind": "petition",
            "tabled": "2021-09-23",
            "title": "Place Cardiff Children's Services into special measures and conduct an urgent independent review",
        },
    ),
    (
        "letter.html",
        b"<html><body><p>Dear Minister,</p><p>Could you explain the funding for children's services?</p>"
        b"<p>Yours sincerely,</p><p>Jane Smith</p></body></html>",
        1,
        {"id": "letter", "kind": "letter", "member": "Jane Smith"},
    ),
]
READ_IDS = [
    "csv-table-office-headers",
    "csv-windows-1252",
    "csv-utf8-bom",
    "csv-api-headers-semicolons",
    "csv-title-lines-before-header",
    "xlsx-real-date-cells",
    "jsonl",
    "api-json-html-text",
    "csv-utf16-tabs-excel-unicode-text",
    "xlsx-questions-on-second-sheet",
    "api-json-html-entity",
    "json-list",
    "petition-txt",
    "letter-html",
]


@pytest.mark.parametrize(("name", "data", "count", "expected"), READ_CASES, ids=READ_IDS)
def test_reads_each_format(name: str, data: bytes, count: int, expected: dict[str, object]) -> None:
    batch = read_batch(name, data, MAX_MB)
    assert batch.skipped == []
    assert len(batch.items) == count
    first = batch.items[0].to_dict()
    assert {k: first[k] for k in expected} == expected


def test_row_without_id_gets_one_from_file_and_row() -> None:
    batch = read_batch("monday.csv", NO_IDS_CSV, MAX_MB)
    assert [(i.id, i.source) for i in batch.items] == [
        ("monday-row2", "monday.csv row 2"),
        ("monday-row3", "monday.csv row 3"),
    ]


# ---- what is skipped, with its reason ------------------------------------------------------

SKIP_CASES: list[tuple[str, bytes, list[str], list[tuple[str, str]]]] = [
    (
        "q.csv",
        f"UIN,Question text\n12345,{ASK}\n12346,\n12347,{ASK_2}\n".encode(),
        ["12345", "12347"],
        [("q.csv", "row 3: no question text")],
    ),
    (
        "q.csv",
        f"UIN,Question text\n12345,{ASK}\n12346,{ASK_2}\n12345,Again\n".encode(),
        ["12345", "12346"],
        [("q.csv", "row 4: UIN 12345 appears twice; the first is kept")],
    ),
    (
        "q.jsonl",
        (json.dumps({"uin": "1", "questionText": ASK}) + "\n{not json\n[1]\n").encode(),
        ["1"],
        [
            (
                "q.jsonl",
                "line 2: not valid JSON (Expecting property name enclosed in double quotes at line 1, "
                "column 2); fix or remove it",
            ),
            ("q.jsonl", "line 3: not a JSON object ({...}); fix or remove it"),
        ],
    ),
    (
        "wqs.json",
        _api_json([_api_value("12345", ASK), _api_value("12346", ASK_2, withdrawn=True)]),
        ["12345"],
        [("wqs.json", "item 2: UIN 12346 was withdrawn; not read")],
    ),
    (
        "wqs.json",
        _api_json([_api_value("12345", ASK)], total=41),
        ["12345"],
        [
            (
                "wqs.json",
                "holds 1 of the 41 questions the search found (totalResults); fetch the rest "
                "(the API's skip and take parameters) and add them",
            )
        ],
    ),
    (
        "q.csv",
        b"UIN,Question text\n",
        [],
        [("q.csv", "holds no questions (no rows under the header)")],
    ),
    (
        "batch.zip",
        _zip({"../evil.txt": b"Dear Minister, please reply.", "ok.csv": f"UIN,Question\n1,{ASK}\n".encode()}),
        ["1"],
        [("batch.zip/../evil.txt", "has '..' in its path in the zip; not read (zip the files with relative paths)")],
    ),
    (
        "batch.zip",
        _zip({"/etc/evil.txt": b"Dear Minister, please reply.", "ok.csv": f"UIN,Question\n1,{ASK}\n".encode()}),
        ["1"],
        [("batch.zip//etc/evil.txt", "has an absolute path in the zip; not read (zip the files with relative paths)")],
    ),
    (
        "batch.zip",
        _zip(
            {
                "__MACOSX/._ok.csv": b"\x00\x05\x16\x07",
                ".DS_Store": b"\x00\x00\x00\x01Bud1",
                "docs/": b"",
                "ok.csv": f"UIN,Question\n1,{ASK}\n".encode(),
            }
        ),
        ["1"],
        [],
    ),
    (
        "batch.zip",
        _zip({"big.txt": b"Dear Minister, " + b"a" * (6 * 1024 * 1024), "ok.csv": f"UIN,Question\n1,{ASK}\n".encode()}),
        ["1"],
        [("batch.zip/big.txt", "expands to 6.0 MB, over the 5 MB limit for one file (YMATEB_MAX_UPLOAD_MB)")],
    ),
    (
        "batch.zip",
        _zip({"inner.zip": _zip({"a.csv": b"Question\nx\n"}), "ok.csv": f"UIN,Question\n1,{ASK}\n".encode()}),
        ["1"],
        [("batch.zip/inner.zip", "is a zip inside the zip; not read (unzip it and add its files instead)")],
    ),
    (
        "batch.zip",
        _zip({"notes.xls": b"\xd0\xcf\x11\xe0", "ok.csv": f"UIN,Question\n1,{ASK}\n".encode()}),
        ["1"],
        [
            (
                "batch.zip/notes.xls",
                "unsupported file type (.xls); use .csv, .xlsx, .json, .jsonl or .zip for questions, "
                "or .txt, .md, .pdf, .docx or .html for a petition or letter",
            )
        ],
    ),
]
SKIP_IDS = [
    "row-without-text",
    "duplicate-uin",
    "malformed-json-lines",
    "api-withdrawn",
    "api-partial-export",
    "header-only",
    "zip-dotdot-member",
    "zip-absolute-member",
    "zip-hidden-and-macosx-quietly",
    "zip-member-over-limit",
    "zip-inside-zip",
    "zip-unsupported-member",
]


@pytest.mark.parametrize(("name", "data", "ids", "skipped"), SKIP_CASES, ids=SKIP_IDS)
def test_skips_with_reason(name: str, data: bytes, ids: list[str], skipped: list[tuple[str, str]]) -> None:
    batch = read_batch(name, data, MAX_MB)
    assert [i.id for i in batch.items] == ids
    assert [(s.source, s.reason) for s in batch.skipped] == skipped


def test_same_reference_in_two_files_keeps_the_first() -> None:
    archive = _zip({"a/reply.txt": PETITION_1199.read_bytes(), "b/copy.txt": PETITION_1199.read_bytes()})
    batch = read_batch("twice.zip", archive, MAX_MB)
    assert [i.id for i in batch.items] == ["P-06-1199"]
    assert [(s.source, s.reason) for s in batch.skipped] == [
        ("twice.zip/b/copy.txt", "reference P-06-1199 appears twice; the first (from twice.zip/a/reply.txt) is kept")
    ]


def test_ids_made_from_the_same_file_name_are_numbered_not_dropped() -> None:
    letter = b"Dear Minister,\n\nCould you explain the funding for %s?\n\nYours sincerely,\nJane Smith\n"
    archive = _zip({"a/letter.txt": letter % b"schools", "b/letter.txt": letter % b"libraries"})
    batch = read_batch("letters.zip", archive, MAX_MB)
    assert batch.skipped == []
    assert [(i.id, i.source) for i in batch.items] == [
        ("letter", "letters.zip/a/letter.txt"),
        ("letter-2", "letters.zip/b/letter.txt"),
    ]


def test_zip_bomb_member_lying_about_its_size_is_skipped() -> None:
    """A member declaring 100 bytes but expanding to 20 MB: read no further than the limit, then skipped."""
    bomb = _lying_zip("bomb.txt", b"\0" * (20 * 1024 * 1024), declared=100)
    batch = read_batch("bomb.zip", bomb, 1)
    assert batch.items == []
    [skip] = batch.skipped
    assert skip.source == "bomb.zip/bomb.txt"
    assert "cannot be read from the zip" in skip.reason


def test_zip_declaring_more_than_its_limit_is_skipped_unread() -> None:
    bomb = _lying_zip("bomb.txt", b"Dear Minister", declared=2**31)
    [skip] = read_batch("bomb.zip", bomb, 1).skipped
    assert skip.reason.startswith("expands to 2048.0 MB, over the 1 MB limit")


def test_zip_expanding_past_ten_times_the_limit_stops_there() -> None:
    member = f"Question\n{'x' * 90_000}\n".encode()  # 90 KB each, 0.1 MB limit: 1 MB in all
    archive = _zip({f"q{i:02}.csv": member for i in range(14)})
    batch = read_batch("many.zip", archive, 0.1)
    assert len(batch.items) == 11
    [skip] = batch.skipped
    assert skip.source == "many.zip/q11.csv"
    assert skip.reason == (
        "not read: the zip expands past 1 MB in all (10 x the upload limit); split it; 3 file(s) from here on"
    )


def test_zip_of_two_petitions_and_a_csv() -> None:
    archive = _zip(
        {
            "petitions/1199.txt": PETITION_1199.read_bytes(),
            "petitions/1161.txt": PETITION_1161.read_bytes(),
            "questions.csv": TABLE_OFFICE_CSV.encode(),
        }
    )
    batch = read_batch("monday.zip", archive, MAX_MB)
    assert batch.skipped == []
    assert [(i.id, i.kind, i.source) for i in batch.items] == [
        ("P-06-1161", "petition", "monday.zip/petitions/1161.txt"),
        ("P-06-1199", "petition", "monday.zip/petitions/1199.txt"),
        ("12345", "written_question", "monday.zip/questions.csv row 2"),
        ("12346", "written_question", "monday.zip/questions.csv row 3"),
    ]


def test_folder_read_recursively_and_sorted(tmp_path: Path) -> None:
    shutil.copy(PETITION_1199, tmp_path / "b-petition.txt")
    (tmp_path / "a-questions.csv").write_text(TABLE_OFFICE_CSV, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.jsonl").write_text(json.dumps({"uin": "9", "questionText": ASK_2}) + "\n")
    (tmp_path / "sub" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / ".hidden.csv").write_text("Question\nsecret\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "q.csv").write_text("Question\nsecret\n")
    batch = read_batch_path(tmp_path, MAX_MB)
    assert [i.id for i in batch.items] == ["12345", "12346", "P-06-1199", "9"]
    [skip] = batch.skipped
    assert skip.source == str(tmp_path / "sub" / "broken.xlsx")
    assert "is not a readable .xlsx workbook" in skip.reason


def test_seeds_folder_reads_every_letter_and_skips_its_readme() -> None:
    batch = read_batch_path(SEEDS, MAX_MB)
    assert [(i.id, i.kind) for i in batch.items] == [
        ("P-06-1199", "petition"),
        ("001_ee2d74eb3e89c0bc", "letter"),
        ("P-06-1161", "petition"),
        ("WQ85953", "written_question"),
        ("004_39feb1b05e3fab23", "letter"),
    ]
    assert [Path(s.source).name for s in batch.skipped] == ["README.md"]


def test_read_batch_path_reads_one_file(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(TABLE_OFFICE_CSV, encoding="utf-8")
    assert read_batch_path(path, MAX_MB).items == read_batch(str(path), TABLE_OFFICE_CSV.encode(), MAX_MB).items


# ---- a file that cannot be used ------------------------------------------------------------

ERROR_CASES: list[tuple[str, bytes, float, list[str]]] = [
    (
        "q.csv",
        b"UIN,Member,Answer\n1,Jane Smith MP,Yes\n",
        MAX_MB,
        [
            "q.csv: no question-text column",
            "Columns found: 'UIN', 'Member', 'Answer'",
            "'Question text', 'questionText', 'Question', 'text'",
        ],
    ),
    ("q.xlsx", _xlsx([["UIN", "Heading"], [1, "Schools"]]), MAX_MB, ["Columns found: 'UIN', 'Heading'"]),
    ("q.xlsx", b"PK\x03\x04garbage", MAX_MB, ["q.xlsx: is not a readable .xlsx workbook", "re-save it from Excel"]),
    ("q.xlsx", b"\xd0\xcf\x11\xe0old xls", MAX_MB, ["is not a readable .xlsx workbook"]),
    ("q.json", b'{"results": [', MAX_MB, ["q.json: is not valid JSON (Expecting value at line 1, column 14)"]),
    ("q.json", b'{"items": []}', MAX_MB, ["neither a list of questions nor a Written Questions API response"]),
    ("q.csv", b"Question\n\x81\x8d\x8f\n", MAX_MB, ["q.csv: is neither UTF-8 nor Windows-1252 text (byte 0x81 at"]),
    ("q.zip", b"PK\x03\x04 truncated", MAX_MB, ["q.zip: is not a readable zip archive"]),
    ("q.xls", b"\xd0\xcf\x11\xe0", MAX_MB, ["q.xls: unsupported file type (.xls)"]),
    ("q.csv", b"Question\n" + b"x" * 2000, 0.001, ["q.csv: file is 0.0 MB, over the 0.001 MB limit"]),
    ("empty.txt", b"   \n", MAX_MB, ["empty.txt: is empty"]),
]
ERROR_IDS = [
    "csv-missing-text-column",
    "xlsx-missing-text-column",
    "xlsx-corrupt",
    "xlsx-old-xls-renamed",
    "json-malformed",
    "json-wrong-shape",
    "not-utf8-nor-cp1252",
    "zip-corrupt",
    "unsupported-extension",
    "upload-over-limit",
    "empty-letter",
]


@pytest.mark.parametrize(("name", "data", "max_mb", "fragments"), ERROR_CASES, ids=ERROR_IDS)
def test_unusable_file_is_a_clear_input_error(name: str, data: bytes, max_mb: float, fragments: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        read_batch(name, data, max_mb)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_batch_path(tmp_path / "nowhere.csv", MAX_MB)


# ---- the digest ----------------------------------------------------------------------------


def _digest(name: str, data: bytes) -> str:
    return read_batch(name, data, MAX_MB).digest


DIGEST_CASES: list[tuple[Callable[[], str], Callable[[], str], bool]] = [
    (
        lambda: _digest("monday.csv", TABLE_OFFICE_CSV.encode()),
        lambda: _digest("rerun.csv", TABLE_OFFICE_CSV.encode()),
        True,
    ),
    (lambda: _digest("monday.csv", NO_IDS_CSV), lambda: _digest("tuesday.csv", NO_IDS_CSV), True),
    (
        lambda: _digest("a.txt", PETITION_1161.read_bytes()),
        lambda: _digest("b.txt", PETITION_1161.read_bytes()),
        True,
    ),
    (
        lambda: _digest("q.csv", TABLE_OFFICE_CSV.encode()),
        lambda: _digest("q.zip", _zip({"renamed.csv": TABLE_OFFICE_CSV.encode()})),
        True,
    ),
    (
        lambda: _digest("q.csv", TABLE_OFFICE_CSV.encode()),
        lambda: _digest("q.csv", TABLE_OFFICE_CSV.replace("recruit more", "retain more").encode()),
        False,
    ),
    (
        lambda: _digest("q.csv", TABLE_OFFICE_CSV.encode()),
        lambda: _digest("q.csv", TABLE_OFFICE_CSV.replace("12346", "12399").encode()),
        False,
    ),
    (lambda: _digest("q.csv", NO_IDS_CSV), lambda: _digest("q.csv", NO_IDS_CSV.replace(b"Jane", b"Joan")), False),
]
DIGEST_IDS = [
    "same-table-other-name",
    "same-table-made-ids-other-name",
    "same-letter-other-name",
    "csv-and-zip-of-it",
    "question-text-changed",
    "uin-changed",
    "member-changed",
]


@pytest.mark.parametrize(("first", "second", "same"), DIGEST_CASES, ids=DIGEST_IDS)
def test_digest(first: Callable[[], str], second: Callable[[], str], same: bool) -> None:
    assert (first() == second()) is same


def test_digest_is_a_sha256_and_empty_batches_agree() -> None:
    digest = _digest("q.csv", TABLE_OFFICE_CSV.encode())
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert Batch().digest == read_batch("q.csv", b"UIN,Question\n", MAX_MB).digest
