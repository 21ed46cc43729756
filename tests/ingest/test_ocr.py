"""Images of text and scanned PDF pages, read by OCR inside the sandbox, recorded as such."""

import io
import sys

import pytest

from app.ingest import ocr
from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages

LINES = ["The lighthouse has 132 steps.", "It was built in 1874."]


def text_image(lines: list[str] = LINES, frames: int = 1, fmt: str = "PNG") -> bytes:
    """Black text on white, drawn with the TrueType font Pillow ships (no system font needed)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=40)
    images = []
    for frame in range(frames):
        image = Image.new("L", (1100, 110 + 70 * len(lines)), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((50, 50 + 70 * i), line.replace("1874", str(1874 + frame)), 0, font=font)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, fmt, save_all=frames > 1, append_images=images[1:])
    return out.getvalue()


def scanned_pdf(image_bytes: bytes) -> bytes:
    """A PDF whose only page is an image, with no text layer: what a scanner makes."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(image_bytes)).convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue()


def test_png_text_is_read_by_ocr(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"sign.png": text_image()})
    assert report.files_indexed == ["sign.png"], skipped(report)
    assert stored_pages(settings, "sign.png") == {1: "\n".join(LINES)}
    assert entry(settings, "sign.png").ocr_pages == [1]


@pytest.mark.parametrize("runtime", ["openvino", "onnxruntime"])
def test_both_ocr_runtimes_read_the_same_text(runtime):
    """OpenVINO is the faster runtime; onnxruntime is where OpenVINO has no wheel. Same models,
    same text."""
    from PIL import Image

    image = Image.open(io.BytesIO(text_image()))
    assert ocr.image_text(image, ocr.engine(runtime=runtime)) == "\n".join(LINES)


def test_ocr_falls_back_to_onnxruntime_without_openvino(monkeypatch):
    assert ocr.runtime() == "openvino"
    monkeypatch.setitem(sys.modules, "rapidocr_openvino", None)  # as if it had no wheel here
    assert ocr.runtime() == "onnxruntime"


def heic_photo(lines: list[str] = LINES) -> bytes:
    """The text image as an iPhone saves a photo: HEIC, written with pillow-heif's encoder."""
    from PIL import Image
    from pillow_heif import from_pillow

    out = io.BytesIO()
    from_pillow(Image.open(io.BytesIO(text_image(lines))).convert("RGB")).save(out, quality=95)
    return out.getvalue()


def test_webp_bmp_gif_and_heic_photos_are_read_by_ocr(settings, fake_embedder):
    """An animated GIF is read by its first frame (frames=2: the second says 1875)."""
    files = {
        "sign.webp": text_image(fmt="WEBP"),
        "sign.bmp": text_image(fmt="BMP"),
        "sign.gif": text_image(frames=2, fmt="GIF"),
        "photo.heic": heic_photo(),
    }
    report = ingest_files(settings, fake_embedder, files)
    assert sorted(report.files_indexed) == sorted(files), skipped(report)
    for name in files:
        assert stored_pages(settings, name) == {1: "\n".join(LINES)}, name


def test_a_photo_is_read_the_way_up_its_camera_recorded(settings, fake_embedder):
    """A phone stores a page photographed sideways as the sensor saw it, with an EXIF
    orientation to show it upright: read as stored, OCR found "ss  s o s"."""
    from PIL import Image

    sideways = Image.open(io.BytesIO(text_image())).rotate(90, expand=True).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    out = io.BytesIO()
    sideways.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    ingest_files(settings, fake_embedder, {"photo.jpg": out.getvalue()})
    assert stored_pages(settings, "photo.jpg") == {1: "\n".join(LINES)}


def test_each_tiff_frame_is_a_page(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"scan.tiff": text_image(frames=2, fmt="TIFF")})
    assert report.files_indexed == ["scan.tiff"], skipped(report)
    pages = stored_pages(settings, "scan.tiff")
    assert pages[2] == "The lighthouse has 132 steps.\nIt was built in 1875."
    assert entry(settings, "scan.tiff").ocr_pages == [1, 2]


