"""Property tests: the parsers take any text (control characters, huge inputs, random bytes as
files) and never crash or hang; they fail only with the errors they document."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.drafting.citations import check_citations
from rag.drafting.intake import parse_request
from rag.errors import DocumentError, EmptyRequestError, InputError
from rag.ingest.boilerplate import boilerplate_spans
from rag.ingest.files import load_file
from rag.ingest.letters import extract_metadata
from rag.ingest.sources import load_paths
from rag.text.sentences import split_sentences
from rag.types import DocMeta, Document, DraftRequest, Passage, Skipped

# No per-example deadline: whether a test passes must not depend on how busy the machine is. A real
# hang (catastrophic backtracking) still fails, on the suite's pytest-timeout.
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Pieces of the real genres, so generated text reaches the deeper branches of the parsers.
FRAGMENTS = [
    "To ask the Secretary of State for Education, ",
    "Written Question WQ85953",
    "Petition P-06-1199",
    "Dear Jack,",
    "Yours sincerely,",
    "Julie Morgan AS/MS",
    "Deputy Minister for Social Services",
    "Our ref: JM/00123/22",
    "Tabled: 12 March 2024",
    "Answered: 3 April 2024",
    "12/03/2024",
    "2024-03-12",
    "31 February 2023",
    "Llywodraeth Cymru\nWelsh Government",
    "[1]",
    "[2][3]",
    "[99]",
    "£1.5 million",
    "Mr. Smith said e.g. no. ",
    "\n\n",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x0b\x0c",
    "\u2028",
    "\u200b",
    "ü",
    "🦆",
    "Answer:",
    "Question:",
    "The Government has no plans to ",
    ".",
    "?",
    " ",
    "Cabinet Secretary for Health",
]
control_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000)
genre_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), max_size=60).map("".join)
any_text = control_text | genre_text


@FAST
@given(any_text)
def test_extract_metadata_never_crashes(text: str) -> None:
    meta = extract_metadata(text)
    assert isinstance(meta, DocMeta)
    assert 0 <= meta.answer_start <= len(text)
    for value in (meta.date, meta.tabled, meta.answered):
        assert value is None or (isinstance(value, str) and len(value) == 10)


@FAST
@given(any_text)
def test_boilerplate_spans_lie_inside_the_text(text: str) -> None:
    for start, end in boilerplate_spans(text):
        assert 0 <= start <= end <= len(text)


@FAST
@given(any_text)
def test_parse_request_returns_a_request_or_says_it_is_empty(text: str) -> None:
    try:
        request = parse_request(text)
    except EmptyRequestError:
        assert not text.strip()
        return
    assert isinstance(request, DraftRequest)
    assert request.kind in ("petition", "written_question", "letter")
    assert isinstance(request.ask, str) and request.language in ("en", "cy")


@FAST
@given(any_text)
def test_split_sentences_returns_strings(text: str) -> None:
    sentences = split_sentences(text)
    assert all(isinstance(s, str) for s in sentences)


class HashEmbedder:
    """A tiny deterministic embedder: a unit vector seeded by each text's hash."""

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest()[:4], "big")
            v = np.random.default_rng(seed).standard_normal(16)
            out[i] = v / np.linalg.norm(v)
        return out


def _passages(texts: list[str]) -> list[Passage]:
    return [Passage(f"d{i}", f"d{i}:v:0", t, 0, len(t), 0.0, {"kind": "written_question"}) for i, t in enumerate(texts)]


@FAST
@given(any_text, st.lists(any_text, max_size=4))
def test_check_citations_never_crashes(body: str, passage_texts: list[str]) -> None:
    report = check_citations(body, _passages(passage_texts), HashEmbedder())
    assert report is not None


SUFFIXES = [".txt", ".md", ".pdf", ".docx", ".html", ".jsonl", ".jsonl.gz", ".json", ".bin"]


@FILES
@given(st.binary(max_size=4000), st.sampled_from(SUFFIXES))
def test_loaders_on_random_bytes_skip_with_a_reason(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    for item in load_paths(path):
        assert isinstance(item, (Document, Skipped))
        if isinstance(item, Skipped):
            assert item.reason and "Traceback" not in item.reason
    if not suffix.startswith(".jsonl"):
        try:
            load_file(path)
        except DocumentError as err:
            assert str(err).strip()


@FILES
@given(st.lists(st.binary(max_size=300) | st.text(max_size=300).map(str.encode), max_size=12))
def test_jsonl_records_of_random_lines_never_crash(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    items = list(load_paths(path))
    assert all(isinstance(i, (Document, Skipped)) for i in items)


HUGE = {
    "letters": "a" * 2_000_000,
    "newlines": "\n" * 1_000_000,
    "spaces": " " * 1_000_000 + "x",
    "controls": "\x00\x01\x0b\x0c\x1b\x7f" * 200_000,
    "sentences": "The Government has no plans to do so. " * 40_000,
    "to-ask": "To ask the Secretary of State for Education, " * 30_000,
    "dates": "12 March 2024, 2024-03-12, 12/03/2024; " * 30_000,
    "refs": "WQ85953 P-06-1199 [1][2] Our ref: JM/00123/22 " * 30_000,
    "no-sentence-end": "word " * 300_000,
}


@pytest.mark.parametrize("name", list(HUGE), ids=list(HUGE))
def test_huge_inputs_finish(name: str) -> None:
    """Every parser returns on every huge input (a hang fails on pytest-timeout; speed is the benchmark's)."""
    text = HUGE[name]
    for fn in (extract_metadata, boilerplate_spans, split_sentences, _parse_or_empty):
        fn(text)


def _parse_or_empty(text: str) -> object:
    try:
        return parse_request(text)
    except InputError:
        return None


def test_huge_file_loads_or_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(HUGE["sentences"] * 3, encoding="utf-8")
    doc = load_file(path)
    assert len(doc.text) > 4_000_000
