"""The Desk page and the sidebar's sign-in, driven by streamlit.testing.v1.AppTest over the seeded store:
an item drafted, edited into a new version, compared, reviewed and restored from the page, every step
in the audit trail, and all of it still there for a new session."""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from rag import Desk, ItemRow, Who, load_settings, open_desk
from rag.types import Incoming
from tests.conftest import PETITION
from tests.test_app import APP, TIMEOUT, assert_clean, button, markdown, start, store  # noqa: F401
from ui.desk import OVERDUE, queue_frame
from ui.support import diff_html

ADDED = "The Welsh Government will also open a new children's hospital in Cardiff next year."
# Three written questions: the first two near-identical (same day, same department), so they group.
QUESTIONS_CSV = (
    "UIN,Question text,Asking member,Date tabled,Named day,Answering body\n"
    "WQ101,\"To ask the Welsh Government, what steps it is taking to place Cardiff Children's Services into "
    'special measures.",Jane Hutt,2024-03-04,2024-03-11,Welsh Government\n'
    "WQ102,\"To ask the Welsh Government, what steps it is taking to place Cardiff Children's Services into "
    'special measures and review them.",Mark Drakeford,2024-03-04,2024-03-11,Welsh Government\n'
    'WQ103,"To ask the Welsh Government, how many wombats live in Pembrokeshire.",Sian Gwenllian,'
    "2024-03-05,2024-03-12,Welsh Government\n"
)


@pytest.fixture
def the_desk(store: Path) -> Desk:  # noqa: F811
    """The desk the app opens (YMATEB_STORE names the store; its database lies under it)."""
    return open_desk(load_settings())


@pytest.fixture
def petition_item(the_desk: Desk) -> int:
    """One petition on the queue, added through the Desk API."""
    incoming = Incoming(id="P-06-1199", kind="petition", text=PETITION, member="Jack", source="test")
    return the_desk.add_item([incoming], Who("Seeder"))


def desk_page(item: int | None = None, name: str | None = "Ann Jones") -> AppTest:
    """A new session on the Desk page, named in the sidebar unless `name` is None, `item` opened."""
    at = start("desk")
    if name:
        at.sidebar.text_input(key="who_name").set_value(name).run()
    if item is not None:
        at.selectbox(key="desk_open").set_value(item).run()
    assert_clean(at)
    return at


def click(at: AppTest, label: str) -> AppTest:
    button(at, label).click().run()
    return at


def successes(at: AppTest) -> str:
    return " ".join(s.value for s in at.success)


def keyed(widgets: Any, prefix: str) -> Any:
    found = [w for w in widgets if (w.key or "").startswith(prefix)]
    assert found, f"no widget keyed {prefix}*"
    return found[0]


# ---------------------------------------------------------------------------- the whole flow


