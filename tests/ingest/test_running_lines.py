"""Running heads, feet and page numbers are left out of a paged document's text; its own
sentences, even repeated ones, are kept."""

from app.ingest.extract import extract
from app.ingest.formats.running_lines import without_running_lines
from app.records import Page
from tests.conftest import make_pdf


def book(*bodies: str, first: int = 48) -> list[Page]:
    """Pages as a printed book lays them out: the number and the book's title at the top of even
    pages, the chapter's title and the number on odd ones (OCR misread one of them), the number
    again at the foot."""
    pages = []
    for i, body in enumerate(bodies):
        number = first + i
        title = "THE SIEGE OP VICKSBURG." if i == 2 else "THE SIEGE OF VICKSBURG."
        head = f"{number} {title}" if number % 2 == 0 else f"JUNE IN THE TRENCHES. {number}"
        pages.append(Page(i + 1, f"{head}\n{body}\n- {number} -"))
    return pages


DAYS = [
    "The heat of the sun increases.\nWe improve our quarters.",
    "Mortar shells fly into the city.\nThey drop like falling stars.",
    "Prisoners say the people live in caves.\nThe women and children suffer.",
    "A heavy shower cools the air.\nThe dust is laid at last.",
    "The pickets trade coffee for tobacco.\nNobody fires all morning.",
    "A deserter brings news from the town.\nFlour is running out.",
]


def test_heads_and_page_numbers_are_dropped_and_the_text_kept():
    pages = without_running_lines(book(*DAYS))
    assert [p.text for p in pages] == DAYS
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]


def test_a_sentence_the_pages_repeat_inside_is_content():
    middle = "\nThe guns were silent.\nThe guns were silent.\n"
    bodies = [day.replace("\n", middle) for day in DAYS]
    assert [p.text for p in without_running_lines(book(*bodies))] == bodies


def test_short_documents_and_lines_that_differ_are_left_alone():
    two = [Page(1, "Report\nAlpha."), Page(2, "Report\nBeta.")]
    assert without_running_lines(two) == two, "one neighbour is not enough to tell"
    varied = [
        Page(1, "Rivers of Europe\nx."),
        Page(2, "Mountains of Asia\ny."),
        Page(3, "Lakes\nz."),
    ]
    assert without_running_lines(varied) == varied


def test_a_pdf_loses_its_running_lines_at_extraction(tmp_path):
    sentences = ["The survey counted 212 nesting pairs.", "Most nests were on the cliffs."]
    make_pdf(
        tmp_path / "report.pdf",
        [f"Seabird Survey 2025\n{s}\nPage {n} of 4" for n, s in enumerate(sentences * 2, 1)],
    )
    pages = extract(tmp_path / "report.pdf")
    assert [p.text.strip() for p in pages] == sentences * 2


def test_pages_of_nothing_but_a_repeated_line_keep_it():
    """A file whose every page is one repeated line (a test page, a slide title) keeps its
    text instead of being refused as empty."""
    pages = [Page(n, f"Potato {n - 1}") for n in range(1, 8)]
    assert without_running_lines(pages) == pages
    same = [Page(n, "Background\n") for n in range(1, 5)]
    assert without_running_lines(same) == same


def test_rows_of_a_long_table_that_open_and_close_its_pages_are_kept():
    """The same words with other numbers on every page: a page number's line, but a table's
    rows when they hold several numbers ("S-001 Well 1 1.5 2024-03-02")."""
    bodies = [
        "\n".join(f"S-{n:03d} Well {n % 7} {n * 1.5:.1f} 2024-03-{n % 28 + 1:02d}"
                  for n in range(page * 6, page * 6 + 6))
        for page in range(6)
    ]  # fmt: skip
    pages = [Page(i + 1, body) for i, body in enumerate(bodies)]
    assert [p.text for p in without_running_lines(pages)] == bodies
    assert [p.text for p in without_running_lines(book(*bodies))] == bodies  # its heads go
