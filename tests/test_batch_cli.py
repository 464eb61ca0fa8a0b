"""`ymateb batch`: a day's questions grouped, put on the desk and drafted, resumable after a kill."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as DocxDocument

from rag.cli import main
from rag.desk.store import Desk
from rag.settings import load_settings

from .conftest import ROOT

TOPICS = [
    "kinship carers and the financial support available to them",
    "the number of children looked after by Cardiff Council",
    "advocacy services for parents whose children are in care",
    "special measures for children's services in Cardiff",
    "an independent review of children's services",
    "the removal of profit from the care of looked-after children",
    "foster carers' allowances in 2022",
    "the social care workforce and its recruitment",
]
HEADER = ["UIN", "Date tabled", "Member", "Question text", "Named day", "Answering body"]


def question_rows(n: int, tabled: str = "2022-10-03") -> list[list[str]]:
    """n Table Office rows, each on one of TOPICS in turn, asked by different members."""
    return [
        [
            str(90000 + i),
            tabled,
            f"Member {i} MS",
            f"To ask the Deputy Minister for Social Services, what assessment she has made of {TOPICS[i % len(TOPICS)]}"
            f" (question {i})?",
            "2022-10-10",
            "Welsh Government",
        ]
        for i in range(n)
    ]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(seeded_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(seeded_store, copy)
    return copy


def desk_at(store: Path) -> Desk:
    return Desk(f"sqlite:///{store / 'desk.sqlite3'}")


def test_group_only_puts_every_id_in_one_group_and_saves_nothing(store: Path, tmp_path: Path) -> None:
    same = "To ask the Deputy Minister for Social Services, what support is available to kinship carers in Wales?"
    rows = [
        ["101", "2022-10-03", "A Member MS", same, "", "Welsh Government"],
        ["102", "2022-10-03", "B Member MS", same, "", "Welsh Government"],
        ["103", "2022-10-04", "C Member MS", same, "", "Welsh Government"],  # another day: never with 101/102
        ["104", "2022-10-03", "D Member MS", same, "", "Cardiff Council"],  # another body: never with them
    ]
    out = tmp_path / "groups.json"
    code, stdout, stderr = run("batch", str(write_csv(tmp_path / "day.csv", rows)), "--group-only",
                               "--json", str(out), "--store", str(store))  # fmt: skip
    assert code == 0, stderr
    groups = json.loads(out.read_text())["groups"]
    ids = [i for g in groups for i in g["ids"]]
    assert Counter(ids) == Counter(["101", "102", "103", "104"])
    assert ["101", "102"] in [g["ids"] for g in groups]
    assert all(g["draft"] is None for g in groups)
    assert "4 items in 3 groups" in stdout
    assert not (store / "desk.sqlite3").exists()


def test_a_batch_is_drafted_once_per_group_exported_and_the_same_file_adds_nothing(store: Path, tmp_path: Path) -> None:
    rows = question_rows(5)
    rows.append([*rows[0][:2], "Another Member MS", rows[0][3].replace("(question 0)", "(question 0, again)"),
                 *rows[0][4:]])  # fmt: skip
    rows[-1][0] = "90099"
    day = write_csv(tmp_path / "day.csv", rows)
    out, folder = tmp_path / "batch.json", tmp_path / "replies"
    code, stdout, stderr = run("batch", str(day), "--json", str(out), "--out", str(folder), "--store", str(store),
                               "--who", "Ann Official")  # fmt: skip
    assert code == 0, stderr
    groups = json.loads(out.read_text())["groups"]
    assert Counter(i for g in groups for i in g["ids"]) == Counter(r[0] for r in rows)
    assert ["90000", "90099"] in [g["ids"] for g in groups]  # the same question twice: answered once
    assert all(g["draft"] and g["draft"]["text"] for g in groups)
    grouped = next(g for g in groups if g["ids"] == ["90000", "90099"])["draft"]
    assert "90000, 90099" in grouped["text"]  # the grouped answer names both UINs

    files = sorted(p.name for p in folder.iterdir())
    assert "tracker.csv" in files and len([f for f in files if f.endswith(".docx")]) == len(groups)
    with (folder / "tracker.csv").open(encoding="utf-8") as f:
        tracker = list(csv.DictReader(f))
    assert sorted(r["reference"] for r in tracker) == sorted(r[0] for r in rows)
    assert {r["status"] for r in tracker} == {"drafted"} and {r["due"] for r in tracker} == {"2022-10-10"}
    a_reply = folder / next(r["reply_file"] for r in tracker if r["reference"] == "90001")
    assert "90001" in "\n".join(p.text for p in DocxDocument(str(a_reply)).paragraphs)

    code, stdout, stderr = run("batch", str(day), "--store", str(store), "--who", "Ann Official")
    assert code == 0, stderr
    assert "Already on the desk" in stderr and f"0 drafted now, {len(groups)} drafted before" in stdout
    desk = desk_at(store)
    assert len(desk.items()) == len(groups)
    actions = Counter(a.action for a in desk.audit())
    assert actions["drafted"] == len(groups) and actions["batch"] == 1
    assert {a.who for a in desk.audit()} == {"Ann Official"} and not any(a.verified for a in desk.audit())


@pytest.mark.slow
def test_a_batch_killed_halfway_and_rerun_drafts_each_group_exactly_once(store: Path, tmp_path: Path) -> None:
    n = 40
    day = write_csv(tmp_path / "day.csv", question_rows(n))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YMATEB_")} | {"YMATEB_STORE": str(store)}
    cmd = [sys.executable, "-m", "rag.cli", "batch", str(day), "--who", "Ann Official"]
    log = (tmp_path / "first.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    desk_file = store / "desk.sqlite3"
    drafted = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if desk_file.exists():
            drafted = Counter(a.action for a in desk_at(store).audit())["drafted"]
            if drafted >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, f"the batch ended before it could be killed: {(tmp_path / 'first.log').read_text()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    desk = desk_at(store)
    items = len(desk.items())
    before = Counter(a.action for a in desk.audit())["drafted"]
    assert 3 <= before < items, (before, items)

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Already on the desk, resuming" in done.stderr
    assert f"{items - before} drafted now, {before} drafted before" in done.stdout
    desk = desk_at(store)
    assert len(desk.items()) == items  # the rerun imported nothing again
    drafted_per_item = Counter(a.item_id for a in desk.audit() if a.action == "drafted")
    assert sorted(drafted_per_item) == sorted(r.id for r in desk.items()) and set(drafted_per_item.values()) == {1}
    refs = [ref for r in desk.items() for ref in r.refs]
    assert sorted(refs) == sorted(str(90000 + i) for i in range(n))  # every question once, none lost
    assert all(len(desk.item(r.id).versions) == 1 for r in desk.items())


def test_a_missing_or_empty_batch_file_is_one_clear_line(store: Path, tmp_path: Path) -> None:
    empty = write_csv(tmp_path / "empty.csv", [])
    code, _, stderr = run("batch", str(empty), "--store", str(store))
    assert code == 1 and "nothing to answer" in stderr and "Traceback" not in stderr
    code, _, stderr = run("batch", str(tmp_path / "nope.csv"), "--store", str(store))
    assert code == 2 and "does not exist" in stderr


def test_the_zip_of_a_batch_holds_a_reply_per_group(store: Path, tmp_path: Path) -> None:
    from rag.desk.exports import replies_zip

    day = write_csv(tmp_path / "day.csv", question_rows(3))
    code, _, stderr = run("batch", str(day), "--store", str(store))
    assert code == 0, stderr
    desk = desk_at(store)
    views = [desk.item(r.id) for r in desk.items()]
    archive = zipfile.ZipFile(__import__("io").BytesIO(replies_zip(views)))
    names = archive.namelist()
    assert "tracker.csv" in names and len([n for n in names if n.endswith(".docx")]) == len(views)
    settings = load_settings(store=str(store))
    assert settings.database_url is None