def test_scanned_pdf_page_is_read_by_ocr_once(settings, fake_embedder, monkeypatch):
    files = {"letter.pdf": scanned_pdf(text_image())}
    report = ingest_files(settings, fake_embedder, files)
    assert report.files_indexed == ["letter.pdf"], skipped(report)
    assert "The lighthouse has 132 steps." in stored_pages(settings, "letter.pdf")[1]
    assert entry(settings, "letter.pdf").ocr_pages == [1]

    # A second ingest of the unchanged corpus does not extract, so it cannot OCR again.
    from app.ingest import sandbox

    def no_extraction(*args, **kwargs):
        raise AssertionError("an unchanged file was extracted again")

    monkeypatch.setattr(sandbox.ExtractionSandbox, "extract", no_extraction)
    monkeypatch.setattr(ocr, "image_text", no_extraction)
    again = ingest_files(settings, fake_embedder, {})
    assert again.files_indexed == [] and again.files_unchanged == 1


def test_a_page_with_a_text_layer_is_not_ocrd(settings, fake_embedder):
    from tests.conftest import make_pdf

    make_pdf(settings.corpus / "typed.pdf", ["A typed letter with a real text layer."])
    ingest_files(settings, fake_embedder, {})
    assert entry(settings, "typed.pdf").ocr_pages == []


@pytest.mark.parametrize("name", ["blank.png", "blank.pdf"])
def test_an_image_without_text_is_refused_with_a_reason(settings, fake_embedder, name):
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (400, 300), 255).save(out, "PNG")
    data = out.getvalue() if name.endswith(".png") else scanned_pdf(out.getvalue())
    report = ingest_files(settings, fake_embedder, {name: data})
    assert (
        "no text found" in skipped(report)[name]
        or "OCR found no text on its pages" in skipped(report)[name]
    )


def test_an_ocr_error_is_reported_in_a_line_and_running_out_of_memory_as_such():
    """RapidOCR wraps OpenVINO's errors with their whole traceback; a skip reason is one line.
    OpenVINO's "can't alloc" is a memory failure, which the sandbox retries in a new worker."""
    from PIL import Image

    traceback = (
        'Traceback (most recent call last):\n  File "x.py"\nRuntimeError: at x.cpp:9:\n{}\n\n'
    )

    def failing(message: str):
        def read(_):
            raise RuntimeError(traceback.format(message))

        return read

    image = Image.open(io.BytesIO(text_image()))
    with pytest.raises(ocr.ExtractionError, match=r"^OCR failed \(RuntimeError: bad model\)$"):
        ocr.image_text(image, failing("bad model"))
    with pytest.raises(MemoryError):
        ocr.image_text(image, failing("can't alloc"))


def test_a_scanned_pdf_of_many_pages_is_read_within_the_memory_limit(tmp_path):
    """RapidOCR's models meet a new input shape with every batch of lines of a new width, and
    OpenVINO keeps memory for each shape: a five-page scan ran out of the worker's 3 GB. Padded
    to a bounded set of shapes, every page is read."""
    from app.ingest.sandbox import ExtractionSandbox
    from scripts.bench_ocr import write_scan

    write_scan(tmp_path / "scan.pdf", 8)
    with ExtractionSandbox(timeout=600, memory_mb=2048, max_pages=100, ocr_memory_mb=3072) as box:
        read = box.extract(tmp_path / "scan.pdf")
    assert [page.ocr for page in read] == [True] * 8
    assert all(page.text.count("\n") >= 35 for page in read)


def test_pictures_after_ocr_ran_out_of_memory_are_left_out_not_the_document(monkeypatch):
    """A Word file or a deck keeps its typed text when OCR runs out of memory on a picture."""
    calls = []

    def out_of_memory(image):
        calls.append(image.size)
        raise MemoryError("can't alloc")

    monkeypatch.setattr(ocr, "image_text", out_of_memory)
    pictures = ocr.Pictures()
    assert [pictures.text(text_image()), pictures.text(text_image())] == ["", ""]
    assert len(calls) == 1 and pictures.left == 0
