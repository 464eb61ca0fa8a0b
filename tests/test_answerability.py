"""Does the precedent answer the ask? Parts, key terms, the rule, and the seeds' real cases."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.drafting.answerability import (
    ANSWERABLE,
    PART_FLOOR,
    addressed,
    addresses,
    key_terms,
    split_parts,
    topic,
)
from rag.drafting.intake import parse_request
from rag.evaluation.metrics import answerability_curve
from rag.types import AskPart


@pytest.mark.parametrize(
    ("ask", "parts"),
    [
        ("How many schools are there in Wales?", ["How many schools are there in Wales?"]),
        (
            "what the estimated reduction in staff numbers is from the merger; what functions will cease; "
            "and whether staff will be required to move desks.",
            [
                "what the estimated reduction in staff numbers is from the merger",
                "what functions will cease",
                "whether staff will be required to move desks.",
            ],
        ),
        (
            "what steps she is taking to (a) improve cross-Departmental working on youth services and (b) provide "
            "funding for multi-agency teams",
            [
                "what steps she is taking to improve cross-Departmental working on youth services",
                "what steps she is taking to provide funding for multi-agency teams",
            ],
        ),
        (
            "what assessment she has made of the adequacy of the (a) support and (b) guidance available to "
            "(i) parents and (ii) guardians.",
            [
                "what assessment she has made of the adequacy of the support and guidance available to parents and "
                "guardians."
            ],
        ),
        (
            "what plans she has to review school funding; and if she will make a statement.",
            ["what plans she has to review school funding"],
        ),
        (
            "Introduce a national minimum allowance for kinship carers in Wales We call on the Welsh Government "
            "to introduce a national minimum allowance for kinship carers.",
            [
                "Introduce a national minimum allowance for kinship carers in Wales We call on the Welsh Government "
                "to introduce a national minimum allowance for kinship carers."
            ],
        ),
    ],
    ids=["single", "clauses", "enumerated-asks", "enumerated-facets", "statement-clause", "petition"],
)
def test_split_parts(ask: str, parts: list[str]) -> None:
    assert split_parts(ask) == parts


def test_key_terms_leave_out_the_frame_of_the_question() -> None:
    terms = key_terms("Will the Minister make a statement on badger culling in Pembrokeshire?")
    assert sorted(terms.values()) == ["Pembrokeshire", "badger", "culling"]


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("what steps she is taking to reduce waiting times for therapy", "reduce waiting times for therapy"),
        ("Will the Minister make a statement on badger culling?", "badger culling"),
        ("whether staff will be required to move desks.", "whether staff will be required to move desks"),
    ],
    ids=["steps", "statement", "whether"],
)
def test_topic_names_a_part_without_its_frame(part: str, expected: str) -> None:
    assert topic(part) == expected


@pytest.mark.parametrize(
    ("score", "unknown", "terms", "threshold", "expected"),
    [
        (ANSWERABLE, 0, 5, ANSWERABLE, True),
        (ANSWERABLE - 0.01, 0, 5, ANSWERABLE, False),
        (0.9, 2, 15, ANSWERABLE, True),  # a long ask with two words the corpus lacks
        (0.9, 3, 7, ANSWERABLE, False),  # "kinship", "allowance", "minimum" of seven
        (PART_FLOOR, 0, 3, PART_FLOOR, True),
    ],
    ids=["at-threshold", "below", "few-unknown", "many-unknown", "part-floor"],
)
def test_the_rule(score: float, unknown: int, terms: int, threshold: float, expected: bool) -> None:
    part = AskPart("q", False, score, ["x"] * unknown, terms)
    assert addresses(part, threshold) is expected


def test_anything_is_drafted_when_the_whole_or_one_part_is_addressed() -> None:
    low, high = AskPart("a", False, 0.3), AskPart("b", True, 0.7)
    assert addressed([low, high]) and addressed([high, low]) and not addressed([low, low])


def test_the_curve_re_decides_each_case_from_its_scores() -> None:
    def case(answerable: bool, score: float) -> dict:
        whole = {"text": "q", "covered": False, "score": score, "missing": [], "terms": 3}
        return {"answerable": answerable, "assessment": {"whole": whole, "parts": []}}

    cases = [case(True, 0.6), case(True, 0.45), case(False, 0.55), case(False, 0.3)]
    low, high = answerability_curve(cases, [0.4, 0.58])
    assert (low["refused"], low["false_confident"]) == (0.0, 0.5)
    assert (high["refused"], high["false_confident"]) == (0.5, 0.0)


# ---------------------------------------------------------------------------- the seeds, real MiniLM


def _codes(draft: object) -> list[str]:
    return [w.code for w in draft.warnings]  # type: ignore[attr-defined]


def test_an_unrelated_question_gets_no_precedent_and_no_body(seeded: Assistant) -> None:
    draft = seeded.draft(parse_request("Will the Minister make a statement on badger culling in Pembrokeshire?"))
    assert "no_precedent" in _codes(draft)
    assert draft.body == "" and not draft.citations
    assert "No precedent found" in draft.text
    warning = next(w for w in draft.warnings if w.code == "no_precedent")
    assert "badger culling in Pembrokeshire" in warning.message  # what was searched
    assert draft.related and len({p.doc_id for p in draft.related}) == len(draft.related)


def test_the_kinship_petition_is_not_answered_with_foster_care_lines(seeded: Assistant) -> None:
    text = (
        "Petition P-06-1300: Introduce a national minimum allowance for kinship carers in Wales\n\n"
        "We call on the Welsh Government to introduce a national minimum allowance for kinship carers."
    )
    draft = seeded.draft(parse_request(text))
    codes = _codes(draft)
    assert "no_precedent" in codes or "partial_answer" in codes
    named = " ".join(w.message for w in draft.warnings if w.code in ("no_precedent", "partial_answer"))
    assert "kinship" in named and "allowance" in named


def test_an_answerable_question_is_drafted_without_an_answerability_warning(seeded: Assistant) -> None:
    draft = seeded.draft(parse_request("Will the Minister make a statement on Cardiff children's services?"))
    assert draft.body and draft.citations
    assert not {"no_precedent", "partial_answer"} & set(_codes(draft))
    assert draft.assessment is not None and draft.assessment.addressed


def test_an_unaddressed_part_gets_a_placeholder_and_a_warning(seeded: Assistant) -> None:
    ask = (
        "To ask the Minister what steps the Welsh Government is taking to support Cardiff children's services; "
        "and what assessment she has made of badger culling in Pembrokeshire."
    )
    draft = seeded.draft(parse_request(ask, kind="written_question"))
    assert "partial_answer" in _codes(draft)
    assert "[Officials to advise: badger culling in Pembrokeshire]" in draft.body
    assert draft.citations  # the Cardiff part is drafted
    assert not any(w.code == "uncited" for w in draft.warnings)  # the placeholder is a note, not a statement
