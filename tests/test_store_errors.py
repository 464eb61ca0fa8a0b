"""Store failures become a StoreError chosen by the exception's type (along its cause chain),
never by the words in its message. Each case raises the real exception type."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Callable

import httpx
import pytest
from chromadb import errors as chroma_errors

from rag.errors import ConfigError, StoreError
from rag.index.chroma import _translated, make_client
from rag.index.failures import disk_full

DISK_FULL = disk_full()

REQUEST = httpx.Request("GET", "http://127.0.0.1:9/api/v2/heartbeat")
UNREACHABLE = "the Chroma server is not reachable"
TOO_SLOW = "the Chroma server did not answer in time"


def sqlite_full() -> sqlite3.OperationalError:
    """A real SQLITE_FULL from sqlite itself (a database capped at three pages)."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("PRAGMA max_page_count=3")
        con.execute("CREATE TABLE t (x BLOB)")
        for _ in range(10):
            con.execute("INSERT INTO t VALUES (?)", (b"x" * 5000,))
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        con.close()
    raise AssertionError("sqlite did not fill up")


def wrapped_by_chromadb() -> ValueError:
    """chromadb's HttpClient raises ValueError while handling the httpx.ConnectError."""
    exc = ValueError("Could not connect to a Chroma server. Are you sure it is running?")
    exc.__context__ = httpx.ConnectError("[Errno 111] Connection refused", request=REQUEST)
    return exc


def caused_by(outer: Exception, inner: Exception) -> Exception:
    outer.__cause__ = inner
    return outer


CASES: list[tuple[str, Callable[[], BaseException], list[str]]] = [
    ("oserror-enospc", lambda: OSError(errno.ENOSPC, "No space left on device"), [DISK_FULL]),
    ("sqlite-full", sqlite_full, [DISK_FULL]),
    ("sqlite-full-under-chroma", lambda: caused_by(chroma_errors.InternalError("x"), sqlite_full()), [DISK_FULL]),
    ("oserror-eacces", lambda: PermissionError(errno.EACCES, "Permission denied"), ["Permission denied. Check disk"]),
    ("httpx-connect", lambda: httpx.ConnectError("[Errno 111] Connection refused", request=REQUEST), [UNREACHABLE]),
    ("httpx-in-valueerror", wrapped_by_chromadb, [UNREACHABLE, "([Errno 111] Connection refused)"]),
    ("httpx-disconnected", lambda: httpx.RemoteProtocolError("Server disconnected", request=REQUEST), [UNREACHABLE]),
    ("httpx-read-timeout", lambda: httpx.ReadTimeout("timed out", request=REQUEST), [TOO_SLOW, "YMATEB_CHROMA_URL"]),
    ("connection-refused", lambda: ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), [UNREACHABLE]),
    ("chroma-auth", lambda: chroma_errors.ChromaAuthError("no token"), ["refused the request (no token)"]),
    ("chroma-internal", lambda: chroma_errors.InternalError("Error in compaction"), ["compaction (an internal"]),
    ("chroma-not-found", lambda: chroma_errors.NotFoundError("Collection x does not exist"), [": Collection x does"]),
    ("generic-first-line", lambda: RuntimeError("boom\nline two"), ["Could not write to the index: boom"]),
    ("generic-no-message", lambda: RuntimeError(), ["Could not write to the index: RuntimeError"]),
]
# Words alone are not a type: these messages mention disks and connections but get no diagnosis.
WORDS_ONLY = [
    ("sqlite-words-without-code", lambda: sqlite3.OperationalError("database or disk is full")),
    ("valueerror-disk-full-words", lambda: ValueError("disk is full")),
    ("runtime-connect-words", lambda: RuntimeError("could not connect")),
]


@pytest.mark.parametrize(("make", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_store_failure_is_a_store_error_chosen_by_type(make: Callable[[], BaseException], fragments: list[str]) -> None:
    exc = make()
    with pytest.raises(StoreError) as caught, _translated("write to the index"):
        raise exc
    message = str(caught.value)
    assert message.startswith("Could not write to the index: ") and "\n" not in message, message
    assert all(f in message for f in fragments), message
    assert caught.value.__cause__ is exc


@pytest.mark.parametrize("make", [c[1] for c in WORDS_ONLY], ids=[c[0] for c in WORDS_ONLY])
def test_words_in_a_message_do_not_choose_the_diagnosis(make: Callable[[], BaseException]) -> None:
    exc = make()
    with pytest.raises(StoreError) as caught, _translated("read the index"):
        raise exc
    assert str(caught.value) == f"Could not read the index: {exc}"


def test_our_own_errors_pass_through_unchanged() -> None:
    original = ConfigError("a setting is wrong")
    with pytest.raises(ConfigError) as caught, _translated("open the index"):
        raise original
    assert caught.value is original


def test_an_unreachable_server_is_named_with_the_setting_to_check() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as caught:
        make_client("unused", f"http://127.0.0.1:{port}")
    message = str(caught.value)
    assert message.startswith(f"Could not connect to the Chroma server at http://127.0.0.1:{port}: {UNREACHABLE}")
    assert "YMATEB_CHROMA_URL" in message and "Are you sure" not in message


def test_the_server_url_is_named_without_its_credentials() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as caught:
        make_client("unused", f"http://ymateb:s3cret@127.0.0.1:{port}")
    message = str(caught.value)
    assert message.startswith(f"Could not connect to the Chroma server at http://***@127.0.0.1:{port}: "), message
    assert "s3cret" not in message