def test_an_item_is_drafted_edited_compared_reviewed_and_restored_from_the_page(
    the_desk: Desk, petition_item: int
) -> None:
    item = petition_item
    at = desk_page(item, name=None)
    click(at, "Draft")
    assert any("Enter your name in the sidebar first" in w.value for w in at.warning)
    assert the_desk.item(item).versions == []  # nothing happened without a name

    at.sidebar.text_input(key="who_name").set_value("Ann Jones").run()
    click(at, "Draft")
    assert_clean(at)
    assert "Drafted version 1" in successes(at)
    v1 = the_desk.version(item, 1)
    assert v1.origin == "drafted" and "P-06-1199" in v1.text and "[1]" in v1.text
    assert button(at, "Draft again")  # the button says what it does now

    edit = at.text_area(key=f"desk_edit_{item}_1")
    assert edit.value == v1.text
    edit.set_value(v1.text.replace("Yours sincerely", f"{ADDED}\n\nYours sincerely")).run()
    click(at, "Save as new version")
    assert_clean(at)
    assert "as version 2" in successes(at)
    v2 = the_desk.version(item, 2)
    assert (v2.origin, v2.based_on, v2.created_by) == ("edited", 1, "Ann Jones")
    assert ADDED in v2.text and the_desk.version(item, 1).text == v1.text  # never overwritten
    assert v2.warnings > 0  # the added sentence cites nothing
    assert at.text_area(key=f"desk_edit_{item}_2").value == v2.text

    shown = markdown(at)  # the compare box: version 1 -> 2 by default
    assert '<ins class="ym-ins">' in shown and "hospital" in shown
    assert any("word(s) removed" in c.value and "added" in c.value for c in at.caption)

    status = keyed(at.selectbox, f"desk_status_{item}_")
    status.set_value("approved").run()
    click(at, "Change status")
    assert any("open point(s) to check" in e.value for e in at.error)  # refused without a note
    assert the_desk.item(item).row.status == "drafted"
    at.text_area(key=f"desk_status_{item}_note").set_value("The hospital line is agreed with the minister.").run()
    click(at, "Change status")
    assert_clean(at)
    assert "Status changed to approved" in successes(at)
    assert the_desk.item(item).row.status == "approved"

    at.selectbox(key=f"desk_restore_{item}").set_value(1).run()
    click(at, "Restore")
    assert_clean(at)
    v3 = the_desk.version(item, 3)
    assert (v3.origin, v3.based_on, v3.text) == ("restored", 1, v1.text)
    assert the_desk.item(item).row.status == "in review"  # new text on an approved reply: reviewed again

    actions = [a.action for a in the_desk.audit(item)]
    assert actions == ["created", "drafted", "edited", "status", "restored"], actions
    trail = the_desk.audit(item)
    assert {a.who for a in trail[1:]} == {"Ann Jones"} and not any(a.verified for a in trail)
    assert trail[3].detail["note"].startswith("The hospital line")
    assert trail[4].detail["status"] == ["approved", "in review"]

    # A brand-new session (as after a restart) sees the same item, versions and status.
    again = desk_page(item, name="Bob Evans")
    view = open_desk(load_settings()).item(item)
    assert [v.n for v in view.versions] == [1, 2, 3] and view.row.status == "in review"
    versions = [d.value for d in again.dataframe if "Origin" in d.value.columns][0]
    assert list(versions["Version"]) == [3, 2, 1]
    assert list(versions["Origin"]) == ["Restored from v1", "Edited from v1", "Drafted"]
    assert again.text_area(key=f"desk_edit_{item}_3").value == v1.text
    assert "in review" in markdown(again)


def test_comments_assignee_and_due_date_are_saved_and_audited(the_desk: Desk, petition_item: int) -> None:
    item = petition_item
    at = desk_page(item)
    at.text_input(key=f"desk_assignee_{item}_").set_value("Bob Evans").run()
    click(at, "Assign")
    assert_clean(at)
    keyed(at.date_input, f"desk_due_{item}_").set_value(date(2020, 1, 2)).run()
    click(at, "Set due date")
    keyed(at.text_area, f"desk_comment_{item}_").set_value("Check the *figures* <b>first</b>").run()
    click(at, "Add comment")
    assert_clean(at)
    row = the_desk.item(item).row
    assert (row.assignee, row.due) == ("Bob Evans", date(2020, 1, 2))
    assert [c.text for c in the_desk.item(item).comments] == ["Check the *figures* <b>first</b>"]
    shown = markdown(at)
    assert "&#60;b&#62;first" in shown and "<b>first" not in shown  # untrusted text is escaped
    assert [a.action for a in the_desk.audit(item)] == ["created", "assigned", "due", "commented"]

    queue = [d.value for d in at.dataframe if "Overdue" in d.value.columns][0]
    assert list(queue["Overdue"]) == [OVERDUE] and list(queue["Assignee"]) == ["Bob Evans"]
    at.checkbox(key="desk_overdue").check().run()
    at.selectbox(key="desk_assignee").set_value("Bob Evans").run()
    assert_clean(at)
    assert list([d.value for d in at.dataframe if "Overdue" in d.value.columns][0]["Item"]) == [item]


