"""An edited reply checked again (rag.drafting.edits.recheck): the frame is left alone, the body as
edited goes through check_body, the draft's other warnings are kept, and the export says so."""

from __future__ import annotations

import io

import docx
import pytest

from rag.assistant import Assistant
from rag.drafting.backends.scripted import ScriptedBackend
from rag.drafting.edits import edited_body, recheck
from rag.drafting.export import CHECKS_HEADING, docx_bytes, to_markdown
from rag.drafting.intake import parse_request
from rag.text.sentences import split_sentences
from rag.types import Draft, DraftRequest, Passage

PETITION = (
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an urgent "
    "independent review\n\ndate: 2020-01-01\n"
)
WQ_QUESTION = (
    "Will the Minister explain why the Welsh Government is not conducting a nationwide review of "
    "children's services when other governments in the UK are doing so?"
)
UNCITED = "Ministers will visit every family centre in Cardiff before the summer."
INVENTED = "Care Inspectorate Wales reported on Cardiff in 2022 [9]."


def _first_sentence(passages: list[Passage]) -> str:
    return next(s for s in split_sentences(passages[0].text) if len(s.split()) >= 6).rstrip(".") + " [1]."


def _body(request: DraftRequest, passages: list[Passage]) -> str:
    """One sentence copied from passage 1 and cited, one statement citing nothing."""
    return f"{_first_sentence(passages)} {UNCITED}"


@pytest.fixture
def draft(scripted_seeded: Assistant, scripted: ScriptedBackend) -> Draft:
    scripted.enqueue(_body)
    d = scripted_seeded.draft(parse_request(PETITION))
    assert {"unconfirmed_date", "uncited"} <= {w.code for w in d.warnings}, d.warnings
    return d


def _codes(d: Draft) -> list[str]:
    return [w.code for w in d.warnings]


def test_an_unchanged_reply_rechecks_to_the_same_draft(draft: Draft, scripted_seeded: Assistant) -> None:
    again = recheck(draft, draft.text, scripted_seeded.embedder)
    assert again.warnings == draft.warnings
    assert again.body == draft.body and again.citations == draft.citations and again.text == draft.text


def test_the_frame_is_not_checked_and_the_body_is_found_again(draft: Draft) -> None:
    assert edited_body(draft, draft.text) == draft.body
    assert "Thank you for your letter" in draft.text and "Dear " in draft.text
    moved = draft.text.replace("Yours sincerely,", "Yours sincerely,\n\n")
    assert edited_body(draft, moved) == draft.body


def test_an_edited_frame_line_is_checked_as_body_and_a_courtesy_flags_nothing(
    draft: Draft, scripted_seeded: Assistant
) -> None:
    salutation = next(line for line in draft.text.splitlines() if line.startswith("Dear "))
    again = recheck(draft, draft.text.replace(salutation, "Dear Mr Sargeant,"), scripted_seeded.embedder)
    assert again.warnings == draft.warnings and "Dear Mr Sargeant," in again.body
    claim = "Deputy Minister for Social Services, who has funded 300 new social workers."
    again = recheck(
        draft, draft.text.replace("Deputy Minister for Social Services", claim, 1), scripted_seeded.embedder
    )
    assert [w.sentence for w in again.warnings if w.code == "uncited"] == [claim, UNCITED]


def test_an_invented_marker_is_flagged_and_the_other_warnings_kept(draft: Draft, scripted_seeded: Assistant) -> None:
    text = draft.text.replace(UNCITED, f"{UNCITED} {INVENTED}")
    again = recheck(draft, text, scripted_seeded.embedder)
    invalid = [w for w in again.warnings if w.code == "invalid_citation"]
    assert len(invalid) == 1 and "[9]" in invalid[0].message and invalid[0].sentence == INVENTED
    assert _codes(again).count("unconfirmed_date") == 1  # the date read from the text still needs checking
    assert again.text == text and INVENTED in again.body
    assert [c.n for c in again.citations] == [1]  # [9] names no passage


def test_a_new_uncited_statement_is_flagged(draft: Draft, scripted_seeded: Assistant) -> None:
    added = "The Welsh Government will open forty new family centres in 2027."
    text = draft.text.replace(UNCITED, f"{UNCITED}\n\n{added}")
    again = recheck(draft, text, scripted_seeded.embedder)
    assert [w.sentence for w in again.warnings if w.code == "uncited"] == [UNCITED, added]


def test_a_deleted_sentence_takes_its_warning_with_it(draft: Draft, scripted_seeded: Assistant) -> None:
    again = recheck(draft, draft.text.replace(" " + UNCITED, ""), scripted_seeded.embedder)
    assert "uncited" not in _codes(again)
    assert _codes(again) == [c for c in _codes(draft) if c != "uncited"]


def test_a_citation_deleted_by_the_edit_leaves_the_sources(draft: Draft, scripted_seeded: Assistant) -> None:
    again = recheck(draft, draft.text.replace("[1]", ""), scripted_seeded.embedder)
    assert again.citations == []
    assert _codes(again).count("uncited") == 2


def test_a_written_answer_frame_quoting_the_question_is_not_flagged(
    scripted_seeded: Assistant, scripted: ScriptedBackend
) -> None:
    scripted.enqueue(lambda request, passages: _first_sentence(passages))
    d = scripted_seeded.draft(parse_request(WQ_QUESTION, kind="written_question"))
    assert WQ_QUESTION in d.text
    again = recheck(d, d.text + "\nA new statement about the review of services in Wales.\n", scripted_seeded.embedder)
    flagged = [w.sentence for w in again.warnings if w.code == "uncited"]
    assert flagged == ["A new statement about the review of services in Wales."]


def test_a_body_written_where_no_precedent_was_found_is_checked(
    scripted_seeded: Assistant, scripted: ScriptedBackend
) -> None:
    d = scripted_seeded.draft(parse_request(PETITION, as_of="2000-01-01"))
    assert _codes(d) == ["unconfirmed_date", "no_precedent"] and not scripted.history
    text = d.text.replace("[No precedent found: draft this section from officials' advice.]", UNCITED)
    again = recheck(d, text, scripted_seeded.embedder)
    assert _codes(again) == ["unconfirmed_date", "no_precedent", "uncited"]
    assert again.body == UNCITED


def test_the_export_lists_the_warnings_of_the_edited_text(draft: Draft, scripted_seeded: Assistant) -> None:
    text = draft.text.replace(" " + UNCITED, "").replace("[1].", f"[1]. {INVENTED}", 1)
    final = recheck(draft, text, scripted_seeded.embedder)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(docx_bytes(final))).paragraphs]
    checks = paragraphs[paragraphs.index(CHECKS_HEADING) + 1 :]
    assert any("[9] matches none" in p and INVENTED in p for p in checks)
    assert not any(UNCITED in p for p in checks)  # deleted, so no longer a point to check
    assert INVENTED in "\n".join(paragraphs)
    assert "\\[9\\] matches none" in to_markdown(final)  # escaped, so it stays literal
