"""A scripted OpenAI-compatible chat-completions server on loopback, shared by the backend and judge tests.

It records every request (path, headers, JSON body) and answers from a queue: streamed SSE chunks
when the request asks for `stream: true`, one `chat.completion` JSON object otherwise.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """One reply: an HTTP status, the content pieces (streamed, or joined into one message), a delay."""

    status: int = 200
    pieces: list[str] = field(default_factory=list)
    delay: float = 0.0
    error: str = "scripted failure"


class FakeOpenAI:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1 that records what it receives."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: deque[Scripted] = deque()
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: Scripted) -> None:
        self.replies.extend(replies)

    def reply(self, *pieces: str) -> None:
        self.enqueue(Scripted(pieces=list(pieces)))

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


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
        if script.delay and fake.stopping.wait(script.delay):
            return
        try:
            if self.path != "/v1/chat/completions":
                self._error(404, "not found")
            elif script.status != 200:
                self._error(script.status, script.error)
            elif fake.requests[-1]["json"].get("stream"):
                self._stream(fake.requests[-1]["json"].get("model", ""), script.pieces)
            else:
                self._complete(fake.requests[-1]["json"].get("model", ""), script.pieces)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def _error(self, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": None}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, model: str, pieces: list[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(_chunk(model, {"role": "assistant", "content": ""}))
        for piece in pieces:
            self.wfile.write(_chunk(model, {"content": piece}))
            self.wfile.flush()
        self.wfile.write(_chunk(model, {}, "stop"))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _complete(self, model: str, pieces: list[str]) -> None:
        message = {"role": "assistant", "content": "".join(pieces)}
        body = json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
