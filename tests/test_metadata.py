"""Metadata and boilerplate extracted from the five real seed documents, and from odd text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.ingest.boilerplate import boilerplate_spans
from rag.ingest.letters import extract_metadata
from rag.text.refs import extract_refs
from rag.types import KINDS

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PETITION_TITLE = "Place Cardiff Children's Services into special measures and conduct an urgent independent review"
PFG_SUBJECT = (
    "Practical steps being taken to deliver the eight Programme for Government (PfG) "
    "commitments that concern children's services"
)
WQ_QUESTION = (
    "Will the Minister explain why the Welsh Government is not conducting a nationwide review of "
    "children's services when other governments in the UK are doing so?"
)
DMSS = "Deputy Minister for Social Services"


def seed(stem: str) -> str:
    (path,) = SEEDS.glob(f"{stem}_*.txt")
    return path.read_text(encoding="utf-8")


EXPECTED = [
    pytest.param(
        "000",
        {
            "kind": "petition_response",
            "ref": "P-06-1199",
            "refs": ["P-06-1199", "JMSS/10375/21"],
            "date": "2021-09-23",
            "author": "Julie Morgan",
            "author_role": DMSS,
            "addressee": "Jack Sargeant MS, Chair - Petitions committee",
            "subject": PETITION_TITLE,
            "title": PETITION_TITLE,
        },
        id="000-petition-response",
    ),
    pytest.param(
        "001",
        {
            "kind": "incoming_letter",
            "ref": None,
            "refs": [],
            "date": "2022-07-04",
            "author": "Jane Dodds",
            "author_role": "Member of the Senedd for Mid and West Wales",
            "addressee": "Mark Drakeford MS, First Minister of Wales",
            "subject": "Independent review of Children's Services in Wales",
            "title": None,
        },
        id="001-incoming-letter",
    ),
    pytest.param(
        "002",
        {
            "kind": "petition_response",
            "ref": "P-06-1161",
            "refs": ["P-06-1161", "JMSS/00781/22"],
            "date": "2022-07-22",
            "author": "Julie Morgan",
            "author_role": DMSS,
            "addressee": "Jack Sargeant MS, Chair - Petitions committee",
            "subject": PFG_SUBJECT,
            "title": None,
        },
        id="002-petition-response-no-title",
    ),
    pytest.param(
        "003",
        {
            "kind": "written_question",
            "ref": "WQ85953",
            "refs": ["WQ85953"],
            "date": "2022-08-30",
            "tabled": "2022-08-24",
            "answered": "2022-08-30",
            "author": None,
            "author_role": DMSS,
            "addressee": None,
            "subject": WQ_QUESTION,
        },
        id="003-written-question",
    ),
    pytest.param(
        "004",
        {
            "kind": "stakeholder_letter",
            "ref": "CYPE(5)-24-19",
            "refs": ["CYPE(5)-24-19"],
            "date": "2019-08-14",
            "author": "ADSS Cymru",
            "author_role": "President, ADSS Cymru",
            "addressee": "Lynne Neagle AM, Chair of Children, Young People & Education Committee",
            "subject": "Improving outcomes for children",
        },
        id="004-stakeholder-letter",
    ),
]


@pytest.mark.parametrize(("stem", "expected"), EXPECTED)
def test_seed_metadata(stem: str, expected: dict[str, object]) -> None:
    meta = extract_metadata(seed(stem)).to_dict()
    assert {key: meta[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("stem", "body_starts_with"),
    [
        pytest.param("000", "Thank you for your letter of 3 September", id="000-after-dear"),
        pytest.param("001", "I am writing to you following my question", id="001-after-annwyl"),
        pytest.param("002", "Thank you for your letter of 4 July", id="002-after-dear"),
        pytest.param("003", "We are aware of the calls for an inquiry", id="003-after-answered-by"),
        pytest.param("004", "RE: Improving outcomes for children", id="004-after-dear"),
    ],
)
def test_answer_start(stem: str, body_starts_with: str) -> None:
    text = seed(stem)
    assert text[extract_metadata(text).answer_start :].startswith(body_starts_with)


def _in_spans(text: str, needle: str, spans: list[tuple[int, int]]) -> bool:
    """True when the needle's every character lies inside some boilerplate span."""
    at = text.index(needle)
    return any(s <= at and at + len(needle) <= e for s, e in spans)


