"""The web page in a real headless Chromium against a real uvicorn server (marked `browser`)."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS, FakeEmbedder
from tests.service.conftest import ThreadServer

pytestmark = pytest.mark.browser

# astral-plane characters before the answer: Python offsets count code points, JavaScript UTF-16 units
SIGNALS = (
    "Signal Flags 🚩 of Port Calder\n"
    "\n"
    "The harbour master raised two flags 🚩🚩 at dawn. "
    "Ships entering the northern harbour must answer with a blue lamp. "
    "Fishing boats 🐟 are exempt.\n"
)
QUESTION = "What must ships entering the northern harbour answer with?"
EXPECTED = "Ships entering the northern harbour must answer with a blue lamp."
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server, in a thread, over the fixture corpus plus a document with emoji."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in FIXTURE_CORPUS.iterdir():
        shutil.copy(path, corpus / path.name)
    (corpus / "signal-flags.txt").write_text(SIGNALS, encoding="utf-8")
    index = Index.build(corpus, tmp_path_factory.mktemp("index"), embedder=FakeEmbedder())
    app = create_app(Settings(index_dir=index.folder, corpus_dir=corpus), index=index)
    port = _free_port()
    server = ThreadServer(app, port=port)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip(
            "chromium is not installed: `make browser` (or apt-get install chromium) to run this test"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page that refuses (and records) any request to another host, and records script errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.outside = []
    page.script_errors = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    yield page
    context.close()
    assert page.outside == [], "the page must work offline: no CDN, no other hosts"
    assert page.script_errors == []


def test_ask_highlight_cite_and_open_the_document(page: Any, base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    api = httpx.post(f"{base_url}/v1/ask", json={"question": QUESTION}).json()
    top = api["passages"][0]
    cite = top["citation"]
    text = httpx.get(f"{base_url}/v1/documents/{cite['doc_id']}").json()["text"]

    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    question.fill(QUESTION)
    question.press("Enter")

    first = page.locator("#passages > li").first
    expect(first.locator("mark")).to_have_text(EXPECTED)
    # the page's mark is exactly the API's highlight offsets into the document
    assert text[top["highlight"]["start"] : top["highlight"]["end"]] == EXPECTED
    expect(page.locator("#answer blockquote")).to_have_text(api["answer"]["text"])
    link = first.locator("a.cite")
    lines = f"lines {cite['line_start']}–{cite['line_end']}"
    expect(link).to_have_text(f"{' › '.join(cite['section'])} · {lines}")
    assert "?q=" in page.url  # the question is in the URL, so results can be shared and reloaded
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)

    link.click()
    page.wait_for_url(f"**/documents/{cite['doc_id']}?**")
    marks = page.locator("#doc-text mark")
    expect(marks.first).to_be_in_viewport()
    # one mark per line the span covers; together they are the cited text, less its line breaks
    assert "".join(marks.all_text_contents()) == top["text"].replace("\n", "")
    assert page.evaluate("document.activeElement.tagName") == "MARK"  # keyboard users start there
    expect(page.locator(f"#L{cite['line_start']}")).to_have_class(re.compile(r"\bin-range\b"))
    expect(page.locator("#doc-title")).to_have_text(cite["title"])
    page.screenshot(path=str(tmp_path / "document.png"), full_page=True)

    page.go_back()
    expect(page.get_by_label("Question")).to_have_value(QUESTION)
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)


def test_the_page_names_the_documents_of_the_index_it_asks(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    expect(page.locator("#tagline")).to_have_text(
        "Ask “The Harbour Pact: A Small Test Treaty”, “Lighthouse Keepers’ Notes” and “Signal Flags 🚩 of "
        "Port Calder”. Every passage cites its exact lines."
    )
    # no example about the bundled essays over documents of one's own
    expect(page.get_by_label("Question")).to_have_attribute("placeholder", "A question about these documents")
    many = page.evaluate("describeDocuments(['A', 'B', 'C', 'D'].map((title) => ({ title })))")
    assert many == "Ask 4 documents, among them “A”, “B” and “C”."
    assert page.evaluate("describeDocuments([{ title: 'A' }])") == "Ask “A”."


def test_a_question_can_be_asked_of_one_document(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    choice = page.get_by_label("In", exact=True)
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_text(
        [
            "all documents",
            "The Harbour Pact: A Small Test Treaty",
            "Lighthouse Keepers’ Notes",
            "Signal Flags 🚩 of Port Calder",
        ]
    )
    choice.select_option("lighthouse-notes")
    page.get_by_label("Question").fill(QUESTION)  # answered by the signal flags, asked of the notes
    page.get_by_label("Question").press("Enter")
    links = page.locator("#passages > li a.cite")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all(h.startswith("/documents/lighthouse-notes?") for h in hrefs)
    assert "doc=lighthouse-notes" in page.url

    page.reload()  # the choice is in the URL, so a shared link asks the same document
    expect(page.get_by_label("In", exact=True)).to_have_value("lighthouse-notes")
    expect(page.locator("#passages > li a.cite").first).to_have_attribute(
        "href", re.compile("^/documents/lighthouse-notes[?]")
    )

    page.get_by_label("In", exact=True).select_option("")
    page.get_by_label("Question").press("Enter")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)
    assert "doc=" not in page.url


def test_over_the_bundled_essays_the_page_names_them_and_gives_an_example(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect

    index = Index.build(REAL_CORPUS, tmp_path_factory.mktemp("essays"), embedder=FakeEmbedder())
    port = _free_port()
    server = ThreadServer(create_app(Settings(index_dir=index.folder), index=index), port=port)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        expect(page.locator("#tagline")).to_have_text(
            "Ask “The Strategic Partnership: Japan-US Military Alliance” and “Unveiling the Significance of "
            "Japan’s Defense Treaties”. Every passage cites its exact lines."
        )
        expect(page.get_by_label("Question")).to_have_attribute(
            "placeholder", "What is the name of the joint exercise between Japan and India?"
        )
    finally:
        context.close()
        server.stop()


def test_document_view_highlights_any_span_by_code_points(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    start = SIGNALS.index(EXPECTED)
    end = start + len(EXPECTED)

    page.goto(f"{base_url}/documents/signal-flags?start={start}&end={end}#L3-L3")

    expect(page.locator("#doc-text mark")).to_have_text(EXPECTED)
    expect(page.locator("#L1 .tx")).to_have_text("Signal Flags 🚩 of Port Calder")
    expect(page.locator("#cited")).to_contain_text("line 3")


def test_the_document_text_is_a_named_region_the_skip_link_reaches(page: Any, base_url: str) -> None:
    """The text's container was a plain div with an aria-label, a name screen readers do not read
    on a div (axe: aria-prohibited-attr, "needs review"); as a region it is a landmark, "Document
    text" (its line numbers are hidden from screen readers, so the name no longer promises them)."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/documents/signal-flags")
    text = page.get_by_role("region", name="Document text")
    expect(text).to_contain_text("The harbour master raised two flags")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the text")).to_be_focused()
    page.keyboard.press("Enter")
    expect(text).to_be_focused()


