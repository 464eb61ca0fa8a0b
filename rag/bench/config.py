"""What a benchmark run measures, on which corpus, and the small timing helpers."""

from __future__ import annotations

import itertools
import json
import os
import platform
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from rag.index.embedder import MODEL_NAME, import_onnxruntime
from rag.ingest.records import load_records
from rag.types import Document

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "uk-commons-wq-2023-09_2025-06.jsonl.gz"
DEFAULT_CASES = REPO.parent / "shared" / "eval" / "uk-dfe-dev-cases.jsonl"
DEFAULT_SIZES = (1000, 5000, 24386)
PEER_ASKED_OF = "Secretary of State for Education"  # the dev cases' department: the peer's corpus
TARGETS = {
    "ingest_ratio": ">= 0.90 of raw model speed",
    "reingest_s": "< 60 s for 24k unchanged documents",
    "search_p95_ms": "< 150 ms at 24k documents",
    "draft_p95_ms": "< 1500 ms at 24k documents",
    "recall_ratio": ">= 1.2x the plain pipeline",
}

Log = Callable[[str], None]
T = TypeVar("T")


@dataclass
class BenchConfig:
    corpus: Path = DEFAULT_CORPUS
    sizes: tuple[int, ...] = DEFAULT_SIZES
    directory: Path = Path(".ymateb/bench")
    cases: Path | None = DEFAULT_CASES
    queries: int = 60  # timed searches per size
    drafts: int = 20  # timed offline drafts per size
    raw_sample: int = 384  # chunks re-embedded by the bare model per size
    server: bool = True
    peer: bool = True
    peer_asked_of: str = PEER_ASKED_OF
    extra: dict[str, Any] = field(default_factory=dict)


# ---- small helpers ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """(what fn returned, the wall seconds it took)."""
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def timed_cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process across all its threads). On a shared,
    busy machine the CPU figure is the stable one: other processes' load does not inflate it."""
    cpu = time.process_time()
    out, wall = timed(fn)
    return out, wall, time.process_time() - cpu


def write_result(result: dict[str, Any], path: Path | None) -> str:
    """A bench's result as indented JSON, also written to `path` when one is given."""
    text = json.dumps(result, indent=2)
    if path:
        path.write_text(text + "\n", encoding="utf-8")
    return text


def rate(n: float, seconds: float) -> float | None:
    return round(n / seconds, 2) if seconds > 0 and n else None


def machine() -> dict[str, Any]:
    import chromadb

    try:
        import psutil

        mem_gb = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # pragma: no cover - psutil is a dependency
        mem_gb = None
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "chromadb": chromadb.__version__,
        "onnxruntime": import_onnxruntime().__version__,
        "model": MODEL_NAME,
        "load_avg_at_start": os.getloadavg()[0],
    }


def corpus_docs(path: Path, limit: int | None) -> Iterator[Document]:
    for item in itertools.islice(load_records(path), limit):
        if isinstance(item, Document):
            yield item


def bench_queries(cfg: BenchConfig, docs: list[Document]) -> list[tuple[str, str | None]]:
    """(text, as_of) pairs: the dev cases' questions, or the corpus's own questions."""
    from rag.drafting.intake import parse_request
    from rag.evaluation.cases import load_cases

    if cfg.cases and Path(cfg.cases).is_file():
        pairs: list[tuple[str, str | None]] = [(c.question, c.date) for c in load_cases(cfg.cases)]
    else:
        pairs = [(d.text[: d.meta.answer_start or 400], d.meta.date) for d in docs]
    out: list[tuple[str, str | None]] = []
    for text, as_of in pairs:
        ask = parse_request(text, kind="written_question", as_of=as_of).ask or text
        out.append((ask, as_of))
    return out


def state_path(cfg: BenchConfig) -> Path:
    return cfg.directory / "state.json"


def load_state(cfg: BenchConfig) -> dict[str, Any]:
    stat = cfg.corpus.stat()
    key = f"{cfg.corpus.resolve()}|{stat.st_size}|{int(stat.st_mtime)}"
    try:
        state = json.loads(state_path(cfg).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if state.get("corpus_key") != key:  # another corpus: nothing recorded applies
        state = {"corpus_key": key}
    return state


def save_state(cfg: BenchConfig, state: dict[str, Any]) -> None:
    tmp = state_path(cfg).with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, state_path(cfg))
