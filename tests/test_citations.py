"""Citation checks: markers resolve, cited sentences are supported, substantive ones are cited."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.drafting.citations import (
    SUPPORT_THRESHOLD,
    CitationReport,
    check_citations,
    citation_support,
    citations_for,
    token_overlap,
)
from rag.evaluation.metrics import citation_validity
from rag.index.embedder import MiniLMEmbedder, default_embedder
from rag.text.markers import MARKER_RE, cited_numbers, marker_numbers, strip_markers
from rag.text.sentences import is_substantive, split_sentences
from rag.types import Passage

# Passages taken from the seed replies (P-06-1199 and WQ85953).
CIW = (
    "There are robust mechanisms in place to ensure local authorities are providing high quality "
    "children's services to their communities. Care Inspectorate Wales (CIW) play an important role by "
    "providing independent assurance about the quality of children's social services in Wales. All local "
    "authority children's social services are reviewed by CIW through an annual cycle of performance, "
    "evaluation and inspection."
)
ACT = (
    "The Social Services and Well-being (Wales) Act 2014 was put in place to ensure that children's services "
    "work with all partners to ensure the safety of children wherever they are in Wales. The Act established "
    "a range of additional safeguarding measures, specifically the National Independent Safeguarding Board "
    "and Regional Safeguarding Children Boards of Wales."
)
ACTION = (
    "The time now is for action, not further review. Through our oversight board, independently chaired by "
    "Anthony Douglas, we are delivering a new vision and ambition for children's services based on "
    "consistent practice, improved support for families and adopting national restorative approaches to care."
)


def make_passages() -> list[Passage]:
    metas = [
        {"ref": "P-06-1199", "date": "2021-09-23", "author": "Julie Morgan", "title": "Cardiff children's services"},
        {"ref": "WQ85953", "date": "2022-08-30", "author_role": "Deputy Minister for Social Services"},
        {"ref": "WQ85953", "date": "2022-08-30", "author": "Julie Morgan", "subject": "National review"},
    ]
    return [
        Passage(f"doc{i}", f"doc{i}:{i}", text, 100 * i, 100 * i + len(text), meta=meta)
        for i, (text, meta) in enumerate(zip([CIW, ACT, ACTION], metas), 1)
    ]


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return default_embedder()


class RecordingEmbedder:
    """A deterministic bag-of-words embedder that records each call it receives."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, sum(map(ord, word)) % 64] += 1.0
        return out  # deliberately not normalised: check_citations must normalise


# ---------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One fact [1]. Another fact [2].", ["One fact [1].", "Another fact [2]."]),
        ("One fact. [1] Another fact. [2][3]", ["One fact. [1]", "Another fact. [2][3]"]),
        (
            "Boards exist, e.g. the National Board [2]. Mr. Smith agreed.",
            ["Boards exist, e.g. the National Board [2].", "Mr. Smith agreed."],
        ),
        ("Spending rose 2.5 per cent [1]. Next.", ["Spending rose 2.5 per cent [1].", "Next."]),
        ("Dear Jack,\n\nHeading\nBody text here [1].", ["Dear Jack,", "Heading", "Body text here [1]."]),
        ("Is it true? Yes [1]! done", ["Is it true?", "Yes [1]! done"]),
        ("#### A heading\nText.", ["A heading", "Text."]),
        ("", []),
    ],
    ids=[
        "after-period",
        "marker-after-period",
        "abbreviations",
        "decimal",
        "lines",
        "question-lowercase",
        "md-heading",
        "empty",
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("sentence", "numbers"),
    [
        ("A [1].", [1]),
        ("A [1][3].", [1, 3]),
        ("A [2, 1].", [2, 1]),
        ("A [2-4].", [2, 3, 4]),
        ("In [2019] and [Our ref].", []),
        ("A [1] b [1].", [1]),
        ("A [2\u20134] b [1; 4].", [2, 3, 4, 1]),
        ("A [ 2 ].", [2]),
    ],
    ids=["one", "adjacent", "list", "range", "not-markers", "repeat", "en-dash-and-semicolon", "inner-spaces"],
)
def test_cited_numbers(sentence: str, numbers: list[int]) -> None:
    assert cited_numbers(sentence) == numbers


@pytest.mark.parametrize(
    ("sentence", "substantive"),
    [
        ("Dear Jack,", False),
        ("Yours sincerely,", False),
        ("I hope you have found my reply helpful.", False),
        ("Thank you for your letter of 3 September.", False),
        ("Legislation and Guidance", False),
        ("I refer you to:", False),
        ("Yes.", False),
        ("CIW reviews every local authority each year.", True),
        ("The Act established the National Independent Safeguarding Board [2].", True),
        (
            "I hope you have found my reply helpful and noted the safeguards which are in place which would lead "
            "to Welsh Government intervention into a local authority children's service and its partners.",
            True,
        ),
    ],
    ids=[
        "greeting",
        "signoff",
        "closer",
        "thanks",
        "heading",
        "list-intro",
        "too-short",
        "fact",
        "cited-fact",
        "long-closer",
    ],
)
def test_is_substantive(sentence: str, substantive: bool) -> None:
    assert is_substantive(sentence) is substantive


