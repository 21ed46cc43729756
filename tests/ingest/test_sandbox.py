import pytest

from app.ingest.errors import ExtractionError
from app.ingest.sandbox import ExtractionSandbox
from tests.conftest import make_pdf, write_files


def test_a_file_over_the_time_limit_is_skipped_and_the_next_one_still_works(tmp_path):
    make_pdf(tmp_path / "slow.pdf", ["Some text. " * 400] * 30)
    write_files(tmp_path, {"fine.txt": "A fine little file."})
    with ExtractionSandbox(timeout=0.01, memory_mb=2048, max_pages=100) as sandbox:
        with pytest.raises(ExtractionError, match=r"longer than 0\.01 s"):
            sandbox.extract(tmp_path / "slow.pdf")
        sandbox.timeout = 30
        assert sandbox.extract(tmp_path / "fine.txt")[0].text == "A fine little file."


def test_page_count_limit(tmp_path):
    make_pdf(tmp_path / "many.pdf", ["page"] * 5)
    sandbox = ExtractionSandbox(timeout=30, memory_mb=2048, max_pages=4)
    with sandbox, pytest.raises(ExtractionError, match="too many pages"):
        sandbox.extract(tmp_path / "many.pdf")


def test_the_worker_prints_nothing_into_the_terminal(shared_eval, capfd):
    """pypdf logs what it repairs, some of it as errors with a 256-character table attached;
    what a user should know comes back as a skip reason instead."""
    sandbox = ExtractionSandbox(timeout=60, memory_mb=2048, max_pages=100)
    with sandbox, pytest.raises(ExtractionError, match="corrupt PDF"):
        sandbox.extract(shared_eval / "pdfs" / "qpdf-qtest" / "bad39.pdf")
    assert capfd.readouterr().err == ""


def test_scans_of_many_sizes_are_all_read_whatever_came_before(tmp_path):
    """OpenVINO keeps address space for every image size OCR has read (about 0.1 GB each), so a
    worker that read some scans ran out of memory on the next one, and on every one after it.
    A file that runs out of memory in a used worker is read again in a new one; each of these
    images fits alone."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=40)
    words = "amber birch cedar delta ember fern grove heath iris jade".split()
    names = []
    for i, word in enumerate(words):
        image = Image.new("L", (900 + 40 * i, 1200 + 30 * i), 255)
        draw = ImageDraw.Draw(image)
        for line in range(8):
            draw.text((50, 60 + 120 * line), f"The {word} scan reads well", 0, font=font)
        names.append(tmp_path / f"{word}.png")
        image.save(names[-1])
    with ExtractionSandbox(timeout=120, memory_mb=2048, max_pages=10, ocr_memory_mb=2400) as box:
        texts = [box.extract(name)[0].text for name in names]
    assert [text.splitlines()[0] for text in texts] == [f"The {w} scan reads well" for w in words]
