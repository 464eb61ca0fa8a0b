"""The default install makes no outside connection and no DNS lookup.

Each entry point runs as a subprocess under `strace -f`, with a fresh HOME and none of the
switches that would hide a leak (ORT_*, XDG_CACHE_HOME) in its environment: the CLI (`ymateb
ingest`, `search`, `draft`, `batch`), and the Streamlit server while a headless Chromium opens the Corpus
page (a fresh store, so the server indexes the seeds and loads onnxruntime) and for HOLD seconds
after. The trace may show no connect()/sendto()/sendmsg() to a non-loopback address or to port 53
and no connection to a name-service socket, and nothing may appear under ~/.cache/Microsoft.

What this caught: onnxruntime's 1DS telemetry, started by `import onnxruntime`, wrote a device id
to ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and looked up mobile.events.data.microsoft.com
6-9 s after the import and every 5-20 s after that (rag.index.embedder.import_onnxruntime).
Short CLI runs end before the first lookup; their device-id file gives them away.
"""

from __future__ import annotations

import ast
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARGS, CHROMIUM, STREAMLIT, _free_port, _stop, _wait_healthy
from tests.conftest import ROOT, SEEDS, require

STRACE = shutil.which("strace") or "strace"
YMATEB = Path(sys.executable).parent / "ymateb"
TRACED = "trace=connect,sendto,sendmsg"
HOLD = 30.0  # s the server stays up after the page has loaded; before the fix this saw 3-4 lookups
LOOKUP_SOCKETS = ("/var/run/nscd/", "/run/nscd/", "/run/systemd/resolve/")  # glibc and resolved name services
PETITION = "Petition P-06-1199: Place Cardiff Children's Services into special measures"

_CALL = re.compile(r"\b(?:connect|sendto|sendmsg)\(")
_HOST = re.compile(r'(?:inet_addr\("|inet_pton\(AF_INET6, ")(?P<host>[^"]+)"')
_PORT = re.compile(r"sin6?_port=htons\((?P<port>\d+)\)")


def outside_traffic(trace: str) -> list[str]:
    """The strace lines that reach past loopback or ask a name service (DNS on any address)."""
    bad = []
    for line in trace.splitlines():
        if not _CALL.search(line):
            continue
        host, port = _HOST.search(line), _PORT.search(line)
        lookup = any(s in line for s in LOOKUP_SOCKETS) or (port is not None and port["port"] == "53")
        if lookup or (host is not None and not _loopback(host["host"])):
            bad.append(line)
    return bad


def _loopback(host: str) -> bool:
    ip = ipaddress.ip_address(host)
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _microsoft_files(home: Path) -> list[str]:
    root = home / ".cache" / "Microsoft"
    return sorted(str(p.relative_to(home)) for p in root.rglob("*")) if root.exists() else []


def _assert_stayed_home(trace: Path, home: Path, who: str) -> None:
    bad = outside_traffic(trace.read_text())
    assert not bad, f"{who} reached out ({len(bad)} strace lines):\n" + "\n".join(bad)
    files = _microsoft_files(home)
    assert not files, f"{who} wrote onnxruntime telemetry files under HOME: {files}"


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment with a fresh HOME, this checkout first on the path, and nothing
    that would switch telemetry off or move its files elsewhere."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("YMATEB_", "OPENAI_", "ORT_")) and k != "XDG_CACHE_HOME"
    }
    return {**env, "HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def _traced(trace: Path, *cmd: str) -> list[str]:
    return [STRACE, "-f", "-qq", "-e", TRACED, "-o", str(trace), *cmd]


def _require_strace(tmp_path: Path) -> None:
    """strace is installed, may trace (ptrace is allowed here) and follows threads; and
    outside_traffic reads its output: a UDP connect() to 127.0.0.1:53 from a thread (which sends
    no packet) must be flagged as a lookup."""
    require(shutil.which("strace") is not None, "strace is missing: apt-get install strace")
    probe = (
        "import socket, threading\n"
        "t = threading.Thread(target=lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".connect(('127.0.0.1', 53)))\n"
        "t.start(); t.join()\n"
    )
    trace = tmp_path / "probe.trace"
    done = subprocess.run(_traced(trace, sys.executable, "-c", probe), capture_output=True, text=True, timeout=60)
    require(done.returncode == 0, f"strace cannot trace here (ptrace not permitted?): {done.stderr.strip()}")
    assert outside_traffic(trace.read_text()), f"the probe's connect() was not seen:\n{trace.read_text()}"


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        (
            "18714 23:08:41.218462 connect(50, {sa_family=AF_INET, sin_port=htons(53), "
            'sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
            True,
        ),
        (
            "18725 23:08:46.745289 connect(19, {sa_family=AF_INET, sin_port=htons(53), "
            'sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>',
            True,
        ),
        (
            '15318 connect(9, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
            True,
        ),
        (
            "7 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS',
            True,
        ),
        ('7 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("13.69.109.130")}, 16)', True),
        (
            '7 sendmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, '
            "msg_namelen=16}, 0) = 40",
            True,
        ),
        ('7 connect(5, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0', False),
        (
            "7 connect(5, {sa_family=AF_INET6, sin6_port=htons(8501), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
            False,
        ),
        ('7 connect(6, {sa_family=AF_UNIX, sun_path="/tmp/pytest/chroma.sock"}, 110) = 0', False),
        ('7 sendto(8, "\\224\\6\\1\\0", 50, MSG_NOSIGNAL, NULL, 0) = 50', False),
        ("7 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=16878, si_uid=0} ---", False),
    ],
    ids=[
        "dns-to-resolver",
        "dns-unfinished",
        "nscd-socket",
        "ipv6-https",
        "ipv4-https",
        "dns-to-loopback-stub",
        "loopback-v4",
        "loopback-v4-mapped",
        "unix-socket",
        "sendto-on-connected-socket",
        "signal",
    ],
)
def test_outside_traffic_reads_strace_lines(line: str, flagged: bool) -> None:
    assert bool(outside_traffic(line)) is flagged


