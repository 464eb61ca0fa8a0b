"""The current lines: holding replies, cross-references and superseded precedents are not drafted from."""

from __future__ import annotations

import pytest

from rag.drafting.backends.scripted import ScriptedBackend
from rag.drafting.lines import current_lines, point_of
from rag.drafting.pipeline import draft
from rag.index.fakes import HashEmbedder
from rag.settings import Settings
from rag.types import DraftRequest, Passage

ASKED_OF = "Secretary of State for Education"
QUESTION = "To ask the Secretary of State for Education, what steps she is taking to increase the number of teachers."


def _wq(doc: str, day: str, answer: str, question: str = QUESTION, asked_of: str = ASKED_OF) -> Passage:
    text = f"{question}\n\n{answer}"
    meta = {"date": day, "ref": doc.upper(), "subject": question, "asked_of": asked_of,
            "answer_start": len(question) + 2, "kind": "written_question"}  # fmt: skip
    return Passage(doc, f"{doc}:0", text, 0, len(text), meta=meta)


ANSWER = "We are recruiting 6,500 new teachers over this Parliament."
HOLDING = "It has not proved possible to respond to the hon. Member in the time available before Prorogation."
REFERRAL = "I refer the hon. Member to the answer I gave on 12 March 2024 to Question 12345."


def _lines(*passages: Passage) -> tuple[list[str], list[str]]:
    kept, warnings = current_lines(list(passages), HashEmbedder())
    return [p.doc_id for p in kept], [w.message for w in warnings]


def test_a_later_answer_from_the_same_body_to_the_same_question_supersedes_the_earlier() -> None:
    kept, (message,) = _lines(_wq("old", "2023-10-01", ANSWER), _wq("new", "2024-09-01", "We have a plan."))
    assert kept == ["new"]
    assert message.startswith("OLD (1 October 2023) is superseded: NEW (1 September 2024), from the same " + ASKED_OF)


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (_wq("b", "2024-09-01", "We have a plan.", asked_of="Secretary of State for Health"), "another-body"),
        (
            _wq(
                "b",
                "2024-09-01",
                "We have a plan.",
                question="To ask the Secretary of State for Education, what her policy is on school uniform costs.",
            ),
            "another-point",
        ),  # fmt: skip
        (_wq("b", "2023-10-01", "We have a plan."), "the-same-day"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_nothing_is_superseded_by_another_body_another_point_or_the_same_day(other: Passage, why: str) -> None:
    assert _lines(_wq("a", "2023-10-01", ANSWER), other) == (["a", "b"], [])


@pytest.mark.parametrize("answer", [HOLDING, REFERRAL], ids=["holding", "cross-reference"])
def test_a_non_answer_is_dropped_and_supersedes_nothing(answer: str) -> None:
    assert _lines(_wq("answer", "2023-10-01", ANSWER), _wq("later", "2023-11-01", answer)) == (["answer"], [])


def test_every_passage_of_a_kept_document_is_kept_in_order() -> None:
    a, b = _wq("a", "2024-01-01", ANSWER), _wq("b", "2024-01-01", "A second answer on teachers.", question="Why?")
    second = Passage("a", "a:1", "More on teachers.", 500, 517, meta=dict(a.meta, answer_start=0))
    assert [p.chunk_id for p in current_lines([a, b, second], HashEmbedder())[0]] == ["a:0", "b:0", "a:1"]


def test_the_point_is_the_question_without_its_to_ask_opening() -> None:
    assert point_of([_wq("a", "2024-01-01", ANSWER)]) == "what steps she is taking to increase the number of teachers."
    letter = Passage("l", "l:0", "Dear Jack, ...", 0, 14, meta={"subject": "Kinship care", "answer_start": 0})
    assert point_of([letter]) == "Kinship care"


def test_the_pipeline_drafts_only_from_the_current_lines() -> None:
    found = [
        _wq("holding", "2024-10-01", HOLDING),
        _wq("old", "2023-10-01", ANSWER),
        _wq("new", "2024-09-01", "We are recruiting teachers."),
    ]
    for p in found:
        p.meta["cosine"] = 0.9
    backend = ScriptedBackend()
    backend.enqueue("We are recruiting teachers. [1]")
    request = DraftRequest(QUESTION, kind="written_question", ask=QUESTION, as_of="2024-10-15")
    result = draft(
        request,
        search=lambda q, k, f: found,
        term_counts=lambda terms, f: (dict.fromkeys(terms, 1), 3),  # every term known: the ask is answerable
        backend=backend,
        embedder=HashEmbedder(),
        settings=Settings(),
    )

    ((_, sent),) = backend.history
    assert [p.doc_id for p in sent] == ["new"]
    assert [w.code for w in result.warnings if w.code == "superseded"] == ["superseded"]


@pytest.mark.parametrize("status", ["holding", "superseded"])
def test_a_document_its_source_marks_holding_or_superseded_is_no_line_whatever_it_says(status: str) -> None:
    """The Written Questions API flags holding answers (answerIsHolding) and keeps a corrected answer's
    original: their text may read like a substantive answer, and they still must not be drafted from."""
    marked = _wq("marked", "2024-01-11", ANSWER)
    marked.meta["status"] = status
    assert _lines(marked, _wq("other", "2023-01-11", "We have a plan.")) == (["other"], [])
