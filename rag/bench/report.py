"""The benchmark's table for the terminal and its report in BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# ---- the table -------------------------------------------------------------------------------

_COLUMNS = [
    ("docs", "docs"),
    ("chunks", "chunks"),
    ("latency_at_docs", "latency over docs"),
    ("ingest_chunks_per_s", "ingest ch/s"),
    ("raw_model_chunks_per_s", "raw model ch/s"),
    ("ingest_ratio", "ratio"),
    ("ingest_ratio_cpu", "ratio (CPU)"),
    ("reingest_s", "re-ingest s"),
    ("reingest_embedded", "re-embedded"),
    ("search_p50_ms", "search p50 ms"),
    ("search_p95_ms", "search p95 ms"),
    ("draft_p50_ms", "draft p50 ms"),
    ("draft_p95_ms", "draft p95 ms"),
    ("peak_rss_mb", "peak RSS MB"),
]


def format_table(result: dict[str, Any]) -> str:
    """The per-size table (Markdown), then the server and peer lines."""
    lines = ["| " + " | ".join(h for _, h in _COLUMNS) + " |", "|" + "---:|" * len(_COLUMNS)]
    for run in result["runs"]:
        lines.append("| " + " | ".join("" if run.get(k) is None else str(run[k]) for k, _ in _COLUMNS) + " |")
    last = result["runs"][-1] if result["runs"] else {}
    if "server_search_p95_ms" in last:
        lines.append(
            f"\nchroma run server ({last['docs']} docs): search p50 {last['server_search_p50_ms']} ms, "
            f"p95 {last['server_search_p95_ms']} ms; BM25 side rebuilt from the server in "
            f"{last['server_bm25_rebuild_s']} s"
        )
    peer = result.get("peer")
    if peer:
        lines.append(
            f"\nplain peer ({peer.get('peer_docs')} docs, {peer.get('peer_chunks')} chunks): "
            f"ingest {peer.get('peer_ingest_chunks_per_s')} ch/s "
            f"(ours/peer {peer.get('ingest_speed_per_s_ratio')}, per CPU-second "
            f"{peer.get('ingest_speed_per_cpu_s_ratio')}); "
            f"recall@5 ours {peer.get('ours_recall_at_5')} vs peer {peer.get('peer_recall_at_5')} "
            f"(peer without date filter {peer.get('peer_nofilter_recall_at_5')}), ratio "
            f"{peer.get('recall_ratio')} over {peer.get('recall_cases')} cases"
        )
    return "\n".join(lines)


# ---- the report in BENCHMARKS.md -------------------------------------------------------------

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def target_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, goal, measured, verdict) at the largest corpus size."""
    last = result["runs"][-1]
    peer = result.get("peer", {})
    embedded = [r for r in result["runs"] if r.get("ingest_ratio_cpu") or r.get("ingest_ratio")]
    ratio_cpu = embedded[-1].get("ingest_ratio_cpu") if embedded else None
    ratio_wall = embedded[-1].get("ingest_ratio") if embedded else None
    rows = [
        (
            "ingest / raw model speed",
            "≥ 0.90",
            f"{ratio_cpu} per CPU-second, {ratio_wall} wall-clock",
            _verdict(None if ratio_cpu is None else ratio_cpu >= 0.9),
        ),
        (
            f"re-ingest of {last['docs']} unchanged docs",
            "< 60 s, 0 embedded",
            f"{last['reingest_s']} s, {last['reingest_embedded']} embedded",
            _verdict(last["reingest_s"] < 60 and last["reingest_embedded"] == 0),
        ),
        (
            f"search p95 at {last['docs']} docs",
            "< 150 ms",
            f"{last['search_p95_ms']} ms",
            _verdict(last["search_p95_ms"] is not None and last["search_p95_ms"] < 150),
        ),
        (
            f"offline draft p95 at {last['docs']} docs",
            "< 1500 ms",
            f"{last['draft_p95_ms']} ms",
            _verdict(last["draft_p95_ms"] is not None and last["draft_p95_ms"] < 1500),
        ),
    ]
    if peer.get("recall_cases"):
        ratio = peer.get("recall_ratio")
        rows.append(
            (
                "recall@5 of the best precedent vs plain pipeline",
                "≥ 1.2x",
                f"{ratio}x ({peer['ours_recall_at_5']} vs {peer['peer_recall_at_5']})",
                _verdict(None if ratio is None else ratio >= 1.2),
            )
        )
    return rows


def format_report(result: dict[str, Any], command: str) -> str:
    """The generated part of BENCHMARKS.md: machine, command, table, targets."""
    m = result["machine"]
    lines = [
        START,
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}, Python {m['python']}, "
        f"chromadb {m['chromadb']}, onnxruntime {m['onnxruntime']}, model {m['model']}; "
        f"load average {m['load_avg_at_start']:.1f} when the run started.",
        "",
        f"Command: `{command}`",
        "",
        format_table(result),
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in target_rows(result)],
        END,
    ]
    return "\n".join(lines)


def update_markdown(path: Path, report: str) -> None:
    """Replace the generated block of `path` (or append one); the text around it is kept."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + report + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    path.write_text(text, encoding="utf-8")
