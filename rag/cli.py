"""The `ymateb` command line: a thin shell over rag.assistant.

Everything it prints goes through `say` (text from documents can hold terminal escape bytes) or
`_echo_json`; errors are one line, exit code 2 for a usage or settings error, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from rag.errors import ConfigError, InputError, YmatebError
from rag.settings import Settings, load_settings
from rag.text.safe import printable, redact_urls

if TYPE_CHECKING:
    from rag.evaluation.registry import Metric


def _settings(store: str | None) -> Settings:
    return load_settings(store=store)


def _assistant(store: str | None) -> Any:
    from rag.assistant import build_assistant

    return build_assistant(_settings(store))


class BadUsage(click.ClickException):
    """A usage error in one line (click's own UsageError adds the usage text): exit code 2."""

    exit_code = 2


class ConfigProblem(BadUsage):
    """A ConfigError: one line like any error, but exit code 2, as for a usage error."""


def say(text: str, err: bool = False) -> None:
    """Print a line that may hold document text, without its control characters (\\n and \\t kept)."""
    click.echo(printable(text), err=err)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show YmatebError messages as one clean line, never a traceback (exit 2 for settings, else 1)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            raise ConfigProblem(_shown(exc)) from exc
        except YmatebError as exc:
            raise click.ClickException(_shown(exc)) from exc

    return wrapper


def _shown(exc: Exception) -> str:
    return printable(redact_urls(str(exc)))


store_option = click.option(
    "--store", type=click.Path(file_okay=False), default=None, help="Index directory (env YMATEB_STORE; .ymateb/)"
)


# json.dumps escapes C0 controls itself; DEL, C1 and the bidi overrides are escaped here (same JSON value).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _echo_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


@click.group()
@click.version_option(package_name="ymateb")
def main() -> None:
    """Ymateb: draft replies to petitions and written questions from past ministerial replies."""


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
@friendly
def ingest_cmd(paths: tuple[str, ...], store: str | None, as_json: bool) -> None:
    """Add or update documents (files, folders, .jsonl/.jsonl.gz records) in the index."""
    summary = _assistant(store).ingest(paths, progress=sys.stderr.isatty() and not as_json)
    if as_json:
        _echo_json(summary.to_dict())
    else:
        say(
            f"{summary.documents} documents ({summary.written} new or changed, {summary.unchanged} unchanged), "
            f"{summary.chunks} chunks written, {summary.embedded} embedded, {summary.skipped_total} skipped, "
            f"{summary.seconds:.1f} s"
        )
        for s in summary.skipped:
            say(f"  skipped {s.source}: {s.reason}", err=True)
        if summary.skipped_more:
            more = summary.skipped_total - len(summary.skipped)
            say(f"  ... and {more} more skipped (--json counts them by reason)", err=True)
    if summary.skipped:
        sys.exit(1)


@main.command("search")
@click.argument("query")
@click.option("--k", default=5, show_default=True, help="Number of passages (1 or more)")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeatable), e.g. written_question")
@click.option("--as-of", default=None, help="Only documents dated strictly before YYYY-MM-DD")
@click.option("--from", "date_from", default=None, help="Only documents dated on or after YYYY-MM-DD")
@click.option("--to", "date_to", default=None, help="Only documents dated on or before YYYY-MM-DD")
@click.option("--author", default=None, help="Author, role or department contains this text")
@click.option("--per-doc", default=None, type=int, help="At most this many passages per document (1 or more)")
@click.option("--json", "as_json", is_flag=True)
@store_option
@friendly
def search_cmd(
    query: str,
    k: int,
    kinds: tuple[str, ...],
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    author: str | None,
    per_doc: int | None,
    as_json: bool,
    store: str | None,
) -> None:
    """Hybrid (dense + BM25) search of the precedents."""
    from rag.retrieval.query import check_search
    from rag.text.dates import parse_iso_date
    from rag.types import SearchFilters

    filters = SearchFilters(
        kinds=list(kinds) or None,
        as_of=parse_iso_date(as_of, "--as-of"),
        date_from=parse_iso_date(date_from, "--from"),
        date_to=parse_iso_date(date_to, "--to"),
        author=author,
    )
    query = _usage(check_search, query, k, per_doc, k_label="--k", per_doc_label="--per-doc")
    results = [p.to_result() for p in _assistant(store).search(query, k=k, filters=filters, per_doc=per_doc)]
    if as_json:
        _echo_json({"results": results})
        return
    if not results:
        say("No matching precedents.")
    for i, r in enumerate(results, 1):
        head = " · ".join(str(x) for x in (r["ref"], r["date"], r["kind"], r["author"]) if x)
        say(f"{i}. [{r['doc_id']}] {head}  (score {r['score']:.4f})")
        if r["status"]:
            later = f" by {r['superseded_by']}" if r["superseded_by"] else ""
            say(f"   {r['status']}{later}: not drafted from")
        if r["title"]:
            say(f"   {r['title'][:150]}")
        say("   " + " ".join(r["text"].split())[:300])


