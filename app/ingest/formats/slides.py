"""PowerPoint (.pptx): one page per slide, numbered as the slide, with its notes.

Shapes are read in reading order (top to bottom, then left to right), grouped shapes included;
the title comes first as a heading, tables as rows, and the speaker notes last under "Notes".
Pictures are read by OCR (a scanned page or a screenshot pasted into a slide is often all the
slide says); a slide with text from a picture is marked as OCR'd, so its citations say so.
Legacy .ppt files are refused with what to do, unless they are really .pptx inside.
"""

from __future__ import annotations

import io

from app.ingest import ocr
from app.ingest.errors import ExtractionError
from app.ingest.formats import archive
from app.ingest.formats.headers import table_blocks
from app.ingest.formats.layout import (
    HEADING,
    ITEM,
    PARAGRAPH,
    join_marked,
    picture_blocks,
)
from app.records import Page

SUFFIXES = {".pptx", ".pptm", ".ppt"}
EMPTY_REASON = "no text on any slide"
LEGACY_REASON = (
    "PowerPoint 97-2003 .ppt is not supported: save it as .pptx (PowerPoint or LibreOffice)"
)
_MAX_GROUP_DEPTH = 32


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    if suffix == ".ppt" and data.startswith(archive.OLE_MAGIC):
        raise ExtractionError(LEGACY_REASON)
    zipped = archive.open_zip(data, "PowerPoint presentation")
    archive.refuse_entities(zipped, "PowerPoint presentation", (".xml", ".rels"))
    from pptx import Presentation

    try:
        deck = Presentation(io.BytesIO(data))
        slides = list(deck.slides)
    except Exception as exc:  # python-pptx raises KeyError, ValueError... on broken parts
        raise ExtractionError(f"corrupt PowerPoint file ({type(exc).__name__}: {exc})") from exc
    if len(slides) > max_pages:
        raise ExtractionError(f"too many slides ({len(slides)} > {max_pages} limit)")
    pictures = ocr.Pictures()  # one OCR budget for the deck
    pages = []
    for number, slide in enumerate(slides, start=1):
        text, read_by_ocr = join_marked(_slide_blocks(slide, pictures))
        pages.append(
            Page(
                number,
                text,
                f"slide {number}",
                ocr=bool(read_by_ocr),
                ocr_spans=read_by_ocr or None,
            )
        )
    return pages


def _slide_blocks(slide, pictures: ocr.Pictures) -> list[tuple[str, str]]:
    """The slide's blocks in reading order, the text of its pictures read by OCR."""
    title = slide.shapes.title
    blocks: list[tuple[str, str]] = []
    if title is not None and title.has_text_frame:
        blocks.append((HEADING, title.text_frame.text))
    for shape in _in_reading_order(slide.shapes, 0):
        if title is not None and shape.shape_id == title.shape_id:
            continue
        if _is_picture(shape):
            blocks.extend(picture_blocks(pictures.text(_picture_blob(shape))))
            continue
        blocks.extend(_shape_blocks(shape))
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            blocks.append((HEADING, "Notes"))
            blocks.extend((PARAGRAPH, p.text) for p in notes.paragraphs)
    return blocks


def _is_picture(shape) -> bool:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    return shape.shape_type == MSO_SHAPE_TYPE.PICTURE


def _picture_blob(shape) -> bytes:
    """The picture's bytes; none for a linked (not embedded) picture."""
    try:
        return shape.image.blob
    except (AttributeError, KeyError, ValueError):
        return b""


def _in_reading_order(shapes, depth: int) -> list:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if depth > _MAX_GROUP_DEPTH:
        raise ExtractionError("shapes grouped too deeply to read")
    ordered = []
    for shape in sorted(shapes, key=lambda s: ((s.top or 0), (s.left or 0))):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            ordered.extend(_in_reading_order(shape.shapes, depth + 1))
        else:
            ordered.append(shape)
    return ordered


def _shape_blocks(shape) -> list[tuple[str, str]]:
    if getattr(shape, "has_table", False) and shape.has_table:
        return table_blocks([[cell.text for cell in row.cells] for row in shape.table.rows])
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return []
    paragraphs = shape.text_frame.paragraphs
    bulleted = len([p for p in paragraphs if p.text.strip()]) > 1
    return [(ITEM if bulleted else PARAGRAPH, p.text) for p in paragraphs]
