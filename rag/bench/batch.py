"""Throughput of a day's batch on the desk: read, group, put on the desk, draft (offline), export.

    python -m rag.bench.batch [--data PATH] [--asked-of NAME] [--month 2025-03] [--limit 300]
                              [--store DIR] [--json OUT] [--ungrouped]

The day is real: the first `limit` questions asked of one department in one month of the shared
UK Commons data (March 2025, Secretary of State for Defence, has 350: about the 342 one member
tabled in a day), written out as a Table Office CSV. The precedents are that department's answers
from the months before (indexed once into `--store` with MiniLM; rerun, nothing is re-embedded);
drafting is as of the day's month, so no question meets its own answer. Each run starts a new
desk (SQLite in a temporary folder) and times each stage; grouping is scored against the real
answers as in rag.bench.grouping.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path
from typing import Any

from rag.bench.config import DEFAULT_CORPUS, machine, timed, write_result
from rag.bench.grouping import kept_answer, read_rows, scores, true_groups

HEADER = ["UIN", "Date tabled", "Question text", "Heading", "Answering body"]


def day_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for r in rows:
            writer.writerow([r.get("ref") or r["id"], r["date"], r["question"], r.get("title") or "", r["asked_of"]])
    return path


def run(data: Path, asked_of: str, month: str, limit: int, store: Path, ungrouped: bool = False) -> dict[str, Any]:
    from rag.assistant import build_assistant
    from rag.desk.batch import draft_batch, import_batch
    from rag.desk.exports import replies_zip
    from rag.desk.intake import read_batch_path
    from rag.desk.store import Desk, Who
    from rag.ingest.records import load_records
    from rag.settings import load_settings
    from rag.types import Document

    first = f"{month}-01"
    assistant = build_assistant(load_settings(store=str(store)))
    earlier = (
        d
        for d in load_records(data)
        if isinstance(d, Document) and d.meta.asked_of == asked_of and (d.meta.date or "") < first
    )
    ingest, ingest_s = timed(lambda: assistant.ingest([], items=earlier))
    day = [r for r in read_rows(data, first, first) if r["asked_of"] == asked_of][:limit]
    who = Who("bench")
    with tempfile.TemporaryDirectory(prefix="ymateb-bench-batch-") as tmp:
        path = day_csv(day, Path(tmp) / "day.csv")
        desk = Desk(f"sqlite:///{Path(tmp) / 'desk.sqlite3'}")
        batch, read_s = timed(lambda: read_batch_path(path, 20))
        if ungrouped:  # every question drafted on its own: the cost of a day with nothing to group
            singletons = [[item] for item in batch.items]
            (batch_id, _), import_s = timed(lambda: desk.add_batch(path.name, batch.digest, singletons, who))
        else:
            (batch_id, _), import_s = timed(lambda: import_batch(desk, batch, path.name, who))
        drafted, draft_s = timed(lambda: draft_batch(assistant, desk, batch_id, who, as_of=first))
        views = [desk.item(r.id) for r in desk.items(batch_id=batch_id)]
        archive, export_s = timed(lambda: replies_zip(views))
        groups = [[r.ref for r in v.requests] for v in views]
        desk.close()
    uin = {r["id"]: r.get("ref") or r["id"] for r in day}
    kept = {uin[r["id"]] for r in day if kept_answer(r.get("answer"))}
    scored = [[i for i in g if i in kept] for g in groups]
    truth = [[uin[i] for i in g] for g in true_groups(day)]
    total_s = read_s + import_s + draft_s + export_s
    no_precedent = sum(1 for v in views if v.latest and any(w.code == "no_precedent" for w in v.latest.draft.warnings))
    return {
        "command": "python -m rag.bench.batch " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "day": {
            "asked_of": asked_of,
            "month": month,
            "questions": len(day),
            "groups": len(groups),
            "grouped_questions": sum(len(g) for g in groups if len(g) > 1),
        },  # fmt: skip
        "precedents": {"documents": ingest.documents, "embedded_now": ingest.embedded, "seconds": round(ingest_s, 1)},
        "seconds": {
            "read": round(read_s, 2),
            "group_and_import": round(import_s, 2),
            "draft": round(draft_s, 2),
            "export_zip": round(export_s, 2),
            "total": round(total_s, 2),
        },  # fmt: skip
        "questions_per_minute": {
            "drafting": round(len(day) / draft_s * 60, 1),
            "end_to_end": round(len(day) / total_s * 60, 1),
        },
        "drafts": {"made": drafted.drafted, "no_precedent": no_precedent, "zip_mb": round(len(archive) / 1e6, 2)},
        "grouping_vs_real_answers": scores([g for g in scored if g], truth) | {"scored_questions": len(kept)},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--asked-of", default="Secretary of State for Defence")
    parser.add_argument("--month", default="2025-03")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--store", type=Path, default=Path(".ymateb/bench-batch"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--ungrouped", action="store_true", help="Draft every question on its own (no grouping)")
    args = parser.parse_args(argv)
    result = run(args.data, args.asked_of, args.month, args.limit, args.store, args.ungrouped)
    print(write_result(result, args.json))


if __name__ == "__main__":
    main()
