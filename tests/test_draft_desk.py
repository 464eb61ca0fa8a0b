"""The Draft page's work lands on the desk: each draft and each checked edit is a version, drafting
again never overwrites an edit, and a new session (a reload) reopens the item from the address."""

from __future__ import annotations

from pathlib import Path

from rag.desk.store import Desk
from tests.conftest import PETITION
from tests.test_app import assert_clean, button, draft_petition, start, store  # noqa: F401

EDITED_LINE = "The Deputy Minister will write to the Committee again in the spring."


def desk_at(store: Path) -> Desk:  # noqa: F811
    return Desk(f"sqlite:///{store / 'desk.sqlite3'}")


def edit(at, text: str):  # type: ignore[no-untyped-def]
    at.text_area(key="draft_edit").set_value(text).run()
    assert_clean(at)
    return at


def test_a_draft_and_its_edit_are_versions_on_the_desk_and_a_new_session_reopens_them(store: Path) -> None:  # noqa: F811
    at = draft_petition(start())
    assert any("Saved on the desk as item 1, version 1" in c.value for c in at.caption)
    assert at.query_params["item"] == "1"
    first = at.text_area(key="draft_edit").value
    edited = first.replace("Yours sincerely", f"{EDITED_LINE}\n\nYours sincerely")
    edit(at, edited)

    desk = desk_at(store)
    view = desk.item(1)
    assert [(v.n, v.origin, v.based_on) for v in view.versions] == [(1, "drafted", None), (2, "edited", 1)]
    assert view.versions[1].text == edited and view.row.status == "drafted"
    assert [a.action for a in desk.audit(1)] == ["created", "drafted", "edited"]
    assert view.requests[0].text == PETITION and view.requests[0].ref == "P-06-1199"

    edit(at, edited)  # the same text again is no new version
    assert len(desk.item(1).versions) == 2

    again = start()  # a new session: what a reload of the page starts
    again.query_params["item"] = "1"
    again.run()
    assert_clean(again)
    assert again.text_area(key="draft_text").value == PETITION
    assert again.text_area(key="draft_edit").value == edited  # the edit, not the first draft
    assert any("version 2" in c.value for c in again.caption)


def test_drafting_again_adds_a_version_and_never_replaces_the_edit(store: Path) -> None:  # noqa: F811
    at = draft_petition(start())
    edited = at.text_area(key="draft_edit").value + f"\n{EDITED_LINE}\n"
    edit(at, edited)
    button(at, "Draft reply").click().run()
    assert_clean(at)
    desk = desk_at(store)
    versions = desk.item(1).versions
    assert [(v.n, v.origin) for v in versions] == [(1, "drafted"), (2, "edited"), (3, "drafted")]
    assert versions[1].text == edited  # kept, as it was
    assert len(desk.items()) == 1  # the same text: the same item

    draft_petition(at, "Petition P-06-1161: Remove profit from the care of looked after children")
    assert [r.refs for r in desk.items(sort="updated")][0] == ["P-06-1161"]
    assert len(desk.items()) == 2 and at.query_params["item"] == "2"


def test_an_address_naming_no_item_opens_an_empty_page(store: Path) -> None:  # noqa: F811
    at = start()
    at.query_params["item"] = "999"
    at.run()
    assert not at.exception
    assert any("no item 999" in e.value.lower() for e in at.error)
    assert at.text_area(key="draft_text").value in ("", None)