# ---------------------------------------------------------------------------- the check (real MiniLM)


def test_invented_citation_is_flagged(minilm: MiniLMEmbedder) -> None:
    body = "CIW provides independent assurance about the quality of children's social services in Wales [9]."
    report = check_citations(body, make_passages(), minilm)
    assert [w.code for w in report.warnings] == ["invalid_citation"]
    assert report.warnings[0].sentence == body and "[9]" in report.warnings[0].message
    assert report.sentences[0].supported is False and report.sentences[0].score is None
    assert citation_validity(body, 3) == 0.0


def test_supported_copy_and_paraphrase_pass(minilm: MiniLMEmbedder) -> None:
    body = (
        "Care Inspectorate Wales (CIW) play an important role by providing independent assurance about the "
        "quality of children's social services in Wales [1]. CIW gives independent assurance on the quality "
        "of children's social services across Wales [1]. An independently chaired oversight board is driving "
        "a new vision for children's services [3]. We will now act rather than commission another review [3]."
    )
    report = check_citations(body, make_passages(), minilm)
    assert report.warnings == []
    scores = [s.score for s in report.sentences]
    assert scores[0] == pytest.approx(1.0, abs=0.01)
    assert all(s is not None and s >= SUPPORT_THRESHOLD for s in scores)
    assert citation_support(report) == 1.0


@pytest.mark.parametrize(
    "sentence",
    [
        "The new bypass around Newtown will open to traffic in the spring [1].",
        "Local authorities must publish annual reports on adoption breakdowns [3].",
        "The Act established a range of additional safeguarding measures, specifically the National "
        "Independent Safeguarding Board [3].",
    ],
    ids=["off-topic", "same-domain", "wrong-passage"],
)
def test_unsupported_sentence_is_flagged(minilm: MiniLMEmbedder, sentence: str) -> None:
    report = check_citations(sentence, make_passages(), minilm)
    assert [w.code for w in report.warnings] == ["unsupported"]
    assert report.warnings[0].sentence == sentence
    assert report.sentences[0].score is not None and report.sentences[0].score < SUPPORT_THRESHOLD
    assert citation_support(report) == 0.0


def test_number_absent_from_the_source_is_unsupported(minilm: MiniLMEmbedder) -> None:
    body = "All local authority children's social services are reviewed by CIW every year since 2019 [1]."
    report = check_citations(body, make_passages(), minilm)
    assert report.sentences[0].score is not None and report.sentences[0].score >= SUPPORT_THRESHOLD
    assert report.sentences[0].missing_numbers == ["2019"]
    assert [w.code for w in report.warnings] == ["unsupported"] and "2019" in report.warnings[0].message


def test_uncited_substantive_sentence_is_flagged_but_courtesies_are_not(minilm: MiniLMEmbedder) -> None:
    body = (
        "Dear Jack,\n\nThank you for your letter.\n\nLegislation and Guidance\n\n"
        "The Act established the National Independent Safeguarding Board [2]. "
        "The Welsh Government will double the number of social workers next year.\n\n"
        "I hope you have found my reply helpful.\n\nYours sincerely,"
    )
    report = check_citations(body, make_passages(), minilm)
    assert [(w.code, w.sentence) for w in report.warnings] == [
        ("uncited", "The Welsh Government will double the number of social workers next year.")
    ]
    assert [bool(c.cited) for c in report.sentences if c.substantive] == [True, False]  # half are cited
    assert citation_support(report) == 1.0


def test_one_valid_and_one_invented_number(minilm: MiniLMEmbedder) -> None:
    body = "The Act established the National Independent Safeguarding Board [2][7]."
    report = check_citations(body, make_passages(), minilm)
    assert [w.code for w in report.warnings] == ["invalid_citation"]
    assert report.sentences[0].supported is True and report.sentences[0].best == 2
    assert citation_validity(body, 3) == 0.5


# ---------------------------------------------------------------------------- batching and fakes


def test_embedding_is_batched_into_two_calls() -> None:
    fake = RecordingEmbedder()
    body = "CIW reviews services [1]. The Act set up boards [2]. We act now [3]. Nothing cited here at all."
    report = check_citations(body, make_passages(), fake)
    assert isinstance(report, CitationReport)
    assert len(fake.calls) == 2
    assert fake.calls[0] == ["CIW reviews services.", "The Act set up boards.", "We act now."]
    assert fake.calls[1][0] == CIW and ACT in fake.calls[1] and ACTION in fake.calls[1]


