"""Files -> extracted text: `Page`s (PDF pages, slides, blocks of sheet rows, e-mail attachments,
OCR'd images; one page without a number for formats that have no pages).

The text stored here is what citations point into: every offset docqa reports is an offset into
`Page.text`, so extraction must be deterministic for a given file. Each family of formats has
its module in `formats/`; this one picks the module by the file's suffix.
"""

from __future__ import annotations

from pathlib import Path

from app.ingest.errors import ExtractionError, UnreadableFileError
from app.ingest.formats import calendar, ebook, images, mail, office, pdf, sheets, slides, text
from app.records import Page

FORMATS = (text, pdf, office, slides, sheets, ebook, mail, images, calendar)
# Raised whenever a file's text would now be extracted or chunked differently; the manifest
# records the version each file was read with, and an ingest names the files read by an older
# one (their text and chunks stay as they were until they change or `docqa ingest --rebuild`
# reads them again).
# 2: words that a PDF's or OCR's lines split with a hyphen are joined; a PDF's running heads,
# feet and page numbers are left out.
# 3: typographic ligatures ("ﬁ", "ﬂ", "ﬀ"...) are spelled out as their letters.
# 4: a spreadsheet's values are named by the header of their own table (several header rows
# joined, each table of a sheet its own), not by the sheet's first row.
# 5: so are the values of the tables in Word, OpenDocument, RTF and slide files.
# 6: and of the tables in PDFs, found from pdfium's character boxes (formats.pdf_tables); a
# PDF's headings, found by the size of their type, are blocks of their own (pdf_headings).
# 7: only a table row ends a chunk whole and starts the next without overlap (app.ingest.
# chunking); version 6 did so at every line, and prose lost the overlap at its section lines.
# 8: a Word, OpenDocument, RTF or mail paragraph that a page break cut mid-sentence is joined
# to the rest of its sentence (formats.layout).
# 9: a chunk never ends with a heading, cut from the text under it (app.ingest.chunking).
# 10: tables in HTML, drawn with pipes or lined up in columns of spaces (text files, mail) are
# named rows too (formats.text, formats.text_tables); Markdown's marks within lines are dropped.
# 11: a workbook's numbers and dates read as the sheet shows them ("£62.50"); a Word form's
# content controls, text boxes, tracked insertions and list numbers, a PDF form's filled-in
# fields, a web page's definition lists (as label lines) and tables of row headers, and an
# e-mail's HTML part where its plain one says far less are read (formats.number_formats,
# office, word_numbering, pdf_forms, text, mail); .ics files and OpenDocument sheets are new
# (formats.calendar, sheets); a photo is read the way up its camera recorded (formats.images).
EXTRACTION_VERSION = 11
READERS = {suffix: module for module in FORMATS for suffix in module.SUFFIXES}
SUPPORTED_SUFFIXES = frozenset(READERS)


def extract(path: Path, max_pages: int = 5000) -> list[Page]:
    """The pages of one file with their text; raises ExtractionError with a readable reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(f"unsupported file type {suffix}")
    try:
        data = path.read_bytes()  # read once: what is hashed, parsed and stored is one version
    except OSError as exc:
        raise UnreadableFileError(f"cannot read: {exc.strerror or exc}") from exc
    reader = READERS[suffix]
    pages = [p for p in reader.read(data, suffix, max_pages) if p.text.strip()]
    if not pages:
        raise ExtractionError(getattr(reader, "EMPTY_REASON", "no extractable text"))
    return pages
