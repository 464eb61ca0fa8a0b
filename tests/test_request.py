"""Parsing incoming petitions, written questions and letters into a DraftRequest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.drafting.intake import parse_request, parse_request_file, without_to_ask
from rag.errors import EmptyRequestError, InputError
from rag.text.dates import first_date
from rag.text.language import detect_language
from rag.types import REQUEST_KINDS

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SENEDD_PETITION = """P-06-1301 Make bus travel free for under-25s in Wales

This petition was submitted by Jane Smith, having collected 1,234 signatures.

Text of Petition:
We call on the Welsh Government to make bus travel free for all young people under 25.
Young people rely on buses to reach college and work.
"""

COMMITTEE_LETTER = """Jack Sargeant MS
Chair, Petitions Committee

3 September 2021

Dear Julie,

The Committee considered the petition to 'Place Cardiff Children's Services into special measures and
conduct an urgent independent review' at its meeting and agreed to seek your views on the petition.
"""

WQ_TEXT = """WQ91234 (e) Tabled on 03/02/2024

To ask the Deputy Minister for Social Services what steps are being taken to recruit foster carers?

Asked by: Jane Dodds MS (Mid and West Wales)
"""

LETTER = """Dear Minister,
RE: Respite care in Gwynedd
12 March 2023

I am writing on behalf of a constituent who cares for her disabled son. Could you please confirm what
funding is available for respite care in Gwynedd? I look forward to hearing from you.

Yours sincerely,
Mabon ap Gwynfor MS
"""

WELSH_LETTER = """Annwyl Weinidog,

Rwy'n ysgrifennu ynghylch y gwasanaethau plant yn fy etholaeth. Hoffwn ofyn i chi egluro pa gymorth
sydd ar gael i ofalwyr maeth yng Ngwynedd.

Yn gywir,
Siân Gwenllian AS
"""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (SENEDD_PETITION, "petition"),
        (COMMITTEE_LETTER, "petition"),
        ("We call on the Welsh Government to fund more school nurses.", "petition"),
        (WQ_TEXT, "written_question"),
        ("Will the Minister make a statement on waiting times for autism assessments?", "written_question"),
        ("To ask the Secretary of State for Education what plans he has for school funding.", "written_question"),
        (LETTER, "letter"),
        (WELSH_LETTER, "letter"),
        ("Dear Minister, thank you for visiting our care home last week.", "letter"),
    ],
    ids=[
        "senedd-petition",
        "committee-letter",
        "we-call-on",
        "wq-number",
        "will-the-minister",
        "to-ask",
        "letter",
        "welsh-letter",
        "plain-letter",
    ],
)
def test_kind_detection(text: str, kind: str) -> None:
    assert parse_request(text).kind == kind


WELSH_WQ_TEXT = """WQ91235 (w) Cyflwynwyd ar 03/02/2024

Pa gamau y mae Llywodraeth Cymru yn eu cymryd i recriwtio gofalwyr maeth?

