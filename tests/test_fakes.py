"""The fakes beside the real parts behave as documented: HashEmbedder, the `where` evaluator, ScriptedBackend.

(MemoryStore against ChromaStore is tests/test_store_contract.py.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rag.drafting.backends import Backend
from rag.drafting.backends.scripted import ScriptedBackend
from rag.errors import BackendError
from rag.index.base import DIM, Embedder, Store
from rag.index.fakes import HashEmbedder, MemoryStore, matches
from rag.types import DraftRequest, Passage

# ---------------------------------------------------------------------------- HashEmbedder


def test_hash_vectors_are_unit_deterministic_and_the_right_width() -> None:
    texts = ["Care Inspectorate Wales inspects children's services.", "", "   ", "12 34"]
    first, second = HashEmbedder().embed(texts), HashEmbedder().embed(texts)
    assert first.shape == (4, DIM) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)  # no salted hash(): the same in every process
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    assert HashEmbedder().embed([]).shape == (0, DIM)


def test_texts_sharing_words_are_closer_than_texts_sharing_none() -> None:
    a, b, c = HashEmbedder().embed(
        [
            "an independent review of children's services in Wales",
            "why is there no independent review of children's services",
            "fishing quotas in the North Sea",
        ]
    )
    assert float(a @ b) > 0.5 > abs(float(a @ c))


def test_hash_embedder_records_what_it_embeds() -> None:
    embedder = HashEmbedder()
    embedder.embed(["one"])
    embedder.embed(["two", "three"])
    assert embedder.texts == ["one", "two", "three"]


def test_the_fakes_satisfy_the_protocols() -> None:
    embedder: Embedder = HashEmbedder()
    store: Store = MemoryStore(HashEmbedder())
    backend: Backend = ScriptedBackend()
    assert embedder and store.location and backend.name == "scripted"


# ---------------------------------------------------------------------------- the `where` evaluator

META: dict[str, Any] = {"kind": "written_question", "date_int": 20220830, "doc_id": "d1"}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (None, True),
        ({}, True),
        ({"kind": "written_question"}, True),
        ({"kind": {"$eq": "petition_response"}}, False),
        ({"kind": {"$ne": "petition_response"}}, True),
        ({"kind": {"$in": ["written_question", "x"]}}, True),
        ({"kind": {"$nin": ["written_question"]}}, False),
        ({"date_int": {"$gt": 20220830}}, False),
        ({"date_int": {"$gte": 20220830}}, True),
        ({"date_int": {"$lt": 20220830}}, False),
        ({"date_int": {"$lte": 20220830}}, True),
        ({"$and": [{"kind": "written_question"}, {"date_int": {"$gt": 0}}]}, True),
        ({"$and": [{"kind": "written_question"}, {"date_int": {"$gt": 20230101}}]}, False),
        ({"$or": [{"kind": "x"}, {"doc_id": "d1"}]}, True),
        ({"author": "Julie Morgan"}, False),
        ({"author": {"$in": ["Julie Morgan"]}}, False),
        ({"author": {"$ne": "Julie Morgan"}}, True),
        ({"author": {"$nin": ["Julie Morgan"]}}, True),
    ],
    ids=[
        "none",
        "empty",
        "plain-equality",
        "eq",
        "ne",
        "in",
        "nin",
        "gt",
        "gte",
        "lt",
        "lte",
        "and",
        "and-one-fails",
        "or",
        "missing-key-eq",
        "missing-key-in",
        "missing-key-ne",
        "missing-key-nin",
    ],
)
def test_where_evaluator(where: dict[str, Any] | None, expected: bool) -> None:
    assert matches(META, where) is expected


@pytest.mark.parametrize(
    "where", [{"kind": {"$like": "w%"}}, {"date_int": {"$gt": "2022"}}], ids=["unknown-operator", "gt-on-a-string"]
)
def test_where_evaluator_refuses_what_chroma_refuses(where: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        matches(META, where)


# ---------------------------------------------------------------------------- ScriptedBackend


def _passage(n: int) -> Passage:
    return Passage(f"doc-{n}", f"doc-{n}:0", f"Passage {n}.", 0, 10)


def test_scripted_replies_come_in_order_and_history_records_each_call() -> None:
    backend = ScriptedBackend("First [1].").enqueue(lambda request, passages: f"Cites [{len(passages)}].")
    request = DraftRequest(text="A question?", ask="A question?")
    passages = [_passage(1), _passage(2)]

    first = backend.compose(request, passages)
    passages.append(_passage(3))  # the history keeps what was given at the time
    second = backend.compose(request, passages)

    assert (first.body, second.body) == ("First [1].", "Cites [3].")
    assert first.passages == passages[:2] and second.passages == passages
    assert [(r, [p.doc_id for p in ps]) for r, ps in backend.history] == [
        (request, ["doc-1", "doc-2"]),
        (request, ["doc-1", "doc-2", "doc-3"]),
    ]
    assert backend.pending == 0


def test_scripted_pieces_stream_to_on_token() -> None:
    tokens: list[str] = []
    backend = ScriptedBackend(["One ", "two [1]."])
    composition = backend.compose(DraftRequest(text="q"), [_passage(1)], on_token=tokens.append)
    assert tokens == ["One ", "two [1]."] and composition.body == "One two [1]."


def test_an_empty_script_is_a_clear_backend_error() -> None:
    backend = ScriptedBackend(language_note="Drafts in English.")
    with pytest.raises(BackendError, match="no reply left"):
        backend.compose(DraftRequest(text="q"), [])
    assert backend.language_note == "Drafts in English." and len(backend.history) == 1
