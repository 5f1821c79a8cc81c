"""The generated HTML site in a real browser: Debian's headless Chromium driven by Playwright.

The site of the shipped definitions is served from 127.0.0.1 by http.server in a thread. The
test types in the index's search box, opens a definition page and expands its tree, visits every
page with no console error, no failed request and no broken internal link.

Skipped only when there is no Chromium binary (on Debian: apt-get install chromium). Playwright's
own browser download is never used.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from sitelinks import broken_links

import nxschema
from nxschema._docs import build_docs

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "")
                 if p and Path(p).is_file()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install "
                                                         "chromium)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    build_docs(nxschema.load(REPO / "definitions", bundled=False), site)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser):
    """A page that records console errors, uncaught exceptions and failed requests."""
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"exception: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(
        f"HTTP {r.status}: {r.url}"))
    yield page
    page.close()


def visible_definitions(page) -> list[str]:
    return page.locator("li[data-search]:visible > a").all_inner_texts()


def test_search_filters_the_index(site_url, page):
    url, _ = site_url
    page.goto(f"{url}/index.html")
    everything = visible_definitions(page)
    assert len(everything) == len(nxschema.load(REPO / "definitions", bundled=False))
    page.locator("#search").press_sequentially("monochromator")
    page.wait_for_function("document.getElementById('search-count').textContent !== ''")
    shown = visible_definitions(page)
    assert "NXmonochromator" in shown and "NXentry" not in shown
    assert 0 < len(shown) < len(everything)
    assert page.locator("#search-count").inner_text() == \
        f"{len(shown)} of {len(everything)} definitions"
    # Words from the documentation, not only names, are searched; all words must match.
    page.locator("#search").fill("absorption spectrum subentry")
    shown = visible_definitions(page)
    assert "NXxas@subentry" in shown and "NXentry" not in shown
    assert page.locator("#category-base").is_hidden()  # emptied categories disappear
    page.locator("#search").fill("zzzz-nothing")
    assert visible_definitions(page) == []
    assert page.locator("#search-empty").is_visible()
    page.locator("#search").fill("")
    assert len(visible_definitions(page)) == len(everything)
    assert page.problems == []


def test_definition_page_tree_expands(site_url, page):
    url, _ = site_url
    page.goto(f"{url}/index.html")
    page.locator("#search").fill("NXxas@subentry")
    page.locator("a", has_text="NXxas@subentry").first.click()
    page.wait_for_url("**/NXxas-subentry.html")
    assert page.locator("h1").inner_text().startswith("NXxas@subentry")
    # The top level is open; a group one level down is closed until clicked.
    page.goto(f"{url}/NXesrf_raw.html")
    details = page.locator("ul.tree details")
    closed = details.nth(page.evaluate(
        "[...document.querySelectorAll('ul.tree details')].findIndex(d => !d.open)"))
    inner = closed.locator(":scope > ul > li").first
    assert inner.is_hidden()
    closed.locator(":scope > summary").click()
    assert inner.is_visible()
    assert closed.evaluate("d => d.open")
    page.get_by_role("button", name="Expand all").click()
    assert page.locator("ul.tree details:not([open])").count() == 0
    page.get_by_role("button", name="Collapse all").click()
    assert page.locator("ul.tree details[open]").count() == 0
    # A tree name links to its row of the members table.
    page.get_by_role("button", name="Expand all").click()
    link = page.locator("ul.tree a.name").nth(2)
    anchor = link.get_attribute("href")
    link.click()
    assert page.evaluate("decodeURIComponent(location.hash)") == \
        page.evaluate(f"decodeURIComponent({anchor!r})")
    assert page.locator("tr:target").count() == 1
    assert page.problems == []


def test_pages_load_cleanly_and_no_internal_link_is_broken(site_url, page):
    url, site = site_url
    # The crawl: every internal href and src of every page, its file and its #fragment.
    assert broken_links(site) == []
    # Pages come from a handful of templates: the index, the findings catalog, the first page
    # of each category and the biggest page stand for all of them in the browser.
    catalog = nxschema.load(REPO / "definitions", bundled=False)
    stems = {d.category: d.key.replace("@", "-") for d in reversed(catalog.definitions())}
    biggest = max(site.glob("*.html"), key=lambda p: p.stat().st_size).name
    names = ["index.html", "findings.html", biggest] + [f"{s}.html" for s in sorted(stems.values())]
    for name in names:
        page.goto(f"{url}/{name}")
        assert page.title(), name
        # Same-site links in the rendered DOM point at files the server has.
        hrefs = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.href).filter(h => h.startsWith(location.origin))")
        for href in hrefs:
            target = href.split("#")[0][len(url) + 1:] or "index.html"
            assert (site / target).is_file(), f"{name} links to missing {href}"
    assert page.problems == []
