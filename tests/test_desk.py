"""The desk (rag/desk) on both of its databases: a SQLite file under tmp_path and a real PostgreSQL
(tests/postgres.py starts one per session; each test gets an empty database of its own).

The same tests run on both (`database_url` is parametrized, ids "sqlite" and "postgresql"); a few are
for one dialect only: a dropped PostgreSQL connection, a full SQLite disk.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from rag.assistant import Assistant
from rag.desk import db
from rag.desk.batch import draft_batch
from rag.desk.db import MIGRATIONS, migrate
from rag.desk.exports import TRACKER_COLUMNS, replies_zip, reply_name, tracker_csv
from rag.desk.models import Base, Request
from rag.desk.store import AUDIT_COLUMNS, Desk, Who, audit_csv, open_desk
from rag.drafting.backends.scripted import ScriptedBackend
from rag.drafting.intake import parse_request
from rag.errors import BackendError, ConfigError, InputError, StoreError
from rag.settings import load_settings
from rag.text.diff import changed_words, word_diff
from rag.types import Citation, Draft, DraftRequest, DraftWarning, Incoming
from tests.conftest import PETITION
from tests.postgres import PostgresServer

ALICE = Who("Alice Jones", verified=True)  # signed in
BOB = Who("Bob")  # a typed name
DIGEST = "d" * 64


# ---------------------------------------------------------------------------- fixtures and makers


@pytest.fixture(
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.server)]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def desk(database_url: str) -> Iterator[Desk]:
    opened = Desk(database_url)
    yield opened
    opened.close()


def wq(ref: str, due: str | None = None, member: str | None = "Ann Smith", text: str = "") -> Incoming:
    question = text or (
        "To ask the Deputy Minister, whether she will place Cardiff Children's Services into special measures "
        f"and conduct an independent review ({ref})."
    )
    return Incoming(id=ref, kind="written_question", text=question, member=member, tabled="2026-11-20", due=due)


def petition() -> Incoming:
    return Incoming(
        id="P-06-1199", kind="petition", text=PETITION, title="Place Cardiff Children's Services into special measures"
    )


def made_draft(body: str, refs: tuple[str, ...] = (), warnings: tuple[str, ...] = (), wq_number: str = "1001") -> Draft:
    """A hand-made reply citing `refs` (one citation each) with open warnings of these codes."""
    citations = [
        Citation(
            n=i,
            doc_id=f"doc-{i}",
            chunk_id=f"doc-{i}:abcd1234:0",
            ref=ref,
            date="2024-01-10",
            author="A Minister",
            quote="q",
        )
        for i, ref in enumerate(refs, 1)
    ]
    request = DraftRequest(text="To ask ...", kind="written_question", ask="What support?", wq_number=wq_number)
    return Draft(
        kind="written_question",
        backend="hand",
        text=f"Answer:\n\n{body}",
        body=body,
        citations=citations,
        warnings=[DraftWarning(code, f"Check this: {code}") for code in warnings],
        request=request,
    )


@pytest.fixture
def petition_draft(fast_seeded: Assistant) -> Draft:
    """A real reply (offline backend over the five seeds): citations, passages, an assessment."""
    draft = fast_seeded.draft(parse_request(PETITION))
    assert draft.citations and draft.passages
    return draft


def refs_of(desk: Desk, item_id: int) -> list[str]:
    return [r.ref for r in desk.item(item_id).requests]


# ---------------------------------------------------------------------------- migrations


def test_the_migrated_schema_matches_the_models(desk: Desk) -> None:
    with desk.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_opening_again_changes_nothing_and_the_database_is_at_head(desk: Desk, database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))
    migrate(engine)
    assert not [s for s in statements if re.match(r"\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)", s, re.I)]
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    engine.dispose()
    Desk(database_url).close()  # and a second desk on it opens as the first did


# ---------------------------------------------------------------------------- an item's life


def test_an_items_versions_are_kept_and_round_trip(desk: Desk, petition_draft: Draft) -> None:
    item = desk.add_item([petition()], ALICE)
    assert desk.item(item).row.status == "new"
    assert desk.save_version(item, petition_draft, ALICE) == 1
    assert desk.item(item).row.status == "drafted"
    edited = replace(petition_draft, text=petition_draft.text.replace("Dear Jack", "Dear Mr Sargeant"))
    assert desk.save_version(item, edited, BOB, origin="edited", based_on=1) == 2
    assert desk.restore(item, 1, ALICE) == 3

    versions = desk.item(item).versions
    assert [(v.n, v.origin, v.based_on, v.created_by) for v in versions] == [
        (1, "drafted", None, ALICE.name),
        (2, "edited", 1, BOB.name),
        (3, "restored", 1, ALICE.name),
    ]
    assert versions[0].draft == petition_draft
    assert versions[1].draft == edited and "Dear Mr Sargeant" in versions[1].text
    assert versions[2].text == petition_draft.text and versions[2].draft == petition_draft
    assert versions[2].warnings == len(petition_draft.warnings)


def test_drafting_again_adds_a_version_and_never_overwrites(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    bodies = [f"Reply number {i}." for i in range(1, 5)]
    assert [desk.save_version(item, made_draft(b), ALICE) for b in bodies] == [1, 2, 3, 4]
    assert [(v.n, v.draft.body) for v in desk.item(item).versions] == list(enumerate(bodies, 1))
    assert desk.save_version(item, made_draft("Batch rerun."), ALICE, first_only=True) is None
    assert len(desk.item(item).versions) == 4
    with pytest.raises(InputError, match="has no version 9"):
        desk.restore(item, 9, ALICE)


# ---------------------------------------------------------------------------- review


def test_approving_needs_a_version_and_a_note_while_warnings_are_open(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    for status in ("approved", "answered"):
        with pytest.raises(InputError, match=f"no draft yet: draft it before it is {status}"):
            desk.set_status(item, status, ALICE)
    desk.save_version(item, made_draft("The fund opened in 2021 [1].", ("WQ 1",), ("stale",)), ALICE)
    with pytest.raises(InputError, match=r"newest version \(v1\) has 1 open point\(s\) to check: .* add a note"):
        desk.set_status(item, "approved", ALICE)
    assert desk.item(item).row.status == "drafted"

    desk.set_status(item, "approved", ALICE, note="  The figure is checked with the analysts.  ")
    view = desk.item(item)
    assert view.row.status == "approved"
    assert [(c.text, c.created_by) for c in view.comments] == [("The figure is checked with the analysts.", ALICE.name)]
    assert desk.audit(item)[-1].detail == {
        "status": ["drafted", "approved"],
        "note": "The figure is checked with the analysts.",
    }


def test_approving_a_version_without_warnings_needs_no_note(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    desk.save_version(item, made_draft("All checked [1].", ("WQ 1",)), ALICE)
    desk.set_status(item, "approved", ALICE)
    assert desk.item(item).row.status == "approved" and desk.item(item).comments == []


def test_new_text_on_an_approved_reply_sends_it_back_to_review(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    desk.save_version(item, made_draft("Councils are inspected [1].", ("P-06-1199",)), ALICE)
    desk.set_status(item, "approved", ALICE)
    n = desk.save_version(item, made_draft("Councils are inspected each year [1].", ("P-06-1199",)), BOB, "edited", 1)
    assert desk.item(item).row.status == "in review"
    assert desk.audit(item)[-1].detail["status"] == ["approved", "in review"] and desk.audit(item)[-1].version == n


def test_an_unknown_status_is_refused_with_the_known_ones(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    with pytest.raises(
        InputError, match="Unknown status 'done': use one of new, drafted, in review, approved, answered"
    ):
        desk.set_status(item, "done", ALICE)


# ---------------------------------------------------------------------------- assign, due, comment, split, merge


def test_assign_due_and_comment(desk: Desk) -> None:
    item = desk.add_item([wq("1001", due="2026-12-10")], ALICE)
    desk.assign(item, "  Ceri  ", ALICE)
    desk.set_due(item, "2026-12-04", ALICE)
    desk.comment(item, "Ask the policy team about Wales.", BOB)
    row = desk.item(item).row
    assert (row.assignee, row.due) == ("Ceri", date(2026, 12, 4))
    assert desk.assignees() == ["Ceri"]
    assert [c.text for c in desk.item(item).comments] == ["Ask the policy team about Wales."]
    with pytest.raises(InputError, match="comment is empty"):
        desk.comment(item, "   ", BOB)
    desk.assign(item, "", ALICE)
    assert desk.item(item).row.assignee is None


def test_split_and_merge_keep_every_request_exactly_once(desk: Desk) -> None:
    a = desk.add_item([wq("1001", due="2026-12-10"), wq("1002"), wq("1003", due="2026-12-12")], ALICE)
    ids = [r.id for r in desk.item(a).requests]
    for wrong in ([], ids, [999_999]):
        with pytest.raises(InputError, match="some, not all"):
            desk.split(a, wrong, ALICE)
    b = desk.split(a, [ids[1]], ALICE)
    assert (refs_of(desk, a), refs_of(desk, b)) == (["1001", "1003"], ["1002"])
    assert desk.item(b).row.title.startswith("1002: ") and "(+" not in desk.item(a).row.title.split(":")[0]

    c = desk.add_item([wq("1004", due="2026-12-01")], ALICE)
    with pytest.raises(InputError, match="at least one other item"):
        desk.merge(a, [a], ALICE)
    desk.merge(a, [b, c, b], ALICE)
    assert sorted(refs_of(desk, a)) == ["1001", "1002", "1003", "1004"]
    assert [row.id for row in desk.items()] == [a]  # the merged items left the queue
    assert desk.item(a).row.due == date(2026, 12, 1)  # the earliest of the merged
    with pytest.raises(InputError, match=f"no item {b} on the desk \\(merged into item {a}\\)"):
        desk.item(b)
    with desk.engine.connect() as conn:  # stored once each, all on the surviving item
        assert sorted(conn.execute(select(Request.ref, Request.item_id)).all()) == [
            (r, a) for r in ("1001", "1002", "1003", "1004")
        ]


# ---------------------------------------------------------------------------- the queue


def test_the_queue_filters_and_sorts(desk: Desk) -> None:
    x = desk.add_item([wq("1001", due="2026-12-03")], ALICE)
    y = desk.add_item([wq("1002")], ALICE)
    z = desk.add_item([wq("1003", due="2026-11-30")], ALICE)
    desk.assign(x, "bethan", ALICE)
    desk.assign(z, "Aled", ALICE)
    desk.set_status(y, "in review", ALICE)
    desk.save_version(z, made_draft("Done."), ALICE)

    def ids(**kw: Any) -> list[int]:
        return [row.id for row in desk.items(**kw)]

    assert ids() == [z, x, y]  # by due date, none last
    assert ids(sort="status") == [x, z, y]  # new, drafted, in review
    assert ids(sort="assignee") == [z, x, y]  # Aled, bethan (any case), nobody last
    assert ids(statuses=["in review", "drafted"]) == [z, y]
    assert ids(assignee="bethan") == [x]
    today = date(2026, 12, 1)
    assert [row.id for row in desk.items() if row.overdue(today)] == [z]
    desk.set_status(z, "approved", ALICE)
    assert [row.id for row in desk.items() if row.overdue(today)] == []  # approved is no longer overdue
    assert desk.items(sort="due")[0].version == 1


# ---------------------------------------------------------------------------- the audit trail


def test_every_action_is_audited_with_who_version_and_sources(desk: Desk) -> None:
    desk.add_batch("day.csv", DIGEST, [[wq("2001")], [wq("2002")]], BOB)
    item = desk.add_item([wq("1001"), wq("1002")], ALICE)
    desk.save_version(item, made_draft("First [1].", ("P-06-1199",)), ALICE)
    desk.save_version(item, made_draft("Edited [1][2].", ("WQ 11", "WQ 12")), BOB, origin="edited", based_on=1)
    desk.restore(item, 1, ALICE)
    desk.set_status(item, "in review", ALICE)
    desk.assign(item, "Ceri", ALICE)
    desk.set_due(item, date(2026, 12, 9), BOB)
    desk.comment(item, "Looks right.", BOB)
    split_off = desk.split(item, [desk.item(item).requests[1].id], ALICE)
    desk.merge(item, [split_off], ALICE)
    desk.record(ALICE, "exported", item, file="replies.zip")

    trail = desk.audit()
    intake = ["created", "created", "batch"]
    life = ["created", "drafted", "edited", "restored", "status", "assigned", "due", "commented"]
    groups = ["split", "created", "merged", "merged"]
    assert [a.action for a in trail] == intake + life + groups + ["exported"]
    by_action = {a.action: a for a in trail if a.item_id == item}
    assert all(a.who == ALICE.name and a.verified for a in trail if a.action in ("drafted", "restored", "split"))
    assert all(a.who == BOB.name and not a.verified for a in trail if a.action in ("batch", "edited", "due"))
    assert [(by_action[a].version, by_action[a].sources) for a in ("drafted", "edited", "restored", "status")] == [
        (1, ["P-06-1199"]),
        (2, ["WQ 11", "WQ 12"]),
        (3, ["P-06-1199"]),
        (3, ["P-06-1199"]),
    ]
    assert by_action["edited"].detail["based_on"] == 1 and by_action["restored"].detail["based_on"] == 1
    assert by_action["drafted"].detail == {"warnings": [], "status": ["new", "drafted"]}
    assert by_action["status"].detail == {"status": ["drafted", "in review"]}
    assert by_action["assigned"].detail == {"assignee": [None, "Ceri"]}
    assert by_action["due"].detail == {"due": [None, "2026-12-09"]}
    assert by_action["split"].detail == {"requests": ["1002"], "into": split_off}
    assert by_action["exported"].detail == {"file": "replies.zip"}
    assert trail[2].detail == {"name": "day.csv", "requests": 2, "items": 2, "grouped": 0}
    assert [a.action for a in desk.audit(split_off)] == ["created", "merged"]


@pytest.mark.parametrize("sql", ["UPDATE audit SET who = 'Mallory'", "DELETE FROM audit"], ids=["update", "delete"])
def test_the_database_refuses_to_change_the_audit_trail(desk: Desk, sql: str) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    desk.comment(item, "Noted.", ALICE)
    before = desk.audit()
    with pytest.raises(DBAPIError, match="the audit trail is append-only"), desk.engine.begin() as conn:
        conn.execute(text(sql))
    assert desk.audit() == before


def test_the_audit_csv_has_a_row_per_entry_and_survives_awkward_details(desk: Desk) -> None:
    item = desk.add_item([wq("1001")], BOB)
    awkward = 'She said, "not yet";\nthen: ask again, later'
    desk.comment(item, awkward, ALICE)
    trail = desk.audit()
    rows = list(csv.reader(io.StringIO(audit_csv(trail))))
    assert rows[0] == list(AUDIT_COLUMNS)
    assert len(rows) == 1 + len(trail) == 3
    assert [r[1:6] for r in rows[1:]] == [
        ["Bob", "no", "created", str(item), ""],
        ["Alice Jones", "yes", "commented", str(item), ""],
    ]
    assert json.loads(rows[2][6]) == {"text": awkward}


# ---------------------------------------------------------------------------- concurrency and persistence


def test_two_desks_saving_at_once_get_consecutive_numbers_and_lose_nothing(desk: Desk, database_url: str) -> None:
    item = desk.add_item([wq("1001")], ALICE)
    other = Desk(database_url)

    def save_ten(on: Desk, who: str) -> list[int | None]:
        return [on.save_version(item, made_draft(f"{who} {i}"), Who(who)) for i in range(10)]

    try:
        with ThreadPoolExecutor(2) as pool:
            numbers = [n for run in pool.map(save_ten, [desk, other], ["one", "two"]) for n in run]
    finally:
        other.close()
    assert sorted(numbers) == list(range(1, 21))  # type: ignore[type-var]
    versions = desk.item(item).versions
    assert [v.n for v in versions] == list(range(1, 21))
    assert sorted(v.draft.body for v in versions) == sorted(f"{w} {i}" for w in ("one", "two") for i in range(10))
    assert sorted(a.version for a in desk.audit(item) if a.action == "drafted") == list(range(1, 21))  # type: ignore[type-var]


def test_a_second_desk_on_the_same_database_sees_everything(desk: Desk, database_url: str) -> None:
    item = desk.add_item([wq("1001", due="2026-12-01")], ALICE)
    desk.save_version(item, made_draft("Saved [1].", ("WQ 1",), ("stale",)), ALICE)
    desk.assign(item, "Ceri", ALICE)
    desk.comment(item, "Kept.", BOB)
    again = Desk(database_url)
    try:
        assert again.item(item) == desk.item(item)
        assert again.audit() == desk.audit()
        assert again.items() == desk.items()
    finally:
        again.close()


@pytest.mark.server
def test_postgresql_a_dropped_connection_loses_no_action(postgres_server: PostgresServer, postgres_url: str) -> None:
    desk = Desk(postgres_url)
    try:
        item = desk.add_item([wq("1001")], ALICE)  # leaves a connection in the pool
        database = make_url(postgres_url).database
        killed = postgres_server.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
        assert killed and all(ok for (ok,) in killed)
        desk.comment(item, "After the drop.", ALICE)
        assert [c.text for c in desk.item(item).comments] == ["After the drop."]
    finally:
        desk.close()


def test_sqlite_a_full_disk_is_a_store_error_and_nothing_is_half_written(tmp_path: Path) -> None:
    """SQLite's max_page_count caps the file at its present size, as a full disk would: the next
    write that needs a new page fails with SQLITE_FULL ("database or disk is full")."""
    desk = Desk(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    try:
        item = desk.add_item([wq("1001")], ALICE)
        with desk.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        event.listen(desk.engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
        desk.engine.dispose()  # every connection from now on has the cap
        before = (desk.items(), desk.audit(), desk.item(item))
        big = "A long question. " * 20_000
        with pytest.raises(StoreError, match="^The desk's database could not be written: database or disk is full$"):
            desk.add_item([wq("1002", text=big)], ALICE)
        with pytest.raises(StoreError, match="database or disk is full"):
            desk.save_version(item, made_draft(big), ALICE)
        assert (desk.items(), desk.audit(), desk.item(item)) == before
    finally:
        desk.close()


# ---------------------------------------------------------------------------- batches


def test_a_batch_added_twice_adds_nothing_the_second_time(desk: Desk) -> None:
    groups = [[wq("3001"), wq("3002")], [wq("3003")], [petition()]]
    batch, new = desk.add_batch("day.csv", DIGEST, groups, ALICE)
    assert new
    assert desk.add_batch("day (again).csv", DIGEST, groups, BOB) == (batch, False)
    assert [row.refs for row in desk.items(batch_id=batch)] == [["3001", "3002"], ["3003"], ["P-06-1199"]]
    assert [a.action for a in desk.audit()].count("batch") == 1
    assert desk.batches()[0][:2] == (batch, "day.csv")


def test_a_batch_run_that_fails_halfway_resumes_with_what_is_left(
    desk: Desk, scripted_seeded: Assistant, scripted: ScriptedBackend
) -> None:
    groups = [[wq("3001"), wq("3002")], [wq("3003")], [wq("3004")], [petition()]]
    batch, _ = desk.add_batch("day.csv", DIGEST, groups, ALICE)
    scripted.enqueue("Councils are inspected [1].", "Safeguarding boards exist [1].")  # then it fails
    with pytest.raises(BackendError, match="no reply left"):
        draft_batch(scripted_seeded, desk, batch, ALICE)
    items = [row.id for row in desk.items(batch_id=batch)]
    assert desk.undrafted(batch) == items[2:]

    scripted.enqueue("A third reply [1].", "A fourth reply [1].")
    run = draft_batch(scripted_seeded, desk, batch, ALICE)
    assert (run.drafted, run.already, run.questions) == (2, 2, 2)
    assert desk.undrafted(batch) == [] and scripted.pending == 0
    for item in items:
        assert [(v.n, v.origin) for v in desk.item(item).versions] == [(1, "drafted")]
        assert [a.action for a in desk.audit(item)].count("drafted") == 1
    assert draft_batch(scripted_seeded, desk, batch, ALICE).drafted == 0  # a third run has nothing to do
    first_request = scripted.history[0][0]  # the group of two was asked as one, both UINs named
    assert first_request.wq_number == "3001, 3002"


# ---------------------------------------------------------------------------- exports


def test_the_tracker_has_a_row_per_request_and_the_zip_a_reply_per_drafted_item(desk: Desk) -> None:
    grouped = desk.add_item([wq("4001", member="Ann Smith"), wq("4002", member="Huw Evans")], ALICE)
    desk.save_version(
        grouped, made_draft("Grouped reply [1][2].", ("P-06-1199", "WQ 12"), ("stale",), "4001, 4002"), ALICE
    )
    desk.assign(grouped, "Ceri", ALICE)
    edited = desk.add_item([wq("4003")], ALICE)
    desk.save_version(edited, made_draft("The first wording.", wq_number="4003"), ALICE)
    desk.save_version(
        edited, made_draft("The edited wording, as sent.", wq_number="4003"), BOB, origin="edited", based_on=1
    )
    desk.add_item([wq("4004")], ALICE)  # not drafted yet
    views = [desk.item(row.id) for row in desk.items()]

    rows = list(csv.DictReader(io.StringIO(tracker_csv(views))))
    assert list(rows[0]) == list(TRACKER_COLUMNS)
    by_ref = {r["reference"]: r for r in rows}
    assert sorted(by_ref) == ["4001", "4002", "4003", "4004"] and len(rows) == 4
    assert {k: by_ref["4002"][k] for k in ("member", "status", "assignee", "group_size", "version", "sources")} == {
        "member": "Huw Evans",
        "status": "drafted",
        "assignee": "Ceri",
        "group_size": "2",
        "version": "1",
        "sources": "P-06-1199; WQ 12",
    }
    assert "Check this: stale" in by_ref["4001"]["warnings"]
    assert (by_ref["4003"]["version"], by_ref["4004"]["status"], by_ref["4004"]["reply_file"]) == ("2", "new", "")

    archive = zipfile.ZipFile(io.BytesIO(replies_zip(views)))
    names = {reply_name(desk.item(i)) for i in (grouped, edited)}
    assert set(archive.namelist()) == names | {"tracker.csv"}
    assert archive.read("tracker.csv").decode() == tracker_csv(views)

    def paragraphs(item: int) -> str:
        name = reply_name(desk.item(item))
        assert name
        return "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(name))).paragraphs)

    assert "Grouped reply [1][2]." in paragraphs(grouped)
    assert "The edited wording, as sent." in paragraphs(edited) and "The first wording." not in paragraphs(edited)


# ---------------------------------------------------------------------------- word diff


@pytest.mark.parametrize(
    ("old", "new", "pieces"),
    [
        ("The fund opened.", "The fund opened.", [("same", "The fund opened.")]),
        ("a c", "a b c", [("same", "a "), ("added", "b "), ("same", "c")]),
        ("a b c", "a c", [("same", "a "), ("removed", "b "), ("same", "c")]),
        (
            "The fund opened in 2021.",
            "The fund opens in 2024.",
            [
                ("same", "The fund "),
                ("removed", "opened"),
                ("added", "opens"),
                ("same", " in "),
                ("removed", "2021."),
                ("added", "2024."),
            ],
        ),
        ("a  b\nc", "a  b\n\nd", [("same", "a  b"), ("removed", "\nc"), ("added", "\n\nd")]),
        (
            "It found an inquiry.",
            "It found a review.",
            [("same", "It found "), ("removed", "an inquiry."), ("added", "a review.")],
        ),  # fmt: skip
        ("", "New words.", [("added", "New words.")]),
        ("Old words.", "", [("removed", "Old words.")]),
        ("", "", []),
    ],
    ids=["same", "insert", "delete", "replace", "whitespace-kept", "phrase", "from-nothing", "to-nothing", "empty"],
)
def test_word_diff(old: str, new: str, pieces: list[tuple[str, str]]) -> None:
    assert word_diff(old, new) == pieces


def test_changed_words_counts_removed_and_added_words() -> None:
    assert changed_words(word_diff("The fund opened in 2021.", "The new fund opens in 2024.")) == (2, 3)


_words = st.lists(
    st.sampled_from(["the", "fund", "opened", "in", "2021.", "Wales", "[1]", " ", "  ", "\n", "\t"]), max_size=30
)


@settings(max_examples=200, deadline=None)
@given(old=_words.map("".join), new=_words.map("".join))
def test_word_diff_rebuilds_both_texts(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "removed") == new
    assert "".join(t for op, t in pieces if op != "added") == old
    assert all(t for _, t in pieces) and all(a[0] != b[0] for a, b in zip(pieces, pieces[1:]))


# ---------------------------------------------------------------------------- settings


def test_a_bad_database_url_is_a_one_line_config_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_DATABASE_URL", "foo://")
    with pytest.raises(ConfigError, match="YMATEB_DATABASE_URL") as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_without_a_database_url_the_desk_is_a_sqlite_file_in_the_store(tmp_path: Path) -> None:
    settings = load_settings(store=tmp_path / "store")
    assert db.database_url(settings) == f"sqlite:///{(tmp_path / 'store' / 'desk.sqlite3').resolve()}"
    desk = open_desk(settings)
    try:
        desk.add_item([wq("1001")], ALICE)
        assert (tmp_path / "store" / "desk.sqlite3").is_file()
        with desk.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Request)) == 1
    finally:
        desk.close()


def test_a_database_nobody_answers_is_one_line_naming_it_without_the_password() -> None:
    import socket

    with socket.socket() as s:  # a loopback port with nothing listening on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://ymateb:s3cret@127.0.0.1:{port}/ymateb?connect_timeout=5"
    with pytest.raises(StoreError) as caught:
        Desk(url)
    message = str(caught.value)
    assert message.startswith("Cannot open the desk's database postgresql+psycopg://***@127.0.0.1")
    assert "s3cret" not in message and "\n" not in message and "refused" in message.lower()


# ---------------------------------------------------------------------------- what a sync brings


def test_offered_requests_are_added_once_known_by_source_or_by_uin_and_day(desk: Desk) -> None:
    listed = replace(wq("9001"), source="wq-2026-11-20.csv:2")
    desk.add_item([listed], BOB)
    official = [
        replace(
            wq("9001"), source="https://questions-statements.parliament.uk/written-questions/detail/2026-11-20/9001"
        ),
        replace(
            wq("9002"), source="https://questions-statements.parliament.uk/written-questions/detail/2026-11-20/9002"
        ),
        replace(wq("9002", member="Someone Else"), tabled="2025-11-20", source="https://example/2025/9002"),
    ]
    first = desk.offer(official, BOB)
    assert len(first) == 2  # 9001 was already there from the file; 9002 of last year is another question
    assert desk.offer(official, BOB) == []
    assert sorted((r.ref, str(r.tabled)) for i in desk.items() for r in desk.item(i.id).requests) == [
        ("9001", "2026-11-20"), ("9002", "2025-11-20"), ("9002", "2026-11-20"),
    ]  # fmt: skip


def test_sync_runs_record_their_counts_and_the_cursor_of_the_last_finished_run(desk: Desk) -> None:
    base = "https://questions-statements-api.parliament.uk"
    done = desk.start_sync("parliament-wq", base, "2026-11-01")
    desk.finish_sync(done, {"new": 3, "queued": 2}, cursor="2026-11-08")
    failed = desk.start_sync("parliament-wq", base, "2026-11-07")
    desk.finish_sync(failed, {"new": 1}, cursor="2026-11-15", error="host kept failing: HTTP 503")
    desk.start_sync("parliament-wq", base, "2026-11-07")  # killed: never finished
    assert desk.sync_cursor("parliament-wq", base) == "2026-11-08"
    assert desk.sync_cursor("parliament-wq", "http://127.0.0.1:9") is None  # another address, its own cursor
    running, broken, ok = desk.sync_runs("parliament-wq")
    assert (running.status, running.finished_at) == ("running", None)
    assert (broken.status, broken.cursor, broken.error) == ("failed", None, "host kept failing: HTTP 503")
    assert (ok.status, ok.counts, ok.since) == ("done", {"new": 3, "queued": 2}, "2026-11-01")
    assert desk.sync_runs("uk-petitions") == []
