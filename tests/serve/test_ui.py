"""The chat window in a real browser (Debian's Chromium driven by Playwright), and Gradio's API."""

from pathlib import Path

import httpx
import pytest

from app.serve.ui import place_file, render_answer, safe_name
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = ROOT / "test-output"
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: sudo apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize(("device", "viewport"), [("laptop", (1366, 850)), ("phone", (390, 844))])
def test_ask_in_the_browser_and_follow_the_citation(live, browser, device, viewport):
    server, _ = live
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(server.url + "/")
    page.wait_for_selector("#docqa-status:has-text('documents')", timeout=30_000)
    page.fill(
        "#docqa-question textarea", "Who was appointed as the lighthouse's first keeper in 1874?"
    )
    page.keyboard.press("Enter")
    answer = page.wait_for_selector(".docqa-answer", timeout=60_000)
    assert "Thomas Ardley" in answer.inner_text()
    assert page.locator(".docqa-answer mark").first.inner_text() == "Thomas Ardley"
    link = page.locator(".docqa-cite a").first
    assert "saltmere-lighthouse-history.pdf, page 2" in link.inner_text()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"chat-{device}.png"), full_page=True)
    href = link.get_attribute("href")
    assert href == "/files/saltmere-lighthouse-history.pdf#page=2"
    response = page.request.get(server.url + href.split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.close()


def test_no_answer_is_said_plainly_in_the_browser(live, browser):
    server, _ = live
    page = browser.new_page(viewport={"width": 1366, "height": 850})
    page.goto(server.url + "/")
    page.fill("#docqa-question textarea", "What is the melting point of tungsten in kelvin?")
    page.keyboard.press("Enter")
    assert (
        "No answer in the documents"
        in page.wait_for_selector(".docqa-none", timeout=60_000).inner_text()
    )
    assert page.locator(".docqa-cite").count() >= 1  # the closest passages are still shown
    page.close()


def test_document_text_shows_as_written_in_the_browser(tmp_path, real_embedder, browser):
    """Table rows, file patterns, snake_case names and "$$" are text, not Markdown or LaTeX:
    shown without the backslashes an escape would add."""
    from app.ingest.pipeline import ingest
    from app.settings import Settings
    from tests.conftest import serve_engine, write_files

    settings = Settings.from_env(environ={}, corpus=tmp_path / "corpus", index=tmp_path / "index")
    write_files(settings.corpus, {
        "plans.csv": "Plan,Setting,Price\nTeam,max_upload_size,$$12 per [seat]\n",
        "notes.md": "Uploads accept *.pdf | *.docx files. The #general channel is for news.",
    })  # fmt: skip
    ingest(settings, embedder=real_embedder)
    server, _ = serve_engine(settings, real_embedder)
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 850})
        page.goto(server.url + "/")
        page.fill("#docqa-question textarea", "Which files do uploads accept?")
        page.keyboard.press("Enter")
        shown = page.wait_for_selector(".docqa-answer", timeout=60_000).inner_text()
        assert "*.pdf | *.docx" in shown and "\\" not in shown
        page.fill("#docqa-question textarea", "What is the price of the Team plan?")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelectorAll('.docqa-answer').length == 2")
        shown = page.locator(".docqa-chat, #docqa-chat").last.inner_text()
        assert "| Plan: Team | Setting: max_upload_size | Price: $$12 per [seat] |" in shown
        assert "\\" not in shown
        page.close()
    finally:
        server.stop()


def test_gradio_client_calls_the_chat_function(live):
    from gradio_client import Client

    server, _ = live
    client = Client(server.url + "/", verbose=False)
    history, cleared = client.predict(
        "When was the first public version of docqa published?", [], api_name="/ask"
    )
    assert cleared == ""
    assert history[-1]["role"] == "assistant" and "3 November 2026" in str(history[-1]["content"])


