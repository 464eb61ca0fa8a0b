"""Eval metrics and cases on hand-made examples (no network, no model)."""

from __future__ import annotations

import json
import math
import random
import re
import zlib
from pathlib import Path

import numpy as np
import pytest
from rouge_score import rouge_scorer

from rag.errors import InputError
from rag.evaluation.cases import Case, eligible, load_cases
from rag.evaluation.metrics import (
    _lcs_length,
    best_precedent,
    citation_validity,
    gap_closed,
    key_fact_recall,
    key_facts,
    mean,
    recall_at_k,
    reciprocal_rank,
    retrieval_rank,
    rouge_l_f1,
    semantic_similarities,
    semantic_similarity,
)
from rag.text.markers import marker_numbers, strip_markers

ROOT = Path(__file__).resolve().parents[1]


class FakeEmbedder:
    """Bag of words hashed into 64 dimensions, L2-normalised; records every batch it receives."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[row, zlib.crc32(word.encode()) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)


# --------------------------------------------------------------------------- citation markers


@pytest.mark.parametrize(
    "draft, stripped, numbers",
    [
        ("We fund it [1].", "We fund it.", [1]),
        ("We fund it [1, 3] and [2].", "We fund it and.", [1, 3, 2]),
        ("See [12][4].", "See.", [12, 4]),
        ("No markers here.", "No markers here.", []),
        ("A list [a] is not a marker.", "A list [a] is not a marker.", []),
        ("Since 2021 [2-3].", "Since 2021.", [2, 3]),
        ("Cited twice [1] and [1].", "Cited twice and.", [1, 1]),
        ("Heading [1]\nNext line [2].", "Heading\nNext line.", [1, 2]),
    ],
    ids=["single", "multi-and-single", "adjacent", "none", "not-a-number", "range", "repeats-kept", "keeps-lines"],
)
def test_citation_markers(draft, stripped, numbers):
    assert strip_markers(draft) == stripped
    assert marker_numbers(draft) == numbers


# --------------------------------------------------------------------------- ROUGE-L


@pytest.mark.parametrize(
    "draft, reference, expected",
    [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        ("the cat sat on the mat [1]", "the cat sat on the mat", 1.0),
        ("dogs bark loudly", "the cat sat on the mat", 0.0),
        ("", "the cat sat on the mat", 0.0),
        ("the cat sat", "", 0.0),
        ("[1] [2]", "the cat", 0.0),
        # LCS "the cat the mat" = 4; P = 4/4, R = 4/6 -> F1 = 0.8
        ("the cat the mat", "the cat sat on the mat", 0.8),
        # stemming: "funded"/"funding" -> "fund"
        ("schools funded", "schools funding", 1.0),
    ],
    ids=[
        "identical",
        "markers-stripped",
        "disjoint",
        "empty-draft",
        "empty-reference",
        "only-markers",
        "subsequence",
        "stemmed",
    ],
)
def test_rouge_l_f1(draft, reference, expected):
    assert rouge_l_f1(draft, reference) == pytest.approx(expected)


def test_rouge_l_f1_matches_stock_rouge_score():
    stock = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    cases = load_cases(ROOT / "evals" / "cases" / "seeds.jsonl")
    for a in cases:
        for b in cases:
            expected = stock.score(a.reference_answer, b.question)["rougeL"].fmeasure
            assert rouge_l_f1(b.question, a.reference_answer) == pytest.approx(expected, abs=1e-12)


def test_bit_parallel_lcs_matches_dynamic_programming():
    def dp(a, b):
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a, 1):
            for j, y in enumerate(b, 1):
                table[i][j] = table[i - 1][j - 1] + 1 if x == y else max(table[i - 1][j], table[i][j - 1])
        return table[-1][-1]

    rng = random.Random(7)
    for _ in range(300):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 30))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 30))]
        assert _lcs_length(a, b) == dp(a, b)


# --------------------------------------------------------------------------- oracle precedent


@pytest.mark.parametrize(
    "reference, candidates, expected_id",
    [
        (
            "we will fund breakfast clubs in every primary school",
            {
                "a": "we will fund breakfast clubs in every primary school",
                "b": "breakfast clubs",
                "c": "the weather is nice",
            },
            "a",
        ),
        (
            # b shares more words with the reference (higher unigram bound) but in scrambled
            # order; a keeps the order, so a wins on ROUGE-L: the bound must not decide alone
            "one two three four five six",
            {"b": "six five four three two one", "a": "one two three four"},
            "a",
        ),
        ("funding for schools", {"a": "funding for schools", "b": "funding for schools"}, "a"),
        ("funding for schools", {"x": "the weather is nice"}, None),
        ("funding for schools", {}, None),
        ("", {"a": "funding for schools"}, None),
    ],
    ids=[
        "exact-copy-wins",
        "order-beats-bag-of-words",
        "tie-keeps-first",
        "no-overlap",
        "no-candidates",
        "empty-reference",
    ],
)
def test_best_precedent(reference, candidates, expected_id):
    best = best_precedent(reference, candidates)
    if expected_id is None:
        assert best is None
    else:
        assert best is not None and best[0] == expected_id
        assert best[1] == pytest.approx(rouge_l_f1(candidates[expected_id], reference))


def test_best_precedent_agrees_with_brute_force():
    rng = random.Random(3)
    words = "school fund pupil teacher send ehcp ofsted local authority plan review data".split()
    reference = " ".join(rng.choice(words) for _ in range(40))
    candidates = {f"d{i}": " ".join(rng.choice(words) for _ in range(rng.randint(5, 60))) for i in range(200)}
    best = best_precedent(reference, candidates)
    brute = max(rouge_l_f1(text, reference) for text in candidates.values())
    assert best is not None and best[1] == pytest.approx(brute)


# --------------------------------------------------------------------------- semantic similarity


@pytest.mark.parametrize(
    "draft, reference, expected",
    [
        ("school funding rises", "school funding rises", 1.0),
        ("school funding rises [1]", "school funding rises", 1.0),
        ("", "school funding rises", 0.0),
        ("school funding rises", "", 0.0),
    ],
    ids=["identical", "markers-stripped", "empty-draft", "empty-reference"],
)
def test_semantic_similarity(draft, reference, expected):
    assert semantic_similarity(draft, reference, FakeEmbedder()) == pytest.approx(expected, abs=1e-6)


def test_semantic_similarities_batches_and_orders():
    embedder = FakeEmbedder()
    pairs = [("alpha beta", "alpha beta"), ("alpha [2]", "gamma delta"), ("x", "x")]
    sims = semantic_similarities(pairs, embedder)
    assert len(embedder.batches) == 1
    assert embedder.batches[0] == ["alpha beta", "alpha", "x", "alpha beta", "gamma delta", "x"]
    assert sims[0] == pytest.approx(1.0) and sims[2] == pytest.approx(1.0)
    assert sims[1] < 0.99
    assert semantic_similarities([], embedder) == []


# --------------------------------------------------------------------------- key facts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We recruited 1,000 teachers.", {"1000"}),
        ("We recruited 1000 teachers.", {"1000"}),
        ("Attendance rose by 12.5 per cent, not 12.50%.", {"12.5%"}),
        ("It was published on 23 May 2025.", {"2025-05-23"}),
        ("Published on 23rd May 2025 and 30/08/2022 and 2022-08-30.", {"2025-05-23", "2022-08-30"}),
        ("In May 2025 we met.", {"2025-05"}),
        ("In the 2024-25 academic year, and 2024/25, and 2024 to 2025.", {"2024-25"}),
        ("Between 2014 and 2020 tests ran.", {"2014", "2020"}),
        ("We spent £1.2 million, then £1,200,000, then £1.2m.", {"£1200000"}),
        ("Budgets of £500m and £3 billion and £3bn.", {"£500000000", "£3000000000"}),
        ("The Department for Education wrote.", {"Department for Education"}),
        ("Under the Children and Social Work Act 2017 we act.", {"Children and Social Work Act 2017"}),
        ("We fund the Holiday Activities and Food programme.", {"Holiday Activities and Food programme"}),
        ("We support SEND and EHCP reviews by Ofsted.", {"SEND", "EHCP", "Ofsted"}),
        ("Ofsted inspects. So does the DfE.", {"DfE"}),
        ("Regional Partnership Boards (RPBs) met.", {"Regional Partnership Boards", "RPB"}),
        ("The Nuffield Foundation’s report.", {"Nuffield Foundation"}),
        ("Schools matter. We agree. Government acts.", set()),
        ("Dear Jack,\nThank you. The Board met. Yours sincerely", {"Jack"}),
        ("We met in July and August.", set()),
        ("Legislation and Guidance\nWe act.", set()),
        ("1. First point\n2. Second point", set()),
        ("See petition P-06-1199 and code CF99 1SN.", {"P-06-1199", "CF99"}),
        ("See https://example.gov.uk/SEND_Code_2015 for 12 pages.", {"12"}),
        ("The HAF programme and EHC plans.", {"HAF", "EHC"}),
        ("Cited [3] nothing.", set()),
        ("", set()),
    ],
    ids=[
        "number-commas",
        "number-plain",
        "percentages",
        "date-long",
        "date-formats",
        "month-year",
        "academic-year",
        "year-span-not-range",
        "money-million",
        "money-m-billion",
        "named-body",
        "act-with-year",
        "programme",
        "acronyms",
        "initial-single-word",
        "plural-acronym",
        "possessive",
        "generic-and-initial",
        "letter-furniture",
        "months-alone",
        "heading-line",
        "list-numbering",
        "codes-are-names-not-numbers",
        "url-ignored",
        "acronym-without-trailing-noun",
        "citation-marker",
        "empty",
    ],
)
def test_key_facts(text, expected):
    assert key_facts(text) == expected


@pytest.mark.parametrize(
    "draft, reference, expected",
    [
        ("We recruited 1000 teachers in 2024-25.", "We recruited 1,000 teachers in 2024/25.", 1.0),
        ("We recruited teachers.", "We recruited 1,000 teachers in 2024/25.", 0.0),
        ("The DfE spent £1.2m.", "The DfE spent £1.2 million on 500 schools.", 2 / 3),
        ("Thanks.", "We agree with you.", 1.0),  # no facts in the reference: nothing to miss
        ("", "Reports by Ofsted.", 0.0),
        ("the department for education said", "The Department for Education said.", 1.0),
        (
            "Both Care Inspectorate Wales and, separately, Social Care Wales agree.",
            "Care Inspectorate Wales and Social Care Wales run events.",
            1.0,
        ),
        ("We send pupils home.", "Pupils with SEND.", 0.0),  # acronyms are case-sensitive
        ("Ofsted [1] inspects.", "Ofsted inspects.", 1.0),
    ],
    ids=[
        "normalised-match",
        "all-missed",
        "partial",
        "reference-without-facts",
        "empty-draft",
        "name-case-insensitive",
        "and-joined-name-parts",
        "acronym-case-sensitive",
        "markers-ignored",
    ],
)
def test_key_fact_recall(draft, reference, expected):
    assert key_fact_recall(draft, reference) == pytest.approx(expected)


# --------------------------------------------------------------------------- citations and retrieval


@pytest.mark.parametrize(
    "draft, n_passages, expected",
    [
        ("We fund it [1]. We plan it [2].", 2, 1.0),
        ("We fund it [1]. We plan it [3].", 2, 0.5),
        ("We fund it [0] [1, 2, 9].", 2, 0.5),
        ("We fund it.", 2, 0.0),  # no markers: not grounded
        ("", 2, 0.0),
        ("We fund it [1].", 0, 0.0),
        ("We fund it since 2021 [2-3].", 3, 1.0),
    ],
    ids=["all-valid", "one-out-of-range", "zero-and-list", "no-markers", "empty-draft", "no-passages", "range"],
)
def test_citation_validity(draft, n_passages, expected):
    assert citation_validity(draft, n_passages) == pytest.approx(expected)


@pytest.mark.parametrize(
    "retrieved, best, rank, r_at_1, r_at_5, rr",
    [
        (["a", "b", "c"], "a", 1, 1.0, 1.0, 1.0),
        (["a", "b", "c"], "c", 3, 0.0, 1.0, 1 / 3),
        (["a", "b", "b"], "b", 2, 0.0, 1.0, 0.5),
        (["a", "b"], "z", None, 0.0, 0.0, 0.0),
        (["a", "b"], None, None, 0.0, 0.0, 0.0),
        ([], "a", None, 0.0, 0.0, 0.0),
    ],
    ids=["first", "third", "duplicate-counts-first", "absent", "no-target", "nothing-retrieved"],
)
def test_retrieval(retrieved, best, rank, r_at_1, r_at_5, rr):
    assert retrieval_rank(retrieved, best) == rank
    assert recall_at_k(rank, 1) == r_at_1
    assert recall_at_k(rank, 5) == r_at_5
    assert reciprocal_rank(rank) == pytest.approx(rr)


# --------------------------------------------------------------------------- aggregation


@pytest.mark.parametrize(
    "system, baseline, oracle, expected",
    [
        (0.3, 0.2, 0.4, 0.5),
        (0.4, 0.2, 0.4, 1.0),
        (0.1, 0.2, 0.4, -0.5),
        (0.3, 0.4, 0.4, None),
        (0.3, 0.5, 0.4, None),
        (None, 0.2, 0.4, None),
    ],
    ids=["half", "all", "worse-than-baseline", "oracle-equals-baseline", "oracle-below-baseline", "missing"],
)
def test_gap_closed(system, baseline, oracle, expected):
    got = gap_closed(system, baseline, oracle)
    assert got == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    "values, expected",
    [([1.0, 2.0, 3.0], 2.0), ([1.0, None, 3.0], 2.0), ([1.0, math.nan], 1.0), ([None], None), ([], None)],
    ids=["plain", "skips-none", "skips-nan", "only-none", "empty"],
)
def test_mean(values, expected):
    assert mean(values) == expected


# --------------------------------------------------------------------------- cases


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "c1", "kind": "written_question", "date": "2025-01-01", "question": "Q?", "reference_answer": "A."}


def test_load_cases_reads_fields_and_skips_blank_lines(tmp_path):
    extra = {**GOOD, "id": "c2", "asked_of": "SoS", "corpus_doc_id": "003_x", "unknown": 1}
    cases = load_cases(_write(tmp_path, [json.dumps(GOOD), "", json.dumps(extra)]))
    assert [c.id for c in cases] == ["c1", "c2"]
    assert cases[1].asked_of == "SoS" and cases[1].corpus_doc_id == "003_x" and cases[0].source_url is None


@pytest.mark.parametrize(
    "line, reason",
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "'question' is missing"),
        (json.dumps({**GOOD, "reference_answer": "  "}), "'reference_answer' is missing"),
        (json.dumps({**GOOD, "date": "1 May 2025"}), "'date' is not an ISO date"),
        (json.dumps({**GOOD, "asked_of": 3}), "'asked_of' must be a string"),
        (json.dumps(GOOD), "duplicate case id"),
    ],
    ids=["bad-json", "not-object", "missing-field", "blank-field", "bad-date", "bad-optional", "duplicate"],
)
def test_load_cases_rejects_bad_line_with_location(tmp_path, line, reason):
    path = _write(tmp_path, [json.dumps(GOOD), line])
    with pytest.raises(InputError, match=re.escape(f"{path}:2: ") + ".*" + re.escape(reason)):
        load_cases(path)


def test_load_cases_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_cases(tmp_path / "nope.jsonl")


CASE = Case(
    id="WQ1", kind="written_question", date="2022-08-30", question="Q", reference_answer="A", corpus_doc_id="003_abc"
)


@pytest.mark.parametrize(
    "doc_date, doc_id, expected",
    [
        ("2022-08-29", "other", True),
        ("2022-08-30", "other", False),
        ("2022-09-01", "other", False),
        (None, "other", False),
        ("", "other", False),
        ("not a date", "other", False),
        ("2020-01-01", "WQ1", False),
        ("2020-01-01", "003_abc", False),
        ("2022-08-29T10:00:00", "other", True),
    ],
    ids=[
        "day-before",
        "same-day",
        "after",
        "unknown-date",
        "empty-date",
        "bad-date",
        "the-case-itself",
        "the-case-document",
        "datetime",
    ],
)
def test_eligible(doc_date, doc_id, expected):
    assert eligible(doc_date, doc_id, CASE) is expected


def test_seed_cases_load_and_exclude_their_own_documents():
    cases = {c.id: c for c in load_cases(ROOT / "evals" / "cases" / "seeds.jsonl")}
    assert set(cases) == {"WQ85953", "P-06-1199", "P-06-1161"}
    for case in cases.values():
        assert case.corpus_doc_id and (ROOT / "seeds" / f"{case.corpus_doc_id}.txt").is_file()
        assert not eligible("2000-01-01", case.corpus_doc_id, case)
        for furniture in ("Yours sincerely", "Canolfan Cyswllt", "CF99 1SN", "Dear Jack"):
            assert furniture not in case.reference_answer
    assert cases["WQ85953"].date == "2022-08-30" and cases["WQ85953"].kind == "written_question"
    assert cases["P-06-1199"].date == "2021-09-23" and cases["P-06-1161"].date == "2022-07-22"
