"""Drafting backends: each turns a request and its numbered passages into a cited body.

    offline.py   OfflineComposer: composes from precedent sentences; no network, no key
    openai.py    OpenAIBackend: any OpenAI-compatible endpoint, streamed
    scripted.py  ScriptedBackend: replies you enqueue, and a history of what it was given (tests)

`make_backend` builds one by name; the composition root (`rag.assistant.build_assistant`) calls it,
and nothing else decides which backend drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rag.drafting.backends.base import Backend, TokenSink
from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.index.base import Embedder
    from rag.settings import Settings
    from rag.types import Passage

BACKENDS = ("offline", "openai")
__all__ = ["BACKENDS", "Backend", "TokenSink", "make_backend"]


def make_backend(
    name: str, settings: Settings, embedder: Embedder, doc_passages: Callable[[str], list[Passage]] | None = None
) -> Backend:
    """The backend the user chose. There is no silent fallback from one to the other."""
    if name == "offline":
        from rag.drafting.backends.offline import OfflineComposer

        return OfflineComposer(embedder, doc_passages)
    if name == "openai":
        from rag.drafting.backends.openai import OpenAIBackend

        return OpenAIBackend(settings)
    raise ConfigError(f"Unknown backend {name!r}: choose one of {', '.join(BACKENDS)}.")
