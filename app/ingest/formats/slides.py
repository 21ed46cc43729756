"""PowerPoint (.pptx): one page per slide, numbered as the slide, with its notes.

Shapes are read in reading order (top to bottom, then left to right), grouped shapes included;
the title comes first as a heading, tables as rows, and the speaker notes last under "Notes".
Pictures are read by OCR (a scanned page or a screenshot pasted into a slide is often all the
slide says); a slide with text from a picture is marked as OCR'd, so its citations say so.
Legacy .ppt files are refused with what to do, unless they are really .pptx inside.
"""

from __future__ import annotations

import io
import warnings

from app.ingest import ocr
from app.ingest.errors import ExtractionError
from app.ingest.formats import archive
from app.ingest.formats.layout import HEADING, ITEM, PARAGRAPH, ROW, join_blocks, row_text
from app.records import Page

SUFFIXES = {".pptx", ".pptm", ".ppt"}
EMPTY_REASON = "no text on any slide"
LEGACY_REASON = (
    "PowerPoint 97-2003 .ppt is not supported: save it as .pptx (PowerPoint or LibreOffice)"
)
_MAX_GROUP_DEPTH = 32
MAX_PICTURES = 200  # pictures read by OCR per deck; the rest are left out (the text stays)
MIN_PICTURE_SIDE = 32  # pixels: smaller pictures are icons and bullets, not text


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
    pictures = [MAX_PICTURES]  # OCR budget left for the deck
    pages = []
    for number, slide in enumerate(slides, start=1):
        blocks, read_by_ocr = _slide_blocks(slide, pictures)
        pages.append(Page(number, join_blocks(blocks), label=f"slide {number}", ocr=read_by_ocr))
    return pages


def _slide_blocks(slide, pictures: list[int]) -> tuple[list[tuple[str, str]], bool]:
    """The slide's blocks in reading order, and whether any came from a picture by OCR."""
    title = slide.shapes.title
    blocks: list[tuple[str, str]] = []
    read_by_ocr = False
    if title is not None and title.has_text_frame:
        blocks.append((HEADING, title.text_frame.text))
    for shape in _in_reading_order(slide.shapes, 0):
        if title is not None and shape.shape_id == title.shape_id:
            continue
        if _is_picture(shape):
            text = _picture_text(shape, pictures)
            blocks.extend((PARAGRAPH, part) for part in text.split("\n\n") if part.strip())
            read_by_ocr = read_by_ocr or bool(text.strip())
            continue
        blocks.extend(_shape_blocks(shape))
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            blocks.append((HEADING, "Notes"))
            blocks.extend((PARAGRAPH, p.text) for p in notes.paragraphs)
    return blocks, read_by_ocr


def _is_picture(shape) -> bool:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    return shape.shape_type == MSO_SHAPE_TYPE.PICTURE


def _picture_text(shape, pictures: list[int]) -> str:
    """The text OCR reads in a picture; "" for icons, unreadable images and once the deck's
    budget is spent. A picture that cannot be read never costs the slide its other text."""
    from PIL import Image, UnidentifiedImageError

    if pictures[0] <= 0:
        return ""
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(shape.image.blob))
            if min(image.width, image.height) < MIN_PICTURE_SIDE:
                return ""
            pictures[0] -= 1
            return ocr.image_text(image)
    except (ExtractionError, UnidentifiedImageError, OSError, ValueError, KeyError,
            AttributeError, SyntaxError):  # fmt: skip
        return ""  # a linked (not embedded) picture, an unknown format, too many pixels
    finally:
        Image.MAX_IMAGE_PIXELS = previous


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
        return [(ROW, row_text(cell.text for cell in row.cells)) for row in shape.table.rows]
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return []
    paragraphs = shape.text_frame.paragraphs
    bulleted = len([p for p in paragraphs if p.text.strip()]) > 1
    return [(ITEM if bulleted else PARAGRAPH, p.text) for p in paragraphs]
