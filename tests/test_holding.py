"""Holding answers and pure cross-references: whole answers that give a new reply nothing to rest on."""

from __future__ import annotations

import pytest

from rag.text.holding import is_cross_reference, is_holding, is_non_answer, is_non_answer_line

HOLDING = [
    (
        "prorogation",
        "It has not proved possible to respond to the hon. Member in the time available before Prorogation.",
    ),
    (
        "dissolution",
        "It has not proved possible to respond to the right hon. Member in the time available before Dissolution.",
    ),
    (
        "taking-time-then-write",
        "It is taking time to collate the information needed to answer the hon. Member's questions. I will write "
        "to him very shortly and will place a copy of my letter in the Library of the House.",
    ),
    ("write-and-library", "I will write to the hon. Member and place a copy of my letter in the Library of the House."),
    (
        "held-by-contractors",
        "The information required to answer the hon. Member's questions is held by Ministry of Defence contractors. "
        "Defence Infrastructure Organisation officials are working with them to produce a consolidated response "
        "which will take some time. I will write to him by early June 2024, and a copy of this letter will be "
        "placed in the Library of The House.",
    ),
    (
        "not-obtained-in-time",
        "It has not been possible to obtain the information in the time available. I will write to the hon. Member "
        "and place a copy of my letter in the Library of the House.",
    ),
]
CROSS_REFERENCES = [
    ("answer-i-gave", "I refer the hon. Member to the answer I gave on 12 March 2024 to Question 12345."),
    ("rt-hon", "I refer the right hon. Member to the answer I gave on 22 November 2022 to Question 89028."),
    ("refer-back", "I refer back to my previous answer to UIN 5635 on 14th December."),
    ("written-statement", "I refer the Hon Member to the Written Ministerial Statement made on 21 November 2024 "
     "(HCWS244)."),
    ("with-link", "I refer the honourable Member to the answer I gave on 26 September 2023 to Question 199292:\n\n"
     "https://questions-statements.parliament.uk/written-questions/detail/2023-09-13/199292."),
    ("nothing-to-add", "I have nothing further to add to the response to PQ 2323."),
    ("refer-then-nothing", "I refer the Hon Member to the response I gave to PQ22200. At this time there is nothing "
     "further to add."),
]  # fmt: skip
ANSWERS = [
    (
        "refers-then-answers",
        "I refer the Hon Member to the answer to Question UIN 4194 on 5 December 2023.\n\nTo support the development "
        "of bids, £125,000 was provided to each local authority in England.",
    ),
    (
        "writes-but-also-answers",
        "His Majesty's Treasury has confirmed they will provide funding for the increased cost of National Insurance "
        "contributions for the Department. I will write to the hon. Member to confirm the amount.",
    ),
    ("as-set-out-in", "As set out in the answer to Question 24566, the UK will set out its position on funding."),
    ("plain-answer", "The Welsh Government keeps children's services under review."),
    ("refer-cases", "From 1 May, victims and families can directly refer their cases to the Commission for review."),
    ("department-will-write-to-places", "The department will write to places shortly to provide further detail."),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [t for _, t in HOLDING], ids=[i for i, _ in HOLDING])
def test_a_holding_answer_is_holding_and_not_a_cross_reference(text: str) -> None:
    assert is_holding(text) and not is_cross_reference(text) and is_non_answer(text)


@pytest.mark.parametrize("text", [t for _, t in CROSS_REFERENCES], ids=[i for i, _ in CROSS_REFERENCES])
def test_a_pure_cross_reference_is_one(text: str) -> None:
    assert is_cross_reference(text) and not is_holding(text) and is_non_answer(text)


@pytest.mark.parametrize("text", [t for _, t in ANSWERS], ids=[i for i, _ in ANSWERS])
def test_an_answer_that_says_something_is_neither(text: str) -> None:
    assert not is_non_answer(text)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I will write to the hon. Member with the figures.", True),
        ("I refer the hon. Member to the answer I gave on 12 March 2024 to Question 12345.", True),
        ("We will write to every school this autumn.", False),
        ("Local authorities may refer children to the service.", False),
    ],
    ids=["promise-to-write", "referral", "we-will-write-to-schools", "refer-children"],
)
def test_one_line(sentence: str, expected: bool) -> None:
    assert is_non_answer_line(sentence) is expected
