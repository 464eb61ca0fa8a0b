"""rag.retrieval.query: what every search must be given (the library, the CLI and the Precedents page)."""

from __future__ import annotations

import pytest

from rag.errors import InputError
from rag.retrieval.query import check_query, check_search

GOOD = [
    ("  school transport  ", "school transport"),
    ("What is the review of children's services?", "What is the review of children's services?"),
    ("WQ85953", "WQ85953"),
    ("2022", "2022"),
    ("Beth yw'r adolygiad?", "Beth yw'r adolygiad?"),
]


@pytest.mark.parametrize(("query", "expect"), GOOD, ids=["stripped", "question", "ref", "year", "welsh"])
def test_a_query_with_a_content_word_is_kept(query: str, expect: str) -> None:
    assert check_query(query) == expect


BAD = [("", "is empty"), ("   \n", "is empty"), ("the of and", "only common words"), ("What is it?", "only common")]


@pytest.mark.parametrize(("query", "words"), BAD, ids=["empty", "blank", "stopwords", "stopword-question"])
def test_an_empty_or_stopword_query_is_refused(query: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        check_query(query)


@pytest.mark.parametrize(
    ("k", "per_doc", "label"),
    [(0, None, "--k"), (-3, None, "--k"), (5, 0, "--per-doc"), (5, -1, "--per-doc"), (True, None, "--k")],
    ids=["k-zero", "k-negative", "per-doc-zero", "per-doc-negative", "k-bool"],
)
def test_counts_below_one_are_refused_by_the_label_given(k: int, per_doc: int | None, label: str) -> None:
    with pytest.raises(InputError, match=f"^{label} must be a whole number of 1 or more"):
        check_search("school transport", k, per_doc, k_label="--k", per_doc_label="--per-doc")


def test_good_counts_pass_and_the_query_comes_back_clean() -> None:
    assert check_search(" school transport ", 1, 1) == "school transport"
    assert check_search("school transport", 5, None) == "school transport"