def test_document_meta_counts_passages_in_the_singular_for_one(page: Any, base_url: str) -> None:
    """The line under a document's title read "1 passages" for a document of one passage."""
    from playwright.sync_api import expect

    counts = {d["doc_id"]: d for d in httpx.get(f"{base_url}/v1/documents").json()}
    assert counts["signal-flags"]["chunks"] == 1 and counts["harbour-pact"]["chunks"] == 3

    page.goto(f"{base_url}/documents/signal-flags")
    size = counts["signal-flags"]["size"]
    expect(page.locator("#doc-meta")).to_contain_text(f"signal-flags · {size} bytes · 1 passage · SHA-256")
    page.goto(f"{base_url}/documents/harbour-pact")
    expect(page.locator("#doc-meta")).to_contain_text(" · 3 passages · SHA-256")
    assert page.evaluate("[counted(1, 'byte'), counted(0, 'passage'), counted(1024, 'byte')]") == [
        "1 byte",
        "0 passages",
        "1,024 bytes",
    ]


def test_unanswerable_question_says_so_and_still_lists_passages(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?q=zzqx+vvkj&mode=lexical")

    expect(page.locator("#answer")).to_contain_text("The corpus does not answer this question")
    expect(page.get_by_label("Search by")).to_have_value("lexical")

    page.goto(f"{base_url}/?q=Which+navies+joined+the+Malabar+exercise%3F")
    expect(page.locator("#answer")).to_contain_text(
        "The corpus does not answer this question: the texts never mention “Malabar”."
    )


def test_an_answer_found_in_another_language_shows_what_to_ask_in(page: Any, base_url: str) -> None:
    """A refusal says so in its reason; an answer from passages in another language than the
    question's carries `language_note`, shown under it (the fixture texts are English: the
    answer's note is put in)."""
    from playwright.sync_api import expect

    note = "the question is in English and the passages found are in German (kaffee); ask in German"

    def noted(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "language_note": note})

    page.route("**/v1/ask**", noted)
    page.goto(f"{base_url}/?q={QUESTION}")
    expect(page.locator("#answer .answer-text")).to_contain_text(EXPECTED)
    expect(page.locator("#answer .language-note")).to_have_text(f"Note: The{note[3:]}.")


