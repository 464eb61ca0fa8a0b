"""The real Corpus page in headless Chromium over a full store: from navigation to the listing's first
page painted (six loads per screen size, the first one also warms the app process), and one search.

    PYTHONPATH=. .venv/bin/python docs/corpus_page_browser.py STORE_DIR

STORE_DIR: a store of the 24,386 UK written questions, e.g. made by `python -m rag.bench.corpus_page`.
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import GRID_PAINTED, running_app, wait_idle  # noqa: E402

store = sys.argv[1]
work = Path(tempfile.mkdtemp(prefix="ymateb-corpus-browser-"))
out = {}
with running_app(work, {"YMATEB_STORE": store}) as url, sync_playwright() as pw:
    b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    for size in ((1366, 768), (1920, 1080)):
        p = b.new_page(viewport={"width": size[0], "height": size[1]})
        p.set_default_timeout(300000)
        times, heads = [], []
        for _ in range(6):
            t = time.perf_counter()
            p.goto(url + "/corpus", wait_until="domcontentloaded")
            p.get_by_role("heading", name="Corpus").wait_for()
            heading = time.perf_counter() - t
            p.get_by_text("Documents 1–25 of 24,386", exact=False).wait_for()
            p.wait_for_function(GRID_PAINTED, arg=25)
            times.append(time.perf_counter() - t)
            heads.append(heading)
            wait_idle(p)
        # a click: the kind filter -> the listing repainted
        t = time.perf_counter()
        box = p.get_by_role("textbox", name="Search the documents")
        box.fill("school")
        box.press("Enter")
        p.get_by_text("of 530 ", exact=False).wait_for()
        p.wait_for_function(GRID_PAINTED, arg=25)
        click = time.perf_counter() - t
        p.screenshot(path=str(work / f"corpus-24k-{size[0]}.png"))
        out[f"{size[0]}x{size[1]}"] = {
            "first_s": round(times[0], 2),
            "then_median_s": round(statistics.median(times[1:]), 2),
            "then_max_s": round(max(times[1:]), 2),
            "search_click_s": round(click, 2),
            "heading_median_s": round(statistics.median(heads[1:]), 2),
        }
        print(out, flush=True)
print(json.dumps(out))
