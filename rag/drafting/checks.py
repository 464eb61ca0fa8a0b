"""Every check run on a reply's body, drafted or edited: one function, used by the pipeline, the
app's re-check of an edited draft, and the eval.

    check_body(body, passages, embedder, reply_date, max_age_months=12) -> [DraftWarning]

The reply date is the day the reply is for: the request's `as_of` when drafting for a past day,
else today (`reply_date`). Citations come first (markers, support, uncited sentences), then
currency (rag.drafting.currency: a dated precedent, stale dated language and figures).
"""

from __future__ import annotations

from datetime import date

from rag.drafting.citations import check_citations
from rag.drafting.currency import MAX_AGE_MONTHS, currency_warnings
from rag.index.base import Embedder
from rag.text.dates import to_date
from rag.types import DraftRequest, DraftWarning, Passage


def reply_date(request: DraftRequest | None, today: date | None = None) -> date:
    """The day the reply is for: `as_of` when given, else today."""
    given = to_date(request.as_of) if request is not None else None
    return given or today or date.today()


def check_body(
    body: str,
    passages: list[Passage],
    embedder: Embedder,
    reply_date: date,
    *,
    max_age_months: int = MAX_AGE_MONTHS,
) -> list[DraftWarning]:
    """The warnings on a body: citation markers, support and uncited sentences, then whether what
    it cites is still current on `reply_date`."""
    if not body.strip():
        return []
    warnings = check_citations(body, passages, embedder).warnings
    return warnings + currency_warnings(body, passages, reply_date, max_age_months)
