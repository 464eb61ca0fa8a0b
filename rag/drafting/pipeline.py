"""Drafting: retrieve precedents for the request's ask, keep the current lines (no holding replies or
cross-references, no superseded lines), compose with a backend, check the body.

`draft()` is given its collaborators (a search function, the backend, the embedder for the
citation check, the settings for the house format); it knows nothing of the Assistant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rag.drafting.backends.base import Backend, TokenSink
from rag.drafting.checks import check_body, reply_date
from rag.drafting.citations import citations_for
from rag.drafting.formats import render_reply
from rag.drafting.lines import current_lines
from rag.errors import EmptyRequestError
from rag.index.base import Embedder
from rag.settings import Settings
from rag.text.dates import human_date
from rag.types import Composition, Draft, DraftRequest, DraftWarning, Passage, SearchFilters

NO_PRECEDENT_SIM = 0.40  # best passage cosine to the ask below which nothing counts as a precedent
PASSAGES = 8  # passages retrieved per draft
# A draft rests on what Government has said: its replies and answers (and documents of no known
# kind, e.g. an uploaded ministerial letter). Letters it received are context, never a source.
DRAFT_FROM = ["petition_response", "written_question", "unknown"]
NO_PRECEDENT_BODY = "[No precedent found: draft this section from officials' advice.]"

Search = Callable[[str, int, SearchFilters], list[Passage]]


def relevant(passages: list[Passage], floor: float = NO_PRECEDENT_SIM) -> list[Passage]:
    """Passages worth drafting from: none at all if even the best is unrelated to the ask."""
    best = max((float(p.meta.get("cosine", 0.0)) for p in passages), default=0.0)
    if best < floor:
        return []
    return [p for p in passages if float(p.meta.get("cosine", 0.0)) >= floor * 0.75 or p is passages[0]]


def draft(
    request: DraftRequest,
    *,
    search: Search,
    backend: Backend,
    embedder: Embedder,
    settings: Settings,
    exclude_doc_ids: Iterable[str] = (),
    on_token: TokenSink | None = None,
    k: int = PASSAGES,
) -> Draft:
    """Draft a reply to `request` from the precedents dated before `request.as_of`."""
    if not (request.ask or request.text).strip():
        raise EmptyRequestError("There is nothing to reply to: paste the petition, question or letter first.")
    filters = SearchFilters(kinds=DRAFT_FROM, as_of=request.as_of, exclude_doc_ids=set(exclude_doc_ids))
    passages, superseded = current_lines(relevant(search(request.ask or request.text, k, filters)), embedder)
    warnings = _language_warnings(request, backend) + _parsed_date_warnings(request) + superseded
    if passages:
        composition = backend.compose(request, passages, on_token=on_token)
    else:
        warnings.append(
            DraftWarning(
                "no_precedent",
                "No earlier reply in the index is close enough to this request to draft from; "
                "the body needs officials' advice. Nothing unrelated was used.",
            )
        )
        composition = Composition("", [])
    warnings.extend(composition.warnings)
    warnings.extend(
        check_body(
            composition.body,
            composition.passages,
            embedder,
            reply_date(request),
            max_age_months=settings.precedent_max_age_months,
        )
    )
    return Draft(
        kind=request.kind,
        backend=backend.name,
        text=render_reply(request, composition.body or NO_PRECEDENT_BODY, settings, reply_date(request)),
        body=composition.body,
        citations=citations_for(composition.body, composition.passages),
        warnings=warnings,
        request=request,
        passages=composition.passages,
    )


def _parsed_date_warnings(request: DraftRequest) -> list[DraftWarning]:
    """A date read from the incoming text is untrusted: the reply quotes it, so it must be checked."""
    if "letter_date" not in request.parsed_fields or not request.letter_date:
        return []
    return [
        DraftWarning(
            "unconfirmed_date",
            f"The date {human_date(request.letter_date)} was read from the incoming text and is used in the "
            "reply; nobody has confirmed it. Check it against the original.",
        )
    ]


def _language_warnings(request: DraftRequest, backend: Backend) -> list[DraftWarning]:
    if request.language != "cy":
        return []
    message = "This correspondence was received in Welsh and must be answered in Welsh."
    return [DraftWarning("welsh", f"{message} {backend.language_note}".strip())]
