"""A local `chroma run` server on a free loopback port: for the server tests and the benchmark."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import ConfigError


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_executable() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def start_chroma_server(
    path: Path, port: int, log_file: Path | None = None, wait: float = 60.0
) -> subprocess.Popen[bytes]:
    """`chroma run` on loopback, returned once its heartbeat answers (ConfigError if it never does)."""
    exe = chroma_executable()
    if exe is None:
        raise ConfigError("The `chroma` command is not installed (it ships with the chromadb package).")
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError(f"`chroma run` exited with code {proc.returncode}; see {log_file or 'its output'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_chroma_server(proc)
    raise ConfigError(f"`chroma run` did not answer on port {port} within {wait:.0f} s")


def stop_chroma_server(proc: subprocess.Popen[bytes], sig: int = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@contextmanager
def chroma_server(path: Path, log_file: Path | None = None) -> Iterator[str]:
    """A `chroma run` server over `path` on a free loopback port; yields its URL; always stopped."""
    port = free_port()
    proc = start_chroma_server(path, port, log_file)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_chroma_server(proc)
