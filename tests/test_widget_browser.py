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
from playwright.sync_api import expect

from searcher.api import create_app
from searcher.arabic import terms
from searcher.engines import open_engine
from searcher.models import Document
from tests.conftest import skip_or_fail
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


# Document urls a reader's click must never run (issue #9 item 3), and ones that must stay links.
HOSTILE_URLS = {
    "js": "javascript:alert(1)",
    "case": "JaVaScRiPt:alert(1)",
    "spaces": "  \t javascript:alert(1)",
    "tab": "java\tscript:alert(1)",
    "newline": "java\nscript:alert(1)",
    "control": "\x01javascript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "vbscript": "vbscript:msgbox(1)",
}
SAFE_URLS = {
    "https": "https://example.org/news/1",
    "relative": "/news/2",
    "bare": "news-3.html",
    # Entity-encoded: the widget never decodes HTML (the url arrives as a JSON string and is set
    # as an attribute), so this is a relative path on this site, harmless as a link.
    "entity": "&#106;avascript:alert(1)",
}
HOSTILE_WORD, SAFE_WORD = "خطرة", "سليمة"  # one page of results each
# Tags are document fields too: the chips show them as text, whatever they hold.
HOSTILE_TAGS = [
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "سياسة",
    "__proto__",
    "constructor",
]


def url_documents() -> list[Document]:
    return [
        Document(id=f"url-{name}", title=f"خبر {name}", body=f"روابط {word}", url=url)
        for urls, word in ((HOSTILE_URLS, HOSTILE_WORD), (SAFE_URLS, SAFE_WORD))
        for name, url in urls.items()
    ]


def site_documents() -> list[Document]:
    """Tagged articles for the chips, and one that misspells a name («بوتبن»)."""
    return [
        Document(id="tagged-1", title="وسوم", body="مقال عن الوسوم والتصنيف", tags=HOSTILE_TAGS),
        Document(id="tagged-2", title="وسوم", body="مقال ثان عن الوسوم", tags=["سياسة"]),
        Document(id="tagged-3", title="وسوم", body="مقال ثالث عن الوسوم", tags=["اقتصاد"]),
        Document(id="typo", title="تصريح", body="قال بوتبن إن المحادثات مثمرة"),
    ]


# A word found in exactly that many documents → what the status line says (Arabic plural forms).
COUNTS = {"زرافة": (1, "نتيجة واحدة"), "بطريق": (2, "نتيجتان"), "غزال": (3, "3 نتائج")}
COUNTS |= {"فراشة": (11, "11 نتيجة")}


def count_documents() -> list[Document]:
    return [
        Document(id=f"count-{word}-{i}", title=f"حديقة {i}", body=f"رأينا {word} في الحديقة")
        for word, (n, _) in COUNTS.items()
        for i in range(n)
    ]


def search_for(page: object, word: str, expected_hits: int) -> None:
    page.fill("input[type=search]", word)  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    # (Waits poll through locators: the page's CSP forbids the eval wait_for_function needs.)
    expect(page.locator(".searcher-hit")).to_have_count(expected_hits)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = loaded_settings(tmp_path_factory.mktemp("site"))
    engine = open_engine(settings)
    engine.bulk(settings.index, url_documents() + site_documents() + count_documents())
    engine.refresh(settings.index)
    engine.close()
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
        skip_or_fail(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
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
    expect(page.locator(".searcher-status")).to_contain_text("لا توجد")  # type: ignore[attr-defined]
    page.route("**/search*", lambda route: route.fulfill(status=503, body="{}"))  # type: ignore[attr-defined]
    page.fill("input[type=search]", "الرحمن")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".searcher-status.searcher-error")  # type: ignore[attr-defined]


def test_only_http_https_and_relative_urls_become_links(page: object, server: str) -> None:
    search_for(page, HOSTILE_WORD, len(HOSTILE_URLS))
    for name in HOSTILE_URLS:
        hit = page.locator(f'.searcher-hit[data-id="url-{name}"]')  # type: ignore[attr-defined]
        assert hit.locator("a").count() == 0, f"{name}: a hostile url became a link"
        title = hit.locator(".searcher-title")
        assert title.inner_text() == f"خبر {name}"  # still shown, as text
        title.click()
    assert page.locator(".searcher-results a").count() == 0  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.url.startswith(server)  # type: ignore[attr-defined]
    search_for(page, SAFE_WORD, len(SAFE_URLS))
    for name, url in SAFE_URLS.items():
        link = page.locator(f'.searcher-hit[data-id="url-{name}"] a')  # type: ignore[attr-defined]
        href = link.evaluate("a => a.href")
        assert href.startswith(("http://", "https://"))
        assert href.endswith(url.lstrip("/")) or name == "entity"
    protocols = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('.searcher-results a')].map(a => a.protocol)"
    )
    assert sorted(protocols) == ["http:"] * 3 + ["https:"]