def _usage(check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """check(*args, **kwargs), its InputError shown as a one-line usage error (exit code 2)."""
    try:
        return check(*args, **kwargs)
    except InputError as exc:
        raise BadUsage(_shown(exc)) from exc


@main.command("stats")
@click.option("--json", "as_json", is_flag=True)
@store_option
@friendly
def stats_cmd(as_json: bool, store: str | None) -> None:
    """Documents and chunks by kind, store location, embedding model."""
    stats = _assistant(store).stats()
    if as_json:
        _echo_json(stats)
        return
    say(f"Store: {stats['store']}\nEmbedding model: {stats['embedding_model']}")
    say(f"{stats['documents']} documents, {stats['chunks']} chunks")
    for kind, row in sorted(stats["by_kind"].items()):
        say(f"  {kind:<22} {row['documents']:>7} documents {row['chunks']:>8} chunks")


@main.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@store_option
@friendly
def show_cmd(doc_id: str, as_json: bool, store: str | None) -> None:
    """Print a stored document with its metadata."""
    doc = _assistant(store).get_document(doc_id)
    if doc is None:
        raise click.ClickException(
            printable(f"No document {doc_id!r} in the index; `ymateb stats` lists what is there.")
        )
    if as_json:
        _echo_json({"doc_id": doc.doc_id, "source": doc.source, "metadata": doc.meta.to_dict(), "text": doc.text})
        return
    for key, value in doc.meta.to_dict().items():
        if value not in (None, "", []):
            say(f"{key}: {value}")
    say("-" * 72 + "\n" + doc.text)


@main.command("remove")
@click.argument("doc_id")
@store_option
@friendly
def remove_cmd(doc_id: str, store: str | None) -> None:
    """Delete one document and its chunks from the index."""
    if not _assistant(store).remove(doc_id):
        raise click.ClickException(f"No document {doc_id!r} in the index.")
    say(f"Removed {doc_id}.")


@main.command("draft")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(dir_okay=False), help="Read the request from a file")
@click.option("--kind", type=click.Choice(["petition", "written_question", "letter"]), help="Override detection")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default=None, help="Default: YMATEB_BACKEND")
@click.option("--as-of", default=None, help="Draft only from precedents dated before YYYY-MM-DD")
@click.option("--title", "petition_title", default=None, help="Override the petition title")
@click.option("--json", "as_json", is_flag=True)
@click.option("--docx", "docx_out", type=click.Path(dir_okay=False), help="Also write the draft as .docx")
@click.option("--md", "md_out", type=click.Path(dir_okay=False), help="Also write the draft as Markdown")
@store_option
@friendly
def draft_cmd(
    text: str | None,
    file: str | None,
    kind: str | None,
    backend: str | None,
    as_of: str | None,
    petition_title: str | None,
    as_json: bool,
    docx_out: str | None,
    md_out: str | None,
    store: str | None,
) -> None:
    """Draft a cited reply to a petition, written question or letter (TEXT, --file, or stdin)."""
    from rag.drafting.export import to_docx, to_markdown
    from rag.drafting.intake import parse_request, parse_request_file
    from rag.text.dates import parse_iso_date

    overrides = {"kind": kind, "as_of": parse_iso_date(as_of, "--as-of"), "petition_title": petition_title}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if file:
        request = parse_request_file(file, **overrides)
    else:
        if text is None and not sys.stdin.isatty():
            text = sys.stdin.read()
        request = parse_request(text or "", **overrides)
    result = _assistant(store).draft(request, backend)
    if docx_out:
        to_docx(result, docx_out)
    if md_out:
        write_text(md_out, to_markdown(result), "Markdown file")
    if as_json:
        _echo_json(result.to_json())
        return
    say(result.text)
    if result.citations:
        say("\nSources:")
        for c in result.citations:
            say(f"  [{c.n}] {c.ref or c.doc_id} · {c.date or 'undated'} · {c.author or ''}")
    for w in result.warnings:
        say(f"warning ({w.code}): {w.message}" + (f"\n    > {w.sentence}" if w.sentence else ""), err=True)


