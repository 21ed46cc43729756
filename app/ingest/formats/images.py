"""Images of text, read by OCR: one page per image, or per frame of a TIFF or HEIF. Photos of
iPhones (.heic, .heif) are read through pillow-heif; a GIF or WebP animation by its first frame.
A photo is read the way up its camera recorded (`ocr.image_text`).

Sizes are checked from the header before any pixel is decoded: an image over the OCR's pixel
limit, or a TIFF with more frames than DOCQA_MAX_PAGES, is refused with the reason. A frame that
cannot be read is left out; the file is refused only when no frame gives text.
"""

from __future__ import annotations

import io
import warnings
from functools import cache

from app.ingest import ocr
from app.ingest.errors import ExtractionError
from app.records import Page

HEIF_SUFFIXES = {".heic", ".heif"}
SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif", *HEIF_SUFFIXES}
FIRST_FRAME_ONLY = {".gif", ".webp"}  # an animation's frames repeat its text, if it has any
EMPTY_REASON = "no text found in the image by OCR"
NO_HEIF = "HEIC and HEIF photos need pillow-heif: pip install pillow-heif"


@cache
def reads_heif() -> bool:
    """Whether Pillow opens HEIC and HEIF files: pillow-heif's opener, registered once."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    from PIL import Image, UnidentifiedImageError

    if suffix in HEIF_SUFFIXES and not reads_heif():
        raise ExtractionError(NO_HEIF)

    # Pillow's own bomb check would refuse with its message; ours names the size and the limit,
    # from the header alone, like Pillow's (which is restored after opening).
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # palette transparency and other notes
            image = Image.open(io.BytesIO(data))
            _check_size(image)
            frames = 1 if suffix in FIRST_FRAME_ONLY else _frame_count(image, max_pages)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"corrupt or unsupported image ({exc})") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    pages: list[Page] = []
    failure: ExtractionError | None = None
    for number in range(1, frames + 1):
        try:
            image.seek(number - 1)
            _check_size(image)
            pages.append(Page(number, ocr.image_text(image), ocr=True))
        except ExtractionError as exc:
            failure = failure or exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            failure = failure or ExtractionError(f"frame {number} is corrupt ({exc})")
    if failure is not None and not any(p.text.strip() for p in pages):
        raise failure
    return pages


def _check_size(image) -> None:
    if image.width * image.height > ocr.MAX_PIXELS:
        raise ExtractionError(
            f"image too large to read ({image.width} x {image.height} pixels > "
            f"{ocr.MAX_PIXELS / 1e6:.0f} megapixels)"
        )


def _frame_count(image, max_pages: int) -> int:
    """Frames in a multi-page image, counted only up to the limit (counting walks the file)."""
    if not getattr(image, "is_animated", False):
        return 1
    count = 1
    while True:
        try:
            image.seek(count)
        except EOFError:
            break
        count += 1
        if count > max_pages:
            raise ExtractionError(f"too many frames (more than the {max_pages} page limit)")
    image.seek(0)
    return count
