"""Drafting: retrieve precedents for the request's ask, compose with a backend, check citations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from rag.citations import check_citations, citations_for
from rag.composer import Composition, OfflineComposer
from rag.drafts import Draft, DraftRequest, DraftWarning
from rag.errors import ConfigError, EmptyRequestError
from rag.retrieval import Passage, SearchFilters
from rag.templates import render_reply

if TYPE_CHECKING:
    from rag.assistant import Assistant

NO_PRECEDENT_SIM = 0.40  # best passage cosine to the ask below which nothing counts as a precedent
PASSAGES = 8  # passages retrieved per draft
# A draft rests on what Government has said: its replies and answers (and documents of no known
# kind, e.g. an uploaded ministerial letter). Letters it received are context, never a source.
DRAFT_FROM = ["petition_response", "written_question", "unknown"]


class Backend(Protocol):
    name: str
    language_note: str

    def compose(self, request: DraftRequest, passages: list[Passage]) -> Composition: ...


def make_backend(name: str, assistant: Assistant) -> Any:
    """The backend the user chose. There is no silent fallback from one to the other."""
    if name == "offline":
        return OfflineComposer(assistant.embedder, assistant.doc_passages)
    if name == "openai":
        from rag.llm import OpenAIBackend

        return OpenAIBackend(assistant.settings)
    raise ConfigError(f"Unknown backend {name!r}: choose 'offline' or 'openai'.")


def relevant(passages: list[Passage], floor: float = NO_PRECEDENT_SIM) -> list[Passage]:
    """Passages worth drafting from: none at all if even the best is unrelated to the ask."""
    best = max((float(p.meta.get("cosine", 0.0)) for p in passages), default=0.0)
    if best < floor:
        return []
    return [p for p in passages if float(p.meta.get("cosine", 0.0)) >= floor * 0.75 or p is passages[0]]


def draft(
    assistant: Assistant,
    request: DraftRequest,
    backend: Backend | str | None = None,
    exclude_doc_ids: Iterable[str] = (),
    on_token: Callable[[str], None] | None = None,
    k: int = PASSAGES,
) -> Draft:
    """Draft a reply to `request` from the precedents dated before `request.as_of`."""
    if not (request.ask or request.text).strip():
        raise EmptyRequestError("There is nothing to reply to: paste the petition, question or letter first.")
    name = str(backend or assistant.settings.backend)
    chosen: Any = backend if hasattr(backend, "compose") else make_backend(name, assistant)
    filters = SearchFilters(kinds=DRAFT_FROM, as_of=request.as_of, exclude_doc_ids=set(exclude_doc_ids))
    found = assistant.search(request.ask or request.text, k=k, filters=filters)
    passages = relevant(found)
    warnings: list[DraftWarning] = _language_warnings(request, chosen)
    if not passages:
        warnings.append(
            DraftWarning(
                "no_precedent",
                "No earlier reply in the index is close enough to this request to draft from; "
                "the body needs officials' advice. Nothing unrelated was used.",
            )
        )
        composition = Composition("", [], ["no precedent"])
    elif on_token is not None and getattr(chosen, "name", "") == "openai":
        composition = chosen.compose(request, passages, on_token=on_token)
    else:
        composition = chosen.compose(request, passages)
    body = composition.body or "[No precedent found: draft this section from officials' advice.]"
    if composition.body:
        report = check_citations(composition.body, composition.passages, assistant.embedder)
        warnings.extend(report.warnings)
    return Draft(
        kind=request.kind,
        backend=getattr(chosen, "name", str(backend)),
        text=render_reply(request, body, assistant.settings),
        body=composition.body,
        citations=citations_for(composition.body, composition.passages),
        warnings=warnings,
        request=request,
        passages=composition.passages,
    )


def _language_warnings(request: DraftRequest, backend: Any) -> list[DraftWarning]:
    if request.language != "cy":
        return []
    message = "This correspondence was received in Welsh and must be answered in Welsh."
    note = getattr(backend, "language_note", "")
    return [DraftWarning("welsh", f"{message} {note}".strip())]
