"""PowerPoint decks through the real ingest: one page per slide, labelled, notes included."""

import io

from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages


def _deck() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Quarterly review"
    first.placeholders[1].text = "Prepared by the finance team"
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Highlights"
    body = second.placeholders[1].text_frame
    body.text = "Revenue grew by 12 percent in the third quarter."
    body.add_paragraph().text = "Two new offices opened in Leeds and Bristol."
    second.notes_slide.notes_text_frame.text = "Mention that the Leeds office opened in May."
    third = deck.slides.add_slide(deck.slide_layouts[5])
    third.shapes.title.text = "Headcount"
    table = third.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for r, cells in enumerate([("Office", "Staff"), ("Leeds", "41")]):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_each_slide_is_a_page_named_after_its_number(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"review.pptx": _deck()})
    assert report.files_indexed == ["review.pptx"], skipped(report)
    pages = stored_pages(settings, "review.pptx")
    assert sorted(pages) == [1, 2, 3]
    assert pages[1] == "Quarterly review\n\nPrepared by the finance team"
    assert pages[2].startswith("Highlights\n\n- Revenue grew by 12 percent in the third quarter.")
    assert "- Two new offices opened in Leeds and Bristol." in pages[2]
    assert pages[2].endswith("Notes\n\nMention that the Leeds office opened in May.")
    assert "| Office | Staff |\n| Office: Leeds | Staff: 41 |" in pages[3]
    labels = entry(settings, "review.pptx").page_labels
    assert labels == {"1": "slide 1", "2": "slide 2", "3": "slide 3"}


def test_legacy_ppt_is_refused_with_what_to_do(settings, fake_embedder):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    report = ingest_files(settings, fake_embedder, {"old.ppt": ole})
    assert "save it as .pptx" in skipped(report)["old.ppt"]


def test_a_question_is_answered_from_its_slide_and_cites_it(settings, real_embedder):
    """The whole path with the real model: the answer is verbatim and cited as "slide 2"."""
    from app.engine import Engine
    from tests.conftest import assert_verbatim

    ingest_files(settings, real_embedder, {"review.pptx": _deck()})
    engine = Engine(settings)
    engine.embedder = real_embedder
    answer = engine.ask("By how much did revenue grow in the third quarter?")
    assert answer.answer is not None and "12 percent" in answer.answer
    first = answer.citations[0]
    assert (first.source, first.page, first.location) == ("review.pptx", 2, "slide 2")
    assert not first.ocr
    assert_verbatim(answer, engine.reader())
    # Passages are named as citations are: searched, or read for an answer.
    assert answer.passages[0].location == "slide 2"
    found = engine.search("revenue growth in the third quarter", 1)
    assert (found[0].page, found[0].location) == (2, "slide 2")


def test_text_in_a_picture_on_a_slide_is_read_by_ocr_and_marked(settings, fake_embedder):
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    from tests.ingest.test_ocr import LINES, text_image

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Site visit"
    slide.shapes.add_picture(io.BytesIO(text_image()), Inches(1), Inches(2), width=Inches(7))
    icon = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(icon, "PNG")
    slide.shapes.add_picture(icon, 0, 0)  # too small to hold text: not read
    out = io.BytesIO()
    deck.save(out)
    report = ingest_files(settings, fake_embedder, {"visit.pptx": out.getvalue()})
    assert report.files_indexed == ["visit.pptx"], skipped(report)
    page = stored_pages(settings, "visit.pptx")[1]
    assert page.startswith("Site visit\n\n")
    for line in LINES:
        assert line in page
    assert entry(settings, "visit.pptx").ocr_pages == [1]
    [(start, end)] = entry(settings, "visit.pptx").ocr_spans["1"]  # the title is typed
    assert all(line in page[start:end] for line in LINES) and "Site visit" not in page[start:end]
