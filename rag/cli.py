"""The `ymateb` command line: a thin shell over rag.assistant."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from rag.errors import YmatebError
from rag.settings import Settings, load_settings


def _settings(store: str | None) -> Settings:
    return load_settings(store=store)


def _assistant(store: str | None) -> Any:
    from rag.assistant import build_assistant

    return build_assistant(_settings(store))


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show YmatebError messages as one clean line, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except YmatebError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


store_option = click.option(
    "--store", type=click.Path(file_okay=False), default=None, help="Index directory (env YMATEB_STORE; .ymateb/)"
)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


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
        click.echo(
            f"{summary.documents} documents ({summary.written} new or changed, {summary.unchanged} unchanged), "
            f"{summary.chunks} chunks written, {summary.embedded} embedded, {len(summary.skipped)} skipped, "
            f"{summary.seconds:.1f} s"
        )
        for s in summary.skipped:
            click.echo(f"  skipped {s.source}: {s.reason}", err=True)
    if summary.skipped:
        sys.exit(1)


@main.command("search")
@click.argument("query")
@click.option("--k", default=5, show_default=True, help="Number of passages")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeatable), e.g. written_question")
@click.option("--as-of", default=None, help="Only documents dated strictly before YYYY-MM-DD")
@click.option("--from", "date_from", default=None, help="Only documents dated on or after YYYY-MM-DD")
@click.option("--to", "date_to", default=None, help="Only documents dated on or before YYYY-MM-DD")
@click.option("--author", default=None, help="Author, role or department contains this text")
@click.option("--per-doc", default=None, type=int, help="At most this many passages per document")
@click.option("--json", "as_json", is_flag=True)
@store_option
@friendly
def search_cmd(query: str, k: int, kinds: tuple[str, ...], as_of: str | None, date_from: str | None,
               date_to: str | None, author: str | None, per_doc: int | None, as_json: bool, store: str | None) -> None:
    """Hybrid (dense + BM25) search of the precedents."""
    from rag.retrieval import SearchFilters
    from rag.validation import parse_iso_date

    filters = SearchFilters(
        kinds=list(kinds) or None,
        as_of=parse_iso_date(as_of, "--as-of"),
        date_from=parse_iso_date(date_from, "--from"),
        date_to=parse_iso_date(date_to, "--to"),
        author=author,
    )
    results = [p.to_result() for p in _assistant(store).search(query, k=k, filters=filters, per_doc=per_doc)]
    if as_json:
        _echo_json({"results": results})
        return
    if not results:
        click.echo("No matching precedents.")
    for i, r in enumerate(results, 1):
        head = " · ".join(str(x) for x in (r["ref"], r["date"], r["kind"], r["author"]) if x)
        click.echo(f"{i}. [{r['doc_id']}] {head}  (score {r['score']:.4f})")
        if r["title"]:
            click.echo(f"   {r['title'][:150]}")
        click.echo("   " + " ".join(r["text"].split())[:300])


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
    click.echo(f"Store: {stats['store']}\nEmbedding model: {stats['embedding_model']}")
    click.echo(f"{stats['documents']} documents, {stats['chunks']} chunks")
    for kind, row in sorted(stats["by_kind"].items()):
        click.echo(f"  {kind:<22} {row['documents']:>7} documents {row['chunks']:>8} chunks")


@main.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@store_option
@friendly
def show_cmd(doc_id: str, as_json: bool, store: str | None) -> None:
    """Print a stored document with its metadata."""
    doc = _assistant(store).get_document(doc_id)
    if doc is None:
        raise click.ClickException(f"No document {doc_id!r} in the index; `ymateb stats` lists what is there.")
    if as_json:
        _echo_json({"doc_id": doc.doc_id, "source": doc.source, "metadata": doc.meta.to_dict(), "text": doc.text})
        return
    for key, value in doc.meta.to_dict().items():
        if value not in (None, "", []):
            click.echo(f"{key}: {value}")
    click.echo("-" * 72 + "\n" + doc.text)


@main.command("remove")
@click.argument("doc_id")
@store_option
@friendly
def remove_cmd(doc_id: str, store: str | None) -> None:
    """Delete one document and its chunks from the index."""
    if not _assistant(store).remove(doc_id):
        raise click.ClickException(f"No document {doc_id!r} in the index.")
    click.echo(f"Removed {doc_id}.")


if __name__ == "__main__":  # pragma: no cover
    main()