def test_the_status_announces_whether_the_texts_answer(page: Any, base_url: str) -> None:
    """The live status said "5 passages in 3 ms" for an answer and a refusal alike: a screen reader
    heard no difference, and nothing of the refusal's reason."""
    from playwright.sync_api import expect

    status = page.get_by_role("status")
    page.goto(f"{base_url}/?q={QUESTION}")
    expect(status).to_have_text(re.compile(r"^Answered · \d+ passages? in \d+ ms$"))
    page.goto(f"{base_url}/?q=Which+navies+joined+the+Malabar+exercise%3F")
    expect(status).to_have_text(
        re.compile(r"^Not answered: the texts never mention “Malabar” · \d+ passages? in \d+ ms$")
    )


def test_service_errors_show_the_problem_detail(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?q={'x' * 1001}")
    expect(page.locator("#error")).to_contain_text("question is 1001 characters long")
    expect(page.locator("#results")).to_be_hidden()

    page.goto(f"{base_url}/documents/nope")
    expect(page.locator("#error")).to_contain_text("no document 'nope'")


def test_the_question_limit_counts_characters_as_the_server_does(page: Any, base_url: str) -> None:
    """maxlength="1000" counted UTF-16 units: 600 CJK extension characters (two units each) were cut
    to 500, though the server, counting code points, takes up to 1,000 (L15)."""
    from playwright.sync_api import expect

    asks: list[str] = []
    page.on("request", lambda request: asks.append(request.url) if "/v1/ask" in request.url else None)
    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    question.focus()
    page.keyboard.insert_text("𠀀" * 600)  # as typed or pasted: the browser applies maxlength
    assert page.evaluate("Array.from(document.querySelector('#question').value).length") == 600
    question.press("Enter")
    expect(page.locator("#status")).to_contain_text("passages in")
    expect(page.locator("#error")).to_be_hidden()
    assert len(asks) == 1

    # over the limit: the page says what the server would, without asking it
    too_long = "🚩" * 1001
    server = httpx.post(f"{base_url}/v1/ask", json={"question": too_long}).json()
    question.fill(too_long)
    question.press("Enter")
    expect(page.locator("#error")).to_have_text(f"{server['title']}: {server['detail']}")
    assert "1001 characters" in server["detail"]
    expect(question).to_be_focused()
    assert len(asks) == 1
    # the box itself says it is invalid, and what is wrong, to a screen reader; until asked again
    expect(question).to_have_attribute("aria-invalid", "true")
    expect(question).to_have_accessible_description(f"{server['title']}: {server['detail']}")
    question.fill("Who keeps the lighthouse?")
    question.press("Enter")
    expect(page.locator("#status")).to_contain_text("passages in")
    expect(question).not_to_have_attribute("aria-invalid", "true")


def test_an_error_page_from_a_proxy_is_named_by_its_status(page: Any, base_url: str) -> None:
    """A proxy's HTML error page has no problem detail: the page names the status, and over
    HTTP/2, which sends no status text, it read "The service answered 502 . Try again"."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    page.route(
        "**/v1/ask", lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>502</h1>")
    )
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_label("Question").press("Enter")
    expect(page.locator("#error")).to_have_text(
        "The service answered 502 Bad Gateway. Try again in a moment."
    )
    http2 = page.evaluate("problemMessage(new Response('<h1>502</h1>', { status: 502, statusText: '' }))")
    assert http2 == "The service answered 502. Try again in a moment."


def test_question_text_is_never_markup(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    page.get_by_label("Question").fill('<img src=x onerror="window.pwned=1"> harbour')
    page.get_by_label("Question").press("Enter")

    expect(page.locator("#passages > li").first).to_be_visible()
    assert page.evaluate("window.pwned") is None
    assert page.locator("#passages img").count() == 0


def test_phone_layout_fits_the_screen(browser: Any, base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{base_url}/?q={QUESTION}")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    context.close()


# a title as long as a title may be (200 characters), with no space to break the line at
LONG_TITLE = ("Maritime_Cooperation_Port_Visits_Logistics_Agreements_Joint_Training_" * 3)[:200]
LONG_NAME = "Malabar" + "malabar" * 20  # a word of 147 letters, quoted back in a refusal


def test_long_titles_and_words_break_on_a_phone(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A 200-character title with no space ran off the screen (the tagline naming it, the answer's
    citation, the document page's heading), and so did a question's long word quoted in a refusal:
    the whole page scrolled sideways, at 375 px and at 1,100."""
    from playwright.sync_api import expect

    corpus = tmp_path_factory.mktemp("long-corpus")
    (corpus / "long.txt").write_text(
        f"{LONG_TITLE}\n\nThe survey office compiled the table of exercise dates in 2025.\n", encoding="utf-8"
    )
    shutil.copy(FIXTURE_CORPUS / "harbour-pact.txt", corpus)
    index = Index.build(corpus, tmp_path_factory.mktemp("long-index"), embedder=FakeEmbedder())
    port = _free_port()
    server = ThreadServer(create_app(Settings(index_dir=index.folder), index=index), port=port)
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(
        viewport={"width": 375, "height": 700}, device_scale_factor=2, is_mobile=True
    )
    fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    try:
        page = context.new_page()
        page.goto(f"{base}/?q=Who+compiled+the+table+of+exercise+dates%3F&mode=lexical")
        expect(page.locator("#answer .answer-cite a")).to_contain_text(LONG_TITLE)
        expect(page.locator("#tagline")).to_contain_text(LONG_TITLE)
        page.screenshot(path=str(tmp_path / "long-title-results.png"), full_page=True)
        assert page.evaluate(fits)

        page.goto(f"{base}/?q=Which navies joined the {LONG_NAME} exercise?")
        expect(page.locator("#answer")).to_contain_text(f"the texts never mention “{LONG_NAME}”")
        assert page.evaluate(fits)

        page.goto(f"{base}/documents/long")
        expect(page.locator("#doc-title")).to_have_text(LONG_TITLE)
        page.screenshot(path=str(tmp_path / "long-title-document.png"), full_page=True)
        assert page.evaluate(fits)
    finally:
        context.close()
        server.stop()


def test_keyboard_reaches_the_form_and_focus_is_visible(page: Any, base_url: str) -> None:
    """The question box has focus on load (reaching it took three Tabs); the skip link stays the
    first Tab stop from the top of the page."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    expect(question).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("harbour")
    expect(question).to_have_value("harbour")

    # back up through the header: the skip link is there, before the site title, and shows itself
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="alliance-qa")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    # a page that asks (a shared link, a reload) leaves focus at the top, for its results
    page.goto(f"{base_url}/?q={QUESTION}")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)
    expect(question).not_to_be_focused()
    page.keyboard.press("Tab")  # the skip link comes first
    expect(skip).to_be_focused()


def test_the_skip_link_leads_to_the_results_without_asking_again(page: Any, base_url: str) -> None:
    """Following "Skip to results" changed the URL's fragment, which the page took for a new
    question: it asked again and replaced the results, dropping the focus the link had moved there."""
    from playwright.sync_api import expect

    asks: list[str] = []
    page.on("request", lambda request: asks.append(request.url) if "/v1/ask" in request.url else None)
    page.goto(f"{base_url}/?q={QUESTION}")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)
    assert len(asks) == 1

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to results")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**#results")
    page.keyboard.press("Tab")  # past the form: the next stop is the first citation
    first = page.locator("#passages > li a.cite").first
    expect(first).to_be_focused()
    page.wait_for_timeout(300)  # time for a second answer to arrive, were one asked
    expect(first).to_be_focused()
    assert len(asks) == 1

    page.go_back()  # to the same question without the fragment: nothing to ask either
    page.wait_for_url(re.compile(r"[?]q=[^#]*$"))
    page.wait_for_timeout(300)
    assert len(asks) == 1
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)


def test_back_and_forward_ask_with_the_options_the_url_holds(page: Any, base_url: str) -> None:
    """Forward to "/?q=…" (the default options) from "/?q=…&mode=lexical&k=3" kept "words" and 3
    passages: the page asked with options its URL did not hold."""
    from playwright.sync_api import expect

    asks: list[dict[str, Any]] = []
    page.on("request", lambda r: asks.append(r.post_data_json) if r.url.endswith("/v1/ask") else None)
    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    question.fill("harbour")
    page.get_by_label("Search by").select_option("lexical")
    page.locator("#k").fill("3")
    question.press("Enter")
    page.wait_for_url("**/?q=harbour&mode=lexical&k=3")
    question.fill(QUESTION)
    page.get_by_label("Search by").select_option("hybrid")
    page.locator("#k").fill("5")
    question.press("Enter")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)

    page.go_back()
    expect(page.get_by_label("Search by")).to_have_value("lexical")
    expect(page.locator("#k")).to_have_value("3")
    page.go_forward()
    expect(page.get_by_label("Question")).to_have_value(QUESTION)
    expect(page.get_by_label("Search by")).to_have_value("hybrid")
    expect(page.locator("#k")).to_have_value("5")
    expect(page.locator("#passages > li").first.locator("mark")).to_have_text(EXPECTED)
    assert len(asks) == 4
    assert asks[-1] == {"question": QUESTION, "mode": "hybrid", "k": 5}


def test_asking_the_same_question_again_adds_no_step_to_back(page: Any, base_url: str) -> None:
    """Each Enter on the same question (retrying after an error, say) pushed another identical
    entry: Back seemed to do nothing, once for every retry."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    question = page.get_by_label("Question")
    question.fill(QUESTION)
    for _ in range(3):
        question.press("Enter")  # "Searching…" until the answer is shown
        expect(page.locator("#status")).to_contain_text("passages in")
    assert "?q=" in page.url
    page.go_back()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_label("Question")).to_have_value("")
    expect(page.locator("#results")).to_be_hidden()