def test_rag_imports_onnxruntime_only_through_the_telemetry_switch() -> None:
    """An `import onnxruntime` anywhere else in rag/ would start the telemetry again."""
    found = []
    for path in sorted((ROOT / "rag").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] == "onnxruntime" for n in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(found) == 1 and found[0].startswith("rag/index/embedder.py:"), found


@pytest.mark.slow
def test_cli_ingest_search_draft_stay_on_this_machine(tmp_path: Path) -> None:
    _require_strace(tmp_path)
    require(YMATEB.exists(), f"{YMATEB} is missing: pip install -e .[dev]")
    home, store = tmp_path / "home", str(tmp_path / "store")
    runs = {
        "ingest": ["ingest", str(SEEDS), "--store", store],
        "search": ["search", "independent review of children's services", "--store", store],
        "draft": ["draft", PETITION, "--store", store],
        "batch": ["batch", str(_questions_csv(tmp_path)), "--store", store, "--who", "Ann Official"],
    }
    outputs: dict[str, str] = {}
    for name, args in runs.items():
        trace = tmp_path / f"{name}.trace"
        done = subprocess.run(
            _traced(trace, str(YMATEB), *args), env=_env(home), capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"ymateb {name} failed:\n{done.stdout}\n{done.stderr}"
        _assert_stayed_home(trace, home, f"ymateb {name}")
        outputs[name] = done.stdout
    assert "33 embedded" in outputs["ingest"], "the seeds were not embedded, so onnxruntime never ran"
    assert "[1]" in outputs["draft"], outputs["draft"]
    assert "2 groups: 2 drafted now" in outputs["batch"], outputs["batch"]  # the desk opened, migrated, wrote


def _questions_csv(folder: Path) -> Path:
    path = folder / "day.csv"
    path.write_text(
        "UIN,Date tabled,Question text,Answering body\n"
        "101,2022-10-03,What steps is the Welsh Government taking on independent reviews of children's services?,"
        "Welsh Government\n"
        "102,2022-10-03,How many children are looked after in Cardiff?,Welsh Government\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
@pytest.mark.browser
def test_streamlit_server_stays_on_this_machine(tmp_path: Path) -> None:
    """`streamlit run app.py` as `make run` starts it (its settings from .streamlit/config.toml),
    one page load over loopback, then HOLD seconds with the session open."""
    _require_strace(tmp_path)
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    require(STREAMLIT.exists(), f"{STREAMLIT} is missing: pip install -e .[dev]")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "the playwright package is missing: pip install -e .[dev]")
        raise
    home, store, trace, log = tmp_path / "home", tmp_path / "store", tmp_path / "streamlit.trace", tmp_path / "log"
    port = _free_port()
    cmd = _traced(trace, str(STREAMLIT), "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=_env(home, YMATEB_STORE=str(store)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                _load_corpus_page(browser.new_page(), url)
                time.sleep(HOLD)
            finally:
                browser.close()
    finally:
        _stop(proc)
    assert (store / "chroma.sqlite3").exists(), "the server never indexed the seeds, so onnxruntime never ran"
    _assert_stayed_home(trace, home, "the Streamlit server")


def _load_corpus_page(page: Any, url: str) -> None:
    """The Corpus page opens the assistant, which indexes the seeds on a fresh store."""
    page.set_default_timeout(120_000)
    page.goto(f"{url}/corpus", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Corpus").wait_for()
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