BOILERPLATE = [
    ("000", "Julie Morgan AS/MS Y Dirprwy Weinidog Gwasanaethau Cymdeithasol Deputy Minister"),
    ("000", "Your ref: Petition P-06-1199 Our ref: JMSS/10375/21"),
    ("000", "Chair - Petitions committee\nSenedd Cymru\nCardiff Bay\nCardiff\nCF99 1SN"),
    ("000", "23 September 2021\n\nDear Jack,"),
    ("000", "Canolfan Cyswllt Cyntaf / First Point of Contact Centre: 0300 0604400"),
    ("000", "Bae Caerdydd • Cardiff Bay Caerdydd • Cardiff CF99 1SN <u>Gohebiaeth"),
    ("000", "Rydym yn croesawu derbyn gohebiaeth yn Gymraeg."),
    ("000", "We welcome receiving correspondence in Welsh."),
    ("000", "Yours sincerely,\n\nJulie Morgan AS/MS\n\nJule Moyn"),
    ("001", "@janedoddswld"),
    ("001", "/JaneDoddsWLD"),
    ("001", "0300 200 6565"),
    ("001", "Dyddiad | Date: 4th July 2022"),
    ("001", "Jane Dodds MS Member of the Senedd for Mid and West Wales"),
    ("002", "[Gohebiaeth.Julie.Morgan@llyw.cymru](mailto:Gohebiaeth.Julie.Morgan@llyw.cymru)"),
    ("002", "0300 0604400"),
    ("002", "Caerdydd • Cardiff"),
    ("002", "Y Dirprwy Weinidog Gwasanaethau Cymdeithasol  \nDeputy Minister for Social Services"),
    ("003", "WQ85953 (e) Tabled on 24/08/2022"),
    ("003", "Answered by Deputy Minister for Social Services | Answered on 30/08/2022"),
    ("004", "CYPE(5)-24-19 - Papur i'w nodi 19"),
    ("004", "One Carefus President, ADSS Cymru"),
]

BODY = [
    ("000", "CIW takes a risk based, proportionate approach"),
    ("000", "The pandemic has made it exceptionally challenging"),
    ("000", "I hope you have found my reply helpful"),
    ("001", "My reasons for the request for an independent review"),
    ("002", "Additionally, Ministers are undertaking visits to local authorities"),
    ("002", "Prevent families breaking up by funding advocacy services"),
    ("003", "Will the Minister explain why"),
    ("003", "We are aware of the calls for an inquiry"),
    ("003", "The time now is for action, not further review."),
    ("004", "As President, I would like to assure you"),
]


@pytest.mark.parametrize(("stem", "needle"), BOILERPLATE, ids=[f"{s}-{n[:30]}" for s, n in BOILERPLATE])
def test_boilerplate_is_marked(stem: str, needle: str) -> None:
    text = seed(stem)
    assert _in_spans(text, needle, boilerplate_spans(text))


@pytest.mark.parametrize(("stem", "needle"), BODY, ids=[f"{s}-{n[:30]}" for s, n in BODY])
def test_body_stays_indexable(stem: str, needle: str) -> None:
    text = seed(stem)
    at = text.index(needle)
    assert not any(s < at + len(needle) and at < e for s, e in boilerplate_spans(text))


@pytest.mark.parametrize("stem", ["000", "001", "002", "003", "004"])
def test_spans_sorted_disjoint_in_range(stem: str) -> None:
    text = seed(stem)
    spans = boilerplate_spans(text)
    assert spans == sorted(spans)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        pytest.param("Petition P-06-1199 and P-6-1200", ["P-06-1199", "P-06-1200"], id="petitions"),
        pytest.param("prEich cyf/Your ref: P-06-1161", ["P-06-1161"], id="bilingual-your-ref"),
        pytest.param("WQ 85953 then WQ85953 again", ["WQ85953"], id="wq-deduplicated"),
        pytest.param("Ein cyf/Our ref: JMSS/00781/22.", ["JMSS/00781/22"], id="our-ref"),
        pytest.param("CYPE(5)-24-19 - Papur", ["CYPE(5)-24-19"], id="committee-paper"),
        pytest.param("WQ85953 about P-06-1199", ["P-06-1199", "WQ85953"], id="petition-first"),
        pytest.param("Petition P \u2013 06 \u2013 1199", ["P-06-1199"], id="spaced-en-dashes"),
        pytest.param("Petition P-6-99", ["P-06-99"], id="two-digit-number"),
        pytest.param("Question wq 85953", ["WQ85953"], id="wq-lower-case"),
    ],
)
def test_refs(text: str, refs: list[str]) -> None:
    assert extract_refs(text) == refs


@pytest.mark.parametrize(
    ("text", "date"),
    [
        pytest.param("Some Office\n\n23 September 2021\n\nDear Jo,\n\nHello.", "2021-09-23", id="date-line"),
        pytest.param("Dear Jo,\n\nWe met on 2nd July 2019.\n\n4th July 2022\n", "2022-07-04", id="line-beats-body"),
        pytest.param("Dyddiad | Date: 10<sup>th</sup> Sept 2020 Pwnc | Subject: x", "2020-09-10", id="label-sup"),
        pytest.param("Office\n23 Medi 2021\nAnnwyl Jo,\nDiolch.", "2021-09-23", id="welsh-month"),
        pytest.param("Office\nSeptember 23, 2021\nDear Jo,\nThanks.", "2021-09-23", id="month-first"),
        pytest.param("Office\n31 February 2021\nDear Jo,\nThanks.", None, id="invalid-date"),
    ],
)
def test_letter_dates(text: str, date: str | None) -> None:
    assert extract_metadata(text).date == date