def test_no_embedding_when_nothing_is_cited() -> None:
    fake = RecordingEmbedder()
    report = check_citations("Dear Jack,\n\nYours sincerely,", make_passages(), fake)
    assert fake.calls == [] and report.warnings == [] and citation_support(report) == 1.0


def test_only_cited_passages_are_embedded() -> None:
    fake = RecordingEmbedder()
    check_citations("The Act established boards [2].", make_passages(), fake)
    assert CIW not in fake.calls[1] and ACT in fake.calls[1]


def test_token_overlap() -> None:
    assert token_overlap("CIW reviews children's services [1].", CIW) == 1.0
    assert token_overlap("Bypass opens in spring.", CIW) == 0.0
    assert token_overlap("the and of", CIW) == 0.0


# ---------------------------------------------------------------------------- records and metrics


def test_citations_for_used_numbers_in_order() -> None:
    body = "Second thing [3]. First thing [1][3]. Invented [9]."
    cites = citations_for(body, make_passages())
    assert [c.n for c in cites] == [1, 3]
    first, third = cites
    assert (first.doc_id, first.chunk_id, first.ref, first.date, first.author) == (
        "doc1",
        "doc1:1",
        "P-06-1199",
        "2021-09-23",
        "Julie Morgan",
    )
    assert first.quote == CIW and (first.start, first.end) == (100, 100 + len(CIW))
    assert first.title == "Cardiff children's services"
    assert third.title == "National review"  # falls back to the subject
    assert citations_for("No markers.", make_passages()) == []


def test_citation_author_falls_back_to_role() -> None:
    assert citations_for("x [2].", make_passages())[0].author == "Deputy Minister for Social Services"


@pytest.mark.parametrize(
    ("body", "n", "validity"),
    [
        ("A [1]. B [2].", 3, 1.0),
        ("A [1]. B [4].", 3, 0.5),
        ("A [1][4][5] B [2].", 3, 0.5),
        ("No markers.", 3, 0.0),  # the eval's convention: a draft that cites nothing is not grounded
        ("A [1].", 0, 0.0),
    ],
    ids=["all-valid", "half", "per-number", "none", "no-passages"],
)
def test_citation_validity(body: str, n: int, validity: float) -> None:
    assert citation_validity(body, n) == validity


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=600))
def test_any_body_checks_without_crashing(body: str) -> None:
    report = check_citations(body, make_passages(), RecordingEmbedder())
    assert 0.0 <= citation_support(report) <= 1.0
    assert 0.0 <= citation_validity(body, 3) <= 1.0
    assert all(w.code in ("uncited", "unsupported", "invalid_citation") for w in report.warnings)


# ---------------------------------------------------------------------------- checker and eval agree

MARKER_FORMS = [
    ("We funded it in 2021 [1].", [1], 1.0),
    ("We funded it in 2021 [1,2].", [1, 2], 1.0),
    ("We funded it in 2021 [1, 3].", [1, 3], 1.0),
    ("We funded it in 2021 [2-3].", [2, 3], 1.0),
    ("We funded it in 2021 [2\u20133].", [2, 3], 1.0),
    ("We funded it in 2021 [1; 4].", [1, 4], 0.5),
    ("We funded it in 2021 [ 2 ].", [2], 1.0),
    ("We funded it in 2021 [12].", [12], 0.0),
    ("We funded it in 2021 [0].", [0], 0.0),
    ("We funded it in 2021 [99].", [99], 0.0),
    ("We funded it in [2021].", [], 0.0),
    ("We funded it in 2021.", [], 0.0),
]


@pytest.mark.parametrize(
    ("body", "numbers", "validity"),
    MARKER_FORMS,
    ids=["one", "comma", "comma-space", "range", "en-dash-range", "semicolon", "inner-spaces", "two-digits",
         "zero", "out-of-range", "year-in-brackets", "no-markers"],
)  # fmt: skip
def test_checker_and_eval_read_markers_alike(body: str, numbers: list[int], validity: float) -> None:
    report = check_citations(body, make_passages(), RecordingEmbedder())
    assert [n for c in report.sentences for n in c.cited] == numbers == cited_numbers(body) == marker_numbers(body)
    flagged = {int(w.message[1 : w.message.index("]")]) for w in report.warnings if w.code == "invalid_citation"}
    assert flagged == {n for n in numbers if not 1 <= n <= 3}
    assert citation_validity(body, 3) == validity
    assert [c.n for c in citations_for(body, make_passages())] == [n for n in numbers if 1 <= n <= 3]
    rouge_input = strip_markers(body)
    assert MARKER_RE.search(rouge_input) is None
    assert re.findall(r"\d+", rouge_input) == ["2021"]  # no cited number reaches ROUGE's tokens
