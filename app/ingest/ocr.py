"""Images of text -> text, offline on the CPU, with RapidOCR (PP-OCR models run by OpenVINO, or by
onnxruntime where OpenVINO is not available).

The models ship inside the `rapidocr-openvino` and `rapidocr-onnxruntime` wheels; nothing is
downloaded. The engine is loaded once per extraction worker, on the first image. Recognised
boxes are put back into lines (boxes whose vertical centres are within half a line of each
other) and paragraphs (a gap taller than a line), so the sentence splitter sees the page's
structure. Settings chosen by measurement: `scripts/bench_ocr.py`.
"""

from __future__ import annotations

import contextlib
import io
import resource
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from statistics import median
from typing import Any

from app.ingest.errors import ExtractionError
from app.ingest.formats.text import join_split_words

MAX_PIXELS = 40_000_000  # larger images are refused: about A4 at 600 dpi
RENDER_DPI = 200  # PDF pages without a text layer are rendered at this resolution
MIN_SCORE = 0.5  # recognised text below this confidence is dropped
MAX_PICTURES = 200  # pictures read per document (a deck, a Word file); the rest are left out
MIN_PICTURE_SIDE = 32  # pixels: smaller pictures are icons and bullets, not text
# Detection runs on the page scaled to at most 1280 pixels on its longer side (an A4 page at 200
# dpi is 1654 x 2339). Measured with scripts/bench_ocr.py: 960 and 1280 both gave 0.39 % CER on
# 10 pages (14.8 and 15.5 CPU-seconds a page: recognition dominates), 1600 gave 0.34 % on 4 pages
# (17.9 s); the library's defaults (detection at full size, plus the angle classifier) gave
# 5.95 % on the same 4 pages. 1280 keeps a margin for small print at little cost.
OPTIONS: dict[str, Any] = {
    "det_limit_side_len": 1280,
    "det_limit_type": "max",
    "use_cls": False,  # document lines are upright; the 180-degree classifier is not needed
    "max_side_len": 2400,
}

# Recognition runs on batches of lines padded to a multiple of this width, so that OpenVINO
# meets a bounded set of shapes (`_PaddedInput`; measured in BENCHMARKS.md, "Scans of many
# pages").
RECOGNITION_STEP = 160

# Set by the extraction sandbox: called before each OCR'd page, so that the worker's deadline
# grows by DOCQA_OCR_PAGE_TIMEOUT per page instead of one file timeout for a whole scan.
on_page: Callable[[], None] | None = None
# Set by the sandbox: the worker's address-space limit, and the larger one OCR may use while it
# runs (DOCQA_OCR_MEMORY_MB): the runtimes and OpenCV reserve far more address space than they
# touch (onnxruntime about 1.8 GB for one page at 200 dpi, of which 0.8 GB resident; OpenVINO
# about 2.7 GB, of which 1 GB resident, however many pages, `bound_shapes`).
memory_limits: tuple[int, int] | None = None
_engine: Any = None


def runtime() -> str:
    """OpenVINO where it loads, else onnxruntime: the same PP-OCR models (both wheels carry
    them), and OpenVINO read a page 2.5 times faster on 2 cores (scripts/bench_ocr.py)."""
    try:
        import rapidocr_openvino  # noqa: F401
    except ImportError:  # an architecture or Python without OpenVINO wheels
        return "onnxruntime"
    return "openvino"


def _rapidocr(name: str) -> Any:  # -> the RapidOCR class of that runtime
    try:
        if name == "openvino":
            from rapidocr_openvino import RapidOCR
        else:
            from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ExtractionError(f"OCR is not installed ({exc})") from exc
    return RapidOCR


def engine(**options: Any) -> Any:
    """The loaded RapidOCR engine. For benchmarks, `options` override OPTIONS, `runtime`
    among them names "openvino" or "onnxruntime" instead of the default, and `bounded_shapes`
    False runs the models on the shapes RapidOCR makes."""
    global _engine, memory_limits
    if _engine is None or options:
        if options:
            chosen = options.pop("runtime", None) or runtime()
            bounded = options.pop("bounded_shapes", True)
            loaded = _rapidocr(chosen)(**{**OPTIONS, **options})
            return bound_shapes(loaded) if bounded else loaded
        before = _address_space()
        with more_memory():
            _engine = bound_shapes(_rapidocr(runtime())(**OPTIONS))
        if memory_limits is not None:  # the loaded models stay mapped: do not count them
            normal, ocr_limit = memory_limits
            grown = max(_address_space() - before, 0)
            memory_limits = (normal + grown, max(ocr_limit, normal + grown))
            _set_soft_limit(memory_limits[0])
    return _engine


