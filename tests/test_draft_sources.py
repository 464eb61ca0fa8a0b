"""What the Draft page shows of a draft's sources: the sentence a citation rests on (rag.drafting.cited),
passages without their Markdown syntax and citation labels (ui.support), and the precedents an
official chose, drafted from first under the same checks (rag.drafting.pipeline via the Assistant)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.drafting.backends.scripted import ScriptedBackend
from rag.drafting.cited import cited_sentences, sentence_spans
from rag.drafting.intake import parse_request
from rag.index.fakes import HashEmbedder
from rag.types import Citation, DraftRequest, Passage
from tests.conftest import WOMBAT_REPLY
from ui import support as U

from .test_drafting import ADSS, CARDIFF, DODDS, PETITION_TITLE, PFG, WQ85953, WQ_QUESTION

PASSAGE = (
    "We keep services under review. The Minister met council leaders in May 2022 to discuss the pressures on "
    "children's social care. Funding of £9m was announced for kinship carers."
)
DOC = "Letterhead.\n\n" + PASSAGE + "\n\nYours sincerely."
AT = DOC.index(PASSAGE)
FUNDING = "Funding of £9m was announced for kinship carers."


def _passage() -> Passage:
    return Passage("d", "d-c0", PASSAGE, AT, AT + len(PASSAGE))


def _sentence(text: str) -> tuple[int, int]:
    return DOC.index(text), DOC.index(text) + len(text)


# ---------------------------------------------------------------------------- the cited sentence


def test_sentence_spans_are_where_each_sentence_lies() -> None:
    spans = sentence_spans(PASSAGE)
    assert [PASSAGE[s:e] for s, e in spans] == [
        "We keep services under review.",
        "The Minister met council leaders in May 2022 to discuss the pressures on children's social care.",
        "Funding of £9m was announced for kinship carers.",
    ]


@pytest.mark.parametrize(
    ("body", "n", "expect"),
    [
        ("Funding of £9m was announced for kinship carers. [1]", 1, [FUNDING]),
        (
            "We keep services under review.  [1] Other things. [2]\n\n"
            "Funding of £9m was\nannounced for kinship carers. [1]",
            1,
            ["We keep services under review.", "Funding of £9m was announced for kinship carers."],
        ),
        (  # a model's paraphrase: the sentence the check would find support in
            "Kinship carers were given nine million pounds of funding. [1]",
            1,
            ["Funding of £9m was announced for kinship carers."],
        ),
        (
            "In May 2022 the Minister and council leaders discussed children's social care pressures [1].",
            1,
            ["The Minister met council leaders in May 2022 to discuss the pressures on children's social care."],
        ),
        ("Funding of £9m was announced for kinship carers. [2]", 1, []),  # nothing cites [1]
    ],
    ids=["verbatim", "two-sentences-whitespace", "paraphrase", "paraphrase-reordered", "not-cited"],
)
def test_cited_sentences_finds_the_sentence_the_draft_rests_on(body: str, n: int, expect: list[str]) -> None:
    spans = cited_sentences(body, n, _passage(), HashEmbedder())
    assert [DOC[s:e] for s, e in spans] == expect


def test_a_quote_needs_no_embedding() -> None:
    embedder = HashEmbedder()
    cited_sentences("We keep services under review. [1]", 1, _passage(), embedder)
    assert embedder.texts == []


# ---------------------------------------------------------------------------- passages as shown


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("#### Funding\n\nThe grant is £5m.", "Funding\n\nThe grant is £5m."),
        ("We will **always** act.", "We will always act."),
        ("- first point\n* second point\n  + nested", "• first point\n• second point\n• nested"),
        ("See [the guidance](https://gov.wales/guidance) now.", "See the guidance now."),
        ("5 * 3 = 15 and a_b_c stay; # not a heading", "5 * 3 = 15 and a_b_c stay; # not a heading"),
        ("**unclosed bold", "**unclosed bold"),
    ],
    ids=["heading", "bold", "list-markers", "link", "not-markdown", "unclosed"],
)
def test_strip_markdown(text: str, expect: str) -> None:
    clean, at = U.strip_markdown(text)
    assert clean == expect
    assert len(at) == len(text) + 1 and at[-1] == len(clean) and at == sorted(at)


def test_highlight_cited_marks_the_sentence_inside_its_passage_and_escapes_the_text() -> None:
    doc = "#### Reply\n\nIntro. **We will fund <b>it</b>.** More text.\n\nEnd."
    passage = (doc.index("Intro."), doc.index("More text.") + len("More text."))
    sentence = (doc.index("**We"), doc.index("</b>.**") + len("</b>.**"))
    out = U.highlight_cited(doc, passage, [sentence])
    assert "<b>" not in out and "&#60;b&#62;it&#60;/b&#62;" in out and "####" not in out and "**" not in out
    marked = '<mark class="ym-cited">We will fund &#60;b&#62;it&#60;/b&#62;.</mark>'
    assert '<span class="ym-passage">Intro. ' + marked in out
    assert out.endswith("More text.</span><br><br>End.")


def test_passage_html_is_escaped_plain_text() -> None:
    assert U.passage_html("#### Title\n**<i>x</i>**") == "Title<br>&#60;i&#62;x&#60;/i&#62;"


def test_the_precedents_viewer_and_snippets_show_no_markdown_and_mark_the_right_words() -> None:
    from ui.reading import document_html

    doc = "#### Kinship care\n\n**Funding** for kinship carers is reviewed.\n\n- Kinship allowance rises."
    found = (doc.index("**Funding"), doc.index("reviewed.") + len("reviewed."))
    out = document_html(doc, [found], "kinship allowance")
    assert "####" not in out and "**" not in out and "- Kinship" not in out
    assert out.startswith("Kinship care<br><br>")  # unmarked: outside the found passage
    assert '<mark class="ym-cited">Funding for <mark class="ym-term">kinship</mark> carers is reviewed.</mark>' in out
    snippet = U.highlight_terms(doc, "kinship allowance")
    assert "####" not in snippet and "**" not in snippet
    assert '\u2022 <mark class="ym-term">Kinship</mark> <mark class="ym-term">allowance</mark>' in snippet


def test_highlight_cited_keeps_context_around_the_passage() -> None:
    doc = "a " * 400 + PASSAGE + " z" * 400
    start = doc.index(PASSAGE)
    out = U.highlight_cited(doc, (start, start + len(PASSAGE)), [], context=20)
    assert out.startswith("…") and out.endswith("…") and len(out) < len(PASSAGE) + 120


# ---------------------------------------------------------------------------- citation labels


def _citation(n: int, ref: str | None, title: str | None, start: int = 0, doc_id: str = "d") -> Citation:
    return Citation(n, doc_id, f"{doc_id}-{n}", ref, "2024-01-01", None, "q", start, start + 10, title)


def test_labels_name_reference_title_and_date_and_never_read_alike() -> None:
    cs = [
        _citation(1, "P-06-1199", "Place Cardiff Children's Services into special measures", start=900),
        _citation(2, "P-06-1199", "Place Cardiff Children's Services into special measures", start=100),
        _citation(3, "1234", "To ask the Secretary of State for Education, what steps she is taking", doc_id="UKWQ-7"),
        _citation(4, None, None, doc_id="UKWQ-8"),
    ]
    labels = U.citation_labels(cs)
    assert labels[1] == "[1] P-06-1199 · Place Cardiff Children's Services… · 1 January 2024 · passage 2 of 2"
    assert labels[2].endswith("· passage 1 of 2")
    assert labels[3] == "[3] WQ 1234 · What steps she is taking · 1 January 2024"
    assert labels[4] == "[4] UKWQ-8 · 1 January 2024"
    assert len({label.partition(" ")[2] for label in labels.values()}) == 4


def test_a_marker_in_the_draft_names_the_citation_it_opens() -> None:
    html = U.paragraph_html(U.Block("It was done [2]. Both [3, 4]."))
    assert 'data-cite="2" role="button" tabindex="0"' in html and 'data-cite="3"' in html
    assert html.count('class="ym-cite"') == 2


# ---------------------------------------------------------------------------- chosen precedents


def test_chosen_passages_resolve_a_passage_or_a_whole_document(scripted_seeded: Assistant) -> None:
    whole = scripted_seeded.doc_passages(PFG)
    one = whole[2]
    got = scripted_seeded.chosen_passages(
        [{"doc_id": CARDIFF, "chunk_id": None}, {"doc_id": PFG, "chunk_id": one.chunk_id}, {"doc_id": "gone"}]
    )
    cardiff = scripted_seeded.doc_passages(CARDIFF)
    assert [p.chunk_id for p in got] == [p.chunk_id for p in cardiff] + [one.chunk_id]


def test_chosen_passages_come_first_under_the_same_rules(scripted_seeded: Assistant, scripted: ScriptedBackend) -> None:
    """A chosen answer is offered ahead of the search results; a chosen letter received, or an answer
    dated on or after "as of", is not offered at all."""
    request = parse_request(WQ_QUESTION, kind="written_question", as_of="2022-09-01")
    pfg = scripted_seeded.doc_passages(PFG)[-1:]
    letters = scripted_seeded.doc_passages(DODDS)[:1] + scripted_seeded.doc_passages(ADSS)[:1]
    answer = scripted_seeded.doc_passages(WQ85953)[-1]
    late = [replace(answer, doc_id="later", chunk_id="later:0", meta={**answer.meta, "date_int": 20230105})]
    scripted.enqueue("The Welsh Government keeps children's services under review [1].")
    draft = scripted_seeded.draft(request, chosen=pfg + letters + late)
    ((_, sent),) = scripted.history
    assert sent[0].chunk_id == pfg[0].chunk_id
    assert [p.chunk_id for p in sent].count(pfg[0].chunk_id) == 1  # not offered twice if the search finds it too
    assert not {p.doc_id for p in sent} & {DODDS, ADSS, "later"}
    assert draft.citations[0].chunk_id == pfg[0].chunk_id


def test_a_chosen_precedent_is_cited_where_it_answers_and_not_forced_in_where_it_does_not(
    tmp_path: Path, fast_seeded: Assistant
) -> None:
    (tmp_path / "wombat.txt").write_text(WOMBAT_REPLY, encoding="utf-8")
    assert fast_seeded.ingest([tmp_path / "wombat.txt"]).written == 1
    wombat = next(d["doc_id"] for d in fast_seeded.list_documents() if d.get("ref") == "P-06-1302")
    chosen = fast_seeded.chosen_passages([{"doc_id": wombat, "chunk_id": None}])
    request = parse_request(f"Petition P-06-1199: {PETITION_TITLE}")

    draft = fast_seeded.draft(request, "offline", chosen=chosen)
    assert draft.citations and wombat not in {c.doc_id for c in draft.citations}  # off the point: left out

    garden = parse_request("Petition P-06-1400: Open a wombat sensory garden at every family centre")
    drafted = fast_seeded.draft(garden, "offline", chosen=chosen)
    assert wombat in {c.doc_id for c in drafted.citations}


def test_no_chosen_passages_is_the_draft_as_before(scripted_seeded: Assistant, scripted: ScriptedBackend) -> None:
    request: DraftRequest = parse_request(WQ_QUESTION, kind="written_question")
    scripted.enqueue("A [1].", "A [1].")
    scripted_seeded.draft(request)
    scripted_seeded.draft(request, chosen=[])
    assert [p.chunk_id for p in scripted.history[0][1]] == [p.chunk_id for p in scripted.history[1][1]]