def test_an_answer_arriving_after_back_is_not_shown(page: Any, base_url: str) -> None:
    """Back to the empty page while a slow answer was on its way: the answer arrived and was
    shown under an empty question box, at a URL that asks nothing."""
    from playwright.sync_api import expect

    held: list[Any] = []  # a slow server: the answer waits until the test releases it
    page.goto(f"{base_url}/")
    page.route("**/v1/ask", lambda route: held.append(route))
    question = page.get_by_label("Question")
    question.fill(QUESTION)
    question.press("Enter")
    expect(page.locator("#status")).to_have_text("Searching…")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/")
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_timeout(500)  # time for the answer to be shown, were it still awaited
    expect(page.locator("#answer")).to_be_hidden()
    expect(page.locator("#results")).to_be_hidden()
    expect(page.locator("#status")).to_have_text("")
    expect(page.locator("#ask-form")).not_to_have_attribute("aria-busy", "true")


def test_while_a_slow_answer_is_awaited_the_last_one_leaves_the_view(page: Any, base_url: str) -> None:
    """With a slow server, the last question's answer stayed in view under the new question, as if
    it answered it; only a grey "Searching…" said otherwise."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?q={QUESTION}")
    answer = page.locator("#answer")
    expect(answer.locator("blockquote")).to_contain_text(EXPECTED)
    held: list[Any] = []  # a slow server: the answer waits until the test releases it
    page.route("**/v1/ask", lambda route: held.append(route))
    question = page.get_by_label("Question")
    question.fill("Who keeps the lighthouse?")
    question.press("Enter")

    expect(page.locator("#status")).to_have_text("Searching…")
    for section in (answer, page.locator("#results")):
        expect(section).to_have_attribute("aria-busy", "true")
        expect(section).to_have_css("visibility", "hidden")  # after a moment: a quick answer does not flicker
    held[0].continue_()
    expect(page.locator("#status")).to_contain_text(" in ")
    for section in (answer, page.locator("#results")):
        expect(section).not_to_have_attribute("aria-busy", "true")
        expect(section).to_have_css("visibility", "visible")


def test_the_api_docs_render_offline(page: Any, base_url: str) -> None:
    """`/docs` loads Swagger UI from this server (it loaded it from a CDN, and was blank offline,
    while error details send readers there: session 16); the fixture refuses any other host."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/v1/ask").first).to_be_visible()
    expect(page.locator(".title")).to_contain_text("alliance-qa")
    # the schema declares the write key: "Try it out" on a write can send it
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()


