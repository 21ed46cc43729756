"""Word, OpenDocument and RTF documents through the real ingest: structure kept, text stored."""

import io
import struct

import pytest

from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Boiler maintenance", level=1)
    document.add_paragraph("The boiler pressure should read between 1.0 and 1.5 bar when cold.")
    document.add_paragraph("Bleed every radiator", style="List Bullet")
    document.add_paragraph("Check the expansion vessel", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Part", "Interval"), ("Burner", "12 months")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Allotment rules"))
    document.text.addElement(P(text="The annual fee for a full plot is 120 pounds from 2027."))
    items = List()
    for text in ("No bonfires", "Keep paths clear"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    document.text.addElement(items)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


RTF = rb"""{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}}
{\b Opening hours\b0}\par
The library opens at 9 o'clock on weekdays and closes at 17 on Saturdays.\par
}"""


def test_docx_keeps_headings_lists_and_table_rows_apart(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"boiler.docx": _docx()})
    assert report.files_indexed == ["boiler.docx"]
    [(page, text)] = stored_pages(settings, "boiler.docx").items()
    assert page is None
    assert text.startswith("Boiler maintenance\n\nThe boiler pressure")
    assert "The boiler pressure should read between 1.0 and 1.5 bar when cold." in text
    assert "- Bleed every radiator\n- Check the expansion vessel" in text
    assert "| Part | Interval |\n| Burner | 12 months |" in text


def test_text_in_a_picture_in_a_word_file_is_read_by_ocr_and_cited_so(settings, real_embedder):
    """A scan pasted into a Word file is often the whole document: its text is read, placed
    after the paragraph that holds the picture, and the citation says it came from OCR. An
    answer from the typed text around it is not marked so (a logo with a company's name would
    otherwise mark every citation of a long report)."""
    import docx
    from docx.shared import Inches
    from PIL import Image

    from app.engine import Engine
    from tests.conftest import assert_verbatim
    from tests.ingest.test_ocr import LINES, text_image

    document = docx.Document()
    document.add_heading("Site visit", level=1)
    document.add_paragraph("The scanned notes follow. The inspector arrived by ferry at noon.")
    document.add_paragraph().add_run().add_picture(io.BytesIO(text_image()), width=Inches(6))
    icon = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(icon, "PNG")
    document.add_paragraph("Signed.").add_run().add_picture(icon)  # an icon: not read
    out = io.BytesIO()
    document.save(out)
    report = ingest_files(settings, real_embedder, {"visit.docx": out.getvalue()})
    assert report.files_indexed == ["visit.docx"], skipped(report)
    text = stored_pages(settings, "visit.docx")[None]
    assert text.startswith("Site visit\n\nThe scanned notes follow.")
    for line in LINES:
        assert line in text
    assert text.endswith("Signed.")
    assert entry(settings, "visit.docx").ocr_pages == [0]
    [(start, end)] = entry(settings, "visit.docx").ocr_spans["0"]
    assert all(line in text[start:end] for line in LINES) and "ferry" not in text[start:end]
    engine = Engine(settings)
    engine.embedder = real_embedder
    answer = engine.ask("How many steps does the lighthouse have?")
    assert answer.answer is not None and "132" in answer.answer
    assert answer.citations[0].source == "visit.docx"
    assert answer.citations[0].ocr
    assert_verbatim(answer, engine.reader())
    typed = engine.ask("How did the inspector arrive?")
    assert typed.answer is not None and "ferry" in typed.answer
    assert typed.citations[0].source == "visit.docx" and not typed.citations[0].ocr


