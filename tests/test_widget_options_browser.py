"""The widget's script-tag options and its debounce, in the real browser.

A page of our own is served (routed) on the API's origin with every data-* attribute set; the
page's requests are counted, and the debounce is driven by the browser's clock (Playwright's
fake timers), so no test waits on wall-clock time to see that typing makes one request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_widget_browser import browser, server  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.browser

START = datetime(2026, 1, 1)
CUSTOM_PAGE = """<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>options</title></head>
<body>
  <div id="searcher"></div>
  <section id="box"></section>
  <script src="/static/widget.js" data-endpoint="{endpoint}" data-target="#box"
          data-placeholder="اكتب كلمة" data-size="2"></script>
</body></html>"""


@pytest.fixture
def context(browser: object) -> Iterator[object]:  # noqa: F811
    opened = browser.new_context(locale="ar")  # type: ignore[attr-defined]
    yield opened
    opened.close()


def _requests(page: object, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the page's requests to `path` so far."""
    return [parse_qs(urlsplit(url).query) for url in page.seen if urlsplit(url).path == path]  # type: ignore[attr-defined]


def _watch(page: object) -> None:
    page.seen = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.seen.append(request.url))  # type: ignore[attr-defined]


def test_data_attributes_configure_the_widget(context: object, server: str) -> None:  # noqa: F811
    page = context.new_page()  # type: ignore[attr-defined]
    html = CUSTOM_PAGE.format(endpoint=f"{server}//")  # trailing slashes are trimmed
    page.route(
        f"{server}/custom",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    _watch(page)
    page.goto(f"{server}/custom")
    box = page.locator("#box input[type=search]")  # data-target, not the default #searcher
    assert box.get_attribute("placeholder") == "اكتب كلمة"
    assert page.locator("#searcher").inner_html() == ""
    box.fill("الرحمن")
    box.press("Enter")
    page.wait_for_selector("#box .searcher-hit")
    assert page.locator("#box .searcher-hit").count() == 2  # data-size
    searches = [url for url in page.seen if "/search?" in url]
    assert searches and all(url.startswith(f"{server}/search?size=2&") for url in searches)


def test_typing_is_debounced(context: object, server: str) -> None:  # noqa: F811
    page = context.new_page()  # type: ignore[attr-defined]
    page.clock.install(time=START)
    _watch(page)
    page.goto(server + "/")
    page.clock.pause_at(START + timedelta(minutes=1))  # from here on, time moves when told
    box = page.locator("input[type=search]")
    box.press_sequentially("الرحمن")  # six keystrokes, and the page's clock stands still
    page.clock.run_for(199)
    page.wait_for_timeout(300)  # (real time, for request events to reach the test)
    assert _requests(page, "/suggest") == [] and _requests(page, "/search") == []
    page.clock.run_for(2)  # 200 ms after the last keystroke: one suggestion request
    page.wait_for_timeout(300)
    assert _requests(page, "/suggest") == [{"q": ["الرحمن"]}]
    assert _requests(page, "/search") == []
    page.clock.run_for(200)  # 400 ms: one search, for what the box holds
    page.wait_for_selector(".searcher-hit")
    assert [query["q"] for query in _requests(page, "/search")] == [["الرحمن"]]
    assert len(_requests(page, "/suggest")) == 1
