"""What every drafting backend is: a name, a note for Welsh correspondence, and `compose`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rag.types import Composition, DraftRequest, Passage

TokenSink = Callable[[str], None]


class Backend(Protocol):
    """Composes a cited body from numbered passages; `on_token` receives the text as it is written."""

    name: str
    language_note: str  # added to the Welsh-correspondence warning ("" when it drafts in Welsh)

    def compose(
        self, request: DraftRequest, passages: list[Passage], on_token: TokenSink | None = None
    ) -> Composition: ...
