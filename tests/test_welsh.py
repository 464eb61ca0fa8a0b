"""Welsh asks searched in English: mutation undoing, the glossary, the gloss, and the seeded draft."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.drafting.backends.offline import OfflineComposer
from rag.drafting.intake import parse_request, search_query
from rag.drafting.pipeline import DRAFT_FROM
from rag.text.welsh import GLOSSARY_FILE, english_query, gloss, glossary, lookup, radicals, tokens
from rag.types import SearchFilters

PROFIT_CY = "A wnaiff y Gweinidog ddatganiad am gynlluniau i ddileu elw preifat o ofal plant sy'n derbyn gofal?"
NOT_FOR_PROFIT = "not-for-profit model of care"


# ---------------------------------------------------------------------------- mutations


@pytest.mark.parametrize(
    ("word", "radical"),
    [
        ("ofal", "gofal"),
        ("weinidog", "gweinidog"),
        ("lan", "glan"),
        ("fam", "mam"),
        ("fws", "bws"),
        ("gynlluniau", "cynlluniau"),
        ("blant", "plant"),
        ("drefn", "trefn"),
        ("ddatganiad", "datganiad"),
        ("lywodraeth", "llywodraeth"),
        ("roi", "rhoi"),
        ("nghymru", "cymru"),
        ("mhlant", "plant"),
        ("nhai", "tai"),
        ("ngofal", "gofal"),
        ("mabwysiadu", "babwysiadu"),
        ("nosbarth", "dosbarth"),
        ("chynlluniau", "cynlluniau"),
        ("phlant", "plant"),
        ("thai", "tai"),
        ("hardal", "ardal"),
    ],
    ids=[
        "soft-g-dropped-before-vowel",
        "soft-g-dropped-before-w",
        "soft-g-dropped-before-l",
        "soft-m-to-f",
        "soft-b-to-f",
        "soft-c-to-g",
        "soft-p-to-b",
        "soft-t-to-d",
        "soft-d-to-dd",
        "soft-ll-to-l",
        "soft-rh-to-r",
        "nasal-c-to-ngh",
        "nasal-p-to-mh",
        "nasal-t-to-nh",
        "nasal-g-to-ng",
        "nasal-b-to-m",
        "nasal-d-to-n",
        "aspirate-c-to-ch",
        "aspirate-p-to-ph",
        "aspirate-t-to-th",
        "h-prothesis",
    ],
)
def test_radicals_undo_each_mutation(word: str, radical: str) -> None:
    found = radicals(word)
    assert found[0] == word and radical in found


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("llywodraeth", ["llywodraeth"]),
        ("rhieni", ["rhieni"]),
        ("ddatganiad", ["ddatganiad", "datganiad"]),
        ("nghymru", ["nghymru", "cymru"]),
        ("b", ["b"]),
    ],
    ids=["ll-is-radical", "rh-is-radical", "dd-only-to-d", "ngh-only-to-c", "a-bare-onset-is-no-word"],
)
def test_radicals_try_only_the_longest_onset(word: str, expected: list[str]) -> None:
    assert radicals(word) == expected


# ---------------------------------------------------------------------------- the glossary


@pytest.mark.parametrize(
    ("welsh", "english"),
    [
        ("ddatganiad", "statement"),
        ("ofal", "care"),
        ("gynlluniau", "plans"),
        ("Lywodraeth Cymru", "Welsh Government"),
        ("Weinidog", "Minister"),
        ("plant sy\u2019n derbyn gofal", "looked after children"),
        ("blant sy'n derbyn gofal", "looked after children"),
        ("Ysgrifennydd y Cabinet", "Cabinet Secretary"),
        ("ofalwyr maeth", "foster carers"),
        ("Nghaerdydd", "Cardiff"),
        ("cadair", None),
    ],
    ids=[
        "soft-mutated-word",
        "g-dropped-word",
        "plural",
        "body-name-mutated",
        "minister-mutated",
        "phrase-curly-apostrophe",
        "phrase-first-word-mutated",
        "cabinet-secretary",
        "foster-carers-mutated",
        "place-name-nasal",
        "unknown-word",
    ],
)
def test_lookup(welsh: str, english: str | None) -> None:
    assert lookup(tokens(welsh)) == english


def test_the_glossary_file_is_well_formed_and_has_hundreds_of_entries() -> None:
    entries = [ln for ln in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    pairs = [ln.split("\t") for ln in entries]
    assert all(len(p) == 2 and p[0].strip() and p[1].strip() for p in pairs), [p for p in pairs if len(p) != 2]
    welsh = [" ".join(tokens(w)) for w, _ in pairs]
    assert len(set(welsh)) == len(welsh), sorted(w for w in set(welsh) if welsh.count(w) > 1)
    assert all(w == w.lower() for w, _ in pairs)
    assert len(glossary()) >= 600


@pytest.mark.parametrize(
    ("welsh", "english"),
    [
        (
            PROFIT_CY,
            "will the Minister statement about plans remove eliminate abolish private profit care "
            "looked after children",
        ),
        ("Pa gamau y mae Llywodraeth Cymru yn eu cymryd?", "what steps Welsh Government take"),
        ("Sut mae'r Gweinidog yn cefnogi gofalwyr maeth yng Ngwynedd?", "how Minister support foster carers Gwynedd"),
        ("", ""),
        ("Xyzzy plugh", ""),
    ],
    ids=["the-profit-question", "phrase-before-words", "mutated-place", "empty", "nothing-known"],
)
def test_gloss(welsh: str, english: str) -> None:
    assert gloss(welsh) == english


def test_english_query_is_the_gloss_then_the_welsh() -> None:
    assert english_query("Pa gamau?") == "what steps\nPa gamau?"
    assert english_query("Xyzzy plugh") == "Xyzzy plugh"


def test_search_query_glosses_only_welsh_requests() -> None:
    welsh = parse_request(PROFIT_CY)
    assert search_query(welsh) == english_query(PROFIT_CY)
    english = parse_request("Will the Minister make a statement on foster care?")
    assert search_query(english) == english.ask


# ---------------------------------------------------------------------------- on the seeds


def test_the_welsh_profit_question_finds_the_not_for_profit_passage(seeded: Assistant) -> None:
    request = parse_request(PROFIT_CY)
    found = seeded.search(search_query(request), k=5, filters=SearchFilters(kinds=DRAFT_FROM))
    assert any(p.meta.get("ref") == "P-06-1161" and NOT_FOR_PROFIT in p.text for p in found), [
        (p.meta.get("ref"), p.text[:80]) for p in found
    ]
    assert max(float(p.meta["cosine"]) for p in found) >= 0.40  # drafting's NO_PRECEDENT_SIM


def test_the_welsh_profit_question_drafts_offline_citing_p_06_1161(seeded: Assistant) -> None:
    draft = seeded.draft(parse_request(PROFIT_CY), backend="offline")
    assert draft.kind == "written_question"
    assert "P-06-1161" in {c.ref for c in draft.citations}
    assert any(NOT_FOR_PROFIT in c.quote for c in draft.citations)
    assert "Atebwyd gan" in draft.text and PROFIT_CY in draft.text  # the Welsh frame, the question as asked
    (welsh,) = [w for w in draft.warnings if w.code == "welsh"]
    assert "must be answered in Welsh" in welsh.message
    assert OfflineComposer.language_note in welsh.message and "writes in English" in welsh.message