def test_document_lines_break_where_citations_count_them(page: Any, base_url: str) -> None:
    """A CR-only document showed as one run-together line while its citation pointed at line 5."""
    page.goto(f"{base_url}/documents/signal-flags")
    page.locator("#doc-text .line").first.wait_for()
    text = "Old Mac notes\r\rThe Taigei.\r\nIt was built in Kobe.\nThe Hakugei followed.\r"
    start = text.index("The Hakugei")
    rows = page.evaluate(
        """([text, start, end]) => {
          renderDocumentText(text, { start, end });
          return [...document.querySelectorAll("#doc-text .line")].map(
            (row) => [row.id, row.querySelector(".tx").textContent, row.querySelector("mark")?.textContent ?? null]
          );
        }""",
        [text, start, len(text) - 1],
    )
    assert rows == [
        ["L1", "Old Mac notes", None],
        ["L2", "", None],
        ["L3", "The Taigei.", None],
        ["L4", "It was built in Kobe.", None],
        ["L5", "The Hakugei followed.", "The Hakugei followed."],
    ]


def test_the_document_filter_tells_documents_with_one_title_apart(page: Any, base_url: str) -> None:
    """Three documents titled "BOM title" were three identical entries in the "In" menu."""
    page.goto(f"{base_url}/")
    page.locator("#doc option").nth(1).wait_for(state="attached")
    texts = page.evaluate(
        """() => {
          const docs = [["bom", "BOM title"], ["notes", "Notes"], ["bom-2", "BOM title"]];
          fillDocumentChoice($("#doc"), docs.map(([doc_id, title]) => ({ doc_id, title })));
          return [...document.querySelectorAll("#doc option")].map((o) => o.textContent);
        }"""
    )
    assert texts == ["all documents", "BOM title (bom)", "Notes", "BOM title (bom-2)"]


