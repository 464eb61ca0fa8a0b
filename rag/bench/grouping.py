"""How well `rag.desk.grouping` proposes the groups departments really answered together.

    python -m rag.bench.grouping [--data PATH] [--from 2025-01-01] [--to 2025-06-30] [--json OUT]

Data: the UK Commons written questions (`shared/data/README.md`), each row mapped to an `Incoming`
(id, kind "written_question", text = question, tabled = date, asked_of). `date` is the first of
the month, so a "day" here is a month: blocks are (month, asked_of), coarser than a real desk's.

Truth (`true_groups`): questions of one block are truly grouped when their real answers are the
same text, whitespace ignored. Answers under `MIN_ANSWER` characters and holding, prorogation and
cross-reference boilerplate (`rag.text.holding.is_non_answer`) say nothing about grouping (the same
"I will write to the hon. Member" goes to unrelated questions), so those questions are left out of
the scored set entirely: not in the truth, and not grouped or scored as predictions either; both
methods are run on the kept questions only.

Scores (`rag.evaluation.clusters`): pairwise and B-cubed precision/recall/F1, for the proposal and
for the reference baseline: token Jaccard of the whole questions (`TOKEN_RE` words, lower case)
>= 0.5, joined single-link (connected components) inside each block. Pairwise scores are dominated
by the few long series (one true group of n questions holds n(n-1)/2 pairs); B-cubed weighs every
question alike. The threshold sweep (`--sweep`) shows how both move with `THRESHOLD`.

Measured (2 cores): Jan-Jun 2025, 10,754 questions, 10,275 scored in 152 blocks, 8,998 true groups
(682 of two or more, 9,795 true pairs; one series of 101 holds 5,050 of them):

    proposed (3-shingles, average link >= 0.3)   pairwise P/R/F1 0.760/0.878/0.815   B-cubed 0.928/0.942/0.935
    baseline (token Jaccard >= 0.5, single link)  pairwise P/R/F1 0.510/0.942/0.661   B-cubed 0.857/0.961/0.906

Sensitivity: pairwise F1 0.724/0.795/0.815/0.698/0.627 at 0.2/0.25/0.3/0.35/0.4; the drop past 0.3
is the 101-question series splitting (B-cubed F1 stays 0.90-0.94 throughout). On the months held
aside (Sep 2023-Dec 2024, 13,010 scored) the same settings give pairwise F1 0.746 (baseline 0.686),
B-cubed F1 0.941 (0.928), and a flatter curve: 0.723/0.746/0.749/0.742 at 0.25/0.3/0.35/0.4.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rag.bench.config import timed, write_result
from rag.desk.grouping import THRESHOLD, blocks, group_items, jaccard_matrix
from rag.evaluation.clusters import bcubed_prf, pairwise_prf
from rag.text.holding import is_non_answer
from rag.text.sentences import squash
from rag.text.words import TOKEN_RE
from rag.types import Incoming

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared/data/uk-commons-wq-2023-09_2025-06.jsonl.gz"
MIN_ANSWER = 80  # characters (whitespace squashed): a shorter answer is left out of the truth
BASELINE_THRESHOLD = 0.5
SWEEP = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)

# ---- data and truth ------------------------------------------------------------------------------


def read_rows(path: Path, start: str, end: str) -> list[dict[str, Any]]:
    """The rows whose `date` falls in [start, end] (ISO dates compare as strings)."""
    with gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if start <= r["date"] <= end]


def kept_answer(answer: str | None) -> bool:
    """An answer that can say which questions were answered together."""
    text = squash(answer or "")
    return len(text) >= MIN_ANSWER and not is_non_answer(answer or "")


def incoming(row: dict[str, Any]) -> Incoming:
    return Incoming(
        id=row["id"], kind="written_question", text=row["question"], tabled=row["date"], asked_of=row["asked_of"]
    )


def true_groups(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Ids of the kept rows grouped by (block, answer text with whitespace squashed), in row order."""
    kept = [r for r in rows if kept_answer(r["answer"])]
    by_block = blocks([incoming(r) for r in kept])
    out: list[list[str]] = []
    for members in by_block:
        same: dict[str, list[str]] = {}
        for i in members:
            same.setdefault(squash(kept[i]["answer"]), []).append(kept[i]["id"])
        out.extend(same.values())
    return out


