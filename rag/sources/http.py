"""Polite HTTP for the official sources: one client, a User-Agent that says who we are, at most
`rate` requests a second, retries with backoff on 429 and 5xx (a Retry-After honoured), and every
failure as one SourceError line that names the host and what to check.

    fetcher = Fetcher("https://questions-statements-api.parliament.uk")
    page = fetcher.json("/api/writtenquestions/questions", {"take": 100})

`transport` (an httpx transport) and `sleep` are for tests: a MockTransport, or a loopback server
with a sleep that records the waits instead of waiting.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from rag.errors import SourceError

RATE = 2.0  # requests a second, at most
ATTEMPTS = 5  # tries of one request (429, 5xx, a dropped connection) before giving up
TIMEOUT = 30.0  # seconds for one request
MAX_WAIT = 120.0  # longest Retry-After honoured (seconds); longer ones are cut to this
MAX_BYTES = 50 * 1024 * 1024  # largest response read (a letter PDF; a page of JSON is far smaller)


def user_agent(contact: str | None = None) -> str:
    try:
        ours = version("ymateb")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        ours = "dev"
    return f"Ymateb/{ours} (precedent sync" + (f"; {contact}" if contact else "") + ")"


@dataclass(frozen=True)
class Reply:
    """A successful response: where it came from (after redirects) and its body."""

    url: str
    content: bytes


class _Retry(Exception):
    """A response worth asking again for: 429 or 5xx, or a dropped connection."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Fetcher:
    """GETs against one base URL, politely; SourceError (one line) when a request cannot succeed."""

    def __init__(
        self,
        base_url: str,
        *,
        contact: str | None = None,
        rate: float = RATE,
        attempts: int = ATTEMPTS,
        timeout: float = TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.attempts, self.timeout, self.sleep = attempts, timeout, sleep
        self.requests = 0  # sent, retries included
        self.waits: list[float] = []  # each backoff or Retry-After waited, in seconds
        self._last = 0.0
        self._client = httpx.Client(
            headers={"User-Agent": user_agent(contact), "Accept": "application/json, */*;q=0.5"},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        """`path` under the base URL (an absolute URL is kept as it is: a `next` link)."""
        return path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"

    def json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON at `path`; SourceError if it is not JSON."""
        response = self.get(path, params)
        try:
            return json.loads(response.content.decode("utf-8-sig"))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            where = getattr(exc, "lineno", None)
            at = f" (line {where}, column {getattr(exc, 'colno', '?')})" if where else ""
            raise SourceError(
                f"{self.host} sent a response that is not valid JSON{at} for {_path(response.url)}; "
                "check --base-url points at the API, or try again later"
            ) from None

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Reply:
        """The response to GET `path`, after retries; SourceError once it cannot succeed."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retry),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._once, self.url(path), params)
        except _Retry as exc:
            raise SourceError(f"{self.host} kept failing: {exc} after {self.attempts} tries; try again later") from None

    def _once(self, url: str, params: Mapping[str, Any] | None) -> Reply:
        self._pace()
        self.requests += 1
        try:
            with self._client.stream("GET", url, params=params) as response:
                status, reason, final = response.status_code, response.reason_phrase, str(response.url)
                after = _retry_after(response)
                content = b"" if status >= 400 else _read_capped(response, self.host)
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            if _is_dns(exc):
                raise SourceError(
                    f"Cannot reach {self.host}: the name does not resolve (DNS); check the address "
                    "(--base-url) and that this machine may reach the internet (proxy, firewall)"
                ) from None
            raise _Retry(f"cannot connect ({_first_line(exc)})") from None
        except httpx.TransportError as exc:
            raise _Retry(f"the connection failed ({_first_line(exc)})") from None
        except httpx.InvalidURL as exc:
            raise SourceError(f"{url!r} is not a URL that can be fetched ({exc}); check --base-url") from None
        said = f"HTTP {status} {reason}".strip()
        if status == 429 or status >= 500:
            raise _Retry(said, after)
        if status >= 400:
            raise SourceError(
                f"{self.host} refused the request: {said} for {_path(final)}; check --base-url and the options"
            )
        return Reply(final, content)

    def _pace(self) -> None:
        """Wait until `interval` has passed since the last request began."""
        gap = self._last + self.interval - time.monotonic()
        if gap > 0:
            self.sleep(gap)
        self._last = time.monotonic()

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = getattr(exc, "after", None)
        if after is not None:
            return min(after, MAX_WAIT)
        return float(wait_exponential_jitter(initial=1, max=30)(state))

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sleep(seconds)


def _read_capped(response: httpx.Response, host: str) -> bytes:
    """The body, read in pieces; SourceError past MAX_BYTES (never held whole)."""
    body = bytearray()
    for piece in response.iter_bytes():
        body.extend(piece)
        if len(body) > MAX_BYTES:
            raise SourceError(f"{host} sent more than {MAX_BYTES // (1024 * 1024)} MB for {_path(str(response.url))}")
    return bytes(body)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


DNS_SIGNS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
    "name resolution",
)


def _is_dns(exc: Exception) -> bool:
    return any(sign in str(exc).lower() for sign in DNS_SIGNS)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _path(url: str) -> str:
    parts = urlsplit(str(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")
