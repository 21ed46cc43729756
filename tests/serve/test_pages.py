"""The cited-page view: boxes located from the stored text and pdfium's characters, failing safe,
and GET /api/page over the sample corpus's real index."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient

from app.ingest.extract import extract
from app.serve import pages
from app.serve.api import create_app
from app.serve.boxes import fold, locate, map_span, read_back
from app.serve.pages import PageViewError, parse_span, text_view, view_page
from tests.conftest import SPLIT_WORDS, make_pdf

SAMPLE = "saltmere-lighthouse-history.pdf"


@pytest.fixture(scope="module")
def client(sample_engine):
    return TestClient(create_app(sample_engine))


def textpage(engine, number: int):
    document = pdfium.PdfDocument(engine.locate(SAMPLE))
    return document, document[number - 1].get_textpage()


def test_offsets_are_carried_across_whitespace_line_ends_and_ligatures():
    stored = "The \ufb01rst keeper\nwas Ann Lee. She stayed."
    pdf = "The first keeper\r\nwas  Ann Lee.\r\nShe stayed."
    start = stored.index("Ann Lee")
    first, stop = map_span(stored, pdf, start, start + 7)
    assert pdf[first:stop] == "Ann Lee"
    assert map_span(stored, "Something else entirely.", start, start + 7) is None


def test_a_span_is_carried_past_the_running_lines_the_stored_text_left_out():
    """The PDF still shows the head and the page number that extraction dropped."""
    body = "Repeated line.\n" * 3 + "The keeper was Ann Lee.\nRepeated line.\n"
    pdf = f"THE LIGHTHOUSE 12\r\n{body}- 12 -"
    for span in ("Ann Lee", "Repeated line"):
        start = body.index(span)
        first, stop = map_span(body, pdf, start, start + len(span))
        assert (first, stop) == (pdf.index(span), pdf.index(span) + len(span))
    start = body.rindex("Repeated line")
    first, _ = map_span(body, pdf, start, start + 13)
    assert first == pdf.rindex("Repeated line"), "the one after the answer, not the first"


def test_only_a_letter_s_hyphen_at_a_line_end_is_folded_away():
    assert fold("inhabi-\ntants").text == "inhabitants"
    assert fold("- \nIsolated: boolean").text == "-Isolated:boolean", "a list item's dash"
    assert fold("1990-\n1995").text == "1990-1995"


@pytest.mark.parametrize("span", ["Thomas Ardley", "Before\nthat he had been a boatswain"])
def test_boxes_read_back_from_the_pdf_as_the_span(sample_engine, span):
    stored = sample_engine.reader().page_text(SAMPLE, 2)
    start = stored.index(span)
    document, text = textpage(sample_engine, 2)
    boxes = locate(text, stored, start, start + len(span))
    assert boxes and fold(read_back(text, boxes)).text == fold(span).text
    assert len(boxes) == span.count("\n") + 1  # one box per line
    document.close()


@pytest.mark.parametrize("span", ["inhabitants are now living", "dangerous", "Anglo-\nSaxon"])
def test_boxes_are_found_for_words_the_pdf_splits_across_lines(tmp_path, span):
    make_pdf(tmp_path / "book.pdf", [SPLIT_WORDS])
    [page] = extract(tmp_path / "book.pdf")
    start = page.text.index(span)
    document = pdfium.PdfDocument(tmp_path / "book.pdf")
    text = document[0].get_textpage()
    boxes = locate(text, page.text, start, start + len(span))
    assert boxes and len(boxes) == 2, "the span's two lines"
    assert fold(read_back(text, boxes)).text == fold(span).text
    document.close()


def test_a_span_the_page_does_not_show_gets_no_box(sample_engine):
    stored = sample_engine.reader().page_text(SAMPLE, 2)
    start = stored.index("Thomas Ardley")
    document, other_page = textpage(sample_engine, 3)
    assert locate(other_page, stored, start, start + 13) is None  # the wrong page
    document.close()
    document, page_two = textpage(sample_engine, 2)
    altered = stored.replace("Thomas Ardley", "Thomas Ardlex")
    assert locate(page_two, altered, start, start + 13) is None  # text the PDF does not hold
    document.close()


def test_the_api_returns_the_page_png_with_the_answers_boxes(sample_engine, client):
    stored = sample_engine.reader().page_text(SAMPLE, 2)
    start = stored.index("Thomas Ardley")
    query = {"source": SAMPLE, "page": 2, "highlight": f"{start}:{start + 13}"}
    response = client.get("/api/page", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    boxes = json.loads(response.headers["x-docqa-boxes"])
    document, text = textpage(sample_engine, 2)
    assert "".join(text.get_text_bounded(*box) for box in boxes) == "Thomas Ardley"
    document.close()
    assert client.get("/view", params=query).content == response.content  # the UI's route
    plain = client.get("/api/page", params={"source": SAMPLE, "page": 2})
    assert plain.status_code == 200 and json.loads(plain.headers["x-docqa-boxes"]) == []


def test_a_span_that_cannot_be_located_shows_the_page_plain_and_says_so(tmp_path, sample_engine):
    copy = tmp_path / SAMPLE
    shutil.copy(sample_engine.locate(SAMPLE), copy)
    stored = sample_engine.reader().page_text(SAMPLE, 2).replace("Thomas Ardley", "Thomas Ardlex")
    start = stored.index("Thomas Ardlex")
    view = view_page(copy, 2, stored, (start, start + 13), 1.0)
    assert view.media_type == "image/png" and view.boxes == []
    assert view.note == pages.NOT_FOUND


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"source": SAMPLE, "page": 2, "highlight": "x"}, 422, "START:END"),
        ({"source": SAMPLE, "page": 2, "highlight": "20:10"}, 422, "outside"),
        ({"source": SAMPLE, "page": 2, "highlight": "0:999999"}, 422, "outside"),
        ({"source": SAMPLE, "page": 99}, 404, "no indexed document"),
        ({"source": "../etc/passwd"}, 404, "no indexed document"),
        ({"source": "missing.pdf", "page": 1}, 404, "no indexed document"),
        ({"source": SAMPLE, "page": 2, "scale": 50}, 422, "scale"),
        ({"page": 2}, 422, "source"),
    ],
)
def test_bad_page_requests_get_a_4xx_that_says_why(client, params, status, says):
    response = client.get("/api/page", params=params)
    assert response.status_code == status
    assert says in response.text


def test_the_page_route_needs_the_api_key_when_one_is_set(sample_engine):
    import copy

    keyed = copy.copy(sample_engine)
    keyed.settings = dataclasses.replace(sample_engine.settings, api_key="s3cret")
    client = TestClient(create_app(keyed))
    params = {"source": SAMPLE, "page": 1}
    assert client.get("/api/page", params=params).status_code == 401
    authorised = client.get("/api/page", params=params, headers={"Authorization": "Bearer s3cret"})
    assert authorised.status_code == 200


def test_a_text_format_shows_the_sentence_and_span_marked_and_escaped():
    text = "Intro.\n\n<script>x</script> The fee is 40 pounds a year. Next sentence."
    start = text.index("40 pounds")
    view = text_view(text, (start, start + 9))
    body = view.body.decode()
    assert '<mark class="docqa-span">40 pounds</mark>' in body
    assert '<mark class="docqa-sentence"><script>' not in body and "&lt;script&gt;" in body
    assert "The fee is " in body.split('<mark class="docqa-sentence">')[1]


def test_renders_are_bounded_in_pixels_and_cached(tmp_path, sample_engine, monkeypatch):
    from PIL import Image

    copy = tmp_path / SAMPLE
    shutil.copy(sample_engine.locate(SAMPLE), copy)
    monkeypatch.setattr(pages, "MAX_PIXELS", 200_000)
    view = view_page(copy, 1, "", None, 4.0)
    with Image.open(io.BytesIO(view.body)) as image:
        assert image.width * image.height <= 200_000
    assert view_page(copy, 1, "", None, 4.0) is view  # the second look is the cached view
    os.utime(copy, ns=(1, 1))  # a changed file is rendered again
    assert view_page(copy, 1, "", None, 4.0) is not view
    with pytest.raises(PageViewError, match="pages 1 to 5"):
        view_page(copy, 6, "", None, 1.0)


def test_highlights_are_parsed_strictly():
    assert parse_span(None, "abc") is None
    assert parse_span("0:3", "abc") == (0, 3)
    for bad in ("1", "a:b", "-1:2", "2:2", "0:4"):
        with pytest.raises(PageViewError):
            parse_span(bad, "abc")
