"""Word (.docx, legacy .doc), OpenDocument text (.odt) and RTF: one page of structured text.

These formats have no fixed pages (pagination depends on the printer), so, like plain text, a
document is one page without a number. Headings, list items and table rows keep their
boundaries (see `layout`). A Word form's fields (content controls), its text boxes (after the
paragraph that anchors them), text inserted with changes tracked and the numbers of its lists
(`word_numbering`) are read, which python-docx's own text passes over. Pictures in a Word file
are read by OCR (a scan pasted into a document is often all it says), their text placed after
the paragraph that holds them. A file whose bytes are another format than its name says (a .doc
that is really a .docx or an RTF, as Word happily saves) is read as what it is.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from app.ingest import ocr
from app.ingest.errors import ExtractionError
from app.ingest.formats import archive
from app.ingest.formats.headers import table_blocks
from app.ingest.formats.layout import (
    HEADING,
    ITEM,
    PARAGRAPH,
    join_blocks,
    join_marked,
    picture_blocks,
)
from app.ingest.formats.word_numbering import Numbering
from app.records import Page

SUFFIXES = {".docx", ".docm", ".odt", ".rtf", ".doc"}
EMPTY_REASON = "no text in the document"
_XML = (".xml", ".rels")


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    if data.lstrip()[:5] == b"{\\rtf":
        return [Page(None, _rtf_text(data))]
    if suffix == ".rtf":
        raise ExtractionError("not an RTF document (it does not start with {\\rtf)")
    if suffix == ".doc" and data.startswith(archive.OLE_MAGIC):
        from app.ingest.formats.legacy_doc import doc_text

        return [Page(None, doc_text(data))]
    if suffix == ".odt":
        return [Page(None, _odt_text(data))]
    return [_docx_page(data)]


def _docx_page(data: bytes) -> Page:
    """The document's text, with the text of its pictures read by OCR where they have any."""
    zipped = archive.open_zip(data, "Word document")
    archive.refuse_entities(zipped, "Word document", _XML)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupt Word document ({type(exc).__name__}: {exc})") from exc
    pictures = ocr.Pictures()
    numbering = Numbering(document)
    blocks = list(_docx_blocks(document, pictures, numbering))
    seen: set[str] = set()
    for section in document.sections:  # headers and footers once each, after the body
        for part in (section.header, section.footer):
            if part.is_linked_to_previous:
                continue
            for kind, text in _docx_blocks(part, pictures, numbering):
                if text.strip() and text not in seen:
                    seen.add(text)
                    blocks.append((kind, text))
    text, read_by_ocr = join_marked(blocks)
    return Page(None, text, ocr=bool(read_by_ocr), ocr_spans=read_by_ocr or None)


def _docx_blocks(container, pictures: ocr.Pictures, numbering: Numbering) -> list[tuple[str, str]]:
    """Paragraphs (a list's with the number Word draws before it), table rows, and after each
    paragraph the text of its text boxes and of the pictures in it."""
    element = container.element.body if hasattr(container, "element") else container._element
    return _blocks_of(element, container, pictures, numbering)


def _blocks_of(
    element, parent, pictures: ocr.Pictures, numbering: Numbering
) -> list[tuple[str, str]]:
    from docx.text.paragraph import Paragraph

    blocks: list[tuple[str, str]] = []
    for item in _block_items(element, parent):
        if not isinstance(item, Paragraph):
            blocks.extend(_docx_table(item))
            continue
        text = _paragraph_text(item._p)
        label = numbering.label(item) if text.strip() else None
        blocks.append((_paragraph_kind(item), f"{label} {text}" if label else text))
        for box in _own(item._p, "w:txbxContent"):
            blocks.extend(_blocks_of(box, parent, pictures, numbering))
        for blob in _paragraph_pictures(item, parent.part):
            blocks.extend(picture_blocks(pictures.text(blob)))
    return blocks