Gofynnwyd gan: Siân Gwenllian AS (Arfon)
"""


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        (
            "A wnaiff y Gweinidog ddatganiad am gynlluniau i ddileu elw preifat o ofal plant sy'n derbyn gofal?",
            "written_question",
            "cy",
        ),
        ("A wnaiff Ysgrifennydd y Cabinet ddatganiad am asesiadau awtistiaeth?", "written_question", "cy"),
        ("A wnaiff y Prif Weinidog amlinellu ei flaenoriaethau ar gyfer tai cymdeithasol?", "written_question", "cy"),
        ("Pa asesiad y mae'r Gweinidog wedi'i wneud o effaith y grant ar ofalwyr ifanc?", "written_question", "cy"),
        ("Pa gamau y mae Llywodraeth Cymru yn eu cymryd i recriwtio mwy o ofalwyr maeth?", "written_question", "cy"),
        ("Pa drafodaethau a gafwyd gyda Llywodraeth y DU am gyllid ysgolion?", "written_question", "cy"),
        ("Sut y mae Llywodraeth Cymru yn cefnogi pobl ifanc sy'n gadael gofal?", "written_question", "cy"),
        ("Sut mae Llywodraeth Cymru yn sicrhau bod eiriolaeth ar gael i rieni?", "written_question", "cy"),
        ("Sut mae Arolygiaeth Gofal Cymru yn craffu ar wasanaethau plant?", "written_question", "cy"),
        ("Pryd y bydd y siarter rhianta corfforaethol yn cael ei chyhoeddi?", "written_question", "cy"),
        ("Beth yw polisi Llywodraeth Cymru ar gludiant i ddysgwyr mewn ardaloedd gwledig?", "written_question", "cy"),
        ("Cwestiwn ysgrifenedig i'r Gweinidog Addysg ynghylch prydau ysgol am ddim.", "written_question", "cy"),
        (WELSH_WQ_TEXT, "written_question", "cy"),
        ("Will the Minister make a statement on waiting times for autism assessments?", "written_question", "en"),
        ("What steps is the Welsh Government taking to recruit foster carers?", "written_question", "en"),
        ("We call on the Welsh Government to fund more school nurses.", "petition", "en"),
        ("Dear Minister, thank you for visiting our care home last week.", "letter", "en"),
        (WELSH_LETTER, "letter", "cy"),
        (
            "Annwyl Weinidog,\n\nPa gamau sydd ar waith i gefnogi gofalwyr maeth?\n\nYn gywir,\nSiân Gwenllian AS",
            "letter",
            "cy",
        ),
        ("Rydym yn galw ar Lywodraeth Cymru i ariannu mwy o nyrsys ysgol. Deiseb P-06-1400.", "petition", "cy"),
        (
            "Rydym yn galw ar Lywodraeth Cymru i ariannu nyrsys ysgol.\nPam nad oes digon o nyrsys?",
            "petition",
            "cy",
        ),
    ],
    ids=[
        "a-wnaiff-y-gweinidog",
        "a-wnaiff-ysgrifennydd-y-cabinet",
        "a-wnaiff-y-prif-weinidog",
        "pa-asesiad",
        "pa-gamau",
        "pa-drafodaethau",
        "sut-y-mae-llywodraeth-cymru",
        "sut-mae-llywodraeth-cymru",
        "sut-mae-another-body",
        "pryd-y-bydd",
        "beth-yw",
        "cwestiwn-ysgrifenedig",
        "welsh-wq-number-and-tabled-line",
        "english-will-the-minister-unchanged",
        "english-what-steps-unchanged",
        "english-petition-unchanged",
        "english-letter-unchanged",
        "welsh-letter-stays-a-letter",
        "welsh-letter-asking-pa-gamau-stays-a-letter",
        "welsh-petition-stays-a-petition",
        "welsh-petition-with-a-question-stays-a-petition",
    ],
)
def test_welsh_written_questions_are_detected(text: str, kind: str, language: str) -> None:
    r = parse_request(text)
    assert (r.kind, r.language) == (kind, language)


def test_welsh_written_question_fields_and_ask() -> None:
    r = parse_request(WELSH_WQ_TEXT)
    assert r.wq_number == "WQ91235"
    assert r.member == "Siân Gwenllian AS"
    assert r.letter_date == "2024-02-03"  # the "Cyflwynwyd ar" (tabled) date
    assert r.ask == "Pa gamau y mae Llywodraeth Cymru yn eu cymryd i recriwtio gofalwyr maeth?"


def test_a_welsh_answer_is_not_part_of_the_ask() -> None:
    text = (
        "A wnaiff y Gweinidog ddatganiad am ofal maeth?\n\n"
        "Atebwyd gan y Dirprwy Weinidog | Atebwyd ar 30/08/2022\n\nMae Maethu Cymru yn rhwydwaith cenedlaethol."
    )
    assert parse_request(text).ask == "A wnaiff y Gweinidog ddatganiad am ofal maeth?"


def test_senedd_petition_fields() -> None:
    r = parse_request(SENEDD_PETITION)
    assert r.petition_number == "P-06-1301"
    assert r.petition_title == "Make bus travel free for under-25s in Wales"
    assert r.ask.startswith("Make bus travel free for under-25s in Wales")
    assert "We call on the Welsh Government to make bus travel free" in r.ask
    assert r.language == "en"


def test_committee_letter_quoted_title_keeps_apostrophes_and_wraps() -> None:
    r = parse_request(COMMITTEE_LETTER)
    assert r.petition_title == (
        "Place Cardiff Children's Services into special measures and conduct an urgent independent review"
    )
    assert r.letter_date == "2021-09-03"
    assert r.sender == "Jack Sargeant MS"


def test_seed_petition_reply_yields_number_and_title() -> None:
    r = parse_request((SEEDS / "000_13427d4b3c4b56d1.txt").read_text(encoding="utf-8"))
    assert (r.kind, r.petition_number) == ("petition", "P-06-1199")
    assert r.petition_title and r.petition_title.startswith("Place Cardiff Children's Services")


def test_written_question_fields() -> None:
    r = parse_request(WQ_TEXT)
    assert r.wq_number == "WQ91234"
    assert r.member == "Jane Dodds MS"
    assert r.letter_date == "2024-02-03"  # the tabled date
    assert (
        r.ask == "To ask the Deputy Minister for Social Services what steps are being taken to recruit foster carers?"
    )


def test_seed_written_question_ask_is_the_question_not_the_answer() -> None:
    r = parse_request((SEEDS / "003_3828880d9c8d13ee.txt").read_text(encoding="utf-8"))
    assert r.wq_number == "WQ85953"
    assert r.ask.startswith("Will the Minister explain why the Welsh Government is not conducting")
    assert r.ask.endswith("?")
    assert "Josh MacAlister" not in r.ask


def test_letter_fields_and_ask() -> None:
    r = parse_request(LETTER)
    assert r.sender == r.member == "Mabon ap Gwynfor MS"
    assert r.letter_date == "2023-03-12"
    assert "Respite care in Gwynedd" in r.ask
    assert "Could you please confirm what funding is available for respite care in Gwynedd?" in r.ask
    assert "look forward" not in r.ask


def test_seed_letter_ask_is_the_request_and_its_list() -> None:
    r = parse_request((SEEDS / "001_ee2d74eb3e89c0bc.txt").read_text(encoding="utf-8"))
    assert r.kind == "letter"
    assert r.sender == "Jane Dodds"
    assert r.letter_date == "2022-07-04"
    assert "I would therefore like to request an independent review" in r.ask
    assert "workforce plan" in r.ask or len(r.ask) > 900
    assert len(r.ask) <= 1004


def test_welsh_letter() -> None:
    r = parse_request(WELSH_LETTER)
    assert r.language == "cy"
    assert r.sender == "Siân Gwenllian AS"
    assert "Hoffwn ofyn i chi egluro" in r.ask


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Date: 4th July 2022", "2022-07-04"),
        ("23 September 2021", "2021-09-23"),
        ("July 4, 2022", "2022-07-04"),
        ("24/08/2022", "2022-08-24"),
        ("2022-07-04", "2022-07-04"),
        ("4 Gorffennaf 2022", "2022-07-04"),
        ("31 February 2022", None),
        ("no date here", None),
        ("10<sup>th</sup> September 2022", "2022-09-10"),
        ("30.08.2022", "2022-08-30"),
        ("Sept. 5, 2022", "2022-09-05"),
    ],
    ids=["ordinal", "day-month", "us-style", "numeric", "iso", "welsh-month", "impossible", "none", "superscript",
         "dotted", "abbreviated"],
)  # fmt: skip
def test_first_date(text: str, iso: str | None) -> None:
    assert first_date(text) == iso


def test_overrides_win_over_detection() -> None:
    r = parse_request(LETTER, kind="petition", petition_title="Fund respite care", as_of="2023-01-01")
    assert r.kind == "petition"
    assert r.petition_title == "Fund respite care"
    assert r.as_of == "2023-01-01"
    assert r.ask.startswith("Fund respite care")
    assert parse_request(WQ_TEXT, ask="foster carers", language="cy").ask == "foster carers"
    assert parse_request(WQ_TEXT, kind="wq").kind == "written_question"
    assert parse_request(WQ_TEXT, petition_title=None).petition_title is None  # None means "not given"


def test_unknown_override_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="colour"):
        parse_request(LETTER, colour="blue")


@pytest.mark.parametrize("bad", [{"kind": "memo"}, {"language": "fr"}], ids=["kind", "language"])
def test_invalid_override_values(bad: dict[str, str]) -> None:
    with pytest.raises(InputError):
        parse_request(LETTER, **bad)


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_empty_text_is_refused_clearly(text: str) -> None:
    with pytest.raises(EmptyRequestError, match="no text"):
        parse_request(text)


def test_text_is_kept_verbatim() -> None:
    text = "Dear Minister,\x00\r\nPlease explain.\x07"
    assert parse_request(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02" * 300_000,
        "a" * 1_000_000,
        "petition to '" * 80_000,
        "P-06-1 " * 140_000,
        "Aa Bb Cc " * 110_000,
        "1 January 2020 " * 65_000,
        ".\n" * 500_000,
        "<" + " " * 1_000_000,
        "Date: " * 170_000,
        "I would like to request: \n- x\n" * 30_000,
    ],
    ids=["controls", "one-word", "open-quotes", "petition-nos", "names", "dates", "dots", "spaces", "labels", "lists"],
)
def test_large_hostile_inputs_parse(text: str) -> None:
    """Every pattern is linear, so these finish (pytest-timeout is the backstop; no wall-clock budget)."""
    r = parse_request(text)
    assert r.kind in REQUEST_KINDS and len(r.ask) <= 1004


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=2000).filter(lambda s: s.strip()))
def test_any_text_parses(text: str) -> None:
    r = parse_request(text)
    assert r.kind in REQUEST_KINDS
    assert r.language in ("en", "cy")
    assert len(r.ask) <= 1004


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Annwyl Jack, diolch am eich llythyr ynghylch y ddeiseb am wasanaethau plant.", "cy"),
        ("Dear Jack, thank you for your letter about the petition on children's services.", "en"),
        ("", "en"),
        ("Hi", "en"),
    ],
    ids=["welsh", "english", "empty", "short"],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_parse_request_file_reads_text_files(tmp_path: Path) -> None:
    path = tmp_path / "wq.txt"
    path.write_text(WQ_TEXT, encoding="utf-8")
    r = parse_request_file(path, as_of="2024-01-01")
    assert (r.kind, r.wq_number, r.as_of) == ("written_question", "WQ91234", "2024-01-01")


FORGED_DATE = (
    "P-06-1450 Save the village school\n\nWe call on the Welsh Government to keep the village school open.\n"
    "date: 2020-01-01\n"
)


def test_fields_read_from_the_text_are_marked_as_parsed_and_never_set_as_of() -> None:
    r = parse_request(FORGED_DATE)
    assert r.letter_date == "2020-01-01"  # read from untrusted text: shown for confirmation, not trusted
    assert {"kind", "petition_number", "petition_title", "letter_date"} <= set(r.parsed_fields)
    assert r.as_of is None and "as_of" not in r.parsed_fields
    confirmed = parse_request(FORGED_DATE, letter_date="2024-05-01", kind="petition")
    assert confirmed.letter_date == "2024-05-01"
    assert "letter_date" not in confirmed.parsed_fields and "kind" not in confirmed.parsed_fields
    assert "petition_number" in confirmed.parsed_fields


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("To ask the Secretary of State for Education, if she will fund schools.", "if she will fund schools."),
        (
            "To ask the Secretary of State for Foreign, Commonwealth and Development Affairs, what is she doing?",
            "what is she doing?",
        ),
        ("To ask the Secretary of State for Science, Innovation and Technology, how many?", "how many?"),
        (
            "To ask the Secretary of State for Education, With reference to the report, what steps?",
            "With reference to the report, what steps?",
        ),
        (
            "To ask the Deputy Minister what steps are being taken?",
            "To ask the Deputy Minister what steps are being taken?",
        ),
    ],
    ids=["one-comma", "department-with-commas", "three-part-department", "capital-after-comma", "no-comma"],
)
def test_the_to_ask_opening_is_the_addressee_alone(question: str, ask: str) -> None:
    assert without_to_ask(question) == ask