def test_the_open_item_comes_back_from_the_address(the_desk: Desk, petition_item: int) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["item"] = str(petition_item)
    at.query_params["who"] = "Ann Jones"
    at.switch_page("views/desk.py").run()
    assert_clean(at)
    assert at.selectbox(key="desk_open").value == petition_item
    assert at.sidebar.text_input(key="who_name").value == "Ann Jones"
    assert any(h.value.startswith(f"Item {petition_item} \u00b7 P-06-1199:") for h in at.header)


# ---------------------------------------------------------------------------- batch


def test_a_batch_is_read_added_once_grouped_and_drafted(the_desk: Desk) -> None:
    at = desk_page()
    at.file_uploader(key="desk_upload").set_value(("day.csv", QUESTIONS_CSV.encode(), "text/csv")).run()
    assert_clean(at)
    assert "3 read" in markdown(at)
    click(at, "Add to the desk")
    assert_clean(at)
    assert "2 item(s) on the queue" in successes(at)
    rows = the_desk.items()
    assert sorted(len(r.refs) for r in rows) == [1, 2]

    click(at, "Draft the batch")
    assert_clean(at)
    assert "Batch drafted: 2 item(s) answering 3 request(s)" in successes(at)
    assert all(r.version == 1 for r in the_desk.items())
    assert "batch drafted" in [a.action for a in the_desk.audit()]

    again = desk_page()
    again.file_uploader(key="desk_upload").set_value(("same-day.csv", QUESTIONS_CSV.encode(), "text/csv")).run()
    click(again, "Add to the desk")
    assert any("already on the desk" in i.value and "nothing was added" in i.value for i in again.info)
    assert len(the_desk.items()) == 2


def test_rows_pasted_from_a_spreadsheet_are_a_batch_too(the_desk: Desk) -> None:
    rows = list(csv.reader(io.StringIO(QUESTIONS_CSV)))
    pasted = "\n".join("\t".join(row) for row in rows)  # what a copy from Excel puts on the clipboard
    at = desk_page()
    at.text_area(key="desk_paste").set_value(pasted).run()
    assert_clean(at)
    assert "**pasted rows.csv**: 3 read." in markdown(at)
    click(at, "Add to the desk")
    assert "2 item(s) on the queue" in successes(at)
    assert sorted(ref for r in the_desk.items() for ref in r.refs) == ["WQ101", "WQ102", "WQ103"]

    again = desk_page()  # the same questions as a CSV file: the same batch, nothing added
    again.file_uploader(key="desk_upload").set_value(("day.csv", QUESTIONS_CSV.encode(), "text/csv")).run()
    click(again, "Add to the desk")
    assert any("already on the desk" in i.value for i in again.info) and len(the_desk.items()) == 2


