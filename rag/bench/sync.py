"""Throughput of `ymateb sync parliament-wq`: a month of one department's real answers, served in the
Written Questions API's shape, synced into a fresh index and desk, then synced again.

    python -m rag.bench.sync [--data PATH] [--asked-of NAME|all] [--month 2025-03] [--json OUT]

The records are the shared UK Commons data's, in the API's schema: pages of 100, answers as HTML
paragraphs, and (as the list endpoint does) a text over 260 characters cut short with "...", so each
such question is read again on its own. They are served in-process (httpx.MockTransport), so the
figure is Ymateb's own cost (mapping, MiniLM embedding, Chroma, the desk) and the request count;
against the real API the rate limit adds `requests / rate` seconds (at the default 2 a second).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from rag.bench.config import DEFAULT_CORPUS, machine, timed, write_result
from rag.bench.grouping import read_rows

CUT = 260  # characters the list endpoint keeps of a long text, before its "..."
BASE = "https://questions-statements-api.parliament.uk"


def api_record(row: dict[str, Any]) -> dict[str, Any]:
    """One corpus row as the API's record (the fields rag.sources.wq reads)."""
    qid = int(str(row["id"]).split("-")[-1])
    day = f"{row['date']}T00:00:00"
    answer = "".join(f"<p>{p.strip()}</p>" for p in str(row["answer"] or "").split("\n\n") if p.strip())
    return {
        "id": qid, "uin": str(row.get("ref") or qid), "house": "Commons", "dateTabled": day, "dateAnswered": day,
        "questionText": row["question"], "answerText": answer, "heading": row.get("title"),
        "answeringBodyId": 60, "answeringBodyName": row["asked_of"], "isWithdrawn": False,  # one id: --body 60
        "answerIsHolding": False, "answerIsCorrection": False, "groupedQuestions": [], "attachments": [],
        "askingMember": None, "answeringMember": None,
    }  # fmt: skip


def listed(record: dict[str, Any]) -> dict[str, Any]:
    """What the list endpoint shows of a record: long texts cut short."""
    out = dict(record)
    for key in ("questionText", "answerText"):
        text = out[key] or ""
        out[key] = text[:CUT] + "..." if len(text) > CUT else text
    return out


def transport(records: list[dict[str, Any]]) -> httpx.MockTransport:
    by_id = {r["id"]: r for r in records}

    def handle(request: httpx.Request) -> httpx.Response:
        path, q = request.url.path, request.url.params
        if path.rstrip("/").split("/")[-1].isdigit():
            return httpx.Response(200, json={"value": by_id[int(path.rsplit("/", 1)[-1])]})
        found = records if "answeredWhenFrom" in q else []
        skip, take = int(q.get("skip", 0)), int(q.get("take", 100))
        page = [{"value": listed(r), "links": []} for r in found[skip : skip + take]]
        return httpx.Response(200, json={"totalResults": len(found), "results": page})

    return httpx.MockTransport(handle)


def run(data: Path, asked_of: str, month: str) -> dict[str, Any]:
    from rag.assistant import build_assistant
    from rag.desk.store import Desk
    from rag.settings import load_settings
    from rag.sources.http import RATE, Fetcher
    from rag.sources.sync import sync_source

    start = f"{month}-01"
    rows = [r for r in read_rows(data, start, f"{month}-31") if asked_of in ("all", r["asked_of"])]
    records = [api_record(r) for r in rows]
    with tempfile.TemporaryDirectory(prefix="ymateb-bench-sync-") as tmp:
        assistant = build_assistant(load_settings(store=str(Path(tmp) / "store")))
        desk = Desk(f"sqlite:///{Path(tmp) / 'desk.sqlite3'}")
        passes = []
        for _ in range(2):
            fetcher = Fetcher(BASE, rate=0, transport=transport(records))
            began = date.fromisoformat(start)
            summary, seconds = timed(
                partial(sync_source, "parliament-wq", assistant, desk, since=began, body="60", fetcher=fetcher)
            )
            passes.append((summary, seconds))
        desk.close()
    (first, first_s), (again, again_s) = passes
    return {
        "command": "python -m rag.bench.sync " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "month": month,
        "asked_of": asked_of,
        "records": len(records),
        "first_sync": {
            "new": first.new,
            "requests": first.requests,
            "seconds": round(first_s, 1),
            "records_per_minute": round(len(records) / first_s * 60, 1),
            "requests_at_the_polite_rate_seconds": round(first.requests / RATE, 1),
        },  # fmt: skip
        "second_sync": {
            "new": again.new,
            "updated": again.updated,
            "unchanged": again.unchanged,
            "requests": again.requests,
            "seconds": round(again_s, 1),
        },  # fmt: skip
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--asked-of", default="Secretary of State for Education")
    parser.add_argument("--month", default="2025-03")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    print(write_result(run(args.data, args.asked_of, args.month), args.json))


if __name__ == "__main__":
    main()
