"""Keeping the corpus current: `ymateb sync` against a loopback replay of the official APIs
(tests/sources_replay.py, fixtures in tests/fixtures/sources/). Nothing here reaches the internet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from rag.assistant import Assistant
from rag.cli import main
from rag.desk.store import Desk, Who
from rag.drafting.intake import parse_request
from rag.errors import InputError, SourceError, StoreError
from rag.ingest.sources import load_paths
from rag.sources.http import Fetcher
from rag.sources.sync import SyncSummary, sync_source
from rag.types import Incoming

from .conftest import SEEDS, fast_assistant_at, make_assistant
from .sources_replay import LIST, Fault, Replay

SINCE = date(2024, 1, 1)
DFE = "60"  # the Department for Education's answering body id in the API
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def replay() -> Iterator[Replay]:
    with Replay() as r:
        yield r


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    d = Desk(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    yield d
    d.close()


def waits() -> tuple[list[float], Fetcher]:
    """A fetcher that records each wait instead of waiting (and does not pace: rate 0)."""
    slept: list[float] = []
    return slept, Fetcher("http://unused", rate=0, sleep=slept.append)


def run(
    replay: Replay, assistant: Assistant, desk: Desk | None, source: str = "parliament-wq", **kw: object
) -> SyncSummary:
    kw.setdefault("since", SINCE)
    if source == "parliament-wq":
        kw.setdefault("body", DFE)
    fetcher = kw.pop("fetcher", None) or Fetcher(replay.url, rate=0, sleep=lambda s: None)
    return sync_source(source, assistant, desk, base_url=replay.url, fetcher=fetcher, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- written questions


def test_a_first_sync_ingests_the_answered_questions_with_their_metadata(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    summary = run(replay, fast_assistant, desk)
    assert sorted(fast_assistant.store.doc_hashes()) == ["UKWQ-1679416", "UKWQ-1679703", "UKWQ-1679800"]
    assert (summary.new, summary.updated, summary.superseded, summary.queued) == (3, 0, 0, 2)
    doc = fast_assistant.get_document("UKWQ-1679416")
    assert doc is not None
    m = doc.meta
    assert (m.kind, m.ref, m.refs, m.tabled, m.answered, m.date) == (
        "written_question", "7926", ["7926"], "2024-01-05", "2024-01-10", "2024-01-10",
    )  # fmt: skip
    assert (m.asked_by, m.author, m.answering_body, m.title) == (
        "Emma Hardy", "Robert Halfon", "Department for Education", "Apprentices: Flexible Working",
    )  # fmt: skip
    assert m.asked_of == "Secretary of State for Education"
    assert m.source_url == "https://questions-statements.parliament.uk/written-questions/detail/2024-01-05/7926"
    assert m.grouped_with == "7927"
    assert m.attachments == (
        "FJAA register starts <https://questions-statements.parliament.uk/api/Attachment/1679416/fjaa-register.xlsx>"
    )
    assert m.status is None
    assert doc.text[m.answer_start :].startswith("Flexi-job apprenticeship agencies (FJAAs) were introduced")


def test_an_html_answer_becomes_text_with_its_paragraphs_and_table_rows(
    replay: Replay, fast_assistant: Assistant
) -> None:
    run(replay, fast_assistant, None)
    doc = fast_assistant.get_document("UKWQ-1679416")
    assert doc is not None
    reply = doc.text[doc.meta.answer_start :]
    assert "<" not in reply
    assert reply.split("\n\n") == [
        "Flexi-job apprenticeship agencies (FJAAs) were introduced in 2022 to support apprenticeships in "
        "sectors with short-term roles.",
        "The table below shows starts and completions through the register:",
        "Year | Starts | Completions",
        "2022/23 | 1,190 | 80",
        "The department will publish further figures in due course.",
    ]


def test_a_text_the_list_cut_short_is_read_whole_from_the_question_itself(
    replay: Replay, fast_assistant: Assistant
) -> None:
    run(replay, fast_assistant, None)
    assert f"{LIST}/1679703" in replay.paths()  # only the truncated one is fetched on its own
    assert [p for p in replay.paths() if p.startswith(LIST + "/")] == [f"{LIST}/1679703"]
    doc = fast_assistant.get_document("UKWQ-1679703")
    assert doc is not None
    assert "..." not in doc.text
    assert doc.text[doc.meta.answer_start :].split("\n\n") == [  # markup, entities, a list, a line break
        "The department published Championing Kinship Care, the national kinship care strategy, which sets out "
        "a financial allowance pilot for kinship carers in eight local authorities.",
        "Kinship carers will also be able to access:",
        "free training & peer support groups in every local authority in England from April;",
        "a virtual school head's support for children in kinship care.",
        "The strategy is backed by £20 million of new funding.\nFurther details are on GOV.UK.",
    ]


def test_what_a_sync_sends_user_agent_filters_and_paging(replay: Replay, fast_assistant: Assistant) -> None:
    run(replay, fast_assistant, None)
    lists = [s for s in replay.requests if s.path == LIST]
    assert all(s.headers["User-Agent"].startswith("Ymateb/") for s in replay.requests)
    assert all(s.query["answeringBodies"] == DFE and s.query["expandMember"] == "true" for s in lists)
    answered = [s.query["skip"] for s in lists if "answeredWhenFrom" in s.query]
    assert answered == ["0", "2"]  # two pages of two: the replay pages as the API does, by skip
    assert {s.query.get("answeredWhenFrom") or s.query.get("correctedWhenFrom") or s.query["tabledWhenFrom"]
            for s in lists} == {"2024-01-01"}  # fmt: skip


def test_a_body_given_by_name_is_matched_on_each_record(replay: Replay, fast_assistant: Assistant) -> None:
    summary = run(replay, fast_assistant, None, body="department of health")
    assert sorted(fast_assistant.store.doc_hashes()) == ["UKWQ-1679950"]
    assert not any("answeringBodies" in s.query for s in replay.requests)
    assert summary.waiting == []  # the unanswered ones are all the DfE's


def test_a_withdrawn_question_is_neither_ingested_nor_put_on_the_desk(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    summary = run(replay, fast_assistant, desk)
    assert [s.reason for s in summary.skipped] == ["withdrawn by the member; not ingested"]
    assert summary.skipped[0].source.endswith("/2024-01-15/9003")
    assert sorted(r.ref for i in desk.items() for r in desk.item(i.id).requests) == ["9001", "9002"]


def test_a_second_sync_changes_nothing(replay: Replay, fast_assistant: Assistant, desk: Desk) -> None:
    run(replay, fast_assistant, desk)
    hashes, items = fast_assistant.store.doc_hashes(), [i.id for i in desk.items()]
    sent = len(replay.requests)
    again = run(replay, fast_assistant, desk)
    assert (again.new, again.updated, again.superseded, again.unchanged, again.queued) == (0, 0, 0, 3, 0)
    # only the listings: the question the list cut short is held as it is, so not fetched whole again
    assert all(s.path == LIST for s in replay.requests[sent:]) and again.requests == 5
    assert fast_assistant.store.doc_hashes() == hashes
    assert [i.id for i in desk.items()] == items


def test_a_correction_replaces_the_answer_and_keeps_the_original_as_superseded(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    run(replay, fast_assistant, desk)
    replay.publish_correction()
    summary = run(replay, fast_assistant, desk)
    assert (summary.new, summary.updated, summary.superseded, summary.unchanged) == (0, 1, 1, 2)
    corrected = fast_assistant.get_document("UKWQ-1679416")
    original = fast_assistant.get_document("UKWQ-1679416-original")
    assert corrected is not None and original is not None
    assert "2022/23 | 1,910 | 80" in corrected.text and corrected.meta.status is None
    assert "2022/23 | 1,190 | 80" in original.text
    assert (original.meta.status, original.meta.superseded_by, original.meta.ref) == (
        "superseded", "UKWQ-1679416", "7926",
    )  # fmt: skip


def test_holding_and_superseded_answers_are_never_drafted_from(replay: Replay, assistant: Assistant) -> None:
    """The real pipeline (MiniLM, Chroma, the offline drafter): each question asked again word for word."""
    run(replay, assistant, None)
    replay.publish_correction()
    run(replay, assistant, None)
    holding = assistant.get_document("UKWQ-1679800")
    assert holding is not None and holding.meta.status == "holding"
    cited = assistant.draft(parse_request(holding.text[: holding.meta.answer_start].strip()))
    assert "UKWQ-1679800" not in {c.doc_id for c in cited.citations}
    assert "UKWQ-1679800" not in {p.doc_id for p in cited.passages}
    flexi = assistant.get_document("UKWQ-1679416")
    assert flexi is not None
    reply = assistant.draft(parse_request(flexi.text[: flexi.meta.answer_start].strip()))
    rested_on = {p.doc_id for p in reply.passages}
    assert "UKWQ-1679416" in rested_on  # the corrected answer is the line
    assert "UKWQ-1679416-original" not in rested_on
    found = {p.doc_id for p in assistant.search("flexi-job apprenticeship agencies starts completions", k=10)}
    assert "UKWQ-1679416-original" in found  # kept, and a clerk searching finds it


def test_unanswered_questions_are_offered_to_the_desk_once(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    # one of them was imported from the day's list file before the sync ran
    desk.add_item([Incoming(id="9001", kind="written_question", text="To ask ...", tabled="2024-01-15",
                            source="wq-2024-01-15.csv:2")], Who("Ann"))  # fmt: skip
    summary = run(replay, fast_assistant, desk)
    assert [w.id for w in summary.waiting] == ["9001", "9002"]
    assert summary.queued == 1
    (offered,) = [desk.item(i.id) for i in desk.items() if desk.item(i.id).requests[0].source.startswith("https://")]
    r = offered.requests[0]
    assert (r.ref, r.kind, r.member, r.tabled, r.due, r.asked_of, r.title) == (
        "9002", "written_question", "Ruth Jones", date(2024, 1, 15), date(2024, 1, 22),
        "Department for Education", "Kinship Care: Statistics",
    )  # fmt: skip
    assert offered.row.status == "new"
    assert [a.who for a in desk.audit(offered.row.id)] == ["ymateb sync"]


def test_without_a_body_nothing_unanswered_is_read(replay: Replay, fast_assistant: Assistant, desk: Desk) -> None:
    summary = sync_source(
        "parliament-wq", fast_assistant, desk, since=SINCE, base_url=replay.url,
        fetcher=Fetcher(replay.url, rate=0, sleep=lambda s: None),
    )  # fmt: skip
    assert summary.waiting == [] and desk.items() == []
    assert not any(s.query.get("answered") == "Unanswered" for s in replay.requests)


def test_the_cursor_moves_only_when_a_run_finishes(replay: Replay, fast_assistant: Assistant, desk: Desk) -> None:
    first = sync_source("parliament-wq", fast_assistant, desk, base_url=replay.url, body=DFE, today=date(2024, 1, 20),
                        fetcher=Fetcher(replay.url, rate=0, sleep=lambda s: None))  # fmt: skip
    assert (first.since, first.cursor) == ("2024-01-13", "2024-01-20")  # a first run reads a week back
    replay.faults[LIST] = [Fault(200, b"{not json")]
    with pytest.raises(SourceError):
        sync_source("parliament-wq", fast_assistant, desk, base_url=replay.url, body=DFE, today=date(2024, 1, 27),
                    fetcher=Fetcher(replay.url, rate=0, sleep=lambda s: None))  # fmt: skip
    assert desk.sync_cursor("parliament-wq", replay.url) == "2024-01-20"
    later = sync_source("parliament-wq", fast_assistant, desk, base_url=replay.url, body=DFE, today=date(2024, 1, 27),
                        fetcher=Fetcher(replay.url, rate=0, sleep=lambda s: None))  # fmt: skip
    assert later.since == "2024-01-19"  # from the day before the last finished run began
    failed, done = desk.sync_runs("parliament-wq")[1], desk.sync_runs("parliament-wq")[0]
    assert (failed.status, failed.cursor, done.status) == ("failed", None, "done")
    assert "not valid JSON" in (failed.error or "")


def test_an_empty_listing_is_an_empty_sync(replay: Replay, fast_assistant: Assistant, desk: Desk) -> None:
    summary = run(replay, fast_assistant, desk, since=date(2030, 1, 1))
    assert (summary.read, summary.new, summary.queued) == (0, 0, 0)
    assert [s.query["skip"] for s in replay.requests] == ["0", "0", "0"]  # one empty page per pass
    assert desk.sync_runs()[0].status == "done"


# ---------------------------------------------------------------------------- politeness and errors


def test_a_429_waits_as_long_as_retry_after_says(replay: Replay, fast_assistant: Assistant) -> None:
    replay.faults[LIST] = [Fault(429, headers={"Retry-After": "7"})]
    slept, _ = waits()
    summary = run(replay, fast_assistant, None, fetcher=Fetcher(replay.url, rate=0, sleep=slept.append))
    assert slept[0] == 7.0
    assert summary.new == 3


def test_a_500_then_a_503_are_retried_with_backoff_then_succeed(replay: Replay, fast_assistant: Assistant) -> None:
    replay.faults[LIST] = [Fault(500), Fault(503)]
    slept: list[float] = []
    fetcher = Fetcher(replay.url, rate=0, sleep=slept.append)
    summary = run(replay, fast_assistant, None, fetcher=fetcher)
    assert len(slept) == 2 and 0 < slept[0] <= slept[1] + 1  # exponential, with jitter
    assert summary.new == 3 and summary.requests == fetcher.requests


def test_requests_are_paced_to_the_rate(replay: Replay) -> None:
    slept: list[float] = []
    fetcher = Fetcher(replay.url, rate=4, sleep=slept.append)
    for _ in range(3):
        fetcher.json("/petitions.json?state=with_response")
    assert len(slept) == 2 and all(0 < s <= 0.25 for s in slept)  # loopback answers within 1/4 s


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault(200, b"{not json"), "sent a response that is not valid JSON (line 1, column 2) for /api/"),
        (Fault(404, b"<h1>Not Found</h1>"), "refused the request: HTTP 404 Not Found for /api/writtenquestions/"),
        (Fault(403), "refused the request: HTTP 403 Forbidden"),
    ],
    ids=["bad-json", "404", "403"],
)
def test_a_bad_answer_is_one_clear_line(
    replay: Replay, fast_assistant: Assistant, desk: Desk, fault: Fault, expected: str
) -> None:
    replay.faults[LIST] = [fault]
    with pytest.raises(SourceError) as err:
        run(replay, fast_assistant, desk)
    message = str(err.value)
    assert "\n" not in message and message.startswith("127.0.0.1:") and expected in message
    assert desk.sync_runs()[0].status == "failed" and desk.sync_runs()[0].error == message


def test_a_source_that_keeps_failing_gives_up_after_its_tries(replay: Replay, fast_assistant: Assistant) -> None:
    replay.faults[LIST] = [Fault(502)] * 5
    slept: list[float] = []
    with pytest.raises(SourceError, match=r"kept failing: HTTP 502 Bad Gateway after 5 tries; try again later"):
        run(replay, fast_assistant, None, fetcher=Fetcher(replay.url, rate=0, sleep=slept.append))
    assert len(slept) == 4


def test_a_name_that_does_not_resolve_is_one_clear_line() -> None:
    def no_dns(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    fetcher = Fetcher("https://questions-statements-api.parliament.uk", transport=httpx.MockTransport(no_dns))
    with pytest.raises(SourceError) as err:
        fetcher.json(LIST)
    assert str(err.value).startswith("Cannot reach questions-statements-api.parliament.uk: the name does not resolve")
    assert fetcher.requests == 1  # no point asking again


# ---------------------------------------------------------------------------- petitions


def test_uk_petitions_government_responses_become_precedents(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    summary = run(replay, fast_assistant, desk, "uk-petitions")
    assert sorted(fast_assistant.store.doc_hashes()) == ["UKPET-700001", "UKPET-700002", "UKPET-700003"]
    pages = [s.query.get("page", "1") for s in replay.requests if s.query.get("state") == "with_response"]
    assert pages == ["1", "2"]  # the `next` link followed, on the configured host
    doc = fast_assistant.get_document("UKPET-700001")
    assert doc is not None
    m = doc.meta
    assert (m.kind, m.ref, m.date, m.answering_body, m.asked_of, m.title) == (
        "petition_response", "700001", "2023-08-14", "Department for Education", "UK Government",
        "Increase financial support for kinship carers raising children",
    )  # fmt: skip
    assert m.source_url == "https://petition.parliament.uk/petitions/700001"  # the address the record gives
    question, reply = doc.text[: m.answer_start], doc.text[m.answer_start :]
    assert question.startswith("Increase financial support") and "Many give up work" in question
    assert reply.split("\n\n") == [
        "The Government recognises the vital role kinship carers play and is committed to supporting them.",
        "The Government will publish a national kinship care strategy by the end of the year.",
        "It will set out support for kinship carers, including training and peer support.",
    ]
    html = fast_assistant.get_document("UKPET-700003")
    assert html is not None and "<p>" not in html.text and "More than 14,000 schools" in html.text
    assert summary.queued == 1  # the petition past 10,000 signatures; not the one with 310


def test_uk_petitions_awaiting_a_response_go_on_the_desk_once(
    replay: Replay, fast_assistant: Assistant, desk: Desk
) -> None:
    run(replay, fast_assistant, desk, "uk-petitions")
    again = run(replay, fast_assistant, desk, "uk-petitions")
    assert (again.new, again.updated, again.unchanged, again.queued) == (0, 0, 3, 0)
    (item,) = desk.items()
    r = desk.item(item.id).requests[0]
    assert (r.ref, r.kind, r.title, r.tabled, r.member) == (
        "700010", "petition", "Give kinship carers the same leave as adoptive parents", date(2024, 1, 28), "Sam Jones",
    )  # fmt: skip
    assert "no statutory leave" in r.text


def test_senedd_petitions_referred_to_the_committee_go_on_the_desk_in_their_language(
    fast_assistant: Assistant, desk: Desk
) -> None:
    with Replay(site="senedd") as replay:
        summary = run(replay, fast_assistant, desk, "senedd-petitions")
        assert [s.query.get("state") for s in replay.requests] == ["referred"]  # no responses in its JSON
    assert summary.new == 0 and summary.queued == 2
    welsh, bilingual = sorted((desk.item(i.id).requests[0] for i in desk.items()), key=lambda r: r.ref)
    assert (welsh.ref, welsh.kind, welsh.tabled) == ("245116", "petition", date(2024, 1, 15))
    assert welsh.text.startswith("Darparu cymorth ariannol i ofalwyr sy'n berthnasau")
    assert parse_request(welsh.text).language == "cy"
    assert bilingual.text.split("\n\n")[:2] == [
        "Review school transport for children in kinship care",
        "Adolygu cludiant i'r ysgol i blant mewn gofal gan berthnasau",
    ]


# ---------------------------------------------------------------------------- letters


def test_letters_listed_by_address_are_downloaded_once_and_read_as_letters(
    replay: Replay, fast_assistant: Assistant, tmp_path: Path
) -> None:
    names = sorted(p.name for p in SEEDS.glob("*.txt"))[:2]
    listing = tmp_path / "letters.txt"
    listing.write_text("# the Committee's papers, 2022\n" + "".join(f"{replay.url}/letters/{n}\n" for n in names))
    summary = run(replay, fast_assistant, None, "senedd-letters", folder=str(listing))
    assert summary.new == 2 and not summary.skipped
    seed = next(d for d in load_paths(SEEDS) if d.doc_id == Path(names[0]).stem)
    docs = [fast_assistant.get_document(i) for i in fast_assistant.store.doc_hashes()]
    (doc,) = [d for d in docs if d is not None and d.source == f"{replay.url}/letters/{names[0]}"]
    assert doc.doc_id.startswith("SENLET-") and doc.meta.source_url == doc.source
    assert (doc.meta.kind, doc.meta.ref, doc.meta.date) == (seed.meta.kind, seed.meta.ref, seed.meta.date)
    sent = len(replay.requests)
    again = run(replay, fast_assistant, None, "senedd-letters", folder=str(listing))
    assert len(replay.requests) == sent and again.unchanged == 2  # saved: nothing fetched again


def test_letters_from_a_saved_folder(fast_assistant: Assistant) -> None:
    summary = sync_source("senedd-letters", fast_assistant, None, folder=str(SEEDS))
    assert summary.new == 5 and summary.requests == 0


def test_letters_without_a_folder_or_list_say_what_to_give(fast_assistant: Assistant) -> None:
    with pytest.raises(InputError, match="give --from FOLDER or --from FILE"):
        sync_source("senedd-letters", fast_assistant, None)


# ---------------------------------------------------------------------------- the command line


def test_the_cli_prints_a_summary_and_json(replay: Replay, tmp_path: Path) -> None:
    store = tmp_path / "cli-store"
    args = ["sync", "uk-petitions", "--base-url", replay.url, "--store", str(store)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "uk-petitions: 5 read since" in first.output
    assert (
        "3 new, 0 updated, 0 superseded, 0 unchanged, 0 skipped; 1 awaiting an answer (1 put on the desk)"
        in first.output
    )
    again = CliRunner().invoke(main, [*args, "--json"])
    (result,) = json.loads(again.output)
    assert (result["new"], result["unchanged"], result["queued"]) == (0, 3, 0)


def test_the_cli_error_is_one_line_and_exit_1(replay: Replay, tmp_path: Path) -> None:
    replay.faults["/petitions.json"] = [Fault(404)]
    out = CliRunner().invoke(main, ["sync", "uk-petitions", "--base-url", replay.url, "--store", str(tmp_path / "s")])
    assert out.exit_code == 1
    assert out.output.strip().count("\n") == 0 and "HTTP 404 Not Found for /petitions.json" in out.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "There is no source 'nowhere'"),
        (["parliament-wq", "--every", "often"], "--every 'often' is not a duration"),
        (["parliament-wq", "--base-url", "ftp://x"], "is not an http:// or https:// URL"),
        (["parliament-wq", "uk-petitions", "--base-url", "http://x"], "give one SOURCE with it"),
        (["parliament-wq", "--since", "2024-13-01"], "--since"),
    ],
    ids=["unknown-source", "bad-every", "bad-base-url", "base-url-for-two", "bad-since"],
)
def test_bad_sync_options_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["sync", *args, "--store", str(tmp_path / "s")])
    assert out.exit_code in (1, 2) and message in out.output and out.output.strip().count("\n") == 0


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli", "sync", *args]


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "YMATEB_STORE": str(store), "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_a_sync_killed_mid_way_and_run_again_loses_nothing_and_duplicates_nothing(
    replay: Replay, tmp_path: Path, embedder: object
) -> None:
    """A real process, killed with SIGKILL while it waits for the answered pass's second page: the
    first page is written; the rerun writes the rest, once."""
    store = tmp_path / "store"
    replay.hold_at = 3  # list page 1, the truncated question read whole, then list page 2: held
    args = _cli("parliament-wq", "--base-url", replay.url, "--since", "2024-01-01", "--body", DFE)
    proc = subprocess.Popen(args, env=_env(store), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert replay.held.wait(120), proc.stderr.read().decode() if proc.poll() is not None else "not held"
        time.sleep(0.5)  # the first page's documents are written before page 2 is asked for
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        replay.release.set()
    killed = make_assistant(store, embedder)
    assert sorted(killed.store.doc_hashes()) == ["UKWQ-1679416", "UKWQ-1679703"]
    replay.hold_at = None
    rerun = subprocess.run(args, env=_env(store), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 new, 0 updated, 0 superseded, 2 unchanged" in rerun.stdout
    # the same as one uninterrupted sync into a fresh store: every document, each chunk once
    clean = tmp_path / "clean"
    assert subprocess.run(args, env=_env(clean), capture_output=True, timeout=300).returncode == 0
    after, reference = make_assistant(store, embedder), make_assistant(clean, embedder)
    assert after.store.doc_states() == reference.store.doc_states()
    assert after.store.counts() == reference.store.counts()
    desk = Desk(f"sqlite:///{store / 'desk.sqlite3'}")
    try:
        assert sorted(r.ref for i in desk.items() for r in desk.item(i.id).requests) == ["9001", "9002"]
        statuses = [r.status for r in desk.sync_runs("parliament-wq")]
        assert statuses == ["done", "running"]  # the killed run never finished; its cursor never counted
    finally:
        desk.close()


def _done_runs(store: Path) -> list[int]:
    """The new-document count of each finished run of uk-petitions on `store`, oldest first."""
    if not (store / "desk.sqlite3").exists():
        return []
    desk = Desk(f"sqlite:///{store / 'desk.sqlite3'}")
    try:
        return [r.counts["new"] for r in reversed(desk.sync_runs("uk-petitions")) if r.status == "done"]
    finally:
        desk.close()


@pytest.mark.slow
def test_every_keeps_syncing_until_stopped(replay: Replay, tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = subprocess.Popen(
        _cli("uk-petitions", "--base-url", replay.url, "--every", "1s"),
        env=_env(store), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_done_runs(store)) < 3:  # two printed before a third began
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)  # it may be mid-way through a third run: that one is "failed"
        out, err = proc.communicate(timeout=30)
    assert out.count("uk-petitions: 5 read") >= 2, (out, err)
    assert "Next sync in" in err
    done = _done_runs(store)
    assert done[0] == 3 and done[1:] == [0] * (len(done) - 1) and len(done) >= 2


# ---------------------------------------------------------------------------- the index it writes to


def test_an_index_built_before_the_source_fields_re_embeds_nothing() -> None:
    """DocMeta gained status, asked_by ... for the sources; unset, they leave a document's content hash
    as it was (this value is the hash at the commit before them), so no index re-embeds its corpus."""
    doc = next(d for d in load_paths(SEEDS) if d.doc_id == "000_13427d4b3c4b56d1")
    assert doc.content_hash == "884f23436bdca11ebcbbc17282554b7f"


def test_a_file_never_replaces_the_official_record(replay: Replay, tmp_path: Path) -> None:
    a = fast_assistant_at(tmp_path / "store")
    run(replay, a, None)
    record = tmp_path / "corpus.jsonl"
    record.write_text(json.dumps({"id": "UKWQ-1679703", "question": "Q?", "answer": "An older copy."}) + "\n")
    summary = a.ingest([record])
    assert summary.written == 0
    assert "is the official record synced from" in summary.skipped[0].reason
    doc = a.get_document("UKWQ-1679703")
    assert doc is not None and doc.text.endswith("Further details are on GOV.UK.")


def test_a_clerk_searching_sees_what_is_not_a_line(replay: Replay, tmp_path: Path) -> None:
    store = str(tmp_path / "cli-store")
    assert CliRunner().invoke(main, ["sync", "parliament-wq", "--base-url", replay.url, "--since", "2024-01-01",
                                     "--body", DFE, "--store", store]).exit_code == 0  # fmt: skip
    out = CliRunner().invoke(
        main, ["search", "reinforced autoclaved aerated concrete school buildings", "--store", store]
    )
    assert "[UKWQ-1679800] 8200 · 2024-01-11" in out.output
    assert "   holding: not drafted from" in out.output
    found = json.loads(
        CliRunner().invoke(main, ["search", "concrete school buildings", "--store", store, "--json"]).output
    )
    assert {r["doc_id"]: r["status"] for r in found["results"]}["UKWQ-1679800"] == "holding"


@pytest.mark.slow
def test_a_second_sync_of_the_same_source_waits_its_turn(replay: Replay, tmp_path: Path) -> None:
    store = tmp_path / "store"
    replay.hold_at = 1
    first = subprocess.Popen(_cli("uk-petitions", "--base-url", replay.url), env=_env(store), stderr=subprocess.PIPE)
    try:
        assert replay.held.wait(120)
        out = CliRunner().invoke(main, ["sync", "uk-petitions", "--base-url", replay.url, "--store", str(store)])
        assert out.exit_code == 1
        assert "Another `ymateb sync uk-petitions` is running on this store" in out.output
        other = CliRunner().invoke(main, ["sync", "senedd-letters", "--from", str(SEEDS), "--store", str(store)])
        assert other.exit_code == 0, other.output  # another source is not held up
    finally:
        replay.release.set()
    assert first.wait(120) == 0


def test_a_holding_answer_followed_by_the_answer_is_updated_and_becomes_a_line(
    replay: Replay, fast_assistant: Assistant
) -> None:
    run(replay, fast_assistant, None)
    (held,) = [r for r in replay.wq["answered"] if r["id"] == 1679800]
    held.update(
        answerIsHolding=False, dateAnswered="2024-01-19T00:00:00", dateHoldingAnswer="2024-01-11T00:00:00",
        answerText="<p>There are 234 school buildings with RAAC: 119 in the North West and 115 elsewhere.</p>",
    )  # fmt: skip
    summary = run(replay, fast_assistant, None)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 2)
    doc = fast_assistant.get_document("UKWQ-1679800")
    assert doc is not None and doc.meta.status is None and doc.meta.date == "2024-01-19"
    assert doc.text.endswith("119 in the North West and 115 elsewhere.")


def test_a_listed_letter_that_cannot_be_fetched_is_skipped_and_the_rest_are_read(
    replay: Replay, fast_assistant: Assistant, tmp_path: Path
) -> None:
    name = sorted(p.name for p in SEEDS.glob("*.txt"))[0]
    listing = tmp_path / "letters.txt"
    listing.write_text(f"{replay.url}/letters/no-such-letter.pdf\n{replay.url}/letters/{name}\n")
    summary = run(replay, fast_assistant, None, "senedd-letters", folder=str(listing))
    assert summary.new == 1
    (skipped,) = summary.skipped
    assert skipped.source.endswith("/letters/no-such-letter.pdf") and "HTTP 404 Not Found" in skipped.reason
    assert not list((fast_assistant.settings.store / "sources" / "senedd-letters").glob(".*.part"))


def test_a_letter_the_disk_refuses_is_one_line_and_nothing_half_written(
    replay: Replay, fast_assistant: Assistant, tmp_path: Path
) -> None:
    name = sorted(p.name for p in SEEDS.glob("*.txt"))[0]
    listing = tmp_path / "letters.txt"
    listing.write_text(f"{replay.url}/letters/{name}\n")
    saved = fast_assistant.settings.store / "sources" / "senedd-letters"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text("a file where the folder should be")  # mkdir fails as on a full or read-only disk
    with pytest.raises(StoreError, match="Cannot save the letter as"):
        run(replay, fast_assistant, None, "senedd-letters", folder=str(listing))
    assert fast_assistant.store.doc_hashes() == {}