def test_a_file_that_cannot_be_read_says_why_and_adds_nothing(the_desk: Desk) -> None:
    at = desk_page()
    at.file_uploader(key="desk_upload").set_value(("notes.csv", b"colour,shape\nred,round\n", "text/csv")).run()
    assert not at.exception
    assert any("notes.csv could not be read" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Add to the desk"]
    at.run()  # and it still says so on the next run
    assert any("notes.csv could not be read" in e.value for e in at.error)
    assert the_desk.items() == []


def test_a_group_is_split_and_merged_back(the_desk: Desk) -> None:
    who = Who("Seeder")
    first = Incoming(id="WQ1", kind="written_question", text="To ask about school meals.", member="A")
    second = Incoming(id="WQ2", kind="written_question", text="To ask about school meals too.", member="B")
    item = the_desk.add_item([first, second], who)
    at = desk_page(item)
    wq2 = [r.id for r in the_desk.item(item).requests if r.ref == "WQ2"]
    at.multiselect(key=f"desk_split_{item}").set_value(wq2).run()
    click(at, "Split off")
    assert_clean(at)
    new = [r.id for r in the_desk.items() if r.id != item][0]
    assert f"Split off as item {new}" in successes(at)
    assert [r.ref for r in the_desk.item(item).requests] == ["WQ1"]

    at.multiselect(key=f"desk_merge_{item}").set_value([new]).run()
    click(at, "Merge")
    assert_clean(at)
    assert [r.ref for r in the_desk.item(item).requests] == ["WQ1", "WQ2"]
    assert [r.id for r in the_desk.items()] == [item]
    assert [a.action for a in the_desk.audit(item)] == ["created", "split", "merged"]


# ---------------------------------------------------------------------------- exports, helpers


def test_exports_need_a_name_and_are_recorded(the_desk: Desk, petition_item: int) -> None:
    at = desk_page(petition_item, name=None)
    downloads = at.get("download_button")
    assert downloads and all(d.proto.disabled for d in downloads)
    assert any("Enter your name in the sidebar first" in c.value for c in at.caption)
    at = desk_page(petition_item)
    assert not any(d.proto.disabled for d in at.get("download_button"))


def test_the_diff_is_escaped_and_marked() -> None:
    shown = diff_html([("same", "Keep <b>this</b> "), ("removed", "old*"), ("added", "new_ [1]")])
    assert "<b>" not in shown and "&#60;b&#62;this" in shown
    assert '<del class="ym-del">old&#42;</del>' in shown and '<ins class="ym-ins">new&#95; &#91;1&#93;</ins>' in shown


def test_overdue_rows_say_so_in_words() -> None:
    from datetime import datetime

    def row(id: int, due: date | None, status: str) -> ItemRow:
        return ItemRow(id, "written_question", f"WQ{id}", status, None, due, [f"WQ{id}"], [], None, 0, datetime.now())

    frame = queue_frame([row(1, date(2024, 1, 1), "new"), row(2, date(2024, 1, 1), "approved"), row(3, None, "new")],
                        date(2024, 2, 1))  # fmt: skip
    assert list(frame["Overdue"]) == [OVERDUE, "", ""]
    assert list(frame["Version"]) == ["", "", ""]


# ---------------------------------------------------------------------------- sign-in

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "ymateb",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def signed_in_session(user: dict[str, Any], item: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = user
    at.query_params["item"] = str(item)
    at.switch_page("views/desk.py").run()
    assert_clean(at)
    return at


def test_with_login_configured_a_signed_in_user_acts_under_a_verified_name(the_desk: Desk, petition_item: int) -> None:
    at = signed_in_session(
        {"is_logged_in": True, "name": "Carys Lewis", "email": "carys@example.gov.uk"}, petition_item
    )
    assert not at.sidebar.text_input  # no name to type: the sign-in says who it is
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert any("Signed in as **Carys Lewis**" in c.value for c in at.sidebar.caption)
    keyed(at.text_area, f"desk_comment_{petition_item}_").set_value("Looks right.").run()
    click(at, "Add comment")
    assert_clean(at)
    entry = the_desk.audit(petition_item)[-1]
    assert (entry.action, entry.who, entry.verified) == ("commented", "Carys Lewis", True)


def test_with_login_configured_a_signed_out_user_is_asked_to_sign_in(the_desk: Desk, petition_item: int) -> None:
    at = signed_in_session({"is_logged_in": False}, petition_item)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]
    keyed(at.text_area, f"desk_comment_{petition_item}_").set_value("Looks right.").run()
    click(at, "Add comment")
    assert any("Sign in first" in w.value for w in at.warning)
    assert [a.action for a in the_desk.audit(petition_item)] == ["created"]
    click(at, "Sign in")  # a sign-in that cannot start (no Authlib here) is said in the sidebar, not raised
    assert not at.exception
    if importlib.util.find_spec("authlib") is None:
        assert any("Sign-in is not available" in e.value and "Authlib" in e.value for e in at.sidebar.error)


def test_without_login_the_typed_name_is_unverified(the_desk: Desk, petition_item: int) -> None:
    at = desk_page(petition_item, name="  Dai   Jones ")
    assert any("Not signed in: your name is recorded as typed, unverified" in c.value for c in at.sidebar.caption)
    assert at.query_params["who"] == "Dai Jones"
    keyed(at.text_area, f"desk_comment_{petition_item}_").set_value("Noted.").run()
    click(at, "Add comment")
    entry = the_desk.audit(petition_item)[-1]
    assert (entry.who, entry.verified) == ("Dai Jones", False)
