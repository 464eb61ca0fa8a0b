"""A backend that answers from a script: replies you enqueue, and a history of what it was given.

    backend = ScriptedBackend().enqueue("Care Inspectorate Wales inspects every council [1].")
    assistant = build_assistant(settings, embedder=HashEmbedder(), store=MemoryStore(), backend=backend)
    draft = assistant.draft(request)
    (sent_request, sent_passages), = backend.history

A reply is a body, a list of pieces (streamed to `on_token` one by one), or a callable of
(request, passages) returning either. Like simonw/llm's MockModel: nothing enqueued is an error,
never a made-up answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from rag.drafting.backends.base import TokenSink
from rag.errors import BackendError
from rag.types import Composition, DraftRequest, Passage

Body = str | Sequence[str]
Reply = Body | Callable[[DraftRequest, list[Passage]], Body]


class ScriptedBackend:
    """Returns the enqueued replies in order, citing the passages it was given (numbered 1..n)."""

    name = "scripted"

    def __init__(self, *replies: Reply, language_note: str = "") -> None:
        self.language_note = language_note
        self.history: list[tuple[DraftRequest, list[Passage]]] = []
        self._replies: deque[Reply] = deque(replies)

    def enqueue(self, *replies: Reply) -> ScriptedBackend:
        self._replies.extend(replies)
        return self

    @property
    def pending(self) -> int:
        """Replies enqueued and not yet used."""
        return len(self._replies)

    def compose(self, request: DraftRequest, passages: list[Passage], on_token: TokenSink | None = None) -> Composition:
        self.history.append((request, list(passages)))
        if not self._replies:
            raise BackendError(
                f"ScriptedBackend has no reply left for draft #{len(self.history)}: enqueue() one before drafting."
            )
        reply = self._replies.popleft()
        body = reply(request, list(passages)) if callable(reply) else reply
        pieces = [body] if isinstance(body, str) else list(body)
        if on_token is not None:
            for piece in pieces:
                on_token(piece)
        return Composition("".join(pieces).strip(), list(passages))