def test_wq_dates_are_day_first() -> None:
    text = "WQ1 (e) Tabled on 02/03/2022\n\nWhy?\n\nAnswered by Minister for Health | Answered on 01/04/2022\n\nNo."
    meta = extract_metadata(text)
    assert (meta.tabled, meta.answered, meta.date) == ("2022-03-02", "2022-04-01", "2022-04-01")
    assert meta.author_role == "Minister for Health"
    assert text[meta.answer_start :] == "No."


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("Just some plain prose about social care with no letter features at all.", id="prose"),
        pytest.param("\x00\x01\x02 \u2028 \ud7ff \t\r\n\x0b", id="control-chars"),
    ],
)
def test_plain_text_is_unknown(text: str) -> None:
    meta = extract_metadata(text)
    assert meta.kind == "unknown"
    assert meta.answer_start == 0
    assert isinstance(boilerplate_spans(text), list)


def test_every_seed_kind_is_known() -> None:
    assert {extract_metadata(seed(s)).kind for s in ("000", "001", "002", "003", "004")} == set(KINDS)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 1_000_000, id="one-long-line"),
        pytest.param("\n" * 1_000_000, id="only-newlines"),
        pytest.param("Dear Jack,\n" * 90_000, id="repeated-salutation"),
        pytest.param(("x" * 63 + "@") * 15_000, id="email-like"),
        pytest.param("12 " + "September " * 100_000, id="date-like"),
        pytest.param("petition '" + "b" * 999_000, id="open-quote"),
    ],
)
def test_megabyte_of_awkward_text_is_parsed(text: str) -> None:  # its speed is the benchmark's claim
    extract_metadata(text)
    assert all(0 <= a < b <= len(text) for a, b in boilerplate_spans(text))


def test_megabyte_of_letters_is_parsed() -> None:
    text = "\n\n".join(seed(s) for s in ("000", "001", "002", "003", "004"))
    text = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    extract_metadata(text)
    assert all(0 <= a < b <= len(text) for a, b in boilerplate_spans(text))


def test_uk_style_written_question() -> None:
    text = "To ask the Secretary of State for Education, what steps she is taking on SEND.\n\nWe are investing."
    meta = extract_metadata(text)
    assert (meta.kind, meta.asked_of, meta.author_role, meta.author) == (
        "written_question", "Secretary of State for Education", "Secretary of State for Education", None,
    )  # fmt: skip
    assert meta.subject == "To ask the Secretary of State for Education, what steps she is taking on SEND."
    assert text[meta.answer_start :] == "We are investing."


STAKEHOLDER = """Dear Minister,

I am writing regarding the closure of the day centre in Llandrindod Wells. Many families rely on it.

Kind regards,
Bob Smith
Chief Executive, Powys Carers Trust
"""
MINISTER_TO_CONSTITUENT = """Cabinet Secretary for Health and Social Care
Our ref: JM/123/24

Mr A Jones
1 High Street
Newtown
SY16 1AB

3 March 2024

Dear Mr Jones,

Thank you for your letter of 1 February about dental services.

Yours sincerely,

Jeremy Miles AS/MS
Cabinet Secretary for Health and Social Care
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            STAKEHOLDER,
            {
                "kind": "stakeholder_letter",
                "author": "Bob Smith",
                "author_role": "Chief Executive, Powys Carers Trust",
                "subject": "Closure of the day centre in Llandrindod Wells",
                "date": None,
            },
            id="stakeholder-email-signature",
        ),
        pytest.param(
            MINISTER_TO_CONSTITUENT,
            {
                "kind": "unknown",  # a minister's letter that answers no petition fits none of KINDS
                "ref": "JM/123/24",
                "date": "2024-03-03",
                "author": "Jeremy Miles",
                "author_role": "Cabinet Secretary for Health and Social Care",
                "addressee": "Mr A Jones",
                "subject": "Dental services",
            },
            id="minister-to-constituent",
        ),
    ],
)
def test_other_letters(text: str, expected: dict[str, object]) -> None:
    meta = extract_metadata(text).to_dict()
    assert {key: meta[key] for key in expected} == expected


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000)
    | st.text(alphabet="Dear \n,.:/@0123456789P-WQ", max_size=3000)
)
def test_never_crashes_and_spans_are_well_formed(text: str) -> None:
    meta = extract_metadata(text)
    spans = boilerplate_spans(text)
    assert 0 <= meta.answer_start <= len(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))
