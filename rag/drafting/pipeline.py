"""Drafting: retrieve precedents for the request's ask, keep the current lines (no holding replies or
cross-references, no superseded lines), compose with a backend, check the body.

`draft()` is given its collaborators (a search function, the backend, the embedder for the
citation check, the settings for the house format); it knows nothing of the Assistant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from rag.drafting.answerability import assess, placeholder, topic
from rag.drafting.backends.base import Backend, TokenSink
from rag.drafting.checks import check_body, reply_date
from rag.drafting.citations import citations_for
from rag.drafting.formats import render_reply
from rag.drafting.intake import search_query
from rag.drafting.lines import current_lines, firsts
from rag.errors import EmptyRequestError
from rag.index.base import Embedder
from rag.index.where import matches
from rag.retrieval.filters import where
from rag.settings import Settings
from rag.text.dates import human_date
from rag.text.shorten import shorten
from rag.text.welsh import gloss
from rag.types import AskPart, Assessment, Composition, Draft, DraftRequest, DraftWarning, Passage, SearchFilters

PASSAGES = 8  # passages retrieved per draft
RELATED = 3  # closest precedents shown as "possibly related" when none answers the ask
# A draft rests on what Government has said: its replies and answers (and documents of no known
# kind, e.g. an uploaded ministerial letter). Letters it received are context, never a source.
DRAFT_FROM = ["petition_response", "written_question", "unknown"]
NO_PRECEDENT_BODY = "[No precedent found: draft this section from officials' advice.]"

Search = Callable[[str, int, SearchFilters], list[Passage]]
Counts = Callable[[list[str], SearchFilters], tuple[dict[str, int], int]]  # terms -> (chunks holding each, allowed)


def draft(
    request: DraftRequest,
    *,
    search: Search,
    term_counts: Counts,
    backend: Backend,
    embedder: Embedder,
    settings: Settings,
    exclude_doc_ids: Iterable[str] = (),
    on_token: TokenSink | None = None,
    k: int = PASSAGES,
    chosen: Sequence[Passage] = (),
) -> Draft:
    """Draft a reply to `request` from the precedents dated before `request.as_of`: only the parts
    of the ask they address (rag.drafting.answerability); nothing at all when they address none.
    `chosen` passages (an official's picks) come first, ahead of the `k` found, under the same rules:
    only Government's own lines dated before as-of, and cited only where they address the ask."""
    if not (request.ask or request.text).strip():
        raise EmptyRequestError("There is nothing to reply to: paste the petition, question or letter first.")
    query = request.ask or request.text
    filters = SearchFilters(kinds=DRAFT_FROM, as_of=request.as_of, exclude_doc_ids=set(exclude_doc_ids))
    # holding answers and cross-references are no line; of two on the same point, the later stands
    candidates = with_chosen(chosen, search(search_query(request), k, filters), filters)
    found, superseded = current_lines(candidates, embedder)
    english = gloss(query) if request.language == "cy" else ""  # a Welsh ask is scored by its English gloss
    assessment = assess(english or query, found, embedder, lambda terms: term_counts(terms, filters))
    warnings = _language_warnings(request, backend) + _parsed_date_warnings(request)
    related: list[Passage] = []
    if assessment.addressed:
        warnings.extend(superseded)
        uncovered = assessment.uncovered
        covered = [p.text for p in assessment.parts if p.covered]
        asked = replace(request, ask=" ".join(covered)) if uncovered and covered else request
        composition = backend.compose(asked, found, on_token=on_token)
        if uncovered:
            warnings.append(_partial_warning(uncovered))
            composition.body = "\n\n".join([composition.body, *map(placeholder, uncovered)]).strip()
    else:
        warnings.append(_no_precedent_warning(query, assessment))
        composition = Composition("", [])
        related = firsts(found)[:RELATED]
    warnings.extend(composition.warnings)
    when = reply_date(request)
    age = settings.precedent_max_age_months
    warnings.extend(check_body(composition.body, composition.passages, embedder, when, max_age_months=age))
    return Draft(
        kind=request.kind,
        backend=backend.name,
        text=render_reply(request, composition.body or NO_PRECEDENT_BODY, settings, when, composition.passages),
        body=composition.body,
        citations=citations_for(composition.body, composition.passages),
        warnings=warnings,
        request=request,
        passages=composition.passages,
        query=query,
        assessment=assessment,
        related=related,
    )


def with_chosen(chosen: Sequence[Passage], found: Sequence[Passage], filters: SearchFilters) -> list[Passage]:
    """The chosen passages the filters allow (kind, as-of, exclusions), then the found ones not among them."""
    clause = where(filters, lambda _: [])
    picked = list({p.chunk_id: p for p in chosen if matches(p.meta, clause)}.values())
    ids = {p.chunk_id for p in picked}
    return picked + [p for p in found if p.chunk_id not in ids]


def _no_precedent_warning(query: str, assessment: Assessment) -> DraftWarning:
    missing = assessment.whole.missing
    never = f" The index never mentions {_names(missing)}." if missing else ""
    return DraftWarning(
        "no_precedent",
        "No earlier reply in the index addresses this request "
        f"(searched for \u201c{shorten(query, 160)}\u201d).{never} "
        "No body was drafted: it needs officials' advice. The closest precedents are listed as possibly related.",
    )


def _partial_warning(uncovered: list[AskPart]) -> DraftWarning:
    named = "; ".join(f"\u201c{topic(p.text)}\u201d" for p in uncovered)
    return DraftWarning(
        "partial_answer",
        f"No earlier reply addresses {len(uncovered)} part(s) of the request: {named}. "
        "The draft answers the rest; each missing part has an [Officials to advise: ...] line.",
    )


def _names(words: list[str]) -> str:
    quoted = [f"\u201c{w}\u201d" for w in words[:5]]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


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
