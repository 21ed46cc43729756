"""The cited-page viewer, the documents panel and `--watch`, in a real browser (Debian's Chromium
driven by Playwright), over corpora copied into tmp_path."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from app.serve.watch import FolderWatcher
from app.settings import Settings
from tests.conftest import CORPUS, serve_engine
from tests.serve.test_ui import OUTPUT, browser  # noqa: F401  (the shared browser fixture)

LAPTOP, PHONE = (1366, 850), (390, 844)
KITES = "Kite lines for stunt kites are usually made of braided Dyneema and 25 metres long."


def ask(page, question: str) -> str:
    """Ask in the chat; the text of the newest answer (or no-answer message)."""
    before = page.locator(".docqa-answer, .docqa-none").count()
    page.fill("#docqa-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.docqa-answer, .docqa-none').length > {before}",
        timeout=60_000,
    )
    return page.locator(".docqa-answer, .docqa-none").last.inner_text()


def open_chat(browser, url: str, viewport: tuple[int, int] = LAPTOP):  # noqa: F811
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url + "/")
    page.wait_for_selector("#docqa-status:has-text('documents')", timeout=30_000)
    return page


def read_back(path, page_number: int, boxes: list[list[float]]) -> str:
    """The text pdfium finds inside `boxes` on the PDF page, independently of the server."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    textpage = document[page_number - 1].get_textpage()
    text = "".join(textpage.get_text_bounded(*box) for box in boxes)
    document.close()
    return text


@pytest.mark.parametrize(("device", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_citation_opens_the_pdf_page_with_the_answer_boxed(live, browser, device, viewport):  # noqa: F811
    server, engine = live
    page = open_chat(browser, server.url, viewport)
    ask(page, "Who was appointed as the lighthouse's first keeper in 1874?")
    answer = page.locator(".docqa-answer mark").last.inner_text()
    assert answer == "Thomas Ardley"
    page.locator(".docqa-cite a.docqa-view").first.click()
    image = page.wait_for_selector("#docqa-viewer img", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#docqa-viewer img').naturalWidth > 0", timeout=10_000
    )
    assert page.locator(".docqa-chat, #docqa-chat").count() == 1  # still in the chat
    boxes = json.loads(image.get_attribute("data-boxes"))
    assert boxes, page.locator(".docqa-viewer-note").inner_text()
    pdf = engine.locate("saltmere-lighthouse-history.pdf")
    assert read_back(pdf, 2, boxes) == answer
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"page-view-{device}.png"))
    page.close()


def test_citation_of_a_markdown_file_marks_the_sentence_and_span(live, browser):  # noqa: F811
    server, _ = live
    page = open_chat(browser, server.url)
    ask(page, "What method merges the keyword ranking and the embedding ranking into one list?")
    answer = page.locator(".docqa-answer mark").last.inner_text()
    assert "reciprocal rank fusion" in answer.lower()
    cite = page.locator(".docqa-cite").first
    assert "03-asking-questions.md" in cite.inner_text()
    cite.locator("a.docqa-view").click()
    span = page.wait_for_selector("#docqa-viewer mark.docqa-span", timeout=30_000)
    assert span.inner_text() == answer
    sentence = page.locator("#docqa-viewer mark.docqa-sentence").inner_text()
    assert answer in sentence and len(sentence) > len(answer)
    page.screenshot(path=str(OUTPUT / "page-view-markdown.png"))
    page.close()


@pytest.fixture(scope="module")
def watched(tmp_path_factory, real_embedder):
    """A server over its own copy of the sample corpus, with the folder watcher running."""
    from app.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("watched")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings.from_env(
        environ={}, corpus=root / "corpus", index=root / "index", watch=True
    )
    ingest(settings, embedder=real_embedder)
    server, engine = serve_engine(settings, real_embedder)
    watcher = FolderWatcher(engine, quiet=0.5).start()
    yield server, engine, watcher
    watcher.stop()
    server.stop()


def test_remove_a_document_in_the_browser(watched, browser):  # noqa: F811
    server, engine, _ = watched
    question = "When was the first public version of docqa published?"
    page = open_chat(browser, server.url)
    assert "3 November 2026" in ask(page, question)
    page.click("#docqa-documents button, #docqa-documents .label-wrap")
    page.wait_for_selector("#docqa-doc-table:has-text('faq.html')", timeout=10_000)
    page.click("#docqa-remove-choice input")
    page.keyboard.type("faq.html")
    page.locator("ul[role='listbox'] li:has-text('faq.html')").first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#docqa-remove")
    page.wait_for_selector("#docqa-remove-result:has-text('Removed faq.html.')", timeout=60_000)
    assert not (engine.settings.corpus / "faq.html").exists()
    assert (engine.settings.corpus / "saltmere-lighthouse-history.pdf").exists()
    page.screenshot(path=str(OUTPUT / "documents-panel.png"), full_page=True)
    page.click("#docqa-question textarea")
    ask(page, question)
    assert "faq.html" not in page.locator(".docqa-cite").last.inner_text()
    assert all("faq.html" not in c.source for c in engine.ask(question).citations)
    page.close()


def test_watched_folder_answers_from_a_new_file_and_forgets_a_deleted_one(watched, browser):  # noqa: F811
    server, engine, _ = watched
    question = "What are stunt kite lines made of?"
    page = open_chat(browser, server.url)
    (engine.settings.corpus / "kites.md").write_text(KITES)
    started = time.monotonic()
    while "kites.md" not in [c.source for c in engine.ask(question).citations[:1]]:
        assert time.monotonic() - started < 15, "the new file was not indexed within 15 s"
        time.sleep(0.25)
    assert time.monotonic() - started < 8
    assert "Dyneema" in ask(page, question)
    assert "kites.md" in page.locator(".docqa-cite").first.inner_text()
    page.wait_for_selector("#docqa-status:has-text('watch:')", timeout=10_000)
    page.screenshot(path=str(OUTPUT / "watch-status.png"))
    (engine.settings.corpus / "kites.md").unlink()
    started = time.monotonic()
    while any(c.source == "kites.md" for c in engine.ask(question).citations):
        assert time.monotonic() - started < 15, "the deleted file still answers after 15 s"
        time.sleep(0.25)
    assert "Dyneema" not in ask(page, question)
    page.close()