# ---- the baseline --------------------------------------------------------------------------------


def components(n: int, linked: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of 0..n-1 under these links, each in order, in order of first member."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in linked:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(root(i), []).append(i)
    return list(out.values())


def baseline_groups(items: Sequence[Incoming], threshold: float = BASELINE_THRESHOLD) -> list[list[str]]:
    """Token Jaccard of the whole questions >= threshold, single-link inside each block."""
    found: list[list[int]] = []
    for members in blocks(items):
        sets = [frozenset((w,) for w in TOKEN_RE.findall(items[i].text.lower())) for i in members]
        sim = jaccard_matrix(sets)
        pairs = [(a, b) for a in range(len(members)) for b in range(a + 1, len(members)) if sim[a, b] >= threshold]
        found.extend([members[i] for i in g] for g in components(len(members), pairs))
    return [[items[i].id for i in g] for g in sorted(found, key=lambda g: g[0])]


# ---- scoring and report --------------------------------------------------------------------------


def scores(predicted: list[list[str]], truth: list[list[str]]) -> dict[str, float]:
    p, r, f = pairwise_prf(predicted, truth)
    bp, br, bf = bcubed_prf(predicted, truth)
    values = {"pairwise_p": p, "pairwise_r": r, "pairwise_f1": f, "bcubed_p": bp, "bcubed_r": br, "bcubed_f1": bf}
    return {k: round(v, 4) for k, v in values.items()}


def measure(rows: Sequence[dict[str, Any]], sweep: bool = False) -> dict[str, Any]:
    """Truth, both methods' groups of the kept questions and their scores (and the sweep if asked)."""
    truth = true_groups(rows)
    scored = {i for g in truth for i in g}
    items = [incoming(r) for r in rows if r["id"] in scored]
    proposed, proposed_s = timed(lambda: group_items(items))
    baseline, baseline_s = timed(lambda: baseline_groups(items))
    result: dict[str, Any] = {
        "counts": {
            "questions": len(rows),
            "scored": len(items),
            "blocks": len(blocks(items)),
            "true_groups": len(truth),
            "true_groups_of_two_or_more": sum(len(g) > 1 for g in truth),
            "true_pairs": sum(len(g) * (len(g) - 1) // 2 for g in truth),
            "proposed_groups_of_two_or_more": sum(len(g) > 1 for g in proposed),
        },
        "proposed": {"method": f"word 3-shingle Jaccard, average link >= {THRESHOLD}", **scores(proposed, truth)},
        "baseline": {"method": f"token Jaccard >= {BASELINE_THRESHOLD}, single link", **scores(baseline, truth)},
        "seconds": {"proposed": round(proposed_s, 2), "baseline": round(baseline_s, 2)},
    }
    if sweep:
        result["sweep"] = {str(t): scores(group_items(items, threshold=t), truth) for t in SWEEP}
    return result


def table(result: dict[str, Any]) -> str:
    keys = ["pairwise_p", "pairwise_r", "pairwise_f1", "bcubed_p", "bcubed_r", "bcubed_f1"]
    lines = ["| method | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name in ("proposed", "baseline"):
        lines.append(f"| {result[name]['method']} | " + " | ".join(f"{result[name][k]:.3f}" for k in keys) + " |")
    for t, s in result.get("sweep", {}).items():
        lines.append(f"| proposed at {t} | " + " | ".join(f"{s[k]:.3f}" for k in keys) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--from", dest="start", default="2025-01-01")
    parser.add_argument("--to", dest="end", default="2025-06-30")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--sweep", action="store_true", help="also score the proposal at other thresholds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = measure(read_rows(args.data, args.start, args.end), sweep=args.sweep)
    result["command"] = "python -m rag.bench.grouping " + " ".join(sys.argv[1:] if argv is None else argv)
    result["data"] = str(args.data)
    result["seconds"]["total"] = round(time.perf_counter() - started, 2)
    print(table(result))
    print(json.dumps(result["counts"]), f"{result['seconds']['total']} s")
    write_result(result, args.json)


if __name__ == "__main__":
    main()