def _report_docx() -> bytes:
    """A status report as people write them: a table under a header row, one of numbers, and
    one of labels and their values."""
    import docx

    document = docx.Document()
    document.add_paragraph("Milestones of Project Falcon.")
    for rows in (
        [("Milestone", "Owner", "Due date"), ("Data migration", "Priya Raman", "2024-03-15")],
        [("Region", "Budget"), ("Europe", "1,200"), ("Asia", "800")],
        [("Sponsor", "Helen Brooks"), ("Vendor", "Northwind"), ("Phone", "+44 20 7946 0958")],
    ):
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_table_values_are_named_by_their_header_but_label_tables_kept(settings, fake_embedder):
    ingest_files(settings, fake_embedder, {"falcon.docx": _report_docx()})
    text = stored_pages(settings, "falcon.docx")[None]
    assert (
        "| Milestone | Owner | Due date |\n"
        "| Milestone: Data migration | Owner: Priya Raman | Due date: 2024-03-15 |"
    ) in text
    assert (
        "| Region | Budget |\n| Region: Europe | Budget: 1,200 |\n| Region: Asia | Budget: 800 |"
        in text
    )
    assert (
        "| Sponsor | Helen Brooks |\n| Vendor | Northwind |\n| Phone | +44 20 7946 0958 |" in text
    )


def _odt_with_table() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import P

    document = OpenDocumentText()
    table = Table(name="Fees")
    table.addElement(TableColumn(numbercolumnsrepeated=3))

    def row(*texts: str) -> TableRow:
        element = TableRow()
        for text in texts:
            cell = TableCell()
            cell.addElement(P(text=text))
            element.addElement(cell)
        return element

    header = TableHeaderRows()
    header.addElement(row("Plot", "Size", "Fee"))
    table.addElement(header)
    table.addElement(row("Full plot", "250 m2", "120"))
    table.addElement(row("Half plot", "125 m2", "65"))
    document.text.addElement(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_odt_and_rtf_table_values_are_named_by_their_header(settings, fake_embedder):
    rtf = (
        rb"{\rtf1\ansi\deff0 Prices\par"
        rb"\trowd\cellx2000\cellx4000\intbl Item\cell Price\cell\row"
        rb"\trowd\cellx2000\cellx4000\intbl Kettle\cell 25\cell\row}"
    )
    ingest_files(settings, fake_embedder, {"fees.odt": _odt_with_table(), "prices.rtf": rtf})
    assert stored_pages(settings, "fees.odt")[None] == (
        "| Plot | Size | Fee |\n| Plot: Full plot | Size: 250 m2 | Fee: 120 |\n"
        "| Plot: Half plot | Size: 125 m2 | Fee: 65 |"
    )
    assert stored_pages(settings, "prices.rtf")[None] == (
        "Prices\n\n| Item | Price |\n| Item: Kettle | Price: 25 |"
    )


def test_odt_headings_and_list_items(settings, fake_embedder):
    ingest_files(settings, fake_embedder, {"rules.odt": _odt()})
    text = stored_pages(settings, "rules.odt")[None]
    assert text == (
        "Allotment rules\n\nThe annual fee for a full plot is 120 pounds from 2027.\n\n"
        "- No bonfires\n- Keep paths clear"
    )


def test_rtf_paragraphs(settings, fake_embedder):
    ingest_files(settings, fake_embedder, {"hours.rtf": RTF})
    text = stored_pages(settings, "hours.rtf")[None]
    assert text.startswith("Opening hours\n\n")
    assert "The library opens at 9 o'clock on weekdays and closes at 17 on Saturdays." in text


def _word97(text: str) -> bytes:
    """A minimal Word 97 .doc: FIB + one uncompressed (UTF-16) piece, in an OLE container."""
    import olefile  # noqa: F401  (the reader needs it; writing uses the helper below)

    body = text.encode("utf-16-le")
    word = bytearray(0x200)
    struct.pack_into("<HH", word, 0, 0xA5EC, 0xC1)
    struct.pack_into("<H", word, 0x0A, 0x0200)  # 1Table
    struct.pack_into("<i", word, 0x4C, len(text))
    fc = len(word)
    word += body
    plc = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, fc, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, 0x01A2, 0, len(clx))
    return _ole({"WordDocument": bytes(word), "1Table": clx})