def _block_items(element, parent) -> Iterator:
    """The paragraphs and tables of `element` (a body, header, footer, cell or text box), in
    order, those inside content controls too: a form's fields are content controls, and
    python-docx's own iteration passes over them."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element if element is not None else ():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from _block_items(child if content is None else content, parent)


def _paragraph_text(paragraph) -> str:
    """A paragraph's text with that of its content controls ("Name: [Ada Quinn]"), not that of
    its text boxes (blocks of their own) nor of the older copies Word keeps for other readers
    (`mc:Fallback`)."""
    return "".join(run.text for run in _own(paragraph, "w:r"))


def _own(paragraph, tag: str) -> list:
    """The `tag` elements within `paragraph` that belong to it: not to a paragraph nested in it
    (a text box's), nor to an `mc:Fallback` copy, nor to text deleted or moved away with
    changes tracked."""
    from docx.oxml.ns import qn

    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    elsewhere = {qn("w:p"), qn("w:del"), qn("w:moveFrom"), fallback}
    own = []
    for found in paragraph.iter(qn(tag)):
        above = found.getparent()
        while above is not paragraph and above.tag not in elsewhere:
            above = above.getparent()
        if above is paragraph:
            own.append(found)
    return own


def _paragraph_pictures(paragraph, part) -> list[bytes]:
    """The embedded pictures of a paragraph (inline or floating), as stored in the file."""
    blobs = []
    for relation in paragraph._p.xpath(".//a:blip/@r:embed"):
        related = part.related_parts.get(relation)
        if related is not None and hasattr(related, "blob"):
            blobs.append(related.blob)
    return blobs


def _paragraph_kind(paragraph) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.startswith(("Heading", "Title", "Subtitle")):
        return HEADING
    properties = paragraph._p.pPr
    if style.startswith("List") or (properties is not None and properties.numPr is not None):
        return ITEM
    return PARAGRAPH


def _docx_table(table) -> list[tuple[str, str]]:
    from docx.table import _Cell

    rows = []
    for row in table.rows:
        try:
            grid = row.cells  # one per grid column: a merged cell comes back several times
        except ValueError:  # a row whose cells do not fit the grid: take them as they are
            grid = [_Cell(tc, table) for tc in row._tr.tc_lst]
        cells, previous = [], None
        for cell in grid:
            if cell._tc is not previous:
                cells.append(_cell_text(cell))
            previous = cell._tc
        rows.append(cells)
    return table_blocks(rows)


def _cell_text(cell) -> str:
    """A cell's paragraphs, content controls included, one a line (as python-docx's
    `_Cell.text`, which passes over content controls)."""
    from docx.text.paragraph import Paragraph

    items = _block_items(cell._tc, cell)
    return "\n".join(_paragraph_text(p._p) for p in items if isinstance(p, Paragraph))


def _odt_text(data: bytes) -> str:
    zipped = archive.open_zip(data, "OpenDocument text")
    archive.refuse_entities(zipped, "OpenDocument text", _XML)
    from odf.opendocument import load
    from odf.teletype import extractText

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises anything from KeyError to SAX errors
        raise ExtractionError(f"corrupt OpenDocument text ({type(exc).__name__}: {exc})") from exc
    blocks: list[tuple[str, str]] = []
    stack = list(reversed(document.body.childNodes))
    while stack:
        node = stack.pop()
        local = _local(node)
        if local == "h":
            blocks.append((HEADING, extractText(node)))
        elif local == "p":
            blocks.append((_odt_paragraph_kind(node), extractText(node)))
        elif local == "table":
            blocks.extend(table_blocks(_odt_rows(node, extractText)))
        elif node.nodeType == node.ELEMENT_NODE:
            stack.extend(reversed(node.childNodes))
    return join_blocks(blocks)


def _odt_rows(table, text_of) -> list[list[str]]:
    """The rows of an OpenDocument table, header rows and row groups included, each a list of
    its cells' text (a nested table's text stays inside its cell)."""
    rows, stack = [], list(reversed(table.childNodes))
    while stack:
        node = stack.pop()
        local = _local(node)
        if local == "table-row":
            rows.append([text_of(c) for c in node.childNodes if _local(c) == "table-cell"])
        elif local in ("table-header-rows", "table-rows", "table-row-group"):
            stack.extend(reversed(node.childNodes))
    return rows


def _odt_paragraph_kind(node) -> str:
    return (
        ITEM
        if node.parentNode is not None and _local(node.parentNode) == "list-item"
        else PARAGRAPH
    )


def _local(node) -> str | None:
    name = getattr(node, "qname", None)
    return name[1] if name else None


def _rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    try:
        text = rtf_to_text(data.decode("latin-1"), errors="replace")
    except Exception as exc:
        raise ExtractionError(f"corrupt RTF ({type(exc).__name__}: {exc})") from exc
    blocks: list[tuple[str, str]] = []
    table: list[list[str]] = []  # the rows of the table being read: lines that end in "|"
    for line in [*text.split("\n"), ""]:
        if line.rstrip().endswith("|"):
            table.append(line.rstrip().rstrip("|").split("|"))
            continue
        blocks.extend(table_blocks(table))
        table = []
        blocks.append((PARAGRAPH, line))
    return join_blocks(blocks)
