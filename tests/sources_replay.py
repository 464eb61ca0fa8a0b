"""A loopback fake of the official sources, started by the tests: it replays the recorded responses in
tests/fixtures/sources/ in the real schemas (the Written Questions API, an e-petitions site, letters),
pages them two records at a time, records every request it is sent, and can be told to fail
(`faults`) or to hold a request open (`hold_at`) so a test can kill the client mid-sync.

    with Replay() as replay:
        sync_source("parliament-wq", assistant, desk, base_url=replay.url, ...)
        replay.requests  # [Sent(path, query, headers), ...]
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SEEDS = Path(__file__).parent.parent / "seeds"
PAGE = 2  # records per page: every fixture list spans several pages
LIST = "/api/writtenquestions/questions"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Sent:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Replay:
    """The fake server. `site` chooses which e-petitions site /petitions.json is ("uk" or "senedd")."""

    def __init__(self, site: str = "uk") -> None:
        self.wq = fixture("wq.json")
        self.corrections = self.wq["corrected"]  # published by publish_correction(): none at first
        self.wq["corrected"] = []
        self.petitions = fixture("petitions.json")[site]
        self.letters: dict[str, bytes] = {p.name: p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))}
        self.faults: dict[str, list[Fault]] = {}  # path -> responses served, in turn, before the real one
        self.requests: list[Sent] = []
        self.hold_at: int | None = None  # the n-th request (1-based) waits for `release` before answering
        self.held = threading.Event()
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Replay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def publish_correction(self) -> None:
        """What the API shows once an answer is corrected: the record itself carries the new answer
        (and the original), and it is listed among the corrected."""
        corrected = copy.deepcopy(self.corrections)
        ids = {c["id"] for c in corrected}
        self.wq["answered"] = [r for r in self.wq["answered"] if r["id"] not in ids] + corrected
        self.wq["corrected"] = corrected

    def paths(self) -> list[str]:
        return [s.path for s in self.requests]

    # -- answering ------------------------------------------------------------------------
    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.faults.get(path):
            fault = self.faults[path].pop(0)
            return fault.status, fault.headers, fault.body
        if path == LIST:
            return _json(self._questions(query))
        if path.startswith(LIST + "/"):
            return self._question(path.rsplit("/", 1)[-1])
        if path == "/petitions.json":
            return _json(self._petitions(query))
        if path.startswith("/letters/") and path.rsplit("/", 1)[-1] in self.letters:
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, self.letters[path.rsplit("/", 1)[-1]]
        return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"

    def _questions(self, q: dict[str, str]) -> dict[str, Any]:
        if "correctedWhenFrom" in q:
            found, on = self.wq["corrected"], ("dateAnswerCorrected", q["correctedWhenFrom"])
        elif q.get("answered") == "Unanswered":
            found, on = self.wq["unanswered"], ("dateTabled", q.get("tabledWhenFrom", ""))
        else:
            found, on = self.wq["answered"], ("dateAnswered", q.get("answeredWhenFrom", ""))
        found = [r for r in found if (r.get(on[0]) or "")[:10] >= on[1][:10]]
        if "answeringBodies" in q:
            found = [r for r in found if str(r["answeringBodyId"]) == q["answeringBodies"]]
        skip = int(q.get("skip", 0))
        page = found[skip : skip + min(PAGE, int(q.get("take", PAGE)))]
        results = [
            {"value": r, "links": [{"rel": "self", "href": f"/Questions/{r['id']}", "method": "GET"}]} for r in page
        ]
        return {"totalResults": len(found), "results": results}

    def _question(self, qid: str) -> tuple[int, dict[str, str], bytes]:
        whole = self.wq["full"].get(qid) or next(
            (r for k in ("corrected", "answered", "unanswered") for r in self.wq[k] if str(r["id"]) == qid), None
        )
        if whole is None:
            return 404, {}, b""
        return _json({"value": whole, "links": []})

    def _petitions(self, q: dict[str, str]) -> dict[str, Any]:
        state, number = q.get("state", "all"), int(q.get("page", 1))
        found = self.petitions.get(state, [])
        page = found[(number - 1) * PAGE : number * PAGE]
        more = number * PAGE < len(found)
        here = f"https://petition.example/petitions.json?{urlencode({'state': state, 'page': number})}"
        following = f"https://petition.example/petitions.json?{urlencode({'state': state, 'page': number + 1})}"
        return {"links": {"self": here, "next": following if more else None}, "data": page}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                replay.requests.append(Sent(parts.path, query, dict(self.headers.items())))
                if replay.hold_at is not None and len(replay.requests) == replay.hold_at:
                    replay.held.set()
                    replay.release.wait(60)
                status, headers, body = replay.answer(parts.path, query)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _json(data: Any) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode("utf-8")
