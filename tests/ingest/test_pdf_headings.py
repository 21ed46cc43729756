"""Headings in PDFs, found by the size of their type, stand apart from the sentence below."""

from pathlib import Path

from app.ingest.formats import pdf
from app.ingest.sentences import sentence_spans

BODY = (
    "To install the tool, run the installer and follow the prompts. The installer asks for "
    "a folder and then copies every file into it."
)


def _pdf(path: Path, parts: list[tuple[int, str]]) -> str:
    """A one-page PDF of (font size, text) paragraphs; its text as docqa reads it."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    for size, text in parts:
        document.set_font("Helvetica", size=size)
        document.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    document.output(str(path))
    return pdf.read(path.read_bytes(), ".pdf", 10)[0].text


def test_a_heading_in_larger_type_is_a_block_of_its_own(tmp_path):
    text = _pdf(tmp_path / "guide.pdf", [(18, "Installation"), (11, BODY)])
    assert text.startswith("Installation\n\nTo install the tool")
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    assert sentences[0].startswith("To install the tool, run the installer")  # not "Installation"


def test_a_heading_over_two_lines_is_one_block(tmp_path):
    title = "Installing the tool on a computer without any network connection"
    text = _pdf(tmp_path / "guide.pdf", [(24, title), (11, BODY)])
    assert text.startswith(f"{title}\n\nTo install the tool")
    assert text[slice(*sentence_spans(text)[0])].startswith("To install the tool")


def test_lines_in_body_type_and_long_lines_in_large_type_are_not_headings(tmp_path):
    quote = "A long line in large type is a quotation or a lead paragraph and not a heading at all."
    text = _pdf(tmp_path / "guide.pdf", [(11, "Installation"), (11, BODY), (16, quote)])
    assert "\n\n" not in text


def test_a_gap_between_lines_starts_a_paragraph(tmp_path):
    """A heading in body type and the labels of a form, each after a gap as wide as a line:
    before, pypdf's text ran them into the sentences around them."""
    from tests.conftest import make_pdf

    make_pdf(
        tmp_path / "leaflet.pdf",
        [
            "1. HOW TO TAKE IT\n\nSwallow the tablet whole with a glass of water. It can be\n"
            "taken with or without food.\n\nIf you forget a dose\nTake the next tablet at the "
            "usual time.\n\nStorage: below 30 C"
        ],
    )
    text = pdf.read((tmp_path / "leaflet.pdf").read_bytes(), ".pdf", 10)[0].text
    assert text == (
        "1. HOW TO TAKE IT\n\nSwallow the tablet whole with a glass of water. It can be\n"
        "taken with or without food.\n\nIf you forget a dose\nTake the next tablet at the "
        "usual time.\n\nStorage: below 30 C"
    )
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    assert not any("usual time" in s and "Storage" in s for s in sentences), sentences