@pytest.mark.parametrize("word", COUNTS)
def test_the_count_takes_the_arabic_plural_form(page: object, word: str) -> None:
    hits, said = COUNTS[word]
    search_for(page, word, min(hits, 10))
    expect(page.locator(".searcher-status")).to_have_text(said)  # type: ignore[attr-defined]


def test_near_results_are_headed_as_such(page: object) -> None:
    # «زخرفش» is no word, nor a typo of one: the two words together find nothing, «بوتين» does.
    page.fill("input[type=search]", "بوتين زخرفش")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    status = page.wait_for_selector(".searcher-status.searcher-near")  # type: ignore[attr-defined]
    assert status.inner_text().startswith("نتائج قريبة")
    assert "زخرفش" in status.inner_text()
    assert page.locator(".searcher-hit").count() > 0  # type: ignore[attr-defined]
    page.fill("input[type=search]", "بوتين")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".searcher-status:not(.searcher-near)")  # type: ignore[attr-defined]


def chip(page: object, value: str) -> object:
    return page.locator(".searcher-chip").filter(has_text=value)  # type: ignore[attr-defined]


def test_facet_chips_count_narrow_and_show_values_as_text(page: object) -> None:
    search_for(page, "الوسوم", 3)
    politics = chip(page, "سياسة")
    expect(politics).to_have_count(1)
    assert politics.locator(".searcher-count").inner_text() == "2"
    # Tags hold anything: shown as text, never markup, never a link.
    for tag in HOSTILE_TAGS[:2]:
        assert chip(page, tag).count() == 1
        assert chip(page, tag).get_attribute("data-value") == tag
    assert page.locator(".searcher-facets img, .searcher-facets a").count() == 0  # type: ignore[attr-defined]
    politics.click()
    expect(page.locator(".searcher-hit")).to_have_count(2)  # type: ignore[attr-defined]
    assert chip(page, "سياسة").get_attribute("aria-pressed") == "true"
    assert chip(page, "اقتصاد").count() == 0  # counts follow the narrowed results
    chip(page, "سياسة").click()
    expect(page.locator(".searcher-hit")).to_have_count(3)  # type: ignore[attr-defined]
    chip(page, HOSTILE_TAGS[0]).click()
    expect(page.locator(".searcher-hit")).to_have_count(1)  # type: ignore[attr-defined]
    # Words that name JavaScript's own properties are tags like any other.
    for name in ("__proto__", "constructor"):
        assert chip(page, name).get_attribute("aria-pressed") == "false"
        assert chip(page, name).locator(".searcher-count").inner_text() == "1"
    chip(page, "constructor").click()
    expect(chip(page, "constructor")).to_have_attribute("aria-pressed", "true")
    chip(page, HOSTILE_TAGS[0]).click()
    chip(page, "__proto__").click()
    expect(chip(page, "__proto__")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".searcher-hit")).to_have_count(1)  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_misspelled_query_shows_results_for_what_was_meant(page: object) -> None:
    # No document holds «الكرملبن»: the results are those for «الكرملين», and say so.
    page.fill("input[type=search]", "الكرملبن")  # type: ignore[attr-defined]
    page.press("input[type=search]", "Enter")  # type: ignore[attr-defined]
    status = page.wait_for_selector(".searcher-status.searcher-near")  # type: ignore[attr-defined]
    hits = page.locator(".searcher-hit").count()  # type: ignore[attr-defined]
    # The sample holds it in a handful of documents: all on one page, counted in Arabic's plural.
    assert 3 <= hits <= 10
    assert status.inner_text() == f"{hits} نتائج لـ «الكرملين»"


def test_did_you_mean_searches_the_close_spelling(page: object) -> None:
    # One article misspells «بوتين»: it is found as typed, and the widget offers the spelling
    # many more documents use.
    search_for(page, "بوتبن", 1)
    offer = page.locator(".searcher-did-you-mean .searcher-meant")  # type: ignore[attr-defined]
    expect(offer).to_have_text("بوتين")
    offer.click()
    expect(page.locator("input[type=search]")).to_have_value("بوتين")  # type: ignore[attr-defined]
    expect(page.locator(".searcher-did-you-mean")).to_be_hidden()  # type: ignore[attr-defined]
    assert page.locator(".searcher-hit").count() > 1  # type: ignore[attr-defined]