def test_the_document_page_heading_says_why_it_shows_no_document(browser: Any, tmp_path: Path) -> None:
    """With reads closed the heading said "Document not found" above "Not authorised: …"."""
    from playwright.sync_api import expect

    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    settings = Settings(index_dir=index.folder, api_key="k", open_reads=False)
    port = _free_port()
    server = ThreadServer(create_app(settings, index=index), port=port)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/documents/harbour-pact")
        expect(page.locator("#error")).to_contain_text("Not authorised")
        expect(page.locator("#doc-title")).to_have_text("Not authorised")
    finally:
        context.close()
        server.stop()


def test_the_document_page_heading_for_an_unknown_id(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/documents/nope")
    expect(page.locator("#error")).to_contain_text("no document 'nope'")
    expect(page.locator("#doc-title")).to_have_text("Document not found")


def test_a_server_that_never_answers_gets_a_message_not_searching_for_ever(page: Any, base_url: str) -> None:
    """A hung server (or a proxy holding the request) left "Searching…" on the page for good."""
    from playwright.sync_api import expect

    page.add_init_script("window.askTimeoutMs = 300;")
    page.goto(f"{base_url}/")
    held: list[Any] = []  # a server that never answers
    page.route("**/v1/ask", lambda route: held.append(route))
    question = page.get_by_label("Question")
    question.fill(QUESTION)
    question.press("Enter")
    expect(page.locator("#error")).to_contain_text("did not answer within 1 s")
    expect(page.locator("#status")).to_have_text("")
    expect(page.locator("#ask-form")).not_to_have_attribute("aria-busy", "true")