def _ole(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding `streams` (each padded to 4096 bytes: no mini stream)."""
    sector = 512
    names = list(streams)
    padded = [streams[n] + b"\0" * (-len(streams[n]) % 4096 or 0) for n in names]
    padded = [p if len(p) >= 4096 else p + b"\0" * (4096 - len(p)) for p in padded]
    data_sectors = [len(p) // sector for p in padded]
    directory_sector = sum(data_sectors)
    fat_sector = directory_sector + 1
    fat = []
    start = 0
    starts = []
    for count in data_sectors:
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
        start += count
    fat += [0xFFFFFFFE, 0xFFFFFFFD]  # directory, FAT itself
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIII", header, 0x2C, 1, directory_sector, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE
    )
    struct.pack_into("<I", header, 0x48, 0)
    struct.pack_into("<I", header, 0x4C, fat_sector)
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)

    def entry(name: str, kind: int, start: int, size: int, child: int, right: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        out = bytearray(128)
        out[: len(encoded)] = encoded
        struct.pack_into("<HBB", out, 64, len(encoded), kind, 1)
        struct.pack_into("<III", out, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", out, 116, start, size)
        return bytes(out)

    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, 1, 0xFFFFFFFF)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else 0xFFFFFFFF
        entries.append(entry(name, 2, starts[i], len(padded[i]), 0xFFFFFFFF, right))
    directory = b"".join(entries).ljust(sector, b"\0")
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return bytes(header) + b"".join(padded) + directory + fat_bytes


def test_legacy_word_97_document_is_read(settings, fake_embedder):
    text = "Opening hours\rThe museum opens at ten o'clock.\r"
    report = ingest_files(settings, fake_embedder, {"hours.doc": _word97(text)})
    assert report.files_indexed == ["hours.doc"], skipped(report)
    assert stored_pages(settings, "hours.doc")[None] == (
        "Opening hours\n\nThe museum opens at ten o'clock."
    )
    assert entry(settings, "hours.doc").page_labels == {}


def test_a_doc_that_is_really_rtf_is_read_as_rtf(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"saved-by-word.doc": RTF})
    assert report.files_indexed == ["saved-by-word.doc"]


def test_a_table_that_lays_out_paragraphs_is_not_named_by_its_first_row(settings, fake_embedder):
    import docx

    document = docx.Document()
    intro = "We are a small team of engineers who build tools that run on your own machine."
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(
        table.rows, [(intro, "Contact", "Offices"), ("x", "y", "z")], strict=True
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    ingest_files(settings, fake_embedder, {"about.docx": out.getvalue()})
    assert (
        stored_pages(settings, "about.docx")[None]
        == f"| {intro} | Contact | Offices |\n| x | y | z |"
    )


def test_a_paragraph_cut_at_a_page_break_is_one_sentence_again(settings, fake_embedder):
    """A Word file converted from PDF ends a paragraph at each page break, mid-sentence; read
    apart, the sentence the answer cites would be half of it. List items, a list after a colon
    and short lines stay paragraphs of their own."""
    import docx

    document = docx.Document()
    document.add_paragraph(
        "The standing trustee should review each assigned case as soon as possible and before"
    )
    document.add_paragraph("the meeting of creditors, for actual or potential conflicts.")
    document.add_paragraph("The maximum allowable compensation is the lesser of the following:")
    document.add_paragraph("an amount set by the schedule; or five percent of all payments.")
    document.add_paragraph("Each case is reviewed for conflicts of interest by the trustee and")
    document.add_paragraph("b. the deputy, who signs the review form.")
    document.add_paragraph("This document contains duplicates")
    document.add_paragraph("some text")
    out = io.BytesIO()
    document.save(out)
    ingest_files(settings, fake_embedder, {"handbook.docx": out.getvalue()})
    text = stored_pages(settings, "handbook.docx")[None]
    assert "as soon as possible and before the meeting of creditors, for actual" in text
    assert "lesser of the following:\n\nan amount" in text
    assert "trustee and\n\nb. the deputy" in text
    assert "duplicates\n\nsome text" in text


_WORD_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _form_docx() -> bytes:
    """A Word form: fields in content controls (in a paragraph, around paragraphs, in a table
    cell), a text box with the copy Word keeps for older readers, and tracked changes."""
    import docx
    from docx.oxml import parse_xml

    def xml(text: str):
        return parse_xml(text.replace("NS", _WORD_NS))

    def control(inner: str):
        return xml(f"<w:sdt NS><w:sdtPr/><w:sdtContent>{inner}</w:sdtContent></w:sdt>")

    document = docx.Document()
    name = document.add_paragraph("Name: ")
    name._p.append(control("<w:r><w:t>Ada Quinn</w:t></w:r>"))
    body = document.element.body
    body.insert(
        len(body) - 1, control("<w:p><w:r><w:t>Patient reference: HDP-77120</w:t></w:r></w:p>")
    )
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Treatment", "Cost"
    table.cell(1, 0).text = "Scale and polish"
    table.cell(1, 1).paragraphs[0]._p.append(control("<w:r><w:t>£65.00</w:t></w:r>"))
    line = "<w:p><w:r><w:t>Emergency line: 0117 496 0999</w:t></w:r></w:p>"
    box = f"<w:txbxContent>{line}</w:txbxContent>"
    boxed = document.add_paragraph("See the box.")
    boxed._p.append(xml(
        f"<w:r NS><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:pict>{box}</w:pict>"
        f"</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape>"
        f"</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    ))  # fmt: skip
    tracked = document.add_paragraph("Fees are due ")
    tracked._p.append(xml('<w:ins NS w:id="1" w:author="A"><w:r><w:t>monthly</w:t></w:r></w:ins>'))
    tracked._p.append(xml(
        '<w:del NS w:id="2" w:author="A"><w:r><w:delText>weekly</w:delText></w:r></w:del>'
    ))  # fmt: skip
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_forms_content_controls_text_boxes_and_tracked_changes_are_read(
    settings, fake_embedder
):
    """python-docx's own text passes over all of them: a form's filled-in fields were lost."""
    ingest_files(settings, fake_embedder, {"form.docx": _form_docx()})
    text = stored_pages(settings, "form.docx")[None]
    assert text.startswith("Name: Ada Quinn\n\nPatient reference: HDP-77120\n\n")
    assert "| Treatment: Scale and polish | Cost: £65.00 |" in text
    assert text.count("Emergency line: 0117 496 0999") == 1  # not its copy for older readers
    assert text.endswith("See the box.\n\nEmergency line: 0117 496 0999\n\nFees are due monthly")


def test_a_word_lists_numbers_are_read_as_word_draws_them(settings, fake_embedder):
    """Word keeps a list's numbers out of the text ("List Number" is numbered by its style):
    step 3 and clause 2 were lost. Bullets stay items without a number."""
    import docx

    document = docx.Document()
    document.add_heading("Assembly steps", 1)
    for step in ("Push in the dowels.", "Screw in the cam bolts.", "Fit the top panel."):
        document.add_paragraph(step, style="List Number")
    document.add_paragraph("Small hammer", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    ingest_files(settings, fake_embedder, {"steps.docx": out.getvalue()})
    assert stored_pages(settings, "steps.docx")[None] == (
        "Assembly steps\n\n- 1. Push in the dowels.\n- 2. Screw in the cam bolts.\n"
        "- 3. Fit the top panel.\n- Small hammer"
    )


def test_list_numbers_of_every_format_and_level(settings, fake_embedder, shared_eval):
    """Word's own sample of lists: "1)", "a)" one level down, "i)", "(1)", "(a)"."""
    data = (shared_eval / "office-docs" / "example-list-items-multiple.docx").read_bytes()
    ingest_files(settings, fake_embedder, {"lists.docx": data})
    text = stored_pages(settings, "lists.docx")[None]
    for label in ("- 1) This", "- 2) This", "- a) The quick", "- b) The quick", "- i) Trying",
                  "- ii) Trying", "- (1) Trying", "- (a) This"):  # fmt: skip
        assert label in text, label


@pytest.mark.parametrize(
    ("count", "fmt", "expected"),
    [(3, "decimal", "3"), (3, "lowerLetter", "c"), (28, "upperLetter", "BB"),
     (4, "lowerRoman", "iv"), (1994, "upperRoman", "MCMXCIV"), (7, "decimalZero", "07"),
     (5, "chineseCounting", "5")],
)  # fmt: skip
def test_a_count_in_each_number_format(count, fmt, expected):
    from app.ingest.formats.word_numbering import _formatted

    assert _formatted(count, fmt) == expected
