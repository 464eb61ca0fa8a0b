"""The browser harness: `streamlit run app.py` on a loopback port, driven by real headless Chromium.

A pytest plugin (tests/conftest.py loads it). Every browser test runs at the two screens officials
use, 1366x768 (a typical government laptop) and 1920x1080, and every request the page makes is
recorded: one to anywhere but the app fails the test, so the app must serve all its own assets.
Screenshots go to test-output/screenshots/<name>-<width>x<height>.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PETITION, ROOT, require
from tests.fake_openai import FakeOpenAI

CHROMIUM = "/usr/bin/chromium"
STREAMLIT = Path(sys.executable).parent / "streamlit"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
SCREENSHOTS = ROOT / "test-output" / "screenshots"
WAIT = 120_000  # ms: the first page load embeds the seed corpus


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not become healthy in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@contextmanager
def running_app(work: Path, env: Mapping[str, str] = {}) -> Iterator[str]:
    """The app on a free loopback port with the store at work/store unless `env` names another
    (a fresh store indexes the seeds itself); yields its URL. `env` adds YMATEB_* settings."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    require(STREAMLIT.exists(), f"{STREAMLIT} is missing: pip install -e .[dev]")
    port = _free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith(("YMATEB_", "OPENAI_"))}
    full["YMATEB_STORE"] = str(work / "store")
    full.update(env)
    log = work / "streamlit.log"
    cmd = [str(STREAMLIT), "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    """A scripted OpenAI-compatible endpoint on loopback, for the app's streaming backend."""
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, llm: FakeOpenAI, screen: str) -> Iterator[str]:
    """The app over a fresh store (so it indexes the seeds itself), with the offline backend by
    default and the scripted endpoint as the OpenAI-compatible one. One per module and screen
    size, so the tests at each size meet the same store (what one adds, the next finds)."""
    work = tmp_path_factory.mktemp(f"browser-server-{screen}")
    with running_app(work, {"YMATEB_LLM_BASE_URL": llm.url, "YMATEB_LLM_API_KEY": "sk-test"}) as url:
        yield url


@pytest.fixture(params=list(SCREENS), scope="module")
def screen(request: pytest.FixtureRequest) -> str:
    """Each browser test runs once per screen size: "1366x768", then "1920x1080"."""
    return str(request.param)


@pytest.fixture
def page(server: str, screen: str) -> Iterator[Any]:
    """A Chromium page at `screen`'s size. Requests to anywhere but loopback are refused and
    recorded in page.elsewhere; any at all fails the test (the app must work offline)."""
    yield from _page(screen, server)


def _page(screen: str, server: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "the playwright package is missing: pip install -e .[dev]")
        raise
    profile = tempfile.mkdtemp(prefix="ymateb-chromium-")
    elsewhere: list[str] = []

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=ARGS,
                headless=True,
                viewport=SCREENS[screen],
                accept_downloads=True,
            )
            context.set_default_timeout(WAIT)
            context.route("**/*", only_loopback)
            try:
                page = context.new_page()
                page.elsewhere = elsewhere
                page.screen = screen
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert elsewhere == [], f"the page asked for something off this machine: {elsewhere}"


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    """Save what the page shows (the viewport, unless full_page) as <name>-<screen>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.screen}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_page(page: Any, server: str, path: str, heading: str) -> None:
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).wait_for()


def wait_idle(page: Any) -> None:
    """Until Streamlit has finished the current run: the app root reports its script as not running
    and the status widget is gone. Call it after waiting for something the run shows, so the run
    has begun."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def draft_petition(page: Any, server: str) -> None:
    """On the Draft page, paste the P-06-1199 petition, see its number detected, draft with one click
    and wait until the draft is shown."""
    from playwright.sync_api import expect

    open_page(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION)
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1199", timeout=30_000)
    wait_idle(page)  # the run that read the number is over: a click mid-run can be lost under load
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()


def in_view(page: Any, locator: Any) -> bool:
    """Whether the element's box lies (at least partly) inside the browser window as scrolled now
    (Playwright's to_be_visible only says it is rendered, anywhere on the page)."""
    return bool(
        locator.evaluate(
            """(e) => { const r = e.getBoundingClientRect();
                return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight
                    && r.right > 0 && r.left < window.innerWidth; }"""
        )
    )


# The text of every label, value, caption or button in the main area that is cut short (it overflows
# its box, e.g. "Petition respo…" in a select): a 1366-wide screen must still show them whole.
TRUNCATED = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter((e) => e.offsetParent && e.type !== "file" && e.scrollWidth > e.clientWidth + 1 && (
        e.matches('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *, '
            + '[data-testid="stWidgetLabel"] p, [data-testid="stMarkdownContainer"] p, button p, '
            + '[data-testid="stCaptionContainer"]')
        || getComputedStyle(e).textOverflow === "ellipsis"))
    .map((e) => e.innerText || e.value || e.getAttribute("title") || e.outerHTML.slice(0, 80))"""


# True once a data grid holding `rows` rows (its accessibility table counts the header too) has
# painted its canvas: glide-data-grid draws in the frame after React renders the new rows.
GRID_PAINTED = """(rows) => {
    const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(
        (g) => g.querySelector(`table[role="grid"][aria-rowcount="${rows + 1}"]`)
    );
    return grids.length > 0 && grids.every((g) => {
        const c = g.querySelector('[data-testid="data-grid-canvas"]');
        if (!c || !c.width || !c.height) return false;
        const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
        return false;
    });
}"""