def test_upload_adds_documents_with_safe_names_and_no_overwrite(live, tmp_path):
    from app.serve.ui import add_uploads

    server, engine = live
    (tmp_path / "kites.md").write_text("Kite lines for stunt kites are usually 25 metres long.")
    (tmp_path / "notes.exe").write_bytes(b"MZ")
    existing = engine.settings.corpus / "faq.html"
    original = existing.read_bytes()
    (tmp_path / "faq.html").write_text("<p>An uploaded page with the same name.</p>")

    result = add_uploads(
        engine, [str(tmp_path / n) for n in ("kites.md", "notes.exe", "faq.html")], _NoProgress()
    )
    assert "kites.md**: saved as kites.md, indexed" in result
    assert "not added: unsupported type .exe" in result
    assert "faq.html**: saved as faq (2).html, indexed" in result
    assert existing.read_bytes() == original
    assert not list(engine.settings.corpus.glob(".docqa-uploads/*"))
    top = httpx.post(
        server.url + "/api/retrieve", json={"query": "stunt kite line length", "k": 1}
    ).json()
    assert top["passages"][0]["source"] == "kites.md"


def test_upload_goes_to_the_collection_chosen_in_the_selector(two_collections, tmp_path):
    from app.serve.ui import add_uploads

    _, engine = two_collections
    (tmp_path / "gliders.md").write_text("Glider pilots look for thermals over ploughed fields.")
    result = add_uploads(engine, [str(tmp_path / "gliders.md")], _NoProgress(), "extra")
    assert "gliders.md**: saved as gliders.md, indexed" in result
    assert (engine.upload_folder("extra") / "gliders.md").is_file()
    assert not (engine.settings.corpus / "gliders.md").exists()
    found = engine.search("where do glider pilots find thermals", 1, collection="extra")
    assert found[0].source == "gliders.md"
    assert all(p.source != "gliders.md" for p in engine.search("glider thermals", 5))
    refused = add_uploads(engine, [str(tmp_path / "gliders.md")], _NoProgress(), "nosuch")
    assert refused.startswith("Not added:") and "nosuch" in refused


class _NoProgress:
    def tqdm(self, items, desc=""):
        return items

    def __call__(self, *args, **kwargs):
        pass


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("..", None),
        ("a\x00b\x07c.txt", "a_b_c.txt"),
        ("%2e%2e%2fsecret.md", "_2e_2e_2fsecret.md"),
    ],
)
def test_upload_names_cannot_escape_the_corpus(tmp_path, raw, safe):
    name = safe_name(raw)
    assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
    if safe:
        assert name == safe
    source = tmp_path / "upload.bin"
    source.write_text("content")
    folder = tmp_path / "corpus"
    folder.mkdir()
    placed = place_file(source, folder, name)
    assert placed.parent == folder


def test_rendered_answers_escape_document_text():
    from app.records import Answer, Citation

    citation = Citation(1, "x.html", None, "<script>alert(1)</script> answer", 26, 32, 26, 32, 0.9)
    html = render_answer(Answer("q", "answer", 0.9, [citation], [], sentence="<b>answer</b>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>answer</mark>" in html


def test_table_rows_and_list_items_keep_their_lines_and_prose_flows():
    from app.records import Answer, Citation

    snippet = "Spending by\nregion.\n| Region: Asia | Spent: 820 |\n| Region: Europe | Spent: 950 |"
    start = snippet.index("820")
    citation = Citation(1, "r.docx", None, snippet, start, start + 3, start, start + 3, 0.9)
    html = render_answer(Answer("q", "820", 0.9, [citation], [], sentence="- a\n- b"))
    assert "Spending by region." in html  # a wrapped line is a space
    assert "<mark>820</mark> |<br>| Region: Europe" in html  # each row on its own line
    assert "- a<br>- b" in html
    steps = "1. Close the valve.\n2. Twist the cartridge\nto the left."  # numbered steps too
    html = render_answer(Answer("q", steps, 0.9, [citation], [], sentence=steps))
    assert "1. Close the valve.<br>2. Twist the cartridge to the left." in html
