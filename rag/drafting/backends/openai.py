"""The OpenAI-compatible drafting backend (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rag.drafting.backends.base import TokenSink
from rag.drafting.chat import build_chat_messages
from rag.errors import AuthError, BackendError, ConfigError, EmptyAnswerError, EndpointTimeout
from rag.settings import Settings
from rag.text.safe import redact_urls
from rag.types import Composition, DraftRequest, Passage


class ChatEndpoint:
    """The configured OpenAI-compatible endpoint; its client is made on first use."""

    if_missing = "or use the offline backend."

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        if client is None and not settings.llm_configured:
            raise ConfigError(
                "No OpenAI-compatible endpoint is configured: set YMATEB_LLM_BASE_URL (and YMATEB_LLM_API_KEY "
                f"or OPENAI_API_KEY if it needs one), {self.if_missing}"
            )
        self.settings = settings
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = openai_client(self.settings)
        return self._client


class OpenAIBackend(ChatEndpoint):
    """Streams a chat completion; the prompt carries numbered passages and the fenced request."""

    name = "openai"
    language_note = ""

    def compose(self, request: DraftRequest, passages: list[Passage], on_token: TokenSink | None = None) -> Composition:
        messages = build_chat_messages(request, passages, self.settings)
        text = self._complete(messages, on_token)
        return Composition(text.strip(), passages)

    def _complete(self, messages: list[dict[str, str]], on_token: TokenSink | None) -> str:
        where = endpoint_name(self.settings)
        with vendor_errors(self.settings):
            stream = self.client.chat.completions.create(
                model=self.settings.llm_model, messages=messages, stream=True, temperature=0.2
            )
            parts: list[str] = []
            refused = False
            for event in stream:
                for choice in event.choices or []:
                    delta = choice.delta
                    if getattr(delta, "refusal", None) or choice.finish_reason == "content_filter":
                        refused = True
                    if delta.content:
                        parts.append(delta.content)
                        if on_token:
                            on_token(delta.content)
        text = "".join(parts)
        if refused:
            raise EmptyAnswerError(f"The model at {where} refused to draft this; edit the request or draft offline.")
        if not text.strip():
            raise EmptyAnswerError(f"The model at {where} returned an empty answer; try again or draft offline.")
        return text


def openai_client(settings: Settings) -> Any:
    """An `openai.OpenAI` client for the configured endpoint: its timeout, no silent retries."""
    import openai

    return openai.OpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,
    )


def endpoint_name(settings: Settings) -> str:
    """The endpoint as messages name it: its URL without user name or password."""
    return redact_urls(settings.llm_base_url) if settings.llm_base_url else "the OpenAI API"


@contextmanager
def vendor_errors(settings: Settings) -> Iterator[None]:
    """Translate openai exceptions raised inside the block into rag.errors naming the endpoint."""
    import openai

    where = endpoint_name(settings)
    try:
        yield
    except openai.AuthenticationError as exc:
        raise AuthError(
            f"The endpoint {where} refused the API key (HTTP {exc.status_code}); check YMATEB_LLM_API_KEY."
        ) from exc
    except openai.PermissionDeniedError as exc:
        raise AuthError(f"The endpoint {where} denied access (HTTP 403); check the key's permissions.") from exc
    except openai.APITimeoutError as exc:
        raise EndpointTimeout(
            f"The endpoint {where} did not answer within {settings.llm_timeout:g} s; try again, "
            "raise YMATEB_LLM_TIMEOUT, or use the offline backend."
        ) from exc
    except openai.APIConnectionError as exc:
        raise BackendError(f"Could not reach the endpoint {where}; check YMATEB_LLM_BASE_URL and the network.") from exc
    except openai.APIStatusError as exc:
        raise BackendError(
            f"The endpoint {where} failed with HTTP {exc.status_code}; try again later or use the offline backend."
        ) from exc
    except openai.OpenAIError as exc:
        raise BackendError(f"The endpoint {where} returned something unusable ({type(exc).__name__}).") from exc
