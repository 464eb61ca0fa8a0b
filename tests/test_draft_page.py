"""The Draft page's handling of chosen precedents (sent from the Precedents page with
ui.common.choose_precedent), driven by streamlit.testing.v1.AppTest over the seeded store."""

from __future__ import annotations

from pathlib import Path

from tests.test_app import assert_clean, button, draft_petition, markdown, start, store  # noqa: F401
from tests.test_drafting import DODDS, PFG
from ui.common import CHOSEN


def test_chosen_precedents_are_listed_drafted_from_and_removable(store: Path) -> None:  # noqa: F811
    at = start()
    at.session_state[CHOSEN] = [{"doc_id": PFG, "chunk_id": None}, {"doc_id": DODDS, "chunk_id": None}]
    at.run()
    assert_clean(at)
    shown = markdown(at)
    assert "P-06-1161" in shown and "22 July 2022" in shown and "(whole document)" in shown
    assert len([b for b in at.button if b.label == "Remove"]) == 2

    draft_petition(at)
    draft = at.session_state["draft"]
    assert PFG in {c.doc_id for c in draft.citations}
    assert DODDS not in {c.doc_id for c in draft.citations}  # a letter received is never a source
    notes = [i.value for i in at.info if "Chosen but not cited" in i.value]
    assert len(notes) == 1 and "P-06-1161" not in notes[0]

    button(at, "Remove").click().run()  # the first: P-06-1161
    assert_clean(at)
    assert at.session_state[CHOSEN] == [{"doc_id": DODDS, "chunk_id": None}]
    assert len([b for b in at.button if b.label == "Remove"]) == 1
    assert at.session_state["draft"] is draft  # removing one does not throw the draft away


def test_an_empty_box_gets_a_message_not_a_draft(store: Path) -> None:  # noqa: F811
    at = start()
    button(at, "Draft reply").click().run()
    assert_clean(at)
    assert any("There is nothing to reply to yet" in w.value for w in at.warning)
    assert "draft" not in at.session_state
