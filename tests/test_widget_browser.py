"""The widget in a real browser: Debian's headless Chromium driven by Playwright.

Starts `searcher serve`'s app on loopback over the bundled corpus (plus a document carrying
markup), types Arabic, and checks what a reader sees: highlighted results, keyboard navigation
of suggestions, and markup in documents shown as text.  A screenshot is saved as a test
artifact (test-artifacts/widget.png).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from searcher.api import create_app
from searcher.arabic import terms
from tests.conftest import missing
from tests.test_api import loaded_settings

CHROMIUM = (
    os.environ.get("SEARCHER_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = loaded_settings(tmp_path_factory.mktemp("site"))
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    app_server = uvicorn.Server(config)
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app_server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    app_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        missing("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty user-data-dir of its own.  The browser
        # cannot download itself here, so it is Debian's, and it must not phone home.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    context = browser.new_context(locale="ar", viewport={"width": 900, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    tab.goto(server + "/")
    yield tab
    context.close()


def test_typing_arabic_shows_highlighted_results(page: object) -> None:
    page.fill("input[type=search]", "الرحمن")  # type: ignore[attr-defined]
    page.wait_for_selector(".searcher-hit mark")  # type: ignore[attr-defined]
    marks = page.locator(".searcher-hit mark").all_inner_texts()  # type: ignore[attr-defined]
    assert marks and all(terms(m) == ["رحمن"] for m in marks)  # each is a form of الرحمن
    assert page.locator(".searcher-widget").get_attribute("dir") == "rtl"  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"), full_page=True)  # type: ignore[attr-defined]


def test_keyboard_navigation_of_suggestions(page: object) -> None:
    box = page.locator("input[type=search]")  # type: ignore[attr-defined]
    box.press_sequentially("الرح", delay=30)
    page.wait_for_selector("[role=option]")  # type: ignore[attr-defined]
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("[role=option]")  # type: ignore[attr-defined]
    first, last = options.first, options.last
    assert options.count() >= 2
    box.press("ArrowUp")  # from the box, up wraps round to the last suggestion
    assert last.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == last.get_attribute("id")
    box.press("ArrowDown")  # and down from the last wraps to the first
    assert first.get_attribute("aria-selected") == "true"
    assert last.get_attribute("aria-selected") == "false"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    chosen = first.inner_text()
    box.press("Enter")
    assert box.input_value() == chosen
    page.wait_for_selector(".searcher-hit mark")  # type: ignore[attr-defined]
    box.press_sequentially(" الر", delay=30)
    page.wait_for_selector("[role=option]")  # type: ignore[attr-defined]
    box.press("Escape")  # the first Escape closes the list and keeps the text...
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == f"{chosen} الر"
    box.press("Escape")  # ...the second clears the box and the results
    assert box.input_value() == ""
    assert page.locator(".searcher-hit").count() == 0  # type: ignore[attr-defined]
    assert page.locator(".searcher-status").inner_text() == ""  # type: ignore[attr-defined]


def test_markup_in_documents_is_shown_as_text(page: object) -> None:
    page.fill("input[type=search]", "تجربة")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    hit = page.wait_for_selector('.searcher-hit[data-id="xss"]')  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" in hit.inner_text()
    assert "<img src=x onerror=alert(1)>" in hit.inner_text()
    assert page.locator(".searcher-results script, .searcher-results img").count() == 0  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_no_results_and_error_states(page: object, server: str) -> None:
    page.fill("input[type=search]", "كلمةغيرموجودةأبدا")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    page.wait_for_function(
        "document.querySelector('.searcher-status').textContent.includes('لا توجد')"
    )  # type: ignore[attr-defined]
    page.route("**/search*", lambda route: route.fulfill(status=503, body="{}"))  # type: ignore[attr-defined]
    page.fill("input[type=search]", "الرحمن")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".searcher-status.searcher-error")  # type: ignore[attr-defined]