class _PaddedInput:
    """RapidOCR's recognition model called on batches of a bounded set of shapes: the batch
    (lines, channels, height, width) filled up to `lines` and its width padded up to a multiple
    of `step`, with zeros, as RapidOCR pads the lines of a batch to the widest; the extra
    columns read as blanks, and the extra lines are dropped from the output.

    OpenVINO keeps memory for every input shape a model has run on, and RapidOCR's batches
    take the width of their widest line: a worker's address space grew by about 0.1 GB a page,
    and a scanned PDF of five pages ran out of its 3 GB. Detection is left as it is: its input
    follows the page's size, which the pages of a scan share, and padding it changed which
    boxes it found.
    """

    def __init__(self, model: Any, step: int, lines: int) -> None:
        self.model, self.step, self.lines = model, step, lines

    def __call__(self, batch: Any) -> Any:
        import numpy as np

        count, _, _, width = batch.shape
        wide = -(-width // self.step) * self.step
        pads = ((0, max(self.lines - count, 0)), (0, 0), (0, 0), (0, wide - width))
        out = self.model(np.pad(batch, pads))
        # onnxruntime's sessions return a list of outputs, OpenVINO's the one output
        return [o[:count] for o in out] if isinstance(out, list) else out[:count]


def bound_shapes(loaded: Any) -> Any:
    """`loaded` (a RapidOCR engine) with its recognition model called on full batches whose
    width is a multiple of RECOGNITION_STEP pixels."""
    recognizer = loaded.text_rec
    recognizer.session = _PaddedInput(
        recognizer.session, RECOGNITION_STEP, recognizer.rec_batch_num
    )
    return loaded


@contextlib.contextmanager
def more_memory() -> Iterator[None]:
    """While OCR runs, the worker may use DOCQA_OCR_MEMORY_MB instead of its usual limit."""
    if memory_limits is None:
        yield
        return
    _set_soft_limit(memory_limits[1])
    try:
        yield
    finally:
        _set_soft_limit(memory_limits[0])


def _set_soft_limit(limit: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def image_text(image: Any, ocr: Any = None) -> str:
    """The text of a PIL image, turned the way up its camera recorded (EXIF orientation: a phone
    stores a page photographed sideways as its sensor saw it, which OCR read as "ss  s o s");
    raises ExtractionError when the page cannot be read."""
    import numpy as np

    if image.width * image.height > MAX_PIXELS:
        raise ExtractionError(
            f"image too large to read ({image.width} x {image.height} pixels > "
            f"{MAX_PIXELS / 1e6:.0f} megapixels)"
        )
    if on_page is not None:
        on_page()
    try:
        _upright(image)
        reader = ocr or engine()
        with more_memory(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes on palette transparency
            found, _ = reader(np.asarray(image.convert("RGB")))
    except MemoryError:
        raise
    except Exception as exc:  # onnxruntime's bad_alloc arrives as a RuntimeException,
        # OpenVINO's as "can't alloc" inside its own error type
        if any(sign in str(exc) for sign in ("bad_alloc", "allocate", "can't alloc")):
            raise MemoryError(str(exc)) from exc
        raise ExtractionError(f"OCR failed ({type(exc).__name__}: {_last_line(exc)})") from exc
    return layout(found or [])


def _upright(image: Any) -> None:
    """Turns `image` in place the way up its EXIF orientation says; an image whose EXIF cannot
    be read stays as it is (the orientation only helps)."""
    import struct

    from PIL import ImageOps

    with contextlib.suppress(ValueError, OSError, SyntaxError, KeyError, TypeError, struct.error):
        ImageOps.exif_transpose(image, in_place=True)


def _last_line(exc: Exception) -> str:
    """The gist of an error whose message carries a whole traceback (RapidOCR's OpenVINO
    errors do): its last line that says something."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip(" )")]
    return lines[-1][:200] if lines else ""


@dataclass
class Pictures:
    """OCR of the pictures inside one document (a slide deck, a Word file): a scanned page or a
    screenshot pasted in is often all a slide or a section says. At most MAX_PICTURES are read
    per document, icons are skipped, and a picture that cannot be read is left out without
    costing the document its other text. Once OCR runs out of memory, the document's other
    pictures are left out too: the runtime may not recover, and its typed text still counts."""

    left: int = MAX_PICTURES  # pictures that may still be read

    def text(self, blob: bytes) -> str:
        """The text OCR reads in the picture stored as `blob`; "" for icons, unreadable images
        and once the budget is spent."""
        from PIL import Image, UnidentifiedImageError

        if self.left <= 0:
            return ""
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # image_text checks
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                image = Image.open(io.BytesIO(blob))
                if min(image.width, image.height) < MIN_PICTURE_SIDE:
                    return ""
                self.left -= 1
                return image_text(image)
        except (ExtractionError, UnidentifiedImageError, OSError, ValueError, SyntaxError):
            return ""  # an unknown format, too many pixels, a broken file
        except MemoryError:
            self.left = 0
            return ""
        finally:
            Image.MAX_IMAGE_PIXELS = previous


def layout(found: list) -> str:
    """RapidOCR's [box, text, score] results as lines and paragraphs, in reading order."""
    boxes = []
    for box, text, score in found:
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        ys = [point[1] for point in box]
        xs = [point[0] for point in box]
        boxes.append((min(ys), max(ys), min(xs), str(text).strip()))
    if not boxes:
        return ""
    height = median(bottom - top for top, bottom, _, _ in boxes) or 1.0
    lines: list[list[tuple[float, float, float, str]]] = []
    for box in sorted(boxes, key=lambda b: (b[0] + b[1]) / 2):
        centre = (box[0] + box[1]) / 2
        if lines and abs(centre - _centre(lines[-1])) <= height / 2:
            lines[-1].append(box)
        else:
            lines.append([box])
    out: list[str] = []
    previous_bottom = None
    for line in lines:
        top = min(b[0] for b in line)
        if previous_bottom is not None:
            out.append("\n\n" if top - previous_bottom > height else "\n")
        out.append(" ".join(b[3] for b in sorted(line, key=lambda b: b[2])))
        previous_bottom = max(b[1] for b in line)
    return join_split_words("".join(out))


def _centre(line: list[tuple[float, float, float, str]]) -> float:
    return sum((b[0] + b[1]) / 2 for b in line) / len(line)
