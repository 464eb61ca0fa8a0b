"""Scripted OpenAI-compatible chat completions, two ways, answering from one queue of `Scripted` replies.

FakeOpenAI   a ThreadingHTTPServer on loopback: for code that builds its own client from settings
             (the CLI, the LLM judge), so the real socket path is exercised too.
MockOpenAI   an `httpx.MockTransport` handler: no socket, no thread. `MockOpenAI.client()` is a real
             `openai.OpenAI` over it, to pass to OpenAIBackend(settings, client=...). A reply can
             also be an exception (e.g. httpx.ReadTimeout) raised where the network would fail.

Both record every request (path, headers, JSON body) and answer with streamed SSE chunks when the
request asks for `stream: true`, one `chat.completion` JSON object otherwise.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


@dataclass
class Scripted:
    """One reply: an HTTP status, the content pieces (streamed, or joined into one message), how it
    finished. (A timeout is scripted as an exception for MockOpenAI, never as a wait.)"""

    status: int = 200
    pieces: list[str] = field(default_factory=list)
    error: str = "scripted failure"
    finish: str = "stop"


class FakeOpenAI:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1 that records what it receives."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: deque[Scripted] = deque()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: Scripted) -> None:
        self.replies.extend(replies)

    def reply(self, *pieces: str) -> None:
        self.enqueue(Scripted(pieces=list(pieces)))

    def start(self) -> FakeOpenAI:
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.server.shutdown()
        self.server.server_close()


class MockOpenAI:
    """The same script and record as FakeOpenAI, served through httpx.MockTransport (no socket)."""

    url = "http://llm.test/v1"  # never resolved: the transport answers before any connection

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: deque[Scripted | BaseException] = deque()

    def enqueue(self, *replies: Scripted | BaseException) -> None:
        self.replies.extend(replies)

    def reply(self, *pieces: str) -> None:
        self.enqueue(Scripted(pieces=list(pieces)))

    def client(self, api_key: str = "test-key") -> Any:
        """A real `openai.OpenAI` whose HTTP goes to this fake; one attempt per call, as in production."""
        import openai

        transport = httpx.MockTransport(self.handle)
        return openai.OpenAI(
            base_url=self.url, api_key=api_key, max_retries=0, http_client=httpx.Client(transport=transport)
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append({"path": request.url.path, "headers": headers, "json": body})
        script = self.replies.popleft() if self.replies else Scripted(500, error="no scripted reply left")
        if isinstance(script, BaseException):
            raise script
        if request.url.path != "/v1/chat/completions":
            return _error_response(404, "not found")
        if script.status != 200:
            return _error_response(script.status, script.error)
        if body.get("stream"):
            stream = b"".join(_events(body.get("model", ""), script.pieces, script.finish))
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=stream)
        return httpx.Response(200, json=_completion(body.get("model", ""), script.pieces, script.finish))


def _error_response(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "invalid_request_error", "code": None}})


def _events(model: str, pieces: list[str], finish: str = "stop") -> list[bytes]:
    """The SSE events of one streamed completion: the role, each piece, the finish, [DONE]."""
    events = [_chunk(model, {"role": "assistant", "content": ""})]
    events += [_chunk(model, {"content": piece}) for piece in pieces]
    return events + [_chunk(model, {}, finish), b"data: [DONE]\n\n"]


def _completion(model: str, pieces: list[str], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "".join(pieces)}, "finish_reason": finish}
        ],
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.requests.append({"path": self.path, "headers": headers, "json": json.loads(raw or b"{}")})
        script = fake.replies.popleft() if fake.replies else Scripted(500, error="no scripted reply left")
        try:
            if self.path != "/v1/chat/completions":
                self._error(404, "not found")
            elif script.status != 200:
                self._error(script.status, script.error)
            elif fake.requests[-1]["json"].get("stream"):
                self._stream(fake.requests[-1]["json"].get("model", ""), script.pieces, script.finish)
            else:
                self._complete(fake.requests[-1]["json"].get("model", ""), script.pieces, script.finish)
        except (BrokenPipeError, ConnectionResetError):  # the client went away mid-reply
            pass

    def _error(self, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": None}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, model: str, pieces: list[str], finish: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for event in _events(model, pieces, finish):
            self.wfile.write(event)
            self.wfile.flush()

    def _complete(self, model: str, pieces: list[str], finish: str) -> None:
        body = json.dumps(_completion(model, pieces, finish)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
