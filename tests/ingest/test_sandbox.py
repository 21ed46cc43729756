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