def write_text(path: str, text: str, what: str) -> None:
    """Write an output file; a missing folder or a full disk is an InputError naming the file, not a traceback."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the {what} {path}: {exc.strerror or exc}") from exc


@main.group("eval", invoke_without_command=True)
@click.option(
    "--cases",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Case file (JSON Lines; repeatable, e.g. answerable and unanswerable cases together)",
)
@click.option("--corpus", multiple=True, type=click.Path(exists=True), help="Precedent corpus (repeatable)")
@click.option("--only", multiple=True, help="Keep corpus documents with FIELD=VALUE, e.g. asked_of=...")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default="offline", show_default=True)
@click.option("--limit", type=int, default=None, help="Only the first N cases")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the full result as JSON")
@click.option("--report", "report_dir", type=click.Path(file_okay=False), help="Write a Markdown report with charts")
@click.option("--judge", is_flag=True, help="Also score each draft with an LLM judge (needs YMATEB_LLM_BASE_URL)")
@store_option
@click.pass_context
@friendly
def eval_cmd(
    ctx: click.Context,
    cases: tuple[str, ...],
    corpus: tuple[str, ...],
    only: tuple[str, ...],
    backend: str,
    limit: int | None,
    json_out: str | None,
    report_dir: str | None,
    judge: bool,
    store: str | None,
) -> None:
    """Back-test drafts against real answers (no-leak: only precedents dated before each case)."""
    if ctx.invoked_subcommand is not None:
        return
    if not cases:
        raise click.UsageError("--cases FILE is required (e.g. evals/cases/seeds.jsonl).")
    from rag.evaluation.judge import LLMJudge
    from rag.evaluation.runner import CorpusSpec, run_eval

    settings = _settings(store)
    llm_judge = LLMJudge(settings) if judge else None  # no endpoint: ConfigError before any work
    spec = CorpusSpec(tuple(corpus) or ("seeds",), tuple(_field_filter(o) for o in only))
    progress = sys.stderr.isatty()
    result = run_eval(cases, spec, settings, backend=backend, limit=limit, progress=progress, judge=llm_judge)
    if json_out:
        write_text(json_out, json.dumps(result, indent=2, ensure_ascii=False), "result file")
    if report_dir:
        from rag.evaluation.report import write_report

        click.echo(f"Report: {write_report(result, Path(report_dir))}")
    _print_summary(result["summary"])


def _field_filter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"expected FIELD=VALUE, got {text!r}", param_hint="--only")
    return key.strip(), value.strip().strip("'\"")


def _print_summary(s: dict[str, Any], metrics: Sequence[Metric] | None = None) -> None:
    """The summary table: one row per registry metric (judge ones when judged), then the gap closed."""
    from rag.evaluation.registry import BASELINES, METRICS, baseline_values, shown

    click.echo(f"{s['n_cases']} cases, backend {s['backend']}, {s['seconds']} s")
    click.echo(f"{'metric':<22}{'system':>10}" + "".join(f"{b.prefix:>10}" for b in BASELINES))
    for m in shown(metrics or METRICS, s):
        values = [s.get(m.key), *baseline_values(s, m).values()]
        cells = (
            f"{v:>10{m.fmt}}" if isinstance(v, int | float) and not isinstance(v, bool) else f"{'':>10}" for v in values
        )
        click.echo(f"{m.label:<22}" + "".join(cells))
    if s.get("gap_closed") is not None:
        click.echo(f"gap closed (nearest -> oracle): {s['gap_closed']:.1%}")


@eval_cmd.command("compare")
@click.argument("a", type=click.Path(exists=True, dir_okay=False))
@click.argument("b", type=click.Path(exists=True, dir_okay=False))
@friendly
def eval_compare_cmd(a: str, b: str) -> None:
    """Per-metric change from run A to run B, and the cases that got worse."""
    from rag.evaluation.compare import compare_runs, format_comparison
    from rag.evaluation.runner import read_json

    click.echo(format_comparison(compare_runs(read_json(a), read_json(b))))


bench_corpus = click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="JSONL(.gz) corpus (default ../shared/data/uk-commons-wq-2023-09_2025-06.jsonl.gz)",
)


@main.command("bench")
@bench_corpus
@click.option(
    "--docs", "sizes", multiple=True, type=int, help="Corpus size to measure (repeatable; default 1000 5000 24386)"
)
@click.option(
    "--cases", type=click.Path(dir_okay=False), default=None, help="Eval cases for queries and the peer recall"
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Persistent bench directory, reused by reruns (default .ymateb/bench)",
)
@click.option("--queries", default=60, show_default=True, help="Timed searches per size")
@click.option("--drafts", default=20, show_default=True, help="Timed offline drafts per size")
@click.option("--no-server", is_flag=True, help="Skip the `chroma run` server measurement")
@click.option("--no-peer", is_flag=True, help="Skip the plain LangChain-style peer")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None, help="Write the results as JSON")
@click.option(
    "--markdown",
    "md_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the results into this Markdown file's generated block (e.g. BENCHMARKS.md)",
)
@friendly
def bench_cmd(
    corpus: str | None,
    sizes: tuple[int, ...],
    cases: str | None,
    directory: str | None,
    queries: int,
    drafts: int,
    no_server: bool,
    no_peer: bool,
    json_out: str | None,
    md_out: str | None,
) -> None:
    """Benchmark ingest, re-ingest, search and draft latency, memory, server mode and a plain peer."""
    from rag.bench.config import BenchConfig
    from rag.bench.report import format_report, format_table, update_markdown
    from rag.bench.run import run_bench

    cfg = BenchConfig(queries=queries, drafts=drafts, server=not no_server, peer=not no_peer)
    if corpus:
        cfg.corpus = Path(corpus)
    if sizes:
        cfg.sizes = sizes
    if cases:
        cfg.cases = Path(cases)
    cfg.directory = Path(directory) if directory else Path(_settings(None).store) / "bench"
    result = run_bench(cfg, log=lambda m: click.echo(m, err=True))
    if json_out:
        write_text(json_out, json.dumps(result, indent=2), "result file")
    if md_out:
        command = "ymateb " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["bench"] else "ymateb bench"
        update_markdown(Path(md_out), format_report(result, command))
    click.echo(format_table(result))


@main.command("bench-scale")
@bench_corpus
@click.option(
    "--copies", default=10, show_default=True, help="Largest size, in copies of the corpus (SIMULATED past 1)"
)
@click.option(
    "--at", "checkpoints", multiple=True, type=int, help="Copies to measure at (repeatable; default 1 and --copies)"
)
@click.option("--queries", default=100, show_default=True, help="Timed searches per size")
@click.option("--no-server", is_flag=True, help="Skip the `chroma run` measurement at the largest size")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the index is built (default .ymateb/bench-scale)",
)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None, help="Write the results as JSON")
@friendly
def bench_scale_cmd(
    corpus: str | None,
    copies: int,
    checkpoints: tuple[int, ...],
    queries: int,
    no_server: bool,
    directory: str | None,
    json_out: str | None,
) -> None:
    """Scale: the real corpus, then a SIMULATED index of up to --copies copies of it (replicated
    text, hashed vectors): search latency, one-document ingest, cold start and memory at each size."""
    from rag.bench.config import BenchConfig
    from rag.bench.scale import ScaleConfig, run_scale
    from rag.index.embedder import default_embedder

    cfg = ScaleConfig(
        corpus=Path(corpus) if corpus else BenchConfig().corpus,
        directory=Path(directory) if directory else Path(_settings(None).store) / "bench-scale",
        replicas=copies,
        checkpoints=sorted(set(checkpoints or (1, copies))),
        queries=queries,
        server=not no_server,
    )
    result = run_scale(cfg, default_embedder(), log=lambda m: click.echo(m, err=True))
    text = json.dumps(result, indent=2)
    if json_out:
        write_text(json_out, text, "result file")
    click.echo(text)


@main.command("batch")
@click.argument("file", type=click.Path(exists=True))
@click.option("--as-of", default=None, help="Draft only from precedents dated before YYYY-MM-DD")
@click.option("--group-only", is_flag=True, help="Only propose the groups: nothing is drafted or saved")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the groups (and drafts) as JSON")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write one .docx per group and tracker.csv")
@click.option("--backend", type=click.Choice(["offline", "openai"]), default=None, help="Default: YMATEB_BACKEND")
@click.option("--who", default=None, help="Name for the audit trail (unverified); default: your login name")
@store_option
@friendly
def batch_cmd(
    file: str,
    as_of: str | None,
    group_only: bool,
    json_out: str | None,
    out_dir: str | None,
    backend: str | None,
    who: str | None,
    store: str | None,
) -> None:
    """Put a day's questions, petitions or letters on the desk, grouped, and draft one reply per group.

    FILE is a CSV, XLSX, JSONL or JSON export of written questions, a zip, a folder, or one petition or
    letter. Rerun after a kill, it drafts only the groups not yet drafted; the same file again adds nothing.
    """
    import getpass

    from tqdm import tqdm

    from rag.desk.batch import batch_groups, draft_batch, import_batch
    from rag.desk.exports import write_replies
    from rag.desk.grouping import group_items
    from rag.desk.intake import read_batch_path
    from rag.desk.store import Who, open_desk
    from rag.text.dates import parse_iso_date

    settings = _settings(store)
    as_of = parse_iso_date(as_of, "--as-of")
    batch = read_batch_path(file, settings.max_upload_mb)
    for s in batch.skipped:
        say(f"  skipped {s.source}: {s.reason}", err=True)
    if not batch.items:
        raise InputError(f"{file}: nothing to answer was found in it.")
    if group_only:
        ids = group_items(batch.items)
        groups: list[dict[str, Any]] = [{"ids": g, "draft": None} for g in ids]
        say(f"{len(batch.items)} items in {len(groups)} groups ({sum(len(g) > 1 for g in ids)} of several)")
    else:
        assistant = _assistant(store)
        desk = open_desk(settings)
        person = Who(who or getpass.getuser())
        batch_id, new = import_batch(desk, batch, Path(file).name, person)
        say(("Added to the desk as" if new else "Already on the desk, resuming:") + f" batch {batch_id}", err=True)
        todo = len(desk.undrafted(batch_id))
        with tqdm(total=todo, desc="Drafting", unit="group", disable=not sys.stderr.isatty(), leave=False) as bar:

            def advance(done: int, _total: int) -> None:
                bar.update(done - bar.n)

            run = draft_batch(assistant, desk, batch_id, person, as_of=as_of, backend=backend, progress=advance)
        groups = batch_groups(desk, batch_id)
        say(
            f"{len(groups)} groups: {run.drafted} drafted now, {run.already} drafted before; "
            f"{run.questions} questions in {run.seconds:.1f} s ({run.per_minute:.0f} a minute)"
        )
        if out_dir:
            views = [desk.item(g["item"]) for g in groups]
            written = write_replies(out_dir, views)
            say(f"Wrote {len(written) - 1} replies and tracker.csv to {out_dir}")
    if json_out:
        write_text(json_out, json.dumps({"groups": groups}, indent=2, ensure_ascii=False, default=str), "JSON file")


@main.command("sync")
@click.argument("names", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--since", default=None, help="Read from this day (YYYY-MM-DD), not from the saved cursor")
@click.option("--body", default=None, help="parliament-wq: the answering body, by id (e.g. 60) or name")
@click.option("--base-url", default=None, help="Read a mirror or a local replay instead of the official site")
@click.option("--from", "folder", default=None, help="senedd-letters: a folder of letters, or a file of addresses")
@click.option("--every", default=None, help="Keep running: sync again after this long (e.g. 6h, 30m, 1d)")
@click.option("--who", default=None, help="Name for the desk's audit trail; default: ymateb sync")
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON")
@store_option
@friendly
def sync_cmd(
    names: tuple[str, ...],
    since: str | None,
    body: str | None,
    base_url: str | None,
    folder: str | None,
    every: str | None,
    who: str | None,
    as_json: bool,
    store: str | None,
) -> None:
    """Bring the corpus up to date from official sources, and put what awaits an answer on the desk.

    SOURCE is parliament-wq (UK written questions), uk-petitions, senedd-petitions or senedd-letters.
    Each run reads from the day before the last one began (or --since), so a rerun changes nothing and
    a killed run, rerun, loses nothing. Nothing syncs unless you run this (or schedule it: see README).
    """
    import time

    from rag.sources.sync import source_named
    from rag.text.dates import parse_iso_date

    for name in names:
        source_named(name)  # an unknown name is an error before anything is read
    if base_url and len(names) > 1:
        raise BadUsage("--base-url points one source elsewhere: give one SOURCE with it.")
    if base_url and not (urlsplit(base_url).scheme in ("http", "https") and urlsplit(base_url).hostname):
        raise BadUsage(f"--base-url {base_url!r} is not an http:// or https:// URL.")
    day = parse_iso_date(since, "--since")
    start = date.fromisoformat(day) if day else None
    interval = _duration(every) if every else None
    while True:
        began = time.monotonic()
        if interval is None:
            if _sync_all(names, store, start, body, base_url, folder, who, as_json):
                sys.exit(1)  # each failure was said, in one line; the other sources were synced
            return
        try:  # a long-running sync outlives a source, a store or a desk that is down for a while
            _sync_all(names, store, start, body, base_url, folder, who, as_json)
        except YmatebError as exc:
            say(f"Error: {_shown(exc)}", err=True)
        start = None  # after the first run, each reads from its saved cursor
        wait = max(0.0, interval - (time.monotonic() - began))
        say(f"Next sync in {_human_seconds(wait)} (Ctrl-C stops).", err=True)
        time.sleep(wait)


def _sync_all(
    names: Sequence[str],
    store: str | None,
    since: date | None,
    body: str | None,
    base_url: str | None,
    folder: str | None,
    who: str | None,
    as_json: bool,
) -> bool:
    """Sync each source in turn; a source's error is one line, and the next source runs. Whether any
    failed."""
    from rag.desk.store import Who, open_desk
    from rag.sources.sync import sync_source

    assistant = _assistant(store)
    desk = open_desk(assistant.settings)
    failed, results = False, []
    try:
        for name in names:
            try:
                summary = sync_source(
                    name,
                    assistant,
                    desk,
                    since=since,
                    body=body,
                    base_url=base_url,
                    folder=folder,
                    who=Who(who) if who else None,
                    progress=sys.stderr.isatty() and not as_json,
                )
            except YmatebError as exc:
                failed = True
                say(f"Error: {name}: {_shown(exc)}", err=True)
                continue
            results.append(summary.to_dict())
            if not as_json:
                _print_sync(summary, body)
    finally:
        desk.close()
    if as_json:
        _echo_json(results)
    return failed


def _print_sync(summary: Any, body: str | None) -> None:
    c = summary.counts()
    say(
        f"{summary.source}: {c['read']} read since {summary.since}: {c['new']} new, {c['updated']} updated, "
        f"{c['superseded']} superseded, {c['unchanged']} unchanged, {c['skipped']} skipped; "
        f"{c['waiting']} awaiting an answer ({c['queued']} put on the desk); "
        f"{c['requests']} requests in {summary.seconds:.1f} s"
    )
    for s in summary.skipped[:20]:
        say(f"  skipped {s.source}: {s.reason}", err=True)
    if len(summary.skipped) > 20:
        say(f"  ... and {len(summary.skipped) - 20} more skipped (--json lists them)", err=True)
    if summary.source == "parliament-wq" and not body:
        say("  (unanswered questions are read, and offered to the desk, only for an answering body: --body)", err=True)


_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(text: str) -> float:
    """'6h', '30m', '1d', '1h30m', '90s' -> seconds; a BadUsage otherwise."""
    compact = text.replace(" ", "")
    parts = _DURATION_RE.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise BadUsage(f"--every {text!r} is not a duration; write e.g. 6h, 30m, 1d or 1h30m.")
    seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if seconds <= 0:
        raise BadUsage("--every must be longer than nothing (e.g. 6h).")
    return seconds


def _human_seconds(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


if __name__ == "__main__":  # pragma: no cover
    main()
